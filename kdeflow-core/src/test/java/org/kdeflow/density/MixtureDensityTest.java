package org.kdeflow.density;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.random.NumpyRandomState;

class MixtureDensityTest {
    private static final GaussianMixture A = GaussianMixture.homework(0.5);
    private static final GaussianMixture B = GaussianMixture.isotropic(new double[][] {{-1, 3}}, 2.0);
    private static final GaussianMixture C = GaussianMixture.isotropic(new double[][] {{5, 5}, {6, -2}}, 0.3);

    @Test
    void logDensityIsTheWeightedSumOfTheComponentDensities() {
        MixtureDensity m = MixtureDensity.of(List.of(A, B, C), new double[] {2, 1, 1});
        double[] x = new double[40];
        new NumpyRandomState(1).fillGauss(x);
        for (int k = 0; k < x.length; k++) {
            x[k] *= 3;
        }
        double[] lp = new double[20];
        m.logDensity(x, 20, lp);
        for (int r = 0; r < 20; r++) {
            double[] pt = {x[2 * r], x[2 * r + 1]};
            double direct = 0.5 * A.density(pt) + 0.25 * B.density(pt) + 0.25 * C.density(pt);
            assertEquals(Math.log(direct), lp[r], 1e-13, "row " + r);
        }
        assertArrayEquals(new double[] {0.5, 0.25, 0.25}, m.probabilities(), 1e-16);
        assertArrayEquals(new double[] {2, 1, 1}, m.weights(), 0.0);
    }

    /**
     * At (300, −400) every component's density underflows (log f_m ≈ −1e5), so the direct sum is log 0; by
     * log-sum-exp the mixture is log π_m + log f_m of the nearest component, the others smaller by e^{−thousands}.
     */
    @Test
    void farFromEveryComponentTheLogDensityStaysFinite() {
        MixtureDensity m = MixtureDensity.of(List.of(A, B, C), new double[] {2, 1, 1});
        double[] pt = {300, -400};
        assertEquals(0.0, A.density(pt) + B.density(pt) + C.density(pt), 0.0);
        double best = Math.max(Math.log(0.5) + A.logDensity(pt), Math.max(Math.log(0.25) + B.logDensity(pt),
                Math.log(0.25) + C.logDensity(pt)));
        double got = m.logDensity(pt);
        assertTrue(Double.isFinite(got), "log p = " + got);
        assertEquals(best, got, 1e-15 * Math.abs(best));
    }

    /**
     * Components far apart (at −100, 0, 100 on the first axis) identify each draw's component: the counts of 30,000
     * draws against the weights within 5 binomial standard deviations √(nπ(1−π)); a weight-0 component never drawn.
     */
    @Test
    void samplingPicksComponentsByWeight() {
        List<Density> cs = List.of(GaussianMixture.isotropic(new double[][] {{-100, 0}}, 1),
                GaussianMixture.isotropic(new double[][] {{0, 0}}, 1),
                GaussianMixture.isotropic(new double[][] {{100, 0}}, 1),
                GaussianMixture.isotropic(new double[][] {{200, 0}}, 1));
        double[] w = {0.2, 0.5, 0.3, 0};
        MixtureDensity m = MixtureDensity.of(cs, w);
        int n = 30_000;
        Dataset s = m.sample(n, new NumpyRandomState(2));
        int[] count = new int[4];
        for (int r = 0; r < n; r++) {
            count[(int) Math.round(s.get(r, 0) / 100) + 1]++;
        }
        for (int k = 0; k < 3; k++) {
            double sd = Math.sqrt(n * w[k] * (1 - w[k]));
            assertEquals(n * w[k], count[k], 5 * sd, "draws of component " + k);
        }
        assertEquals(0, count[3], "a component of weight 0");
        assertArrayEquals(s.toArray(), m.sample(n, new NumpyRandomState(2)).toArray(), "same seed, same bits");
    }

    @Test
    void anEnsembleAveragesInDensitySpace() {
        MixtureDensity e = MixtureDensity.equal(List.of(A, C));
        double[] pt = {1, 1};
        assertEquals(Math.log((A.density(pt) + C.density(pt)) / 2), e.logDensity(pt), 1e-14);
        MixtureDensity nested = MixtureDensity.of(List.of(e, B), new double[] {1, 1});
        assertEquals(Math.log((A.density(pt) + C.density(pt)) / 4 + B.density(pt) / 2), nested.logDensity(pt),
                1e-14);
    }

    @Test
    void invalidMixturesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MixtureDensity.of(List.of(A, B), new double[] {1, -0.5}));
        assertTrue(e.getMessage().contains("weight 1") && e.getMessage().contains("-0.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MixtureDensity.of(List.of(A, B), new double[] {0, 0}));
        assertTrue(e.getMessage().contains("sum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MixtureDensity.of(List.of(A), new double[] {1, 1}));
        assertTrue(e.getMessage().contains("1 components but 2 weights"), e.getMessage());
        GaussianMixture oneD = GaussianMixture.isotropic(new double[][] {{0}}, 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> MixtureDensity.of(List.of(A, oneD), new double[] {1, 1}));
        assertTrue(e.getMessage().contains("component 1 has dimension 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MixtureDensity.equal(List.of()));
        assertTrue(e.getMessage().contains("at least one component"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> MixtureDensity.of(List.of(A), new double[] {Double.POSITIVE_INFINITY}));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }

    @Test
    void theCallersWeightsAreCopied() {
        double[] w = {1, 3};
        MixtureDensity m = MixtureDensity.of(List.of(A, B), w);
        w[0] = 100;
        assertArrayEquals(new double[] {0.25, 0.75}, m.probabilities(), 1e-16);
    }
}

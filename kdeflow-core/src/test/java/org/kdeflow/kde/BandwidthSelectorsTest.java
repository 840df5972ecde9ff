package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.random.NumpyRandomState;

class BandwidthSelectorsTest {

    /** A correlated 2-D Gaussian sample: x₂ = 0.6·x₁ + 0.5·ε. */
    static Dataset correlated(int n, long seed) {
        NumpyRandomState rng = new NumpyRandomState(seed);
        double[] x = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double a = rng.gauss();
            double b = rng.gauss();
            x[2 * i] = 2 * a + 1;
            x[2 * i + 1] = 0.6 * a + 0.5 * b;
        }
        return Dataset.of(x, n, 2);
    }

    /** Sample covariance with 1/(n−1), computed directly. */
    static double[] covariance(Dataset data) {
        int n = data.size();
        double m0 = 0;
        double m1 = 0;
        for (int i = 0; i < n; i++) {
            m0 += data.get(i, 0) / n;
            m1 += data.get(i, 1) / n;
        }
        double[] c = new double[4];
        for (int i = 0; i < n; i++) {
            double a = data.get(i, 0) - m0;
            double b = data.get(i, 1) - m1;
            c[0] += a * a / (n - 1);
            c[1] += a * b / (n - 1);
            c[3] += b * b / (n - 1);
        }
        c[2] = c[1];
        return c;
    }

    @Test
    void scottFullIsTheFactorSquaredTimesTheCovariance() {
        Dataset data = correlated(500, 1);
        double[] cov = covariance(data);
        double f = Math.pow(500, -1.0 / 6);
        Bandwidth h = BandwidthSelectors.scott(Bandwidth.Kind.FULL).select(data, null);
        double[] hht = h.covariance();
        for (int k = 0; k < 4; k++) {
            assertEquals(f * f * cov[k], hht[k], 1e-12 * Math.abs(cov[0]));
        }
        // the Cholesky factor is lower triangular
        assertEquals(0.0, h.matrix()[1]);
        Bandwidth diag = BandwidthSelectors.scott(Bandwidth.Kind.DIAGONAL).select(data, null);
        assertArrayEquals(new double[] {f * Math.sqrt(cov[0]), f * Math.sqrt(cov[3])}, diag.diagonal(), 1e-12);
        Bandwidth scalar = BandwidthSelectors.scott(Bandwidth.Kind.SCALAR).select(data, null);
        double detRoot = Math.pow(cov[0] * cov[3] - cov[1] * cov[1], 0.25);
        assertEquals(f * detRoot, scalar.diagonal()[0], 1e-12);
    }

    @Test
    void silvermanFactor() {
        Dataset data = correlated(300, 2);
        double[] cov = covariance(data);
        // d = 2: (n(d+2)/4)^(-1/(d+4)) = n^(-1/6)
        double f = Math.pow(300 * 4 / 4.0, -1.0 / 6);
        double[] hht = BandwidthSelectors.silverman(Bandwidth.Kind.FULL).select(data, null).covariance();
        for (int k = 0; k < 4; k++) {
            assertEquals(f * f * cov[k], hht[k], 1e-12);
        }
        // d = 1: (3n/4)^(-1/5)
        Dataset one = Dataset.of(new double[] {0, 1, 3, 4, 7}, 5, 1);
        double sd = Math.sqrt((49 + 4 + 0 + 1 + 16) / 4.0 / 1); // mean 3, squared deviations 9,4,0,1,16 → 30/4
        sd = Math.sqrt(30.0 / 4);
        assertEquals(Math.pow(15 / 4.0, -0.2) * sd,
                BandwidthSelectors.silverman(Bandwidth.Kind.SCALAR).select(one, null).diagonal()[0], 1e-12);
    }

    @Test
    void weightedRulesUseTheEffectiveSampleSize() {
        Dataset data = Dataset.of(new double[] {0, 1, 2, 3}, 4, 1);
        double[] w = {1, 1, 1, 1};
        Bandwidth plain = BandwidthSelectors.scott(Bandwidth.Kind.SCALAR).select(data, null);
        Bandwidth weighted = BandwidthSelectors.scott(Bandwidth.Kind.SCALAR).select(data, w);
        assertEquals(plain.diagonal()[0], weighted.diagonal()[0], 1e-14);
        // weights 1,1,1,3: n_eff = (Σw)²/Σw² = 36/12 = 3
        double[] w2 = {1, 1, 1, 3};
        double[] o = {1 / 6.0, 1 / 6.0, 1 / 6.0, 0.5};
        double mean = 0 * o[0] + 1 * o[1] + 2 * o[2] + 3 * o[3];
        double var = 0;
        for (int i = 0; i < 4; i++) {
            var += o[i] * (i - mean) * (i - mean);
        }
        var /= 1 - (3 / 36.0 + 0.25);
        assertEquals(Math.pow(3, -0.2) * Math.sqrt(var),
                BandwidthSelectors.scott(Bandwidth.Kind.SCALAR).select(data, w2).diagonal()[0], 1e-12);
    }

    /**
     * On a standard normal sample of n = 1000 (d = 1), the AMISE-optimal Gaussian-kernel bandwidth is
     * h* = (4/3)^(1/5)·n^(−1/5) = 0.2661. Cross-validated bandwidths converge to it at the slow relative rate
     * n^(−1/10) (Hall &amp; Marron 1987), so for one sample ±30% is the honest tolerance (about 1.5 standard
     * deviations of UCV's, which is the noisier of the two).
     */
    @Test
    void crossValidationLandsNearTheAmiseOptimum() {
        int n = 1000;
        NumpyRandomState rng = new NumpyRandomState(42);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.gauss();
        }
        Dataset data = Dataset.of(x, n, 1);
        double hStar = Math.pow(4.0 / 3, 0.2) * Math.pow(n, -0.2);
        double lcv = BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR).select(data, null).diagonal()[0];
        double ucv = BandwidthSelectors.leastSquaresCV(Bandwidth.Kind.SCALAR).select(data, null).diagonal()[0];
        System.out.printf("h* = %.4f, LCV %.4f, UCV %.4f%n", hStar, lcv, ucv);
        assertEquals(hStar, lcv, 0.3 * hStar);
        assertEquals(hStar, ucv, 0.3 * hStar);
    }

    /**
     * In 2-D with a correlated normal sample, the FULL cross-validated H is a multiple of the Cholesky factor, and
     * for H = c·L the AMISE optimum is Silverman's c = n^(−1/6); the DIAGONAL search lands near the diagonal rule.
     */
    @Test
    void crossValidationInTwoDimensions() {
        Dataset data = correlated(1500, 3);
        Bandwidth silverman = BandwidthSelectors.silverman(Bandwidth.Kind.FULL).select(data, null);
        Bandwidth lcv = BandwidthSelectors.likelihoodCV(Bandwidth.Kind.FULL).select(data, null);
        double ratio = lcv.matrix()[0] / silverman.matrix()[0];
        assertEquals(ratio, lcv.matrix()[2] / silverman.matrix()[2], 1e-9, "a multiple of the same factor");
        assertEquals(1.0, ratio, 0.3);
        Bandwidth ucvDiag = BandwidthSelectors.leastSquaresCV(Bandwidth.Kind.DIAGONAL).select(data, null);
        Bandwidth silvDiag = BandwidthSelectors.silverman(Bandwidth.Kind.DIAGONAL).select(data, null);
        for (int j = 0; j < 2; j++) {
            // the diagonal rule ignores the correlation, so its optimum is somewhat below the normal-reference value
            double r = ucvDiag.diagonal()[j] / silvDiag.diagonal()[j];
            assertTrue(r > 0.5 && r < 1.3, "axis " + j + " ratio " + r);
        }
    }

    @Test
    void rulesRejectDegenerateData() {
        KernelDensityTest.assertMessage("at least 2 samples",
                () -> BandwidthSelectors.scott(Bandwidth.Kind.FULL).select(Dataset.of(new double[] {1, 2}, 1, 2),
                        null));
        KernelDensityTest.assertMessage("column 1 of the data has zero variance",
                () -> BandwidthSelectors.scott(Bandwidth.Kind.DIAGONAL)
                        .select(Dataset.of(new double[] {1, 2, 3, 2}, 2, 2), null));
        KernelDensityTest.assertMessage("covariance is singular",
                () -> BandwidthSelectors.scott(Bandwidth.Kind.FULL)
                        .select(Dataset.of(new double[] {1, 2, 2, 4, 3, 6}, 3, 2), null));
        KernelDensityTest.assertMessage("unknown bandwidth rule 'foo'",
                () -> BandwidthSelector.parse("foo", Bandwidth.Kind.FULL));
    }
}

package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.kernels.KdeOps;
import org.kdeflow.random.NumpyRandomState;

/**
 * Per-sample bandwidths Hᵢ = λᵢ·H against {@link KdeReference#densityWithFactors}, the formula written out; same
 * tolerance reasoning as {@link KernelDensityTest} (1e−12 relative for sums of positive terms).
 */
class PerSampleBandwidthTest {

    static double[] factors(int n, long seed) {
        Random r = new Random(seed);
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            l[i] = Math.exp(0.6 * r.nextGaussian());
        }
        return l;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(1, new double[] {0.35}, KdeOps.best()),
                Arguments.of(2, KernelDensityTest.H2, KdeOps.best()),
                Arguments.of(2, KernelDensityTest.H2, KdeOps.scalar()),
                Arguments.of(3, KernelDensityTest.H3, KdeOps.best()),
                Arguments.of(3, KernelDensityTest.H3, KdeOps.scalar()));
    }

    @ParameterizedTest(name = "d={0} ops={2}")
    @MethodSource("cases")
    void exactPathMatchesTheFormula(int d, double[] h, KdeOps ops) {
        int n = 1003;
        double[] x = KernelDensityTest.randomData(n, d, 11);
        double[] q = KernelDensityTest.randomData(120, d, 12);
        double[] lambda = factors(n, 13);
        double[] weights = new double[n];
        Random r = new Random(14);
        for (int i = 0; i < n; i++) {
            weights[i] = 0.5 + r.nextDouble();
        }
        for (Kernel kernel : Kernel.values()) {
            for (double[] wts : new double[][] {null, weights}) {
                KernelDensity kde = KernelDensity.of(Dataset.of(x, n, d), wts,
                        Bandwidth.full(h, d).withFactors(lambda), kernel).withOps(ops);
                assertTrue(kde.isAdaptive());
                double[] ref = KdeReference.densityWithFactors(x, n, d, wts, h, lambda, kernel, q, 120);
                KernelDensityTest.assertRelative(ref, kde.density(q, 120), 1e-12, kernel + " density");
                double[] lp = new double[120];
                kde.logDensity(q, 120, lp);
                for (int k = 0; k < 120; k++) {
                    if (ref[k] > 0) {
                        assertEquals(Math.log(ref[k]), lp[k], 1e-12 * Math.max(1, Math.abs(lp[k])), "log " + k);
                    }
                }
            }
        }
    }

    @Test
    void unitFactorsGiveTheFixedEstimateBitForBit() {
        int n = 500;
        double[] x = KernelDensityTest.randomData(n, 2, 15);
        double[] q = KernelDensityTest.randomData(64, 2, 16);
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1.0);
        KernelDensity fixed = KernelDensity.of(Dataset.of(x, n, 2), Bandwidth.full(KernelDensityTest.H2, 2));
        KernelDensity adaptive = KernelDensity.of(Dataset.of(x, n, 2),
                Bandwidth.full(KernelDensityTest.H2, 2).withFactors(ones));
        for (KdeOps ops : List.of(KdeOps.best(), KdeOps.scalar())) {
            // c = −½ and weight ω·1: the scaled loop does the same arithmetic as the fixed one
            assertArrayEquals(fixed.withOps(ops).density(q, 64), adaptive.withOps(ops).density(q, 64), 0.0);
        }
    }

    @Test
    void logDensityIsExactFarAwayWithFactors() {
        int n = 300;
        double[] x = KernelDensityTest.randomData(n, 2, 17);
        double[] lambda = factors(n, 18);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), Bandwidth.scalar(0.2, 2).withFactors(lambda));
        double[] far = {40, -30};
        // the reference in log space: log Σ ωᵢ λᵢ⁻² φ(·) with the largest term factored out
        double[] t = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double s = lambda[i] * 0.2;
            double dx = far[0] - x[2 * i];
            double dy = far[1] - x[2 * i + 1];
            t[i] = -Math.log(n) - Math.log(2 * Math.PI * s * s) - (dx * dx + dy * dy) / (2 * s * s);
            max = Math.max(max, t[i]);
        }
        double sum = 0;
        for (double v : t) {
            sum += Math.exp(v - max);
        }
        double expected = max + Math.log(sum);
        double got = kde.logDensity(far);
        assertTrue(Double.isFinite(got) && expected < -1000, "far away: " + got);
        assertEquals(expected, got, 1e-10 * Math.abs(expected));
    }

    @Test
    void separableGridAndLeaveOneOutUseTheFactors() {
        int n = 700;
        double[] x = KernelDensityTest.randomData(n, 2, 19);
        double[] lambda = factors(n, 20);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), Bandwidth.diagonal(0.3, 0.2).withFactors(lambda));
        Grid grid = new Grid(-3, 5, -3, 3, 31, 27);
        double[] ref = KdeReference.densityWithFactors(x, n, 2, null, new double[] {0.3, 0, 0, 0.2}, lambda,
                Kernel.GAUSSIAN, grid.points(), grid.size());
        assertEquals(KernelDensity.GridMethod.SEPARABLE, kde.autoMethod());
        KernelDensityTest.assertRelative(ref, kde.densityOnGrid(grid), 1e-12, "separable with factors");
        KernelDensityTest.assertMessage("per-sample factors",
                () -> kde.densityOnGrid(grid, KernelDensity.GridMethod.BINNED));
        // leave-one-out: f̂₋ᵢ(xᵢ) = (f̂(xᵢ) − ωᵢ λᵢ⁻² φ_H(0)) / (1 − ωᵢ)
        int[] idx = {0, 5, 333, 699};
        double[] loo = kde.leaveOneOutLogDensity(idx);
        for (int k = 0; k < idx.length; k++) {
            int i = idx[k];
            double f = kde.density(x[2 * i], x[2 * i + 1]);
            double self = (1.0 / n) / (lambda[i] * lambda[i]) / (2 * Math.PI * 0.3 * 0.2);
            assertEquals(Math.log((f - self) / (1 - 1.0 / n)), loo[k], 1e-11);
        }
    }

    @Test
    void samplingScalesEachKernel() {
        // two far-apart samples with factors 1 and 3: draws around each have variances h² and 9h²
        Dataset data = Dataset.of(new double[] {0, 100}, 2, 1);
        KernelDensity kde = KernelDensity.of(data, Bandwidth.scalar(0.5, 1).withFactors(new double[] {1, 3}));
        double[] s = kde.sample(20_000, new NumpyRandomState(3)).toArray();
        double v0 = 0;
        double v1 = 0;
        int n0 = 0;
        int n1 = 0;
        for (double v : s) {
            if (v < 50) {
                v0 += v * v;
                n0++;
            } else {
                v1 += (v - 100) * (v - 100);
                n1++;
            }
        }
        // variance estimates over ~10⁴ draws: relative standard error √(2/10⁴) ≈ 1.4%, so 6% is 4 sigma
        assertEquals(0.25, v0 / n0, 0.06 * 0.25);
        assertEquals(2.25, v1 / n1, 0.06 * 2.25);
    }

    @Test
    void factorsAreValidatedAndCopied() {
        Dataset data = Dataset.of(new double[] {0, 1, 2}, 3, 1);
        KernelDensityTest.assertMessage("factor 1 must be a finite number > 0",
                () -> Bandwidth.scalar(1, 1).withFactors(new double[] {1, 0, 1}));
        KernelDensityTest.assertMessage("factor 2 must be a finite number > 0",
                () -> Bandwidth.scalar(1, 1).withFactors(new double[] {1, 1, Double.NaN}));
        KernelDensityTest.assertMessage("2 per-sample factors but there are 3 samples",
                () -> KernelDensity.of(data, Bandwidth.scalar(1, 1).withFactors(new double[] {1, 2})));
        double[] lambda = {1, 2, 3};
        Bandwidth b = Bandwidth.scalar(1, 1).withFactors(lambda);
        lambda[0] = 99;
        assertEquals(1.0, b.factors()[0]);
        assertEquals(2.0, b.scaled(2).factors()[1], "scaling keeps the factors");
        assertFalse(b.withFactors(null).isAdaptive());
    }
}

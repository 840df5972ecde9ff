package org.kdeflow.kde;

import org.kdeflow.kernels.KdeOps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.kdeflow.random.NumpyRandomState;

/**
 * Every evaluation path against {@link KdeReference}, the plain formula. Tolerances: the exact paths sum N positive
 * terms each with relative error ≤ ~1e−15 (exp) plus ~d·1e−16 (the whitening), so 1e−12 relative leaves a wide
 * margin yet fails on any real mistake (a wrong constant, a transposed H, a lost sample).
 */
class KernelDensityTest {
    /** Non-diagonal, non-symmetric H with det = 0.3·0.2 − 0.1·(−0.05) = 0.065. */
    static final double[] H2 = {0.3, 0.1, -0.05, 0.2};
    static final double[] H3 = {0.4, 0.1, 0.0, -0.05, 0.3, 0.08, 0.02, 0.0, 0.25};

    static double[] randomData(int n, int d, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian() + (i % d == 0 ? (r.nextBoolean() ? 2 : 0) : 0);
        }
        return x;
    }

    static void assertRelative(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length);
        for (int k = 0; k < expected.length; k++) {
            double e = expected[k];
            double err = Math.abs(actual[k] - e);
            // below 1e-250 the reference itself loses relative accuracy to underflow; compare absolutely there
            boolean ok = e > 1e-250 ? err <= tol * e : err <= 1e-250;
            assertTrue(ok, what + ": point " + k + " expected " + e + " got " + actual[k]);
        }
    }

    static Stream<Arguments> exactCases() {
        return Stream.of(
                Arguments.of(1, new double[] {0.35}, KdeOps.best(), 0),
                Arguments.of(2, H2, KdeOps.best(), 0),
                Arguments.of(2, H2, KdeOps.best(), 2),
                Arguments.of(2, H2, KdeOps.scalar(), 1),
                Arguments.of(3, H3, KdeOps.best(), 1),
                Arguments.of(3, H3, KdeOps.scalar(), 2));
    }

    @ParameterizedTest(name = "d={0} ops={2} threads={3}")
    @MethodSource("exactCases")
    void exactPathMatchesTheFormula(int d, double[] h, KdeOps ops, int threads) {
        int n = 1003; // not a multiple of the padding or the blocks
        double[] x = randomData(n, d, 1);
        double[] q = randomData(150, d, 2);
        double[] weights = new double[n];
        Random r = new Random(3);
        for (int i = 0; i < n; i++) {
            weights[i] = 0.5 + r.nextDouble();
        }
        for (double[] wts : new double[][] {null, weights}) {
            KernelDensity kde = KernelDensity.of(Dataset.of(x, n, d), wts, Bandwidth.full(h, d), Kernel.GAUSSIAN)
                    .withOps(ops).withThreads(threads);
            double[] ref = KdeReference.density(x, n, d, wts, h, Kernel.GAUSSIAN, q, 150);
            double[] got = new double[150];
            kde.densityAt(q, 150, got);
            assertRelative(ref, got, 1e-12, "density");
            double[] lp = new double[150];
            kde.logDensity(q, 150, lp);
            for (int k = 0; k < 150; k++) {
                assertEquals(Math.log(ref[k]), lp[k], 1e-12 * Math.max(1, Math.abs(lp[k])), "log-density " + k);
            }
        }
    }

    @Test
    void epanechnikovExactMatchesTheFormula() {
        int n = 801;
        double[] x = randomData(n, 2, 4);
        double[] q = randomData(200, 2, 5);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), null, Bandwidth.full(H2, 2), Kernel.EPANECHNIKOV);
        assertRelative(KdeReference.density(x, n, 2, null, H2, Kernel.EPANECHNIKOV, q, 200), kde.density(q, 200),
                1e-12, "epanechnikov");
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void separableGridMatchesTheFormula(Kernel kernel) {
        int n = 1500;
        double[] x = randomData(n, 2, 6);
        double[] h = {0.25, 0, 0, 0.4};
        Grid grid = new Grid(-3, 5, -3, 3, 37, 23);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), null, Bandwidth.diagonal(0.25, 0.4), kernel);
        double[] ref = KdeReference.density(x, n, 2, null, h, kernel, grid.points(), grid.size());
        for (KdeOps ops : List.of(KdeOps.best(), KdeOps.scalar())) {
            for (int threads : new int[] {1, 2}) {
                double[] got = kde.withOps(ops).withThreads(threads)
                        .densityOnGrid(grid, KernelDensity.GridMethod.SEPARABLE);
                assertRelative(ref, got, 1e-12, "separable " + ops.name() + " threads=" + threads);
            }
        }
        assertEquals(KernelDensity.GridMethod.SEPARABLE, kde.autoMethod());
    }

    static Stream<Kernel> kernels() {
        return Stream.of(Kernel.values());
    }

    @Test
    void separableNeedsADiagonalBandwidth() {
        KernelDensity kde = KernelDensity.of(Dataset.of(randomData(10, 2, 1), 10, 2), Bandwidth.full(H2, 2));
        Grid grid = Grid.square(0, 1, 0, 1, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kde.densityOnGrid(grid, KernelDensity.GridMethod.SEPARABLE));
        assertTrue(e.getMessage().contains("diagonal"), e.getMessage());
        assertEquals(KernelDensity.GridMethod.EXACT, kde.autoMethod());
    }

    static Stream<Arguments> binnedCases() {
        return Stream.of(Arguments.of(H2, "full (FFT)"), Arguments.of(new double[] {0.3, 0, 0, 0.2}, "diagonal"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("binnedCases")
    void binnedIsWithinItsBound(double[] h, String what) {
        int n = 3000;
        double[] x = randomData(n, 2, 7);
        Grid grid = new Grid(-3, 5, -3, 3, 201, 151);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), null, Bandwidth.full(h, 2), Kernel.GAUSSIAN);
        double[] exact = kde.densityOnGrid(grid, KernelDensity.GridMethod.EXACT);
        double[] binned = kde.densityOnGrid(grid, KernelDensity.GridMethod.BINNED);
        double bound = kde.binnedErrorBound(grid);
        double max = 0;
        double peak = 0;
        for (int k = 0; k < exact.length; k++) {
            max = Math.max(max, Math.abs(binned[k] - exact[k]));
            peak = Math.max(peak, exact[k]);
        }
        assertTrue(max <= bound, what + ": max error " + max + " above the bound " + bound);
        assertTrue(max > 0, "binning changes something");
        // the bound is a worst case (every bump at its most curved point) but still meaningful here
        assertTrue(bound < 0.25 * peak, "bound " + bound + " vs peak " + peak);
        System.out.printf("binned %s: max error %.3g, bound %.3g, peak %.3g%n", what, max, bound, peak);
    }

    @Test
    void binnedNarrowKernelUsesTheFftAndStaysInBound() {
        int n = 2000;
        double[] x = randomData(n, 2, 8);
        Grid grid = new Grid(-4, 6, -4, 4, 201, 161);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), Bandwidth.diagonal(0.15, 0.6));
        double[] exact = kde.densityOnGrid(grid, KernelDensity.GridMethod.SEPARABLE);
        double[] binned = kde.densityOnGrid(grid, KernelDensity.GridMethod.BINNED);
        double bound = kde.binnedErrorBound(grid);
        for (int k = 0; k < exact.length; k++) {
            assertTrue(Math.abs(binned[k] - exact[k]) <= bound, "point " + k);
        }
    }

    @Test
    void binnedRefusesAnExtendedGridTooLargeToAllocate() {
        KernelDensity kde = KernelDensity.of(Dataset.of(randomData(10, 2, 1), 10, 2), Bandwidth.scalar(1000, 2));
        Grid grid = Grid.square(0, 1, 0, 1, 101);
        KernelDensityTest.assertMessage("extended grid of",
                () -> kde.densityOnGrid(grid, KernelDensity.GridMethod.BINNED));
    }

    @ParameterizedTest
    @MethodSource("kernels")
    void integratesToOne(Kernel kernel) {
        int n = 400;
        double[] x = randomData(n, 2, 9);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), null, Bandwidth.full(H2, 2), kernel);
        // wide enough that the tails beyond hold < 1e-12; spacing 0.02 against kernel widths ≥ 0.2
        Grid grid = new Grid(-5, 7, -5, 5, 601, 501);
        double integral = grid.integrate(kde.densityOnGrid(grid, KernelDensity.GridMethod.EXACT));
        // Gaussian: the trapezoidal rule on a smooth, decaying integrand is accurate far beyond 1e-6;
        // Epanechnikov: its kinks at the support's edge make the rule O(δ²) ≈ 1e-3 accurate
        assertEquals(1.0, integral, kernel == Kernel.GAUSSIAN ? 1e-6 : 2e-3);
    }

    @Test
    void integratesToOneInOneDimension() {
        double[] x = randomData(300, 1, 10);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, 300, 1), Bandwidth.scalar(0.3, 1));
        int m = 4001;
        double[] q = Grid.linspace(-8, 10, m);
        double[] f = kde.density(q, m);
        double s = 0;
        for (int k = 0; k < m; k++) {
            s += (k == 0 || k == m - 1 ? 0.5 : 1) * f[k];
        }
        assertEquals(1.0, s * (q[1] - q[0]), 1e-9);
    }

    @Test
    void logDensityIsExactFarAway() {
        int n = 500;
        double[] x = randomData(n, 2, 11);
        Bandwidth h = Bandwidth.full(H2, 2);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), h);
        // 50 bandwidths from the data's far corner, in whitened distance at least 50 kernel widths
        double[][] queries = {{40, 30}, {-30, -25}, {200, -300}};
        for (double[] q : queries) {
            double lp = kde.logDensity(q);
            double ref = KdeReference.logDensityGaussian(x, n, 2, H2, q);
            assertTrue(Double.isFinite(lp), "finite at " + q[0] + "," + q[1]);
            assertTrue(ref < -1000, "the query is far enough that exp underflows: " + ref);
            assertEquals(ref, lp, 1e-10 * Math.abs(ref));
        }
    }

    @Test
    void weightsActLikeRepeatedSamples() {
        double[] x = {0, 0, 1, 0.5, -1, 2};
        double[] repeated = {0, 0, 1, 0.5, 1, 0.5, 1, 0.5, -1, 2};
        Bandwidth h = Bandwidth.full(H2, 2);
        KernelDensity weighted = KernelDensity.of(Dataset.of(x, 3, 2), new double[] {1, 3, 1}, h, Kernel.GAUSSIAN);
        KernelDensity plain = KernelDensity.of(Dataset.of(repeated, 5, 2), h);
        double[] q = randomData(20, 2, 12);
        assertRelative(plain.density(q, 20), weighted.density(q, 20), 1e-13, "weighted");
    }

    @Test
    void callerArraysAreNotModified() {
        double[] x = randomData(50, 2, 13);
        double[] h = H2.clone();
        double[] w = new double[50];
        java.util.Arrays.fill(w, 2.0);
        double[] q = randomData(10, 2, 14);
        double[] x0 = x.clone();
        double[] q0 = q.clone();
        KernelDensity kde = KernelDensity.of(Dataset.of(x, 50, 2), w, Bandwidth.full(h, 2), Kernel.GAUSSIAN);
        kde.density(q, 10);
        kde.logDensity(q, 10, new double[10]);
        kde.densityOnGrid(Grid.square(-1, 1, -1, 1, 9), KernelDensity.GridMethod.BINNED);
        assertArrayEquals(x0, x);
        assertArrayEquals(q0, q);
        assertArrayEquals(H2, h);
        for (double v : w) {
            assertEquals(2.0, v);
        }
        double[] ww = kde.weights();
        ww[0] = 99;
        assertEquals(1.0 / 50, kde.weights()[0], 1e-15);
    }

    @Test
    void samplesFollowTheEstimate() {
        double[] x = {0, 0, 4, 4};
        KernelDensity kde = KernelDensity.of(Dataset.of(x, 2, 2), new double[] {1, 3}, Bandwidth.full(H2, 2),
                Kernel.GAUSSIAN);
        Dataset s = kde.sample(20000, new NumpyRandomState(5));
        Dataset again = kde.sample(20000, new NumpyRandomState(5));
        assertArrayEquals(s.toArray(), again.toArray(), "same seed, same draws");
        double near4 = 0;
        double[] mean = new double[2];
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i, 0) > 2) {
                near4++;
            }
            mean[0] += s.get(i, 0) / s.size();
        }
        // P(component at 4) = 3/4; binomial sd = sqrt(.75·.25/20000) = 0.003, so 0.02 is > 6 sd
        assertEquals(0.75, near4 / s.size(), 0.02);
        assertEquals(3.0, mean[0], 0.05);
        // spread around the component at the origin: covariance H·Hᵀ; var of x₁ = 0.3² + 0.1² = 0.1
        double v = 0;
        int c = 0;
        for (int i = 0; i < s.size(); i++) {
            if (s.get(i, 0) < 2) {
                v += s.get(i, 0) * s.get(i, 0);
                c++;
            }
        }
        assertEquals(0.1, v / c, 0.01);
    }

    @Test
    void epanechnikovSamplesStayInTheSupport() {
        KernelDensity kde = KernelDensity.of(Dataset.of(new double[] {0, 0}, 1, 2), null,
                Bandwidth.diagonal(0.5, 2), Kernel.EPANECHNIKOV);
        Dataset s = kde.sample(5000, new NumpyRandomState(1));
        double v = 0;
        for (int i = 0; i < s.size(); i++) {
            assertTrue(Math.abs(s.get(i, 0)) <= 0.5 && Math.abs(s.get(i, 1)) <= 2);
            v += s.get(i, 0) * s.get(i, 0) / s.size();
        }
        // the Epanechnikov kernel has variance 1/5; times h² = 0.25 → 0.05 (sd of the estimate ≈ 0.001)
        assertEquals(0.05, v, 0.004);
    }

    @Test
    void badInputsAreRejectedWithClearMessages() {
        Dataset data = Dataset.of(randomData(10, 2, 1), 10, 2);
        assertMessage("h must be a finite number > 0", () -> Bandwidth.scalar(0, 2));
        assertMessage("h must be a finite number > 0", () -> Bandwidth.scalar(-1, 2));
        assertMessage("h must be a finite number > 0", () -> Bandwidth.scalar(Double.NaN, 2));
        assertMessage("h2 must be a finite number > 0", () -> Bandwidth.diagonal(1, 0));
        assertMessage("singular", () -> Bandwidth.full(new double[] {1, 2, 2, 4}, 2));
        assertMessage("singular", () -> Bandwidth.full(new double[] {0, 0, 0, 0}, 2));
        assertMessage("(1,2) is not finite", () -> Bandwidth.full(new double[] {1, Double.NaN, 0, 1}, 2));
        assertMessage("2x2 = 4 entries, got 3", () -> Bandwidth.full(new double[] {1, 2, 3}, 2));
        assertMessage("bandwidth is 3x3 but the data have dimension 2",
                () -> KernelDensity.of(data, Bandwidth.scalar(1, 3)));
        assertMessage("weight 1 must be finite and >= 0",
                () -> KernelDensity.of(data, new double[] {1, -1, 1, 1, 1, 1, 1, 1, 1, 1}, Bandwidth.scalar(1, 2),
                        Kernel.GAUSSIAN));
        assertMessage("got 2 weights for 10 samples",
                () -> KernelDensity.of(data, new double[] {1, 1}, Bandwidth.scalar(1, 2), Kernel.GAUSSIAN));
        assertMessage("0 samples", () -> KernelDensity.of(Dataset.of(new double[0], 0, 2), Bandwidth.scalar(1, 2)));
        assertMessage("unknown kernel 'box'", () -> Kernel.parse("box"));
        KernelDensity kde = KernelDensity.of(data, Bandwidth.scalar(1, 2));
        assertMessage("point has 3 coordinates", () -> kde.logDensity(1, 2, 3));
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
    }

    @Test
    void bandwidthAlgebra() {
        Bandwidth h = Bandwidth.full(H2, 2);
        assertEquals(Math.log(0.065), h.logAbsDet(), 1e-14);
        double[] inv = h.inverse();
        double[] ref = KdeReference.inverse(H2, 2);
        assertArrayEquals(ref, inv, 1e-14);
        // a negative determinant counts by its absolute value
        assertEquals(Math.log(0.065), Bandwidth.full(new double[] {0.1, 0.3, 0.2, -0.05}, 2).logAbsDet(), 1e-14);
        assertArrayEquals(new double[] {0.1, 0.005, 0.005, 0.0425}, h.covariance(), 1e-15);
        assertTrue(Bandwidth.full(new double[] {2, 0, 0, 3}, 2).isDiagonal());
        assertTrue(!h.isDiagonal());
        assertEquals(2 * Math.log(0.5), Bandwidth.scalar(0.5, 2).logAbsDet(), 1e-15);
    }
}

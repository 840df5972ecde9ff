package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;

/**
 * The two public steps of the binned estimate, {@link BinnedGrid#bin} and {@link BinnedGrid#convolve}, in 1, 2 and 3
 * dimensions, against the exact sum ({@link KdeReference}) within {@link BinnedGrid#errorBound()}, the bound derived
 * in the class comment; and the additivity that lets binning run on parts of a sample.
 */
class BinnedGridTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(1, new double[] {0.3}, new int[] {301}, "1-D"),
                Arguments.of(2, KernelDensityTest.H2, new int[] {81, 61}, "2-D full (FFT)"),
                Arguments.of(2, new double[] {0.3, 0, 0, 0.2}, new int[] {81, 61}, "2-D diagonal"),
                Arguments.of(3, scaled(KernelDensityTest.H3, 2), new int[] {25, 19, 19}, "3-D full (FFT)"),
                Arguments.of(3, new double[] {0.8, 0, 0, 0, 0.6, 0, 0, 0, 0.7}, new int[] {25, 19, 19},
                        "3-D diagonal"));
    }

    /** The 2-D path is checked against the exact sum in {@link KernelDensityTest}; here 1-D and 3-D. */
    static Stream<Arguments> newDimensions() {
        return cases().filter(a -> (int) a.get()[0] != 2);
    }

    private static double[] scaled(double[] h, double c) {
        return Arrays.stream(h).map(v -> v * c).toArray();
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("newDimensions")
    void binnedIsWithinItsBoundOfTheExactSum(int d, double[] hm, int[] points, String what) {
        int n = 600;
        double[] x = KernelDensityTest.randomData(n, d, 21);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 + (i % 7) / 7.0;
        }
        double[] lo = new double[d];
        double[] hi = new double[d];
        for (int j = 0; j < d; j++) {
            lo[j] = -3;
            hi[j] = j == 0 ? 5 : 3;
        }
        Bandwidth h = Bandwidth.full(hm, d);
        BinnedGrid g = BinnedGrid.of(h, lo, hi, points);
        double[] counts = new double[g.cells()];
        g.bin(x, w, n, counts);
        double total = Arrays.stream(w).sum();
        double[] binned = g.convolve(counts, total);
        double[] exact = KdeReference.density(x, n, d, w, hm, Kernel.GAUSSIAN, g.nodes(), g.size());
        double max = 0;
        double peak = 0;
        for (int k = 0; k < exact.length; k++) {
            max = Math.max(max, Math.abs(binned[k] - exact[k]));
            peak = Math.max(peak, exact[k]);
        }
        double bound = g.errorBound();
        assertTrue(max <= bound, what + ": max error " + max + " above the bound " + bound);
        assertTrue(max > 0, "binning changes something");
        // the bound is a worst case (every bump at its most curved point); the error itself is small on these grids
        assertTrue(max < 0.05 * peak, what + ": max error " + max + " vs peak " + peak);
    }

    @ParameterizedTest(name = "{3}")
    @MethodSource("cases")
    void countsOfPartsAddUpToTheCountsOfTheWhole(int d, double[] hm, int[] points, String what) {
        int n = 999;
        double[] x = KernelDensityTest.randomData(n, d, 22);
        double[] lo = new double[d];
        double[] hi = new double[d];
        Arrays.fill(lo, -3);
        Arrays.fill(hi, 3);
        hi[0] = 5;
        BinnedGrid g = BinnedGrid.of(Bandwidth.full(hm, d), lo, hi, points);
        double[] whole = new double[g.cells()];
        g.bin(x, null, n, whole);
        double[] parts = new double[g.cells()];
        int cut = 400;
        g.bin(Arrays.copyOfRange(x, 0, cut * d), null, cut, parts);
        g.bin(Arrays.copyOfRange(x, cut * d, n * d), null, n - cut, parts);
        double sum = 0;
        for (int k = 0; k < whole.length; k++) {
            // one sample's four-to-eight corner shares are added in a different order: round-off only
            assertEquals(whole[k], parts[k], 1e-12 * Math.max(1, whole[k]), what + " cell " + k);
            sum += whole[k];
        }
        // every sample lies inside the extended grid here (it reaches 7 kernel deviations, over 2, beyond the grid)
        assertEquals(n, sum, 1e-9);
    }

    @Test
    void twoDimensionalGridMatchesTheKernelDensityBinnedPath() {
        int n = 2000;
        double[] x = KernelDensityTest.randomData(n, 2, 23);
        Bandwidth h = Bandwidth.full(KernelDensityTest.H2, 2);
        Grid grid = new Grid(-3, 5, -3, 3, 101, 71);
        double[] viaKde = KernelDensity.of(Dataset.of(x, n, 2), h).densityOnGrid(grid,
                KernelDensity.GridMethod.BINNED);
        BinnedGrid g = BinnedGrid.of(h, new double[] {-3, -3}, new double[] {5, 3}, new int[] {101, 71});
        assertEquals(g.size(), grid.size());
        assertArrayEquals(grid.points(), g.nodes());
        double[] counts = new double[g.cells()];
        g.bin(x, null, n, counts);
        double[] viaSteps = g.convolve(counts, n);
        double peak = Arrays.stream(viaKde).max().orElseThrow();
        for (int k = 0; k < viaKde.length; k++) {
            // counts/n against counts of ωᵢ = 1/n: the same sums up to one rounding per count, then the same FFT
            assertEquals(viaKde[k], viaSteps[k], 1e-13 * peak, "node " + k);
        }
        assertEquals(KernelDensity.of(Dataset.of(x, n, 2), h).binnedErrorBound(grid), g.errorBound(), 0);
    }

    @Test
    void layoutIsAxisZeroFastest() {
        BinnedGrid g = BinnedGrid.of(Bandwidth.scalar(0.5, 3), new double[] {0, 10, 20}, new double[] {1, 12, 23},
                new int[] {2, 3, 4});
        double[] nodes = g.nodes();
        assertEquals(24, g.size());
        assertArrayEquals(new double[] {1, 10, 20}, Arrays.copyOfRange(nodes, 3, 6));
        assertArrayEquals(new double[] {0, 11, 20}, Arrays.copyOfRange(nodes, 6, 9));
        assertArrayEquals(new double[] {1, 12, 23}, Arrays.copyOfRange(nodes, 69, 72));
        int[] m = g.extendedPoints();
        assertEquals(m[0] * m[1] * m[2], g.cells());
    }

    @Test
    void validatesAtTheBoundary() {
        Bandwidth h2 = Bandwidth.scalar(0.3, 2);
        KernelDensityTest.assertMessage("supports 1 to 3 dimensions, got 4", () -> BinnedGrid.of(
                Bandwidth.scalar(1, 4), new double[4], new double[] {1, 1, 1, 1}, new int[] {3, 3, 3, 3}));
        KernelDensityTest.assertMessage("bandwidth is 2x2 but the grid has dimension 1",
                () -> BinnedGrid.of(h2, new double[] {0}, new double[] {1}, new int[] {5}));
        KernelDensityTest.assertMessage("axis 2 needs at least 2 points, got 1",
                () -> BinnedGrid.of(h2, new double[] {0, 0}, new double[] {1, 1}, new int[] {5, 1}));
        KernelDensityTest.assertMessage("axis 1 range must be finite with lo < hi",
                () -> BinnedGrid.of(h2, new double[] {1, 0}, new double[] {1, 1}, new int[] {5, 5}));
        KernelDensityTest.assertMessage("extended grid of",
                () -> BinnedGrid.of(Bandwidth.scalar(1000, 2), new double[] {0, 0}, new double[] {1, 1},
                        new int[] {101, 101}));
        BinnedGrid g = BinnedGrid.of(h2, new double[] {0, 0}, new double[] {1, 1}, new int[] {5, 5});
        KernelDensityTest.assertMessage("counts must have the extended grid's",
                () -> g.bin(new double[4], null, 2, new double[3]));
        KernelDensityTest.assertMessage("weight 1 must be finite and >= 0, got -1.0",
                () -> g.bin(new double[4], new double[] {1, -1}, 2, new double[g.cells()]));
        KernelDensityTest.assertMessage("expected 3x2 sample values, got 4",
                () -> g.bin(new double[4], null, 3, new double[g.cells()]));
        KernelDensityTest.assertMessage("total weight must be a finite number > 0, got 0.0",
                () -> g.convolve(new double[g.cells()], 0));
    }
}

package org.kdeflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.data.Grid;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BinnedGrid;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;

/**
 * Distributed KDE against the core's single-machine estimate on all the samples.
 *
 * <p>Exact path: both sum the same N positive terms, in a different grouping (parts of ≤ 2¹⁶ rows per task, then a
 * tree), so f̂ agrees to a few ulps times log₂ of the number of parts; 1e−12 on log f̂ (= relative on f̂) leaves three
 * orders of magnitude and fails on any lost or doubled part, or a wrong log W_p. Binned path: the same counts added
 * in another order, then the same convolution, so the values agree to round-off of the peak: 1e−12·max f̃.
 */
class SparkKdeTest {
    static final double[] H2 = {0.3, 0.1, -0.05, 0.2};
    static final double[] H3 = {0.4, 0.1, 0.0, -0.05, 0.3, 0.08, 0.02, 0.0, 0.25};

    static Stream<Arguments> exactCases() {
        return Stream.of(
                Arguments.of(1, Bandwidth.scalar(0.2, 1), Kernel.GAUSSIAN, false),
                Arguments.of(2, Bandwidth.full(H2, 2), Kernel.GAUSSIAN, true),
                Arguments.of(2, Bandwidth.diagonal(0.4, 0.3), Kernel.EPANECHNIKOV, true),
                Arguments.of(3, Bandwidth.full(H3, 3), Kernel.GAUSSIAN, false));
    }

    /** Weights with a run of zeros (a partition of no weight) and otherwise 0.5 … 2. */
    static double[] weights(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = i < n / 6 ? 0 : 0.5 + (i % 4) / 2.0;
        }
        return w;
    }

    @ParameterizedTest(name = "d={0} {1} {2} weighted={3}")
    @MethodSource("exactCases")
    void exactEqualsTheSingleMachineEstimate(int d, Bandwidth h, Kernel kernel, boolean weighted) {
        int n = 3000;
        double[] x = SparkTests.points(n, d, 40 + d);
        double[] w = weighted ? weights(n) : null;
        Dataset<Row> samples = SparkTests.table(x, d, w, 6);
        int m = 60;
        double[] q = SparkTests.points(m, d, 50);
        q[0] = 40; // far out: the Gaussian sum underflows and the core switches to log-sum-exp
        q[d] = 0.9;
        double[] expected = new double[m];
        KernelDensity.of(org.kdeflow.data.Dataset.of(x, n, d), w, h, kernel).logDensity(q, m, expected);
        double[] actual = SparkKde.logDensity(samples, SparkTests.columns(d), weighted ? "w" : null, h, kernel, q, m);
        for (int k = 0; k < m; k++) {
            assertTrue(SparkTests.close(expected[k], actual[k], 1e-12),
                    "query " + k + ": expected " + expected[k] + " got " + actual[k]);
        }
        if (kernel == Kernel.GAUSSIAN) {
            assertTrue(expected[0] < -700 && Double.isFinite(expected[0]), "the far query is exact: " + expected[0]);
        } else {
            assertEquals(Double.NEGATIVE_INFINITY, actual[0], "outside the support");
        }
    }

    @Test
    void aPartitionOfMoreThanOneChunkIsSummedWhole() {
        int n = Samples.CHUNK + 4321;
        // one partition of n rows made by Spark itself: point i = ((i mod 1000)/500 − 1, (7919·i mod 997)/500 − 1)
        Dataset<Row> t = SparkTests.spark().range(0, n, 1, 1).selectExpr("(id % 1000) / 500.0 - 1 as x",
                "((id * 7919) % 997) / 500.0 - 1 as y");
        double[] x = new double[2 * n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (i % 1000) / 500.0 - 1;
            x[2 * i + 1] = ((i * 7919L) % 997) / 500.0 - 1;
        }
        Bandwidth h = Bandwidth.scalar(0.25, 2);
        double[] q = SparkTests.points(8, 2, 61);
        double[] expected = new double[8];
        KernelDensity.of(org.kdeflow.data.Dataset.of(x, n, 2), h).logDensity(q, 8, expected);
        double[] actual = SparkKde.logDensity(t, List.of("x", "y"), null, h, Kernel.GAUSSIAN, q, 8);
        for (int k = 0; k < 8; k++) {
            assertTrue(SparkTests.close(expected[k], actual[k], 1e-12), "query " + k);
        }
    }

    static Stream<Arguments> gridCases() {
        return Stream.of(
                Arguments.of(1, Bandwidth.scalar(0.2, 1), new int[] {200}),
                Arguments.of(2, Bandwidth.full(H2, 2), new int[] {61, 41}),
                Arguments.of(2, Bandwidth.diagonal(0.3, 0.2), new int[] {61, 41}),
                Arguments.of(3, Bandwidth.full(H3, 3), new int[] {15, 13, 11}));
    }

    @ParameterizedTest(name = "d={0} {1}")
    @MethodSource("gridCases")
    void binnedEqualsTheCoreBinnedResult(int d, Bandwidth h, int[] points) {
        int n = 4000;
        double[] x = SparkTests.points(n, d, 70 + d);
        double[] w = weights(n);
        double[] lo = new double[d];
        double[] hi = new double[d];
        Arrays.fill(lo, -2);
        Arrays.fill(hi, 2.5);
        SparkKde.GridDensity g = SparkKde.densityOnGrid(SparkTests.table(x, d, w, 5), SparkTests.columns(d), "w", h,
                lo, hi, points);
        double[] expected;
        if (d == 2) {
            expected = KernelDensity.of(org.kdeflow.data.Dataset.of(x, n, 2), w, h, Kernel.GAUSSIAN)
                    .densityOnGrid(new Grid(lo[0], hi[0], lo[1], hi[1], points[0], points[1]),
                            KernelDensity.GridMethod.BINNED);
        } else {
            BinnedGrid core = BinnedGrid.of(h, lo, hi, points);
            double[] counts = new double[core.cells()];
            core.bin(x, w, n, counts);
            expected = core.convolve(counts, Arrays.stream(w).sum());
        }
        assertEquals(expected.length, g.density().length);
        double peak = Arrays.stream(expected).max().orElseThrow();
        assertTrue(peak > 0.01);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], g.density()[k], 1e-12 * peak, "node " + k);
        }
    }

    @Test
    void badDataAreNamed() {
        double[] x = SparkTests.points(20, 2, 1);
        double[] w = new double[20];
        Arrays.fill(w, 1);
        w[7] = -1;
        Bandwidth h = Bandwidth.scalar(0.3, 2);
        double[] q = {0, 0};
        ScoringTest.assertMessage("weight column 'w' has a value that is not a finite number >= 0: -1.0",
                () -> SparkKde.logDensity(SparkTests.table(x, 2, w, 2), List.of("x", "y"), "w", h, Kernel.GAUSSIAN,
                        q, 1));
        ScoringTest.assertMessage("no samples of positive weight",
                () -> SparkKde.logDensity(SparkTests.table(x, 2, null, 2).limit(0), List.of("x", "y"), null, h,
                        Kernel.GAUSSIAN, q, 1));
        ScoringTest.assertMessage("bandwidth is 2x2 but 1 sample columns are given",
                () -> SparkKde.logDensity(SparkTests.table(x, 2, null, 2), List.of("x"), null, h, Kernel.GAUSSIAN,
                        q, 1));
        ScoringTest.assertMessage("query 0, coordinate 1 is not finite",
                () -> SparkKde.logDensity(SparkTests.table(x, 2, null, 2), List.of("x", "y"), null, h,
                        Kernel.GAUSSIAN, new double[] {0, Double.NaN}, 1));
        ScoringTest.assertMessage("extended grid of",
                () -> SparkKde.densityOnGrid(SparkTests.table(x, 2, null, 2), List.of("x", "y"), null,
                        Bandwidth.scalar(1000, 2), new Grid(0, 1, 0, 1, 101, 101)));
    }
}

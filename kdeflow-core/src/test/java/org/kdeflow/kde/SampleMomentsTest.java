package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.data.Dataset;

/**
 * Moments merged from parts against {@link BandwidthSelectors}' own two-pass moments of the whole sample. Both
 * compute the same sums in a different order and grouping, so they agree to round-off: 1e−12 relative on H leaves
 * three orders of magnitude for that and fails on any wrong term (a lost W_a·W_b/W correction shifts the
 * covariance by the squared distance of the part means, here O(1)).
 */
class SampleMomentsTest {

    static Stream<Arguments> forms() {
        return Stream.of(Bandwidth.Kind.values()).flatMap(f -> Stream.of(Arguments.of(f, true),
                Arguments.of(f, false)));
    }

    @ParameterizedTest(name = "{0} weighted={1}")
    @MethodSource("forms")
    void partsCombineToTheSelectorsOfTheWhole(Bandwidth.Kind form, boolean weighted) {
        int n = 3001;
        int d = 3;
        double[] x = KernelDensityTest.randomData(n, d, 31);
        for (int i = 0; i < n; i++) {
            x[i * d + 1] += 100; // a far mean: the naive Σwx² − Wμ² would lose digits here
        }
        double[] w = null;
        if (weighted) {
            w = new double[n];
            Random r = new Random(5);
            for (int i = 0; i < n; i++) {
                w[i] = i % 11 == 0 ? 0 : r.nextDouble();
            }
        }
        SampleMoments all = SampleMoments.empty(d);
        int[] cuts = {0, 1, 700, 702, 2500, n};
        for (int k = 0; k + 1 < cuts.length; k++) {
            int a = cuts[k];
            int b = cuts[k + 1];
            double[] wp = w == null ? null : Arrays.copyOfRange(w, a, b);
            all = all.combine(SampleMoments.of(Arrays.copyOfRange(x, a * d, b * d), wp, b - a, d));
        }
        assertEquals(n, all.count());
        Dataset data = Dataset.of(x, n, d);
        assertClose(BandwidthSelectors.scott(form).select(data, w).matrix(), all.scott(form).matrix());
        assertClose(BandwidthSelectors.silverman(form).select(data, w).matrix(), all.silverman(form).matrix());
        BandwidthSelectors.Moments ref = BandwidthSelectors.moments(data, w);
        assertClose(ref.cov(), all.covariance());
        assertClose(ref.mean(), all.mean());
        assertEquals(ref.nEff(), all.effectiveSize(), 1e-12 * ref.nEff());
    }

    private static void assertClose(double[] expected, double[] actual) {
        double scale = Arrays.stream(expected).map(Math::abs).max().orElseThrow();
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], 1e-12 * scale, "entry " + k);
        }
    }

    @Test
    void combiningWithEmptyIsTheIdentity() {
        double[] x = {1, 2, 3, 5};
        SampleMoments m = SampleMoments.of(x, null, 4, 1);
        SampleMoments e = SampleMoments.empty(1);
        assertEquals(m.covariance()[0], e.combine(m).covariance()[0], 0);
        assertEquals(m.covariance()[0], m.combine(e).covariance()[0], 0);
        // by hand: mean 2.75, Σ(x − μ)² = 3.0625 + 0.5625 + 0.0625 + 5.0625 = 8.75, / (n − 1) = 2.91666…
        assertEquals(8.75 / 3, m.covariance()[0], 1e-15);
    }

    @Test
    void validatesAndNamesTheProblem() {
        KernelDensityTest.assertMessage("at least 2 samples, got 1",
                () -> SampleMoments.of(new double[] {1}, null, 1, 1).scott(Bandwidth.Kind.FULL));
        KernelDensityTest.assertMessage("at least 2 samples of positive weight",
                () -> SampleMoments.of(new double[] {1, 2}, new double[] {1, 0}, 2, 1).covariance());
        KernelDensityTest.assertMessage("column 1 of the data has zero variance",
                () -> SampleMoments.of(new double[] {1, 2, 3, 2}, null, 2, 2).silverman(Bandwidth.Kind.DIAGONAL));
        KernelDensityTest.assertMessage("weight 0 must be finite and >= 0, got NaN",
                () -> SampleMoments.of(new double[] {1, 2}, new double[] {Double.NaN, 1}, 2, 1));
        KernelDensityTest.assertMessage("row 1, column 0 is not finite",
                () -> SampleMoments.of(new double[] {1, Double.POSITIVE_INFINITY}, null, 2, 1));
        KernelDensityTest.assertMessage("dimension 2 and 1",
                () -> SampleMoments.empty(2).combine(SampleMoments.empty(1)));
    }
}

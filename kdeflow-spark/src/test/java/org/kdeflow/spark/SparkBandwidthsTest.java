package org.kdeflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;

/**
 * Bandwidths over a distributed sample. Scott and Silverman from one pass of moments against the core's selectors
 * on all the samples: the same sums grouped differently, so 1e−12 relative on H. LCV: with the sample holding every
 * row it is the core's LCV on those rows; with a smaller sample it is the core's LCV on the very rows drawn, scaled
 * by (m/N)^(1/(d+4)).
 */
class SparkBandwidthsTest {

    @Test
    void scottAndSilvermanFromMomentsEqualTheCoreSelectors() {
        int n = 5000;
        int d = 3;
        double[] x = SparkTests.points(n, d, 80);
        for (int i = 0; i < n; i++) {
            x[i * d + 2] += 1e4; // a far mean
        }
        double[] w = SparkKdeTest.weights(n);
        Dataset<Row> t = SparkTests.table(x, d, w, 6);
        org.kdeflow.data.Dataset all = org.kdeflow.data.Dataset.of(x, n, d);
        for (Bandwidth.Kind form : Bandwidth.Kind.values()) {
            assertClose(BandwidthSelectors.scott(form).select(all, w),
                    SparkBandwidths.scott(t, SparkTests.columns(d), "w", form));
            assertClose(BandwidthSelectors.silverman(form).select(all, null),
                    SparkBandwidths.silverman(t, SparkTests.columns(d), null, form));
        }
        assertEquals(n, SparkBandwidths.moments(t, SparkTests.columns(d), "w").count());
    }

    static void assertClose(Bandwidth expected, Bandwidth actual) {
        assertEquals(expected.kind(), actual.kind());
        double[] e = expected.matrix();
        double[] a = actual.matrix();
        double scale = Arrays.stream(e).map(Math::abs).max().orElseThrow();
        for (int k = 0; k < e.length; k++) {
            assertEquals(e[k], a[k], 1e-12 * scale, expected.kind() + " entry " + k);
        }
    }

    @Test
    void likelihoodCrossValidationRunsOnTheDrawnSampleAndIsRescaled() {
        int n = 1200;
        double[] x = SparkTests.points(n, 2, 81);
        Dataset<Row> t = SparkTests.table(x, 2, null, 4);
        List<String> cols = List.of("x", "y");
        // every row: the core's LCV on the same rows (in another order, which only the rounding sees)
        Bandwidth whole = SparkBandwidths.likelihoodCV(t, cols, null, Bandwidth.Kind.FULL, n, 3, true);
        Bandwidth core = BandwidthSelectors.likelihoodCV(Bandwidth.Kind.FULL).select(
                org.kdeflow.data.Dataset.of(x, n, 2), null);
        double[] e = core.matrix();
        double[] a = whole.matrix();
        for (int k = 0; k < 4; k++) {
            assertEquals(e[k], a[k], 1e-9 * Math.abs(e[0]), "entry " + k);
        }
        // a sample of 300: the core's LCV on exactly those rows, times (300/1200)^(1/6)
        Bandwidth sampled = SparkBandwidths.likelihoodCV(t, cols, null, Bandwidth.Kind.DIAGONAL, 300, 3, true);
        Samples.Drawn drawn = Samples.uniform(t, cols, null, 300, 3);
        assertEquals(300, drawn.data().size());
        Bandwidth onSample = BandwidthSelectors.likelihoodCV(Bandwidth.Kind.DIAGONAL).select(drawn.data(), null);
        double c = Math.pow(300.0 / n, 1.0 / 6);
        for (int j = 0; j < 2; j++) {
            assertEquals(onSample.diagonal()[j] * c, sampled.diagonal()[j], 1e-12 * onSample.diagonal()[j]);
        }
        Bandwidth unscaled = SparkBandwidths.likelihoodCV(t, cols, null, Bandwidth.Kind.DIAGONAL, 300, 3, false);
        assertEquals(onSample.diagonal()[0], unscaled.diagonal()[0], 0);
        assertTrue(sampled.diagonal()[0] < unscaled.diagonal()[0]);
        ScoringTest.assertMessage("at least 2 rows, got 1",
                () -> SparkBandwidths.likelihoodCV(t, cols, null, Bandwidth.Kind.FULL, 1, 0, true));
    }
}

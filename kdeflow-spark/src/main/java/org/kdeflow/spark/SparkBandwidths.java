package org.kdeflow.spark;

import java.util.Collections;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.SampleMoments;

/**
 * Bandwidth matrices for samples in a {@code Dataset<Row>}.
 *
 * <ul>
 *   <li>Scott and Silverman ({@link #scott}, {@link #silverman}) need only n_eff and the covariance Σ̂: one pass over
 *       the data, each task summing its partition's {@link SampleMoments} and the tasks' moments merged in a tree.
 *       The H is the one {@link BandwidthSelectors} would pick on all the samples at once, up to rounding.</li>
 *   <li>Likelihood cross-validation ({@link #likelihoodCV}) costs O(N²) kernel evaluations per candidate H, so it
 *       runs on a uniform sample of at most {@code sampleSize} rows collected to the driver
 *       ({@code takeSample} with a seed), with the core's {@link BandwidthSelectors#likelihoodCV}. The H that is
 *       best for m points is too wide for N ≫ m: optionally it is scaled by (n_eff,sample/n_eff,all)^(1/(d+4)), the
 *       rate at which the AMISE-optimal bandwidth shrinks with the sample size (Wand and Jones 1995, Kernel
 *       Smoothing, §4.3) — the same factor by which Scott's rule for N differs from Scott's rule for m.</li>
 * </ul>
 */
public final class SparkBandwidths {
    /** Default number of rows likelihood cross-validation runs on. */
    public static final int LCV_SAMPLE = 10_000;

    private SparkBandwidths() {
    }

    /**
     * The weighted moments of {@code columns} (weights from {@code weightColumn}, null for 1 each), in one pass.
     *
     * @throws IllegalArgumentException if a column is missing or not numeric, or a value is not finite or a weight
     *     negative
     */
    public static SampleMoments moments(Dataset<Row> data, List<String> columns, String weightColumn) {
        int d = columns.size();
        Dataset<Row> selected = Samples.select(data, columns, weightColumn);
        Samples.Names names = Samples.Names.of(columns, weightColumn);
        return Samples.reduce(selected.javaRDD().mapPartitions(rows -> {
            SampleMoments[] m = {SampleMoments.empty(d)};
            Samples.forEachChunk(rows, names, (x, w, n) -> m[0] = m[0].combine(SampleMoments.of(x, w, n, d)));
            return Collections.singletonList(m[0]).iterator();
        }), rdd -> rdd.treeReduce(SampleMoments::combine, SparkKde.TREE_DEPTH), SampleMoments.empty(d));
    }

    /** Scott's rule from one pass of moments ({@link SampleMoments#scott}). */
    public static Bandwidth scott(Dataset<Row> data, List<String> columns, String weightColumn,
                                  Bandwidth.Kind form) {
        return moments(data, columns, weightColumn).scott(form);
    }

    /** Silverman's rule from one pass of moments ({@link SampleMoments#silverman}). */
    public static Bandwidth silverman(Dataset<Row> data, List<String> columns, String weightColumn,
                                      Bandwidth.Kind form) {
        return moments(data, columns, weightColumn).silverman(form);
    }

    /**
     * Likelihood cross-validation on a uniform sample of at most {@code sampleSize} rows drawn with {@code seed}
     * (all rows when there are no more), scaled to the full data's n_eff when {@code rescale} is true (see the class
     * comment). With the same seed and the same partitioning the sample, and so H, are the same.
     *
     * @throws IllegalArgumentException if the sample size is below 2, a column is missing or not numeric, or a value
     *     is not finite or a weight negative
     */
    public static Bandwidth likelihoodCV(Dataset<Row> data, List<String> columns, String weightColumn,
                                         Bandwidth.Kind form, int sampleSize, long seed, boolean rescale) {
        if (sampleSize < 2) {
            throw new IllegalArgumentException("the cross-validation sample needs at least 2 rows, got "
                    + sampleSize);
        }
        Samples.Drawn s = Samples.uniform(data, columns, weightColumn, sampleSize, seed);
        Bandwidth h = BandwidthSelectors.likelihoodCV(form).select(s.data(), s.weights());
        if (!rescale) {
            return h;
        }
        SampleMoments all = moments(data, columns, weightColumn);
        double nSample = SampleMoments.of(s.data().toArray(), s.weights(), s.data().size(), s.data().dim())
                .effectiveSize();
        double ratio = nSample / all.effectiveSize();
        return ratio >= 1 ? h : h.scaled(Math.pow(ratio, 1.0 / (columns.size() + 4)));
    }
}

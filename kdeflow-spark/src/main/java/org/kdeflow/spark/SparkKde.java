package org.kdeflow.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.kdeflow.data.Grid;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BinnedGrid;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;

/**
 * Kernel density estimates over samples held in a {@code Dataset<Row>} — more samples than one machine holds — with
 * the same values as the core's {@link KernelDensity} on all of them.
 *
 * <p><b>Exact, at query points</b> ({@link #logDensity}). With W = Σwᵢ and c = k(0)ᵈ/|H| the kernel's constant,
 * <pre>
 *   f̂(x) = (c/W)·Σᵢ wᵢ K̃(H⁻¹(xᵢ − x)) = (1/W)·Σ_p W_p·f̂_p(x),
 * </pre>
 * f̂_p the core's estimate over the samples of part p (weights wᵢ/W_p, the same H). Each task splits its partition
 * into parts of at most 2¹⁶ rows, evaluates log f̂_p at every query with the core's exact path (its log-sum-exp takes
 * over where the sum underflows), and adds the parts as log Σ_p exp(log f̂_p + log W_p), pairwise by
 * log(eᵃ + eᵇ) = max + log1p(e^(−|a−b|)); the partial results of the tasks combine the same way in a tree
 * ({@code treeReduce}) and the driver subtracts log W. Every step is exact up to rounding, so the result equals
 * {@code KernelDensity.of(all samples, w, H, K).logDensity} to ~1e−15 relative in f̂.
 *
 * <p><b>Binned, on a grid</b> ({@link #densityOnGrid}, Gaussian, d ≤ 3). Each task bins its partition with
 * {@link BinnedGrid#bin} (linear binning, additive), the count arrays are summed in a tree, and the driver runs the
 * core's convolution {@link BinnedGrid#convolve} once: the core's binned result for the same grid, up to the order
 * in which the counts were added.
 *
 * <p>The samples' coordinates must be finite and the weights finite and ≥ 0; an executor that meets anything else
 * fails the job with a message naming the column.
 */
public final class SparkKde {
    /** Depth of the tree in which partial results are combined. */
    static final int TREE_DEPTH = 2;

    private SparkKde() {
    }

    /**
     * log f̂(x_q) for the m row-major queries (m×d) over the samples in {@code columns} of {@code samples},
     * weighted by {@code weightColumn} (null for equal weights).
     *
     * @throws IllegalArgumentException if a column is missing or not numeric, H's dimension differs from the number
     *     of columns, the queries are fewer than m·d values or not finite, there are no samples of positive weight,
     *     or a sample is not finite or a weight negative
     */
    public static double[] logDensity(Dataset<Row> samples, List<String> columns, String weightColumn, Bandwidth h,
                                      Kernel kernel, double[] queries, int m) {
        int d = columns.size();
        checkDim(h, d);
        if (m < 0 || (long) m * d > queries.length) {
            throw new IllegalArgumentException("expected " + m + "x" + d + " query values, got " + queries.length);
        }
        double[] q = Arrays.copyOf(queries, m * d);
        for (int k = 0; k < q.length; k++) {
            if (!Double.isFinite(q[k])) {
                throw new IllegalArgumentException("query " + (k / d) + ", coordinate " + (k % d) + " is not finite: "
                        + q[k]);
            }
        }
        Dataset<Row> selected = Samples.select(samples, columns, weightColumn);
        Broadcast<double[]> shared = context(samples).broadcast(q);
        ExactTask task = new ExactTask(Samples.Names.of(columns, weightColumn), BandwidthSpec.of(h), kernel, shared,
                m);
        LogSums total = Samples.reduce(selected.javaRDD().mapPartitions(task::call),
                rdd -> rdd.treeReduce(LogSums::plus, TREE_DEPTH), new LogSums(null, 0, 0));
        if (total.logSum == null || !(total.weight > 0)) {
            throw new IllegalArgumentException("no samples of positive weight in the data");
        }
        double logW = Math.log(total.weight);
        double[] out = new double[m];
        for (int k = 0; k < m; k++) {
            out[k] = total.logSum[k] - logW;
        }
        return out;
    }

    private static JavaSparkContext context(Dataset<Row> data) {
        return JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
    }

    private static void checkDim(Bandwidth h, int d) {
        if (h.dim() != d) {
            throw new IllegalArgumentException("bandwidth is " + h.dim() + "x" + h.dim() + " but " + d
                    + " sample columns are given");
        }
    }

    /** One partition's log Σ_{i∈p} wᵢ·c·K̃ at every query (null when it had no weight), its W_p and row count. */
    record LogSums(double[] logSum, double weight, long count) implements Serializable {
        LogSums plus(LogSums o) {
            if (o.logSum == null) {
                return new LogSums(logSum, weight, count + o.count);
            }
            if (logSum == null) {
                return new LogSums(o.logSum, o.weight, count + o.count);
            }
            double[] s = logSum.clone();
            addLogs(s, o.logSum, 0);
            return new LogSums(s, weight + o.weight, count + o.count);
        }
    }

    /** s[k] ← log(e^{s[k]} + e^{t[k] + shift}), exact for −∞ on either side. */
    static void addLogs(double[] s, double[] t, double shift) {
        for (int k = 0; k < s.length; k++) {
            double a = s[k];
            double b = t[k] + shift;
            if (b == Double.NEGATIVE_INFINITY) {
                continue;
            }
            if (a == Double.NEGATIVE_INFINITY) {
                s[k] = b;
                continue;
            }
            double hi = Math.max(a, b);
            s[k] = hi + Math.log1p(Math.exp(-Math.abs(a - b)));
        }
    }

    private record ExactTask(Samples.Names names, BandwidthSpec h, Kernel kernel, Broadcast<double[]> queries,
                             int m) implements Serializable {
        Iterator<LogSums> call(Iterator<Row> rows) {
            Bandwidth bw = h.toBandwidth();
            double[] q = queries.value();
            int d = names.columns().length;
            double[] logSum = new double[m];
            Arrays.fill(logSum, Double.NEGATIVE_INFINITY);
            double[] part = new double[m];
            double[] state = new double[2]; // W, rows
            Samples.forEachChunk(rows, names, (x, w, n) -> {
                double wp = n;
                if (w != null) {
                    wp = 0;
                    for (int i = 0; i < n; i++) {
                        wp += w[i];
                    }
                }
                state[1] += n;
                if (!(wp > 0)) {
                    return;
                }
                double[] weights = w == null ? null : Arrays.copyOf(w, n);
                KernelDensity kde = KernelDensity.of(org.kdeflow.data.Dataset.of(Arrays.copyOf(x, n * d), n,
                        d), weights, bw, kernel).withThreads(1);
                kde.logDensity(q, m, part);
                addLogs(logSum, part, Math.log(wp));
                state[0] += wp;
            });
            boolean any = state[0] > 0;
            return Collections.singletonList(new LogSums(any ? logSum : null, state[0], (long) state[1])).iterator();
        }
    }

    /** The binned estimate on a grid and the grid it is laid out on ({@link BinnedGrid}'s layout). */
    public record GridDensity(BinnedGrid grid, double[] density) {
    }

    /**
     * The binned Gaussian estimate on the 2-D {@code grid}: the values {@code KernelDensity.densityOnGrid(grid,
     * BINNED)} gives for all samples, laid out as {@link Grid#points()}.
     *
     * @throws IllegalArgumentException as {@link #densityOnGrid(Dataset, List, String, Bandwidth, double[], double[],
     *     int[])}
     */
    public static GridDensity densityOnGrid(Dataset<Row> samples, List<String> columns, String weightColumn,
                                            Bandwidth h, Grid grid) {
        return densityOnGrid(samples, columns, weightColumn, h, new double[] {grid.x0(), grid.y0()},
                new double[] {grid.x1(), grid.y1()}, new int[] {grid.nx(), grid.ny()});
    }

    /**
     * The binned Gaussian estimate at the nodes of the grid with {@code points[j]} nodes from {@code lo[j]} to
     * {@code hi[j]} on axis j (d = 1, 2 or 3), in {@link BinnedGrid}'s layout (axis 0 fastest).
     *
     * @throws IllegalArgumentException if a column is missing or not numeric, the grid is not one {@link BinnedGrid}
     *     accepts for H, there are no samples of positive weight, or a sample is not finite or a weight negative
     */
    public static GridDensity densityOnGrid(Dataset<Row> samples, List<String> columns, String weightColumn,
                                            Bandwidth h, double[] lo, double[] hi, int[] points) {
        checkDim(h, columns.size());
        BinnedGrid grid = BinnedGrid.of(h, lo, hi, points);
        Dataset<Row> selected = Samples.select(samples, columns, weightColumn);
        BinTask task = new BinTask(Samples.Names.of(columns, weightColumn), BandwidthSpec.of(h), lo.clone(),
                hi.clone(), points.clone());
        Counts total = Samples.reduce(selected.javaRDD().mapPartitions(task::call),
                rdd -> rdd.treeReduce(Counts::plus, TREE_DEPTH), new Counts(null, 0));
        if (total.counts == null || !(total.weight > 0)) {
            throw new IllegalArgumentException("no samples of positive weight in the data");
        }
        return new GridDensity(grid, grid.convolve(total.counts, total.weight));
    }

    /** One partition's binned counts (null when it had no rows) and its W_p. */
    record Counts(double[] counts, double weight) implements Serializable {
        Counts plus(Counts o) {
            if (o.counts == null) {
                return this;
            }
            if (counts == null) {
                return o;
            }
            double[] c = counts.clone();
            for (int k = 0; k < c.length; k++) {
                c[k] += o.counts[k];
            }
            return new Counts(c, weight + o.weight);
        }
    }

    private record BinTask(Samples.Names names, BandwidthSpec h, double[] lo, double[] hi, int[] points)
            implements Serializable {
        Iterator<Counts> call(Iterator<Row> rows) {
            BinnedGrid grid = BinnedGrid.of(h.toBandwidth(), lo, hi, points);
            double[][] counts = new double[1][];
            double[] weight = new double[1];
            Samples.forEachChunk(rows, names, (x, w, n) -> {
                if (counts[0] == null) {
                    counts[0] = new double[grid.cells()];
                }
                grid.bin(x, w, n, counts[0]);
                if (w == null) {
                    weight[0] += n;
                } else {
                    for (int i = 0; i < n; i++) {
                        weight[0] += w[i];
                    }
                }
            });
            return Collections.singletonList(new Counts(counts[0], weight[0])).iterator();
        }
    }
}

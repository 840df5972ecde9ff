package org.kdeflow.spark;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.train.Trainer;

/**
 * Scoring throughput, in rows per second per core, of the in-process library against Spark {@code local[1]} and
 * {@code local[2]} on the same rows, side by side in one JVM; medians of repeats after one warm-up run each.
 *
 * <ul>
 *   <li>In-process: the rows (n×2, row-major) copied batch by batch ({@value Scoring#BATCH} rows) into a buffer and
 *       scored with {@link Density#logDensity(double[], int, double[])} on one thread: the library's own cost.</li>
 *   <li>Spark: the same rows as a cached table of two double columns ({@code cache()} and a {@code count()} before
 *       timing), scored by {@link Scoring#withLogProb} and written to Spark's {@code noop} sink, so the time is
 *       reading the cached rows, scoring and building the output rows — no file I/O. Per core: rows / (seconds ·
 *       cores).</li>
 * </ul>
 * Spark's overhead per row is (per-core cost in Spark) / (in-process cost) − 1.
 *
 * <p>The rows: point i is uniform on [−1.5, 2.5] × [−1, 1.5] (the homework's Moons box and its surroundings), from
 * SplitMix64 of i, so both sides build the same rows without shipping them.
 */
public final class ScoringBench {

    /** A model to measure: its name and its source. */
    public record Case(String name, ModelSource source) {
    }

    /** One model's medians, in seconds for all rows. */
    public record Result(String name, double inProcess, double local1, double local2) {
        double perCore(double seconds, int cores, long rows) {
            return rows / (seconds * cores);
        }
    }

    private ScoringBench() {
    }

    /**
     * The built-in cases: the homework's flow (Moons, N = 1500, K = 4, networks 2 → 32 → 32 → 2, 100 epochs; the cost
     * of evaluation does not depend on how long it trained) and a Gaussian KDE of those 1500 samples with Scott's
     * full H.
     */
    public static List<Case> builtIn() {
        org.kdeflow.data.Dataset moons = ToyDatasets.sample2dDatasets("Moons", 1500, 0, 5);
        CouplingFlow flow = CouplingFlow.homework(4, 8);
        Trainer.notebook(100).fit(flow, moons);
        KernelDensity kde = KernelDensity.of(moons, BandwidthSelectors.scott(Bandwidth.Kind.FULL));
        return List.of(new Case("homework flow (K=4, 32x32)", ModelSource.of(flow)),
                new Case("KDE, 1500 samples, full H", ModelSource.of(kde)));
    }

    /** Measures every case on {@code rows} rows and prints a table to {@code out}; returns the medians. */
    public static List<Result> run(List<Case> cases, long rows, int repeats, int partitions, PrintWriter out) {
        if (rows < 1 || rows > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("rows must be between 1 and " + Integer.MAX_VALUE / 2 + ", got " + rows);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, got " + repeats);
        }
        for (Case c : cases) {
            if (Models.get(c.source()).dim() != 2) {
                throw new IllegalArgumentException("the benchmark's rows are 2-D; " + c.name() + " has dimension "
                        + Models.get(c.source()).dim());
            }
        }
        int n = (int) rows;
        double[] x = new double[2 * n];
        double[] p = new double[2];
        for (int i = 0; i < n; i++) {
            point(i, p);
            x[2 * i] = p[0];
            x[2 * i + 1] = p[1];
        }
        Map<String, double[]> times = new LinkedHashMap<>();
        for (Case c : cases) {
            double[] t = new double[3];
            t[0] = median(repeats, () -> inProcess(Models.get(c.source()), x, n));
            out.printf("%-28s in-process  %8.0f rows/s%n", c.name(), n / t[0]);
            out.flush();
            times.put(c.name(), t);
        }
        for (int cores = 1; cores <= 2; cores++) {
            SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("kdeflow-spark bench")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", partitions)
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            try {
                Dataset<Row> table = table(spark, n, partitions).cache();
                table.count();
                for (Case c : cases) {
                    double s = median(repeats, () -> Scoring.withLogProb(table, c.source(), List.of("x", "y"))
                            .write().format("noop").mode("overwrite").save());
                    times.get(c.name())[cores] = s;
                    out.printf("%-28s local[%d]    %8.0f rows/s/core%n", c.name(), cores, n / (s * cores));
                    out.flush();
                }
                table.unpersist(true);
            } finally {
                spark.stop();
            }
        }
        List<Result> results = new ArrayList<>();
        out.println();
        out.printf("%-28s %14s %14s %14s %10s %10s%n", "model (rows/s per core)", "in-process", "local[1]",
                "local[2]", "ovh [1]", "ovh [2]");
        for (Case c : cases) {
            double[] t = times.get(c.name());
            Result r = new Result(c.name(), t[0], t[1], t[2]);
            results.add(r);
            out.printf("%-28s %14.0f %14.0f %14.0f %9.1f%% %9.1f%%%n", c.name(), n / t[0], n / t[1], n / (2 * t[2]),
                    100 * (t[1] / t[0] - 1), 100 * (2 * t[2] / t[0] - 1));
        }
        out.flush();
        return results;
    }

    /** The in-process cost: every row scored once, batch by batch, on this thread. */
    private static void inProcess(Density f, double[] x, int n) {
        int b = Scoring.BATCH;
        double[] buf = new double[2 * b];
        double[] out = new double[b];
        double sink = 0;
        for (int from = 0; from < n; from += b) {
            int m = Math.min(b, n - from);
            System.arraycopy(x, 2 * from, buf, 0, 2 * m);
            f.logDensity(buf, m, out);
            sink += out[0];
        }
        if (sink == 42.4242) {
            System.out.print(""); // keeps the results alive for the JIT
        }
    }

    private static Dataset<Row> table(SparkSession spark, int n, int partitions) {
        StructType schema = new StructType().add("x", DataTypes.DoubleType, false).add("y", DataTypes.DoubleType,
                false);
        return spark.range(0, n, 1, partitions).mapPartitions((MapPartitionsFunction<Long, Row>) ids -> {
            double[] p = new double[2];
            return new Iterator<Row>() {
                @Override
                public boolean hasNext() {
                    return ids.hasNext();
                }

                @Override
                public Row next() {
                    point(ids.next(), p);
                    return RowFactory.create(p[0], p[1]);
                }
            };
        }, Encoders.row(schema));
    }

    /** Point i: two uniforms from SplitMix64 (Steele, Lea and Flood 2014) of 2i and 2i + 1, scaled to the box. */
    static void point(long i, double[] p) {
        p[0] = -1.5 + 4.0 * uniform(2 * i);
        p[1] = -1.0 + 2.5 * uniform(2 * i + 1);
    }

    private static double uniform(long k) {
        long z = k * 0x9E3779B97F4A7C15L + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }

    /** One warm-up run, then the median of {@code repeats} timed runs, in seconds. */
    private static double median(int repeats, Runnable task) {
        task.run();
        double[] t = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            task.run();
            t[r] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return repeats % 2 == 1 ? t[repeats / 2] : (t[repeats / 2 - 1] + t[repeats / 2]) / 2;
    }
}

package org.kdeflow.spark;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
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
 * {@code local[2]} on the same rows, side by side in one JVM: after one warm-up run of each, every repeat runs the
 * in-process pass and then the Spark pass, and the figures are medians over the repeats, so a change in the
 * machine's load hits both sides of a pair alike.
 *
 * <ul>
 *   <li>In-process: the rows (n×2, row-major) copied batch by batch ({@value Scoring#BATCH} rows) into a buffer and
 *       scored with {@link Density#logDensity(double[], int, double[])} on one thread: the library's own cost.</li>
 *   <li>Spark: the same rows as a cached table of two double columns ({@code cache()} and a {@code count()} before
 *       timing), scored by {@link Scoring#withLogProb} and written to Spark's {@code noop} sink, so the time is
 *       reading the cached rows, scoring and building the output rows — no file I/O. Per core: rows / (wall
 *       seconds · cores).</li>
 * </ul>
 * Spark's overhead per row is (per-core cost in Spark) / (in-process cost) − 1, computed per pair and reported as
 * the median. Both sides also report rows per CPU-second of the whole process (JIT and GC threads included), which
 * the other programs on a shared machine disturb less than wall time. A model that costs nothing (log p = 0) shows
 * Spark's own cost per row.
 *
 * <p>The rows: point i is uniform on [−1.5, 2.5] × [−1, 1.5] (the homework's Moons box and its surroundings), from
 * SplitMix64 of i, so both sides build the same rows without shipping them.
 */
public final class ScoringBench {

    /** A model to measure: a short id (for {@code --cases}), its name and its source. */
    public record Case(String id, String name, ModelSource source) {
    }

    /**
     * One model's medians for one Spark master: wall and CPU seconds for all rows, in-process and in Spark, and the
     * median over the pairs of Spark's per-core cost over the in-process cost.
     */
    public record Result(String name, int cores, double inWall, double inCpu, double sparkWall, double sparkCpu,
                         double ratio) {
    }

    private ScoringBench() {
    }

    /**
     * The built-in cases: the homework's flow (Moons, N = 1500, K = 4, networks 2 → 32 → 32 → 2, 100 epochs; the cost
     * of evaluation does not depend on how long it trained), a Gaussian KDE of those 1500 samples with Scott's full
     * H, and a model that costs nothing. A spline flow is measured by passing its model file
     * ({@code bench --model FILE}).
     */
    public static List<Case> builtIn() {
        org.kdeflow.data.Dataset moons = ToyDatasets.sample2dDatasets("Moons", 1500, 0, 5);
        CouplingFlow flow = CouplingFlow.homework(4, 8);
        Trainer.notebook(100).fit(flow, moons);
        KernelDensity kde = KernelDensity.of(moons, BandwidthSelectors.scott(Bandwidth.Kind.FULL));
        return List.of(new Case("flow", "homework flow (K=4, 32x32)", ModelSource.of(flow)),
                new Case("kde", "KDE, 1500 samples, full H", ModelSource.of(kde)),
                new Case("nothing", "nothing (log p = 0)", new Nothing()));
    }

    /** A 2-D model whose log-density is 0 everywhere (not a density: it only measures what is around the model). */
    static final class Nothing implements ModelSource {
        private static final long serialVersionUID = 1L;

        @Override
        public String key() {
            return "bench:nothing";
        }

        @Override
        public String label() {
            return "nothing";
        }

        @Override
        public Density load() {
            return new Density() {
                @Override
                public int dim() {
                    return 2;
                }

                @Override
                public void logDensity(double[] x, int n, double[] out) {
                    Arrays.fill(out, 0, n, 0.0);
                }

                @Override
                public org.kdeflow.data.Dataset sample(int n, org.kdeflow.random.NumpyRandomState rng) {
                    throw new UnsupportedOperationException("the benchmark's empty model cannot sample");
                }
            };
        }
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
        List<Result> results = new ArrayList<>();
        for (int cores = 1; cores <= 2; cores++) {
            SparkSession spark = SparkSession.builder().master("local[" + cores + "]").appName("kdeflow-spark bench")
                    .config("spark.ui.enabled", "false").getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
            try {
                Dataset<Row> table = table(spark, n, partitions).cache();
                table.count();
                for (Case c : cases) {
                    Density f = Models.get(c.source());
                    Runnable local = () -> inProcess(f, x, n);
                    Runnable distributed = () -> Scoring.withLogProb(table, c.source(), List.of("x", "y"))
                            .write().format("noop").mode("overwrite").save();
                    Result r = pairs(c.name(), cores, repeats, local, distributed);
                    results.add(r);
                    out.printf("%-28s local[%d]: in-process %9.0f rows/s, Spark %9.0f rows/s/core (%+.1f%%); "
                                    + "per CPU-second %9.0f vs %9.0f%n", c.name(), cores, n / r.inWall(),
                            n / (r.sparkWall() * cores), 100 * (r.ratio() - 1), n / r.inCpu(), n / r.sparkCpu());
                    out.flush();
                }
                table.unpersist(true);
            } finally {
                spark.stop();
            }
        }
        out.println();
        out.printf("%d rows, medians of %d pairs; rows/s per core (wall), Spark's extra cost per row over the "
                + "in-process cost%n", n, repeats);
        out.printf("%-28s %12s %12s %12s %9s %9s %14s%n", "model", "in-process", "local[1]", "local[2]", "ovh [1]",
                "ovh [2]", "Spark ns/row");
        for (Case c : cases) {
            Result r1 = find(results, c.name(), 1);
            Result r2 = find(results, c.name(), 2);
            double inNs = 1e9 * r1.inWall() / n;
            double sparkNs = 1e9 * r1.sparkWall() / n;
            out.printf("%-28s %12.0f %12.0f %12.0f %9s %9s %14.0f%n", c.name(), n / r1.inWall(), n / r1.sparkWall(),
                    n / (2 * r2.sparkWall()), percent(inNs, r1.ratio()), percent(inNs, r2.ratio()), sparkNs);
        }
        out.flush();
        return results;
    }

    /** The overhead in percent, or "-" for a model too cheap for a ratio to mean anything (under 50 ns a row). */
    private static String percent(double inNs, double ratio) {
        return inNs < 50 ? "-" : String.format(java.util.Locale.ROOT, "%.1f%%", 100 * (ratio - 1));
    }

    private static Result find(List<Result> results, String name, int cores) {
        return results.stream().filter(r -> r.name().equals(name) && r.cores() == cores).findFirst().orElseThrow();
    }

    /** Warm-up of both, then {@code repeats} pairs; medians of each side and of the per-pair cost ratio. */
    private static Result pairs(String name, int cores, int repeats, Runnable local, Runnable distributed) {
        local.run();
        distributed.run();
        double[] inWall = new double[repeats];
        double[] inCpu = new double[repeats];
        double[] spWall = new double[repeats];
        double[] spCpu = new double[repeats];
        double[] ratio = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            double[] a = time(local);
            double[] b = time(distributed);
            inWall[r] = a[0];
            inCpu[r] = a[1];
            spWall[r] = b[0];
            spCpu[r] = b[1];
            ratio[r] = b[0] * cores / a[0];
        }
        return new Result(name, cores, median(inWall), median(inCpu), median(spWall), median(spCpu), median(ratio));
    }

    /** {wall seconds, CPU seconds of the whole process}. */
    private static double[] time(Runnable task) {
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        task.run();
        long t1 = System.nanoTime();
        long c1 = os.getProcessCpuTime();
        return new double[] {(t1 - t0) / 1e9, (c1 - c0) / 1e9};
    }

    static double median(double[] v) {
        double[] t = v.clone();
        Arrays.sort(t);
        int m = t.length;
        return m % 2 == 1 ? t[m / 2] : (t[m / 2 - 1] + t[m / 2]) / 2;
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

}

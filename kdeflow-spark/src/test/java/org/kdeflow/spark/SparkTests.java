package org.kdeflow.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The one Spark session all tests share: {@code local[2]}, two executor threads in this JVM, so tasks run
 * concurrently and partial results really are combined. No web UI, loopback only.
 */
final class SparkTests {
    private static SparkSession spark;

    private SparkTests() {
    }

    static synchronized SparkSession spark() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("kdeflow-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", "4")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /** Gaussian points around two centres, row-major n×d. */
    static double[] points(int n, int d, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            boolean second = r.nextBoolean();
            for (int j = 0; j < d; j++) {
                x[i * d + j] = 0.6 * r.nextGaussian() + (second && j == 0 ? 1.5 : 0) + (j == 1 ? 0.3 : 0);
            }
        }
        return x;
    }

    /**
     * A table with columns id (long), x1…xd (or x, y for d = 2) and, when {@code w} is given, w; split into
     * {@code partitions} slices in row order.
     */
    static Dataset<Row> table(double[] x, int d, double[] w, int partitions) {
        int n = x.length / d;
        StructType schema = new StructType().add("id", DataTypes.LongType, false);
        for (String c : columns(d)) {
            schema = schema.add(c, DataTypes.DoubleType, true);
        }
        if (w != null) {
            schema = schema.add("w", DataTypes.DoubleType, true);
        }
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object[] v = new Object[1 + d + (w == null ? 0 : 1)];
            v[0] = (long) i;
            for (int j = 0; j < d; j++) {
                v[1 + j] = x[i * d + j];
            }
            if (w != null) {
                v[1 + d] = w[i];
            }
            rows.add(RowFactory.create(v));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
        return spark().createDataFrame(jsc.parallelize(rows, partitions), schema);
    }

    static List<String> columns(int d) {
        if (d == 2) {
            return List.of("x", "y");
        }
        List<String> c = new ArrayList<>();
        for (int j = 1; j <= d; j++) {
            c.add("x" + j);
        }
        return c;
    }

    /** |a − e| ≤ tol·max(1, |e|), and equal infinities. */
    static boolean close(double e, double a, double tol) {
        if (Double.isInfinite(e) || Double.isInfinite(a)) {
            return e == a;
        }
        return Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    }
}

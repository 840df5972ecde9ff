package org.kdeflow.spark;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Reading sample columns from a {@code Dataset<Row>}: checking the names on the driver, and on the executors turning
 * a partition's rows into flat row-major chunks (n×d coordinates and n weights) for the core's batch calls.
 */
final class Samples {
    /** Rows per chunk: 2¹⁶ rows of d ≤ 8 coordinates stay within 4 MiB. */
    static final int CHUNK = 1 << 16;

    private Samples() {
    }

    /**
     * The columns, as doubles, followed by the weight column when there is one.
     *
     * @throws IllegalArgumentException if a column is missing, not numeric, or named twice, or no column is given
     */
    static Dataset<Row> select(Dataset<Row> data, List<String> columns, String weight) {
        List<String> all = new ArrayList<>(columns);
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("give at least one column");
        }
        if (weight != null) {
            all.add(weight);
        }
        checkNumeric(data.schema(), all);
        Column[] cs = new Column[all.size()];
        for (int k = 0; k < cs.length; k++) {
            cs[k] = col(quoted(all.get(k))).cast(DataTypes.DoubleType);
        }
        return data.select(cs);
    }

    /** A column name as Spark's column resolver takes it literally (dots and spaces included). */
    static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    static void checkNumeric(StructType schema, List<String> names) {
        List<String> fields = Arrays.asList(schema.fieldNames());
        for (int k = 0; k < names.size(); k++) {
            String name = names.get(k);
            if (names.indexOf(name) != k) {
                throw new IllegalArgumentException("column '" + name + "' is named twice");
            }
            if (!fields.contains(name)) {
                throw new IllegalArgumentException("no column '" + name + "' in the data (columns: "
                        + String.join(", ", fields) + ")");
            }
            StructField f = schema.apply(name);
            if (!(f.dataType() instanceof NumericType)) {
                throw new IllegalArgumentException("column '" + name + "' holds " + f.dataType().simpleString()
                        + ", expected numbers");
            }
        }
    }

    /** Receives one chunk: n rows of x (row-major n×d) and their weights (null without a weight column). */
    @FunctionalInterface
    interface ChunkConsumer {
        void accept(double[] x, double[] w, int n);
    }

    /**
     * Feeds the rows of {@link #select}ed columns to {@code consumer} in chunks of at most {@value #CHUNK} rows; the
     * arrays are reused between chunks.
     *
     * @throws IllegalArgumentException naming the column of a null or non-finite coordinate, or of a negative,
     *     null or non-finite weight
     */
    static void forEachChunk(Iterator<Row> rows, Names names, ChunkConsumer consumer) {
        int d = names.columns.length;
        boolean weighted = names.weight != null;
        double[] x = new double[CHUNK * d];
        double[] w = weighted ? new double[CHUNK] : null;
        int n = 0;
        while (rows.hasNext()) {
            Row r = rows.next();
            for (int j = 0; j < d; j++) {
                if (r.isNullAt(j)) {
                    throw new IllegalArgumentException("column '" + names.columns[j] + "' has a null value; drop or "
                            + "fill the nulls first");
                }
                double v = r.getDouble(j);
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("column '" + names.columns[j] + "' has a value that is not "
                            + "finite: " + v);
                }
                x[n * d + j] = v;
            }
            if (weighted) {
                double v = r.isNullAt(d) ? Double.NaN : r.getDouble(d);
                if (!(Double.isFinite(v) && v >= 0)) {
                    throw new IllegalArgumentException("weight column '" + names.weight + "' has a value that is not "
                            + "a finite number >= 0: " + (r.isNullAt(d) ? "null" : v));
                }
                w[n] = v;
            }
            if (++n == CHUNK) {
                consumer.accept(x, w, n);
                n = 0;
            }
        }
        if (n > 0) {
            consumer.accept(x, w, n);
        }
    }

    /** The column names, for messages on executors. */
    record Names(String[] columns, String weight) implements Serializable {
        static Names of(List<String> columns, String weight) {
            return new Names(columns.toArray(new String[0]), weight);
        }
    }

    /** A sample collected to the driver: the points and their weights (null without a weight column). */
    record Drawn(org.kdeflow.data.Dataset data, double[] weights) {
    }

    /**
     * A uniform sample without replacement of at most {@code size} rows ({@code takeSample(false, size, seed)}),
     * collected to the driver; all rows when there are no more. The same seed and partitioning give the same rows.
     *
     * @throws IllegalArgumentException as {@link #select} and {@link #forEachChunk}, or if the data have no rows
     */
    static Drawn uniform(Dataset<Row> data, List<String> columns, String weight, int size, long seed) {
        Dataset<Row> selected = select(data, columns, weight);
        List<Row> rows = run(() -> selected.javaRDD().takeSample(false, size, seed));
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("the data have no rows to sample");
        }
        int d = columns.size();
        int n = rows.size();
        double[] x = new double[n * d];
        double[] w = weight == null ? null : new double[n];
        int[] at = {0};
        forEachChunk(rows.iterator(), Names.of(columns, weight), (cx, cw, m) -> {
            System.arraycopy(cx, 0, x, at[0] * d, m * d);
            if (w != null) {
                System.arraycopy(cw, 0, w, at[0], m);
            }
            at[0] += m;
        });
        return new Drawn(org.kdeflow.data.Dataset.of(x, n, d), w);
    }

    /**
     * Runs {@code job} on {@code rdd} (as {@link #run}), or gives {@code empty} when it has no partitions (a
     * {@code treeReduce} would fail on them).
     */
    static <R, T> T reduce(org.apache.spark.api.java.JavaRDD<R> rdd,
                           java.util.function.Function<org.apache.spark.api.java.JavaRDD<R>, T> job, T empty) {
        if (rdd.getNumPartitions() == 0) {
            return empty;
        }
        return run(() -> job.apply(rdd));
    }

    /**
     * Runs a Spark job, turning a task's {@link IllegalArgumentException} (bad data found on an executor) back into
     * one on the driver with the same message.
     */
    static <T> T run(Supplier<T> job) {
        try {
            return job.get();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) { // Spark's SparkException is checked, though Java callers are never told
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof IllegalArgumentException iae) {
                    throw new IllegalArgumentException(iae.getMessage(), e);
                }
            }
            throw Samples.<RuntimeException>rethrow(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Exception e) throws E {
        throw (E) e;
    }
}

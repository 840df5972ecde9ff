package org.kdeflow.spark;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.kdeflow.density.Density;

/**
 * Scoring a {@code Dataset<Row>} under any kdeflow model: a {@code log_prob} column with log p(x) of each row's
 * coordinates, in nats.
 *
 * <p>The {@link ModelSource} (for a model file: its bytes) is broadcast once; each executor JVM builds the model once
 * ({@link Models}) and every task evaluates its partition in batches of {@value #BATCH} rows through the model's
 * batch call {@link Density#logDensity(double[], int, double[])}, i.e. the core's vector kernels, never row by row.
 * Rows are streamed: a task holds one batch at a time.
 *
 * <p>Values are those of {@code kdeflow score}: log p(x) as the model computes it, and −∞ where the model's
 * arithmetic overflows far from its mass (a non-finite log p is written as −∞). A row with a null coordinate gets a
 * null {@code log_prob}. The output keeps every input column, in order, and appends the new one.
 */
public final class Scoring {
    /** The output column's default name. */
    public static final String LOG_PROB = "log_prob";
    /** Rows per batch handed to the model. */
    public static final int BATCH = 4096;

    private Scoring() {
    }

    /** {@code data} with a {@value #LOG_PROB} column for the model's log-density of {@code columns}. */
    public static Dataset<Row> withLogProb(Dataset<Row> data, ModelSource model, List<String> columns) {
        return withLogProb(data, model, columns, LOG_PROB, BATCH);
    }

    /**
     * {@code data} with a column {@code output} (double, nullable) holding log p(x) for x the values of
     * {@code columns}, in the model's coordinate order. Lazy, like every Spark transformation.
     *
     * @throws IllegalArgumentException if a column is missing, not numeric or named twice, their number differs from
     *     the model's dimension, {@code output} already exists, or {@code batchSize} &lt; 1
     */
    public static Dataset<Row> withLogProb(Dataset<Row> data, ModelSource model, List<String> columns, String output,
                                           int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        StructType schema = data.schema();
        Samples.checkNumeric(schema, columns);
        if (List.of(schema.fieldNames()).contains(output)) {
            throw new IllegalArgumentException("the data already have a column '" + output + "'");
        }
        int d = Models.get(model).dim();
        if (columns.size() != d) {
            throw new IllegalArgumentException(columns.size() + " columns given (" + String.join(", ", columns)
                    + ") but the model " + model.label() + " has dimension " + d);
        }
        int[] index = new int[d];
        boolean[] isDouble = new boolean[d];
        for (int j = 0; j < d; j++) {
            index[j] = schema.fieldIndex(columns.get(j));
            isDouble[j] = schema.fields()[index[j]].dataType().equals(DataTypes.DoubleType);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Broadcast<ModelSource> shared = jsc.broadcast(model);
        StructType out = schema.add(output, DataTypes.DoubleType, true);
        return data.mapPartitions(new ScorePartition(shared, index, isDouble, schema.size(), batchSize),
                Encoders.row(out));
    }

    /** The task: batches of rows through the model. */
    private record ScorePartition(Broadcast<ModelSource> model, int[] index, boolean[] isDouble, int width,
                                  int batch) implements MapPartitionsFunction<Row, Row> {
        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return new Batches(Models.get(model.value()), rows, this);
        }
    }

    /** Streams a partition: fills a batch of rows, scores it in one call, hands the rows out, repeats. */
    private static final class Batches implements Iterator<Row> {
        private final Density f;
        private final Iterator<Row> rows;
        private final int[] index;
        private final boolean[] isDouble;
        private final int width;
        private final int d;
        private final Row[] buffer;
        private final boolean[] missing;
        private final double[] x;
        private final double[] logp;
        private int size;
        private int pos;

        Batches(Density f, Iterator<Row> rows, ScorePartition p) {
            this.f = f;
            this.rows = rows;
            this.index = p.index;
            this.isDouble = p.isDouble;
            this.width = p.width;
            this.d = p.index.length;
            this.buffer = new Row[p.batch];
            this.missing = new boolean[p.batch];
            this.x = new double[p.batch * d];
            this.logp = new double[p.batch];
        }

        @Override
        public boolean hasNext() {
            if (pos < size) {
                return true;
            }
            fill();
            return size > 0;
        }

        private void fill() {
            size = 0;
            pos = 0;
            while (size < buffer.length && rows.hasNext()) {
                Row r = rows.next();
                boolean gap = false;
                for (int j = 0; j < d; j++) {
                    int k = index[j];
                    double v;
                    if (r.isNullAt(k)) {
                        gap = true;
                        v = 0;
                    } else {
                        v = isDouble[j] ? r.getDouble(k) : ((Number) r.get(k)).doubleValue();
                    }
                    x[size * d + j] = v;
                }
                missing[size] = gap;
                buffer[size++] = r;
            }
            if (size == 0) {
                return;
            }
            f.logDensity(x, size, logp);
            for (int i = 0; i < size; i++) {
                if (!Double.isFinite(logp[i])) {
                    logp[i] = Double.NEGATIVE_INFINITY;
                }
            }
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = buffer[pos];
            buffer[pos] = null;
            Object[] v = new Object[width + 1];
            for (int k = 0; k < width; k++) {
                v[k] = r.get(k);
            }
            v[width] = missing[pos] ? null : logp[pos];
            pos++;
            return RowFactory.create(v);
        }
    }
}

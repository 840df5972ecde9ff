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
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
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
 * <p>Two equal paths move the rows. Where {@code data} is a classic Dataset (spark-submit, local mode) the rows stay
 * in Spark's internal format: the task reads the coordinates straight from them and appends the new column by a
 * joined row, and the result is made a DataFrame again with the session's {@code internalCreateDataFrame}. This
 * skips the conversion of every row to a {@link Row} and back, which is most of what Spark adds per row (see
 * docs/spark.md). Elsewhere (a Spark Connect client) the public {@code mapPartitions} over {@link Row}s does the
 * same work. Both give the same values, and the tests hold them to it.
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
        DataType[] types = new DataType[d];
        for (int j = 0; j < d; j++) {
            index[j] = schema.fieldIndex(columns.get(j));
            types[j] = schema.fields()[index[j]].dataType();
            Reader.of(types[j]);
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        Task task = new Task(jsc.broadcast(model), index, types, schema.size(), batchSize);
        StructType out = schema.add(output, DataTypes.DoubleType, true);
        if (data instanceof org.apache.spark.sql.classic.Dataset<Row> classic && !publicPathOnly) {
            org.apache.spark.rdd.RDD<InternalRow> scored = classic.queryExecution().toRdd().toJavaRDD()
                    .mapPartitions(task::internal).rdd();
            return classic.sparkSession().internalCreateDataFrame(scored, out, false);
        }
        return data.mapPartitions((MapPartitionsFunction<Row, Row>) task::rows, Encoders.row(out));
    }

    /** When true, scoring takes the public Row path even for classic Datasets (for tests comparing the paths). */
    static boolean publicPathOnly;

    /** How one coordinate is read from an internal row: by the column's numeric type. */
    private enum Reader {
        DOUBLE, FLOAT, LONG, INT, SHORT, BYTE, DECIMAL;

        static Reader of(DataType t) {
            if (t.equals(DataTypes.DoubleType)) {
                return DOUBLE;
            }
            if (t instanceof FloatType) {
                return FLOAT;
            }
            if (t instanceof LongType) {
                return LONG;
            }
            if (t instanceof IntegerType) {
                return INT;
            }
            if (t instanceof ShortType) {
                return SHORT;
            }
            if (t instanceof ByteType) {
                return BYTE;
            }
            if (t instanceof DecimalType) {
                return DECIMAL;
            }
            throw new IllegalArgumentException("cannot read " + t.simpleString() + " as a number");
        }

        /** Column k of {@code r}, of this type, as a double; a decimal is read with its own precision and scale. */
        double read(InternalRow r, int k, DataType type) {
            return switch (this) {
                case DOUBLE -> r.getDouble(k);
                case FLOAT -> r.getFloat(k);
                case LONG -> r.getLong(k);
                case INT -> r.getInt(k);
                case SHORT -> r.getShort(k);
                case BYTE -> r.getByte(k);
                case DECIMAL -> r.getDecimal(k, ((DecimalType) type).precision(), ((DecimalType) type).scale())
                        .toDouble();
            };
        }
    }

    /** The task, for either row format: batches of rows through the model. */
    private record Task(Broadcast<ModelSource> model, int[] index, DataType[] types, int width, int batch)
            implements java.io.Serializable {

        /** Public rows: read by {@link Row#get}, written as a new {@link Row} with one more value. */
        Iterator<Row> rows(Iterator<Row> in) {
            return new Batches<Row>(Models.get(model.value()), in, this) {
                @Override
                Row keep(Row r) {
                    return r;
                }

                @Override
                boolean isNull(Row r, int k) {
                    return r.isNullAt(k);
                }

                @Override
                double value(Row r, int j, int k) {
                    return ((Number) r.get(k)).doubleValue();
                }

                @Override
                Row withLogProb(Row r, boolean missing, double logp) {
                    Object[] v = new Object[width + 1];
                    for (int c = 0; c < width; c++) {
                        v[c] = r.get(c);
                    }
                    v[width] = missing ? null : logp;
                    return RowFactory.create(v);
                }
            };
        }

        /** Internal rows: read in place, written as the row joined to a one-value row. */
        Iterator<InternalRow> internal(Iterator<InternalRow> in) {
            Reader[] readers = new Reader[types.length];
            for (int j = 0; j < readers.length; j++) {
                readers[j] = Reader.of(types[j]);
            }
            return new Batches<InternalRow>(Models.get(model.value()), in, this) {
                private final GenericInternalRow extra = new GenericInternalRow(1);
                private final JoinedRow joined = new JoinedRow();

                @Override
                InternalRow keep(InternalRow r) {
                    return r.copy(); // the scan reuses its row object
                }

                @Override
                boolean isNull(InternalRow r, int k) {
                    return r.isNullAt(k);
                }

                @Override
                double value(InternalRow r, int j, int k) {
                    return readers[j].read(r, k, types[j]);
                }

                @Override
                InternalRow withLogProb(InternalRow r, boolean missing, double logp) {
                    if (missing) {
                        extra.setNullAt(0);
                    } else {
                        extra.setDouble(0, logp);
                    }
                    return joined.apply(r, extra); // reused: Spark's scan of the result projects each row at once
                }
            };
        }
    }

    /**
     * Streams a partition: fills a batch of rows, scores it in one call, hands the rows out with their log p,
     * repeats. The row format is the subclass's; a non-finite log p is handed out as −∞.
     */
    private abstract static class Batches<R> implements Iterator<R> {
        private final Density f;
        private final Iterator<R> rows;
        private final int[] index;
        private final int d;
        private final Object[] buffer;
        private final boolean[] missing;
        private final double[] x;
        private final double[] logp;
        private int size;
        private int pos;

        Batches(Density f, Iterator<R> rows, Task task) {
            this.f = f;
            this.rows = rows;
            this.index = task.index;
            this.d = task.index.length;
            this.buffer = new Object[task.batch];
            this.missing = new boolean[task.batch];
            this.x = new double[task.batch * d];
            this.logp = new double[task.batch];
        }

        /** The row to hold until its batch is scored (a copy where the source reuses its row object). */
        abstract R keep(R r);

        abstract boolean isNull(R r, int k);

        /** Coordinate j, held in column k. */
        abstract double value(R r, int j, int k);

        abstract R withLogProb(R r, boolean missing, double logp);

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
                R r = keep(rows.next());
                boolean gap = false;
                for (int j = 0; j < d; j++) {
                    int k = index[j];
                    boolean empty = isNull(r, k);
                    gap |= empty;
                    x[size * d + j] = empty ? 0 : value(r, j, k);
                }
                missing[size] = gap;
                buffer[size++] = r;
            }
            if (size > 0) {
                f.logDensity(x, size, logp);
            }
        }

        @Override
        @SuppressWarnings("unchecked")
        public R next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            R r = (R) buffer[pos];
            buffer[pos] = null;
            double v = logp[pos];
            return withLogProb(r, missing[pos++], Double.isFinite(v) ? v : Double.NEGATIVE_INFINITY);
        }
    }
}

package org.kdeflow.spark.cli;

import static org.apache.spark.sql.functions.col;

import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import picocli.CommandLine.Option;

/** The options every command shares: where Spark runs, and how tables are read and written. */
public final class SparkOptions {

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: the one spark-submit "
            + "gives, else local[*], all cores of this machine).")
    String master;

    /**
     * The session to run in: one that is already running in this JVM (when the command is embedded), else a new one
     * on the given master, spark-submit's, or {@code local[*]} (local mode without the web UI). Closing it stops
     * only a session it started.
     */
    public Session session(String app) {
        SparkSession running = SparkSession.getDefaultSession().getOrElse(() -> null);
        if (running != null && master == null) {
            return new Session(running, false);
        }
        SparkSession.Builder b = SparkSession.builder().appName(app);
        String m = master != null ? master : System.getProperty("spark.master");
        if (m == null) {
            m = "local[*]";
        }
        b.master(m);
        if (m.startsWith("local")) {
            b.config("spark.ui.enabled", "false");
        }
        SparkSession spark = b.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return new Session(spark, true);
    }

    /** A session, stopped on close when this command started it. */
    public record Session(SparkSession spark, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                spark.stop();
            }
        }
    }

    /** csv for a path ending in .csv, else parquet, unless {@code format} says. */
    static String format(String path, String format) {
        String f = format != null ? format : path.toLowerCase(Locale.ROOT).endsWith(".csv") ? "csv" : "parquet";
        f = f.toLowerCase(Locale.ROOT);
        if (!f.equals("csv") && !f.equals("parquet")) {
            throw new IllegalArgumentException("unknown table format '" + f + "' (expected csv or parquet)");
        }
        return f;
    }

    /**
     * A table: Parquet as it is; CSV with a header row, the named columns read as doubles (a value that is not a
     * number fails the job with Spark's message naming it).
     */
    static Dataset<Row> read(SparkSession spark, String path, String format, List<String> numeric) {
        if (format(path, format).equals("csv")) {
            Dataset<Row> df = spark.read().option("header", "true").csv(path);
            for (String c : numeric) {
                if (List.of(df.columns()).contains(c)) {
                    df = df.withColumn(c, col("`" + c.replace("`", "``") + "`").cast(DataTypes.DoubleType));
                }
            }
            return df;
        }
        return spark.read().parquet(path);
    }

    /** Writes a table; fails if the path exists. */
    static void write(Dataset<Row> df, String path, String format) {
        if (format(path, format).equals("csv")) {
            df.write().option("header", "true").csv(path);
        } else {
            df.write().parquet(path);
        }
    }
}

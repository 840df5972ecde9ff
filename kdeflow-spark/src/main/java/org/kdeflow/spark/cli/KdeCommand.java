package org.kdeflow.spark.cli;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.kdeflow.formats.AtomicFiles;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.Kernel;
import org.kdeflow.spark.SparkBandwidths;
import org.kdeflow.spark.SparkKde;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow-spark kde}: a KDE over the samples of a table, exactly at query points or binned on a grid, with a
 * bandwidth from one pass of moments (Scott, Silverman), from cross-validation on a sample, or given.
 */
@Command(name = "kde", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Kernel density estimate f̂(x) = (1/|H|) Σᵢ ωᵢ K(H⁻¹(xᵢ − x)) over the samples of a table, "
                + "which may be far larger than one machine.",
            "With --at: exact f̂ at the query points (a CSV with a header naming --cols), written as the query "
                + "columns, density and log_density. With --grid: the binned Gaussian estimate (d ≤ 3) at the grid "
                + "nodes, written as the coordinates and density.",
            "Scott and Silverman take one pass over the data; lcv runs on a uniform sample (--lcv-sample rows) "
                + "and is scaled to the full data unless --no-rescale."},
        footer = {"", "Examples:",
            "  kdeflow-spark kde --input samples.parquet --cols x,y --bandwidth scott --at queries.csv --output f.csv",
            "  kdeflow-spark kde --input samples.parquet --cols x,y --grid=-2:3:200,-1.5:2:160 --output grid.csv"})
public final class KdeCommand implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "PATH", required = true,
            description = "Samples: Parquet, or CSV with a header row (by extension, or --format).")
    String input;

    @Option(names = "--cols", paramLabel = "x,y,…", split = ",", required = true,
            description = "The columns holding the coordinates.")
    List<String> cols;

    @Option(names = "--weight", paramLabel = "COLUMN", description = "A column of sample weights (>= 0).")
    String weight;

    @Option(names = "--format", paramLabel = "csv|parquet", description = "Input format (default: by extension).")
    String format;

    @Option(names = "--bandwidth", paramLabel = "RULE", defaultValue = "scott",
            description = "scott, silverman or lcv (default ${DEFAULT-VALUE}).")
    String rule;

    @Option(names = "--form", paramLabel = "FORM", defaultValue = "full",
            description = "Form of the rule's H: full, diagonal or scalar (default ${DEFAULT-VALUE}).")
    String form;

    @Option(names = "--h", paramLabel = "h", description = "A scalar bandwidth, H = h·I (instead of a rule).")
    Double h;

    @Option(names = "--H", paramLabel = "a,b;c,d", description = "A full bandwidth matrix, rows separated by ';'.")
    String fullH;

    @Option(names = "--lcv-sample", paramLabel = "M", defaultValue = "10000",
            description = "Rows of the uniform sample lcv runs on (default ${DEFAULT-VALUE}).")
    int lcvSample;

    @Option(names = "--no-rescale", description = "Keep lcv's H as chosen for the sample, unscaled.")
    boolean noRescale;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the lcv sample (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "gaussian",
            description = "gaussian or epanechnikov, with --at (default ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--at", paramLabel = "PATH", description = "Query points: a CSV with a header, or Parquet.")
    String at;

    @Option(names = "--grid", paramLabel = "lo:hi:n,…", description = "Grid axes, one lo:hi:n per column.")
    String grid;

    @Option(names = "--output", paramLabel = "FILE.csv", required = true, description = "Output CSV file (local).")
    Path output;

    @Mixin
    SparkOptions sparkOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if ((at == null) == (grid == null)) {
            throw new IllegalArgumentException("give exactly one of --at PATH and --grid lo:hi:n,…");
        }
        if (h != null && fullH != null) {
            throw new IllegalArgumentException("give at most one of --h and --H");
        }
        if (Files.isDirectory(output)) {
            throw new IllegalArgumentException("--output " + output + " is a folder; give a CSV file name");
        }
        Kernel k = Kernel.parse(kernel);
        Bandwidth.Kind kind = parseForm(form);
        double[][] axes = grid == null ? null : parseGrid(grid, cols.size());
        if (axes != null && k != Kernel.GAUSSIAN) {
            throw new IllegalArgumentException("--grid (binned) supports the gaussian kernel only");
        }
        try (SparkOptions.Session session = sparkOptions.session("kdeflow-spark kde")) {
            SparkSession spark = session.spark();
            List<String> numeric = new ArrayList<>(cols);
            if (weight != null) {
                numeric.add(weight);
            }
            Dataset<Row> samples = SparkOptions.read(spark, input, format, numeric);
            Bandwidth bw = bandwidth(samples, kind);
            spec.commandLine().getOut().println("bandwidth " + bw);
            if (axes != null) {
                SparkKde.GridDensity g = SparkKde.densityOnGrid(samples, cols, weight, bw, axes[0], axes[1],
                        toInts(axes[2]));
                write(g.grid().nodes(), g.grid().size(), g.density(), null);
                spec.commandLine().getOut().println("wrote " + g.grid().size() + " grid densities to " + output);
            } else {
                double[] q = queries(spark);
                int m = q.length / cols.size();
                double[] lp = SparkKde.logDensity(samples, cols, weight, bw, k, q, m);
                write(q, m, null, lp);
                spec.commandLine().getOut().println("wrote " + m + " densities to " + output);
            }
            return 0;
        }
    }

    private Bandwidth bandwidth(Dataset<Row> samples, Bandwidth.Kind kind) {
        int d = cols.size();
        if (h != null) {
            return Bandwidth.scalar(h, d);
        }
        if (fullH != null) {
            return parseMatrix(fullH, d);
        }
        return switch (rule.trim().toLowerCase(Locale.ROOT)) {
            case "scott" -> SparkBandwidths.scott(samples, cols, weight, kind);
            case "silverman" -> SparkBandwidths.silverman(samples, cols, weight, kind);
            case "lcv" -> SparkBandwidths.likelihoodCV(samples, cols, weight, kind, lcvSample, seed, !noRescale);
            default -> throw new IllegalArgumentException("unknown bandwidth rule '" + rule
                    + "' (expected scott, silverman or lcv)");
        };
    }

    private double[] queries(SparkSession spark) {
        Dataset<Row> df = SparkOptions.read(spark, at, null, cols);
        Column[] cs = new Column[cols.size()];
        for (int j = 0; j < cs.length; j++) {
            if (!List.of(df.columns()).contains(cols.get(j))) {
                throw new IllegalArgumentException(at + " has no column '" + cols.get(j) + "' (columns: "
                        + String.join(", ", df.columns()) + ")");
            }
            cs[j] = col("`" + cols.get(j).replace("`", "``") + "`").cast(DataTypes.DoubleType);
        }
        List<Row> rows = df.select(cs).collectAsList();
        int d = cols.size();
        double[] q = new double[rows.size() * d];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < d; j++) {
                if (rows.get(i).isNullAt(j)) {
                    throw new IllegalArgumentException(at + ": row " + (i + 1) + ", column '" + cols.get(j)
                            + "' is empty");
                }
                q[i * d + j] = rows.get(i).getDouble(j);
            }
        }
        return q;
    }

    /** Writes the points with density (given, or exp of the log) and, for queries, log_density. */
    private void write(double[] x, int m, double[] density, double[] logDensity) throws IOException {
        int d = cols.size();
        List<String> header = new ArrayList<>(cols);
        header.add("density");
        if (logDensity != null) {
            header.add("log_density");
        }
        AtomicFiles.write(output, os -> {
            Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            w.write(String.join(",", header));
            w.write('\n');
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < m; i++) {
                sb.setLength(0);
                for (int j = 0; j < d; j++) {
                    sb.append(x[i * d + j]).append(',');
                }
                if (logDensity != null) {
                    sb.append(Math.exp(logDensity[i])).append(',').append(number(logDensity[i]));
                } else {
                    sb.append(density[i]);
                }
                w.write(sb.append('\n').toString());
            }
            w.flush();
        });
    }

    private static String number(double v) {
        return v == Double.NEGATIVE_INFINITY ? "-inf" : Double.toString(v);
    }

    static Bandwidth.Kind parseForm(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "full" -> Bandwidth.Kind.FULL;
            case "diagonal", "diag" -> Bandwidth.Kind.DIAGONAL;
            case "scalar" -> Bandwidth.Kind.SCALAR;
            default -> throw new IllegalArgumentException("unknown --form '" + s
                    + "' (expected full, diagonal or scalar)");
        };
    }

    static Bandwidth parseMatrix(String s, int d) {
        String[] rows = s.split(";");
        if (rows.length != d) {
            throw new IllegalArgumentException("--H has " + rows.length + " rows but there are " + d + " columns");
        }
        double[] m = new double[d * d];
        for (int r = 0; r < d; r++) {
            String[] v = rows[r].split(",");
            if (v.length != d) {
                throw new IllegalArgumentException("--H row " + (r + 1) + " has " + v.length + " entries, expected "
                        + d);
            }
            for (int c = 0; c < d; c++) {
                m[r * d + c] = number(v[c], "--H entry (" + (r + 1) + "," + (c + 1) + ")");
            }
        }
        return Bandwidth.full(m, d);
    }

    /** lo:hi:n per axis → {lo[], hi[], n[]}. */
    static double[][] parseGrid(String s, int d) {
        String[] parts = s.split(",");
        if (parts.length != d) {
            throw new IllegalArgumentException("--grid has " + parts.length + " axes but there are " + d
                    + " columns");
        }
        double[][] out = new double[3][d];
        for (int j = 0; j < d; j++) {
            String[] f = parts[j].split(":");
            if (f.length != 3) {
                throw new IllegalArgumentException("--grid axis " + (j + 1) + " '" + parts[j]
                        + "' is not lo:hi:n");
            }
            out[0][j] = number(f[0], "--grid axis " + (j + 1) + " lo");
            out[1][j] = number(f[1], "--grid axis " + (j + 1) + " hi");
            try {
                out[2][j] = Integer.parseInt(f[2].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--grid axis " + (j + 1) + " n '" + f[2] + "' is not an integer");
            }
        }
        return out;
    }

    private static int[] toInts(double[] v) {
        int[] out = new int[v.length];
        for (int j = 0; j < v.length; j++) {
            out[j] = (int) v[j];
        }
        return out;
    }

    private static double number(String s, String what) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a number");
        }
    }
}

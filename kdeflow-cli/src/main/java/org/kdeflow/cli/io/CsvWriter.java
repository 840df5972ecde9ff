package org.kdeflow.cli.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.kdeflow.formats.AtomicFiles;
import org.kdeflow.cli.common.Words;

/**
 * The one CSV writer of the command line: a header row (quoted where RFC 4180 needs it), then one row per point with
 * its coordinates and any extra columns (log_prob, density, …), {@code \n} line ends, UTF-8.
 *
 * <p>Numbers: {@link Double#toString(double)}, the shortest decimal that reads back to the same double (at most 17
 * significant digits, {@code 1.0E300} for large ones); non-finite values as numpy writes them, {@code nan},
 * {@code inf}, {@code -inf} (a log-density that underflowed is {@code -inf}).
 */
public final class CsvWriter {
    private static final CSVFormat HEADER = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();

    private CsvWriter() {
    }

    /** A number as every CSV of kdeflow writes it. */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return Double.toString(v);
    }

    /** Column names for points of dimension d: x, y for d = 2, else x1 … xd. */
    public static List<String> defaultColumns(int d) {
        if (d == 2) {
            return List.of("x", "y");
        }
        String[] c = new String[d];
        for (int j = 0; j < d; j++) {
            c[j] = "x" + (j + 1);
        }
        return List.of(c);
    }

    /**
     * Writes n points of dimension d (row-major {@code x}) followed by the {@code extra} columns (each of length n).
     *
     * @param header d + extra.length names, or empty for no header row
     */
    public static void write(OutputStream out, List<String> header, double[] x, int n, int d, double[]... extra)
            throws IOException {
        if (!header.isEmpty() && header.size() != d + extra.length) {
            throw new IllegalArgumentException(header.size() + " column names for " + (d + extra.length)
                    + " columns");
        }
        for (double[] e : extra) {
            if (e.length < n) {
                throw new IllegalArgumentException("an extra column has " + Words.count(e.length, "value") + " for "
                        + Words.count(n, "row"));
            }
        }
        Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        if (!header.isEmpty()) {
            CSVPrinter printer = new CSVPrinter(w, HEADER);
            printer.printRecord(header);
            printer.flush();
        }
        StringBuilder line = new StringBuilder(32 * (d + extra.length));
        for (int i = 0; i < n; i++) {
            line.setLength(0);
            for (int j = 0; j < d; j++) {
                if (j > 0) {
                    line.append(',');
                }
                line.append(number(x[i * d + j]));
            }
            for (double[] e : extra) {
                line.append(',').append(number(e[i]));
            }
            line.append('\n');
            w.write(line.toString());
        }
        w.flush();
    }

    /** As {@link #write(OutputStream, List, double[], int, int, double[]...)}, to a file, atomically. */
    public static void write(Path file, List<String> header, double[] x, int n, int d, double[]... extra)
            throws IOException {
        AtomicFiles.write(file, out -> write(out, header, x, n, d, extra));
    }
}

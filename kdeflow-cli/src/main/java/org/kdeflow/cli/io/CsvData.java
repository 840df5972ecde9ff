package org.kdeflow.cli.io;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.kdeflow.cli.InputException;
import org.kdeflow.data.Dataset;
import org.kdeflow.formats.AtomicFiles;

/**
 * Points as CSV: one row per point, one column per coordinate, any dimension d, comma-separated.
 *
 * <p>Reading: an optional header row, recognised as a first row with any field that is not a number (so
 * {@code x,y} is a header and {@code 1.5,2} is data); lines starting with {@code #} (numpy's {@code savetxt}
 * header) and blank lines are skipped; fields are trimmed; quoting follows RFC 4180. Numbers are decimal
 * ({@code -1.5}, {@code 2e-3}, {@code .5}). NaN, infinities, text, ragged rows, an empty file or one with a header
 * only are errors ({@link InputException}) naming the file, line, column and value.
 *
 * <p>Writing: an optional header, then each value as {@link Double#toString(double)}, the shortest decimal that reads
 * back to the same double (at most 17 significant digits), {@code \n} line ends; the file appears atomically.
 */
public record CsvData(Dataset data, List<String> columns) {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");
    private static final CSVFormat READ = CSVFormat.DEFAULT.builder()
            .setCommentMarker('#').setIgnoreEmptyLines(true).setTrim(true).build();
    private static final CSVFormat WRITE = CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build();

    /**
     * @param columns the header's column names, or empty when the file had none
     */
    public CsvData {
        columns = List.copyOf(columns);
        if (!columns.isEmpty() && columns.size() != data.dim()) {
            throw new IllegalArgumentException(columns.size() + " column names for " + data.dim() + " columns");
        }
    }

    /** Whether the file had a header row. */
    public boolean hasHeader() {
        return !columns.isEmpty();
    }

    /**
     * Reads points from a CSV file.
     *
     * @throws InputException for a missing or unreadable file or bad content, naming file, line, column and value
     */
    public static CsvData read(Path file) {
        if (!Files.exists(file)) {
            throw new InputException("no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new InputException(file + ": is a directory, expected a CSV file");
        }
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                CSVParser parser = READ.parse(reader)) {
            return read(file, parser);
        } catch (NoSuchFileException e) {
            throw new InputException("no such file: " + file);
        } catch (UncheckedIOException e) {
            throw new InputException(file + ": cannot read as CSV: " + e.getCause().getMessage(), e);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static CsvData read(Path file, CSVParser parser) {
        Iterator<CSVRecord> it = parser.iterator();
        if (!it.hasNext()) {
            throw new InputException(file + ": empty file, expected rows of numbers");
        }
        CSVRecord first = it.next();
        long firstLine = parser.getCurrentLineNumber();
        List<String> fields = fields(first);
        boolean header = false;
        for (String f : fields) {
            if (!NUMBER.matcher(f).matches() && !NON_FINITE.matcher(f).matches()) {
                header = true;
                break;
            }
        }
        int d = fields.size();
        List<String> columns = header ? fields : List.of();
        double[] values = new double[Math.max(16, 1024 * d)];
        int n = 0;
        Iterator<CSVRecord> rows = header ? it : prepend(first, it);
        boolean firstRow = !header;
        while (rows.hasNext()) {
            CSVRecord rec = rows.next();
            long line = firstRow ? firstLine : parser.getCurrentLineNumber();
            firstRow = false;
            if (rec.size() != d) {
                throw new InputException(file + ": line " + line + " has " + rec.size() + " values, expected " + d
                        + " (as in line " + firstLine + ")");
            }
            if ((long) (n + 1) * d > values.length) {
                values = java.util.Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, 2L * values.length));
            }
            for (int j = 0; j < d; j++) {
                values[n * d + j] = parse(file, line, j, columns, rec.get(j));
            }
            n++;
        }
        if (n == 0) {
            throw new InputException(file + ": header (line " + firstLine + ") but no data rows");
        }
        return new CsvData(Dataset.of(java.util.Arrays.copyOf(values, n * d), n, d), columns);
    }

    private static List<String> fields(CSVRecord rec) {
        List<String> f = new ArrayList<>(rec.size());
        for (int j = 0; j < rec.size(); j++) {
            String s = rec.get(j);
            f.add(j == 0 && s.startsWith("\uFEFF") ? s.substring(1).trim() : s);
        }
        return f;
    }

    private static Iterator<CSVRecord> prepend(CSVRecord first, Iterator<CSVRecord> rest) {
        return new Iterator<>() {
            boolean done;

            @Override
            public boolean hasNext() {
                return !done || rest.hasNext();
            }

            @Override
            public CSVRecord next() {
                if (!done) {
                    done = true;
                    return first;
                }
                return rest.next();
            }
        };
    }

    private static double parse(Path file, long line, int column, List<String> columns, String raw) {
        String s = column == 0 && raw.startsWith("\uFEFF") ? raw.substring(1).trim() : raw;
        String where = file + ": line " + line + ", column " + (column + 1)
                + (columns.isEmpty() ? "" : " (" + columns.get(column) + ")");
        if (s.isEmpty()) {
            throw new InputException(where + ": empty value");
        }
        if (NON_FINITE.matcher(s).matches()) {
            throw new InputException(where + ": value '" + s + "' is not finite");
        }
        if (!NUMBER.matcher(s).matches()) {
            throw new InputException(where + ": '" + s + "' is not a number");
        }
        double v = Double.parseDouble(s);
        if (!Double.isFinite(v)) {
            throw new InputException(where + ": value '" + s + "' overflows a double");
        }
        return v;
    }

    /** Writes this data to {@code file} (see {@link #write(Path, Dataset, List)}). */
    public void write(Path file) throws IOException {
        write(file, data, columns);
    }

    /**
     * Writes points as CSV, atomically: the file appears whole or not at all, and an existing file is replaced only
     * once the new one is complete.
     *
     * @param columns header names (one per column), or empty for no header
     */
    public static void write(Path file, Dataset data, List<String> columns) throws IOException {
        if (!columns.isEmpty() && columns.size() != data.dim()) {
            throw new IllegalArgumentException(columns.size() + " column names for " + data.dim() + " columns");
        }
        int n = data.size();
        int d = data.dim();
        double[] x = data.toArray();
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            if (!columns.isEmpty()) {
                CSVPrinter printer = new CSVPrinter(w, WRITE);
                printer.printRecord(columns);
                printer.flush();
            }
            StringBuilder line = new StringBuilder(32 * d);
            for (int i = 0; i < n; i++) {
                line.setLength(0);
                for (int j = 0; j < d; j++) {
                    if (j > 0) {
                        line.append(',');
                    }
                    line.append(x[i * d + j]);
                }
                line.append('\n');
                w.write(line.toString());
            }
            w.flush();
        });
    }
}

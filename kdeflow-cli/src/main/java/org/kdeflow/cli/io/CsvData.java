package org.kdeflow.cli.io;

import java.io.BufferedReader;
import java.io.FilterReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Limits;
import org.kdeflow.cli.common.Words;
import org.kdeflow.data.Dataset;
import org.kdeflow.formats.OutputException;

/**
 * Points as CSV: one row per point, one column per coordinate, any dimension d.
 *
 * <p>Reading ({@link #read(Path, CsvOptions)}): fields separated by {@code ,}, {@code ;} or a tab, detected from the
 * first 32 data lines unless given (a delimiter is chosen when it splits every one of them into the same number of
 * fields, tab before {@code ;} before {@code ,}, since the latter may be a decimal comma); an optional header row,
 * recognised as a first row with any used field that is not a number (so {@code x,y} is a header and {@code 1.5,2}
 * is data); lines starting with {@code #} (numpy's {@code savetxt} header) and blank lines are skipped; fields are
 * trimmed; quoting follows RFC 4180. {@link CsvOptions#columns()} selects columns by header name or by number
 * (counted from 1); the other columns are not read as numbers, so a label column may hold text. Numbers are decimal
 * ({@code -1.5}, {@code 2e-3}, {@code .5}). NaN, infinities, text, ragged rows, an empty file or one with a header
 * only are errors ({@link InputException}) naming the file, line, column and value.
 *
 * <p>Weights ({@link CsvOptions#weights()}, {@code --weights COLUMN}): one column, by header name or number, holds a
 * weight wᵢ per point; it is never a coordinate (without {@code --columns} the coordinates are all the other
 * columns; {@code --columns} may not name it). A weight must be a finite number ≥ 0 and at least one must be
 * positive; a negative or non-numeric weight is an error naming the file, line and column.
 *
 * <p>Limits, so that no input can exhaust memory: a line (record) longer than {@link CsvOptions#maxLineChars()}
 * ({@code /dev/zero}, a binary or sparse file), more than {@value CsvOptions#MAX_COLUMNS} columns, or more numbers
 * than fit in the free heap (or in one Java array) end the read with a message saying what is too large and what
 * fits. Text that is not UTF-8 is refused.
 *
 * <p>Writing: see {@link CsvWriter}.
 */
public record CsvData(Dataset data, List<String> columns, double[] weights) {
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern NON_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");
    private static final Pattern DECIMAL_COMMA = Pattern.compile("[+-]?\\d+,\\d+");
    private static final Pattern INDEX = Pattern.compile("\\d+");
    private static final int DETECT_CHARS = 1 << 16;
    private static final int DETECT_LINES = 32;

    /**
     * @param columns the header's column names (of the columns used), or empty when the file had none
     * @param weights the weight wᵢ of each point (copied), or null for none
     */
    public CsvData {
        columns = List.copyOf(columns);
        if (!columns.isEmpty() && columns.size() != data.dim()) {
            throw new IllegalArgumentException(columns.size() + " column names for " + data.dim() + " columns");
        }
        if (weights != null && weights.length != data.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + data.size() + " points");
        }
        weights = weights == null ? null : weights.clone();
    }

    /** Points without weights. */
    public CsvData(Dataset data, List<String> columns) {
        this(data, columns, null);
    }

    /** Whether the file had a header row. */
    public boolean hasHeader() {
        return !columns.isEmpty();
    }

    /** The weight of each point (a copy), or null when no weights column was read. */
    @Override
    public double[] weights() {
        return weights == null ? null : weights.clone();
    }

    /** The names of the coordinates: the header's, or {@code x, y} / {@code x1 … xd} without one. */
    public List<String> coordinateNames() {
        return hasHeader() ? columns : CsvWriter.defaultColumns(data.dim());
    }

    /** Reads every column, delimiter detected, default limits. */
    public static CsvData read(Path file) {
        return read(file, CsvOptions.DEFAULT);
    }

    /**
     * Reads points from a CSV file.
     *
     * @throws InputException for a missing or unreadable file, bad content or a file too large, naming file, line,
     *                        column and value
     */
    public static CsvData read(Path file, CsvOptions options) {
        if (!Files.exists(file)) {
            throw new InputException("no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new InputException(file + ": is a folder, expected a CSV file");
        }
        long maxValues = options.maxValues() >= 0 ? options.maxValues()
                : Math.min(Limits.MAX_ARRAY, Limits.freeHeap() / (8L * 4));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)), DETECT_CHARS)) {
            char delimiter = options.delimiter() != null ? options.delimiter() : detect(in);
            LineLimit limited = new LineLimit(in, options.maxLineChars());
            CSVFormat format = CSVFormat.DEFAULT.builder().setDelimiter(delimiter).setCommentMarker('#')
                    .setIgnoreEmptyLines(true).setTrim(true).build();
            try (CSVParser parser = format.parse(limited)) {
                return read(file, parser, options, delimiter, maxValues);
            }
        } catch (UncheckedIOException e) {
            throw unreadable(file, e.getCause(), options);
        } catch (IOException e) {
            throw unreadable(file, e, options);
        }
    }

    private static InputException unreadable(Path file, IOException e, CsvOptions options) {
        if (e instanceof LineTooLong t) {
            return new InputException(file + ": line " + t.line + " is longer than " + options.maxLineChars()
                    + " characters: not a CSV file of numbers (or one line holds far too many)", e);
        }
        if (e instanceof CharacterCodingException) {
            return new InputException(file + ": is not UTF-8 text (a binary file?); expected a CSV file of numbers", e);
        }
        if (e instanceof NoSuchFileException) {
            return new InputException("no such file: " + file, e);
        }
        return new InputException(file + ": cannot read (" + OutputException.reasonOf(e) + ")", e);
    }

    private static CsvData read(Path file, CSVParser parser, CsvOptions options, char delimiter, long maxValues) {
        Iterator<CSVRecord> it = parser.iterator();
        if (!it.hasNext()) {
            throw new InputException(file + ": empty file, expected rows of numbers");
        }
        CSVRecord first = it.next();
        long firstLine = parser.getCurrentLineNumber();
        List<String> fields = fields(first);
        int width = fields.size();
        if (width > CsvOptions.MAX_COLUMNS) {
            throw new InputException(file + ": line " + firstLine + " has " + width + " values; kdeflow reads at most "
                    + CsvOptions.MAX_COLUMNS + " columns");
        }
        int wcol = options.weights() == null ? -1 : column(file, "--weights", options.weights(), fields);
        int[] use = selectColumns(file, options.columns(), fields, wcol);
        boolean header = false;
        for (String c : options.columns()) {
            header |= !INDEX.matcher(c).matches();
        }
        if (options.weights() != null) {
            header |= !INDEX.matcher(options.weights().trim()).matches();
        }
        for (int j : use) {
            header |= !isNumber(fields.get(j));
        }
        if (wcol >= 0) {
            header |= !isNumber(fields.get(wcol));
        }
        int d = use.length;
        int stored = d + (wcol >= 0 ? 1 : 0); // numbers kept per row
        List<String> names = new ArrayList<>();
        if (header) {
            for (int j : use) {
                names.add(fields.get(j));
            }
        }
        String wname = header && wcol >= 0 ? fields.get(wcol) : null;
        double[] values = new double[(int) Math.min(Math.max(16, 1024L * d), Math.max(d, maxValues))];
        double[] weights = wcol >= 0 ? new double[1024] : null;
        int n = 0;
        Iterator<CSVRecord> rows = header ? it : prepend(first, it);
        boolean firstRow = !header;
        boolean hint = options.columns().isEmpty() && width > 1;
        while (rows.hasNext()) {
            CSVRecord rec = rows.next();
            long line = firstRow ? firstLine : parser.getCurrentLineNumber();
            firstRow = false;
            if (rec.size() != width) {
                throw new InputException(file + ": line " + line + " has " + Words.count(rec.size(), "value")
                        + ", expected " + width + " (as in line " + firstLine + ")");
            }
            if ((long) (n + 1) * stored > maxValues) {
                throw tooLarge(file, n, stored, maxValues);
            }
            if ((long) (n + 1) * d > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(maxValues, 2L * values.length));
            }
            for (int j = 0; j < d; j++) {
                values[n * d + j] = parse(file, line, use[j], header ? names.get(j) : null, rec.get(use[j]),
                        delimiter, hint);
            }
            if (weights != null) {
                if (n == weights.length) {
                    weights = Arrays.copyOf(weights, (int) Math.min(Limits.MAX_ARRAY, 2L * n));
                }
                weights[n] = weight(file, line, wcol, wname, rec.get(wcol), delimiter);
            }
            n++;
        }
        if (n == 0) {
            throw new InputException(file + ": header (line " + firstLine + ") but no data rows");
        }
        double[] w = null;
        if (weights != null) {
            w = Arrays.copyOf(weights, n);
            boolean positive = false;
            for (double v : w) {
                positive |= v > 0;
            }
            if (!positive) {
                throw new InputException(file + ": every weight in column " + (wcol + 1)
                        + (wname == null ? "" : " (" + wname + ")") + " is 0; at least one must be positive");
            }
        }
        return new CsvData(Dataset.of(Arrays.copyOf(values, n * d), n, d), names, w);
    }

    private static InputException tooLarge(Path file, int n, int d, long maxValues) {
        boolean array = maxValues >= Limits.MAX_ARRAY;
        return new InputException(file + ": more than " + n + " rows of " + Words.count(d, "value") + " do not fit "
                + (array ? "in one Java array" : "in memory (the Java heap has " + Words.bytes(Limits.freeHeap())
                + " free)") + "; at most " + maxValues / d + " rows fit", array ? null : Limits.HEAP_HINT, null);
    }

    private static boolean isNumber(String field) {
        return NUMBER.matcher(field).matches() || NON_FINITE.matcher(field).matches();
    }

    /**
     * The indices of the columns to use: {@code spec} by name or number (from 1), or all but the weights column
     * {@code wcol} (−1: none), which {@code spec} must not name.
     */
    private static int[] selectColumns(Path file, List<String> spec, List<String> first, int wcol) {
        int width = first.size();
        if (spec.isEmpty()) {
            int[] all = new int[wcol >= 0 ? width - 1 : width];
            if (all.length == 0) {
                throw new InputException("--weights " + (wcol + 1) + ": " + file + " has no other column, so no "
                        + "coordinates are left");
            }
            for (int j = 0, k = 0; j < width; j++) {
                if (j != wcol) {
                    all[k++] = j;
                }
            }
            return all;
        }
        int[] use = new int[spec.size()];
        for (int k = 0; k < spec.size(); k++) {
            int j = column(file, "--columns", spec.get(k), first);
            for (int m = 0; m < k; m++) {
                if (use[m] == j) {
                    throw new InputException("--columns names column " + (j + 1) + " twice");
                }
            }
            if (j == wcol) {
                throw new InputException("--columns names column " + (j + 1) + ", the --weights column; weights are "
                        + "not a coordinate");
            }
            use[k] = j;
        }
        return use;
    }

    /** The index of the column {@code c} (a header name, or a number from 1) names; {@code option} for messages. */
    private static int column(Path file, String option, String spec, List<String> first) {
        int width = first.size();
        String c = spec.trim();
        if (INDEX.matcher(c).matches()) {
            long i = c.length() > 9 ? Long.MAX_VALUE : Long.parseLong(c);
            if (i < 1 || i > width) {
                throw new InputException(option + " " + c + ": " + file + " has " + Words.count(width, "column")
                        + " (numbers count from 1)");
            }
            return (int) i - 1;
        }
        int j = first.indexOf(c);
        if (j < 0) {
            boolean numeric = first.stream().allMatch(CsvData::isNumber);
            throw new InputException(option + " " + Words.abbreviate(c, 80) + ": " + file + (numeric
                    ? " has no header row, so give column numbers (from 1)"
                    : " has no column of that name; its columns: " + Words.abbreviate(String.join(", ", first), 200)));
        }
        return j;
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

    private static double parse(Path file, long line, int column, String name, String raw, char delimiter,
            boolean hint) {
        String s = column == 0 && raw.startsWith("\uFEFF") ? raw.substring(1).trim() : raw;
        String where = file + ": line " + line + ", column " + (column + 1) + (name == null ? "" : " (" + name + ")");
        if (s.isEmpty()) {
            throw new InputException(where + ": empty value");
        }
        if (NON_FINITE.matcher(s).matches()) {
            throw new InputException(where + ": value '" + s + "' is not finite");
        }
        if (!NUMBER.matcher(s).matches()) {
            String what = where + ": '" + Words.abbreviate(s, 60) + "' is not a number";
            if (delimiter != ',' && DECIMAL_COMMA.matcher(s).matches()) {
                throw new InputException(what, "kdeflow reads decimal points, not decimal commas.", null);
            }
            throw new InputException(what, hint ? "Choose the numeric columns with --columns (names or numbers "
                    + "from 1), for example --columns 1,2." : null, null);
        }
        double v = Double.parseDouble(s);
        if (!Double.isFinite(v)) {
            throw new InputException(where + ": value '" + s + "' overflows a double");
        }
        return v;
    }

    /** A weight: a finite number ≥ 0 (see {@link #parse} for the other checks). */
    private static double weight(Path file, long line, int column, String name, String raw, char delimiter) {
        double w = parse(file, line, column, name, raw, delimiter, false);
        if (w < 0) {
            throw new InputException(file + ": line " + line + ", column " + (column + 1)
                    + (name == null ? "" : " (" + name + ")") + ": weight " + raw.trim()
                    + " is negative; weights must be >= 0");
        }
        return w;
    }

    /**
     * The delimiter of the first data lines (see the class comment), read ahead without consuming: tab, ';' or ','
     * when it splits every line outside quotes into the same number of fields, else ','.
     */
    static char detect(BufferedReader in) throws IOException {
        in.mark(DETECT_CHARS);
        char[] buf = new char[DETECT_CHARS];
        int len = 0;
        int r;
        while (len < buf.length && (r = in.read(buf, len, buf.length - len)) > 0) {
            len += r;
        }
        in.reset();
        String[] lines = new String(buf, 0, len).split("\r?\n", -1);
        int complete = len == buf.length ? lines.length - 1 : lines.length; // the last line may be cut
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < complete && sample.size() < DETECT_LINES; i++) {
            String l = lines[i].strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                sample.add(l);
            }
        }
        for (char c : new char[] {'\t', ';', ','}) {
            int count = -1;
            boolean consistent = !sample.isEmpty();
            for (String l : sample) {
                int k = countOutsideQuotes(l, c);
                if (k == 0 || (count >= 0 && k != count)) {
                    consistent = false;
                    break;
                }
                count = k;
            }
            if (consistent) {
                return c;
            }
        }
        return ',';
    }

    private static int countOutsideQuotes(String line, char c) {
        int k = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == c && !quoted) {
                k++;
            }
        }
        return k;
    }

    /** A record longer than the limit. */
    private static final class LineTooLong extends IOException {
        private static final long serialVersionUID = 1L;
        final long line;

        LineTooLong(long line) {
            super("line " + line + " is too long");
            this.line = line;
        }
    }

    /**
     * Fails as soon as one record (a line, or several inside quotes) grows past the limit, before the parser's buffers
     * do.
     */
    private static final class LineLimit extends FilterReader {
        private final int max;
        private long line = 1;
        private int length;
        private boolean quoted;

        LineLimit(Reader in, int max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                see((char) c);
            }
            return c;
        }

        @Override
        public int read(char[] cbuf, int off, int len) throws IOException {
            int r = super.read(cbuf, off, len);
            for (int i = 0; i < r; i++) {
                see(cbuf[off + i]);
            }
            return r;
        }

        private void see(char c) throws LineTooLong {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == '\n') {
                line++;
                if (!quoted) {
                    length = 0;
                    return;
                }
            }
            if (++length > max) {
                throw new LineTooLong(line);
            }
        }
    }

    /** Writes this data to {@code file} (see {@link CsvWriter#write(Path, List, double[], int, int)}). */
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
        CsvWriter.write(file, columns, data.toArray(), data.size(), data.dim());
    }
}

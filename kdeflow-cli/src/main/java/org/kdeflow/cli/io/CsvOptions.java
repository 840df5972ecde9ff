package org.kdeflow.cli.io;

import java.util.List;

/**
 * How to read a CSV file of points: the field delimiter (null: detected), which columns to use (empty: all), an
 * optional column of per-point weights, and the limits that keep a hostile file (a device, a file without line
 * breaks, more rows than the heap holds) from exhausting memory.
 *
 * @param delimiter    {@code ','}, {@code ';'}, {@code '\t'}, or null to detect it from the first lines
 * @param columns      header names or column numbers counted from 1 ("2", "x"); empty for every column (except the
 *                     weights column)
 * @param maxLineChars the longest line (record) read, in characters
 * @param maxValues    the most numbers kept (rows × columns); negative: from the free heap
 * @param weights      the column of weights wᵢ ≥ 0, by header name or number from 1, or null for none; never a
 *                     coordinate
 */
public record CsvOptions(Character delimiter, List<String> columns, int maxLineChars, long maxValues,
        String weights) {
    /** The longest line read: 1 Mi characters (40,000 numbers of 25 characters). */
    public static final int MAX_LINE_CHARS = 1 << 20;
    /** The most columns a file may have. */
    public static final int MAX_COLUMNS = 10_000;
    /** Detected delimiter, every column, the default limits. */
    public static final CsvOptions DEFAULT = new CsvOptions(null, List.of(), MAX_LINE_CHARS, -1, null);

    public CsvOptions {
        columns = List.copyOf(columns);
        if (delimiter != null && delimiter != ',' && delimiter != ';' && delimiter != '\t') {
            throw new IllegalArgumentException("delimiter must be ',', ';' or a tab, got '" + delimiter + "'");
        }
        if (maxLineChars < 16) {
            throw new IllegalArgumentException("maxLineChars must be at least 16, got " + maxLineChars);
        }
        if (weights != null && weights.isBlank()) {
            throw new IllegalArgumentException("the weights column must be a name or a number, got '" + weights
                    + "'");
        }
    }

    public CsvOptions withDelimiter(Character d) {
        return new CsvOptions(d, columns, maxLineChars, maxValues, weights);
    }

    public CsvOptions withColumns(List<String> c) {
        return new CsvOptions(delimiter, c, maxLineChars, maxValues, weights);
    }

    public CsvOptions withMaxLineChars(int max) {
        return new CsvOptions(delimiter, columns, max, maxValues, weights);
    }

    public CsvOptions withMaxValues(long max) {
        return new CsvOptions(delimiter, columns, maxLineChars, max, weights);
    }

    /** With the weights read from column {@code column} (a name or a number from 1; null: no weights). */
    public CsvOptions withWeights(String column) {
        return new CsvOptions(delimiter, columns, maxLineChars, maxValues, column);
    }

    /**
     * Parses {@code --delimiter}: {@code ,} {@code ;} {@code tab} (or {@code \t}, or a tab character), or
     * {@code auto} (null).
     *
     * @throws IllegalArgumentException for anything else
     */
    public static Character parseDelimiter(String s) {
        switch (s) {
            case "auto":
                return null;
            case ",":
            case "comma":
                return ',';
            case ";":
            case "semicolon":
                return ';';
            case "tab":
            case "\\t":
            case "\t":
                return '\t';
            default:
                throw new IllegalArgumentException("--delimiter must be ',', ';', 'tab' or 'auto', got '" + s + "'");
        }
    }
}

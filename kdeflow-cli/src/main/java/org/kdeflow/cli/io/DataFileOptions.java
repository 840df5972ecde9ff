package org.kdeflow.cli.io;

import java.nio.file.Path;
import java.util.List;
import org.kdeflow.cli.common.InputException;
import picocli.CommandLine.Option;

/**
 * {@code --data FILE.csv} with {@code --columns} and {@code --delimiter}: how the commands that read points from a
 * file read them (a picocli mixin). Both apply to {@code --data} only; other CSV inputs (kde's {@code --at}) use
 * every column and a detected delimiter.
 */
public final class DataFileOptions {
    @Option(names = "--data", paramLabel = "FILE.csv",
            description = "Read the points from a CSV file: one row per point, one column per coordinate, an "
                    + "optional header row (see --columns, --delimiter).")
    Path data;

    @Option(names = "--columns", paramLabel = "COLS", split = ",",
            description = "The columns to use, by header name or by number from 1 (e.g. x,y or 2,3; default: all). "
                    + "Other columns may hold anything, such as labels.")
    List<String> columns;

    @Option(names = "--delimiter", paramLabel = "D", defaultValue = "auto",
            description = "Field separator: ',', ';', tab or auto (default ${DEFAULT-VALUE}: detected from the "
                    + "first lines).")
    String delimiter;

    /** Whether {@code --data} was given. */
    public boolean given() {
        return data != null;
    }

    public Path path() {
        return data;
    }

    /**
     * Checks {@code --columns} and {@code --delimiter} (which need {@code --data}).
     *
     * @throws InputException for a bad value or a combination without {@code --data}
     */
    public CsvOptions options() {
        Character d;
        try {
            d = CsvOptions.parseDelimiter(delimiter);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        if (data == null && (columns != null || d != null)) {
            throw new InputException((columns != null ? "--columns" : "--delimiter") + " applies to --data FILE.csv, "
                    + "which is missing");
        }
        if (columns != null && (columns.isEmpty() || columns.stream().anyMatch(c -> c.isBlank()))) {
            throw new InputException("--columns needs column names or numbers, e.g. --columns x,y");
        }
        return CsvOptions.DEFAULT.withDelimiter(d).withColumns(columns == null ? List.of() : columns);
    }

    /** Reads {@code --data}. */
    public CsvData read() {
        return CsvData.read(data, options());
    }

    /**
     * Checks {@code --columns}, {@code --delimiter} and {@code --weights} (which need {@code --data}).
     *
     * @throws InputException for a bad value or a combination without {@code --data}
     */
    public CsvOptions options(WeightsOption weights) {
        CsvOptions o = options();
        if (!weights.given()) {
            return o;
        }
        if (data == null) {
            throw new InputException("--weights applies to --data FILE.csv, which is missing");
        }
        if (weights.column().isBlank()) {
            throw new InputException("--weights needs a column name or number, e.g. --weights w");
        }
        return o.withWeights(weights.column());
    }

    /** Reads {@code --data} with the weights of {@code --weights} ({@link CsvData#weights()}). */
    public CsvData read(WeightsOption weights) {
        return CsvData.read(data, options(weights));
    }
}

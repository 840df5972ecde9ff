package org.kdeflow.cli.io;

import picocli.CommandLine.Option;

/**
 * {@code --weights COLUMN}: per-point weights from a column of {@code --data FILE.csv} (a picocli mixin, beside
 * {@link DataFileOptions}). The column is named like {@code --columns} does (header name or number from 1) and is
 * never a coordinate. A command that takes weights adds both mixins and reads with
 * {@link DataFileOptions#read(WeightsOption)}; {@link CsvData#weights()} then holds wᵢ (null without the option).
 */
public final class WeightsOption {
    @Option(names = "--weights", paramLabel = "COLUMN",
            description = "Weight each point by the number in this column of --data (header name or number from 1; "
                    + "finite, >= 0, not all 0). The column is not a coordinate. Default: equal weights.")
    String column;

    /** Whether {@code --weights} was given. */
    public boolean given() {
        return column != null;
    }

    /** The column as given, or null. */
    public String column() {
        return column;
    }
}

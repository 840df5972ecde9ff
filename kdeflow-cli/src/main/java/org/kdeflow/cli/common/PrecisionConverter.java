package org.kdeflow.cli.common;

import org.kdeflow.nn.Precision;
import picocli.CommandLine;

/** Parses {@code --precision f64|f32} (case-insensitive) into {@link Precision}. */
public final class PrecisionConverter implements CommandLine.ITypeConverter<Precision> {
    @Override
    public Precision convert(String value) {
        try {
            return Precision.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("expected f64 or f32, got '" + value + "'");
        }
    }
}

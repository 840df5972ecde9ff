package org.kdeflow.cli.common;

import java.util.Locale;
import org.kdeflow.train.Trainer;
import picocli.CommandLine;

/** Parses {@code --precision f64|f32} (case-insensitive) into {@link Trainer.Precision}. */
public final class PrecisionConverter implements CommandLine.ITypeConverter<Trainer.Precision> {
    @Override
    public Trainer.Precision convert(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "f64":
            case "float64":
            case "double":
                return Trainer.Precision.F64;
            case "f32":
            case "float32":
            case "float":
                return Trainer.Precision.F32;
            default:
                throw new CommandLine.TypeConversionException("expected f64 or f32, got '" + value + "'");
        }
    }
}

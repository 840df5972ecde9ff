package org.kdeflow.cli.common;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine;

/** Paths on the command line, with a clear message for names this locale cannot encode (see {@link Errors#pathProblem}). */
public final class PathConverter implements CommandLine.ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new CommandLine.TypeConversionException(Errors.pathProblem(value, e));
        }
    }
}

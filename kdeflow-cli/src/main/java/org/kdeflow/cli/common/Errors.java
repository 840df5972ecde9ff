package org.kdeflow.cli.common;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.kdeflow.formats.OutputException;
import org.kdeflow.formats.StagedOutputs;
import picocli.CommandLine;

/**
 * The one place that turns a failure into what the user sees: an exit code, one line {@code kdeflow: error: …} and at
 * most one hint line; the stack trace only with {@code --verbose}.
 *
 * <table>
 *   <caption>What maps to what</caption>
 *   <tr><th>failure</th><th>exit</th><th>line</th></tr>
 *   <tr><td>a usage error (picocli)</td><td>2</td><td>picocli's message; hint: {@code Try 'kdeflow … --help'}</td></tr>
 *   <tr><td>{@link InputException}, {@link IllegalArgumentException}</td><td>2</td><td>the message (and hint)</td></tr>
 *   <tr><td>an output that cannot be written ({@link OutputException})</td><td>2</td><td>the user's path and the
 *       reason</td></tr>
 *   <tr><td>a file-system error ({@link FileSystemException}: no such file, permission denied, read-only, disk
 *       full)</td><td>2</td><td>the user's path (never a staging path) and the reason</td></tr>
 *   <tr><td>a path this system cannot encode ({@link InvalidPathException})</td><td>2</td><td>what to change</td></tr>
 *   <tr><td>{@link OutOfMemoryError}</td><td>2</td><td>the heap size; hint: how to raise it</td></tr>
 *   <tr><td>any other exception or error</td><td>1</td><td>its type and message; hint: {@code --verbose}</td></tr>
 * </table>
 */
public final class Errors {
    /** The hint of failures that are not the user's input. */
    public static final String VERBOSE_HINT = "Run again with --verbose for the stack trace.";
    private static final int MAX_MESSAGE = 2000;

    private Errors() {
    }

    /** What a failure becomes: exit code, message (one line, without the {@code kdeflow: error: } prefix), hint. */
    public record Report(int code, String message, String hint) {
    }

    /** Maps a failure (see the class comment). */
    public static Report of(Throwable failure) {
        Throwable e = unwrap(failure);
        if (e instanceof CommandLine.ParameterException p) {
            CommandLine cl = p.getCommandLine();
            String name = cl == null ? "kdeflow" : cl.getCommandSpec().qualifiedName();
            return new Report(ExitCodes.USAGE, oneLine(p.getMessage()),
                    "Try '" + name + " --help' for more information.");
        }
        if (e instanceof InputException i) {
            return new Report(ExitCodes.USAGE, oneLine(i.getMessage()), i.hint());
        }
        if (e instanceof OutputException o) {
            return new Report(ExitCodes.USAGE, oneLine(StagedOutputs.userPath(o.target()) + ": " + o.reason()), null);
        }
        if (e instanceof InvalidPathException ip) {
            return new Report(ExitCodes.USAGE, pathProblem(ip.getInput(), ip), null);
        }
        if (e instanceof IllegalArgumentException) {
            return new Report(ExitCodes.USAGE, oneLine(String.valueOf(e.getMessage())), null);
        }
        if (e instanceof NoSuchFileException n) {
            return new Report(ExitCodes.USAGE, oneLine("no such file: " + user(n.getFile())), null);
        }
        if (e instanceof AccessDeniedException a) {
            return new Report(ExitCodes.USAGE, oneLine(user(a.getFile()) + ": permission denied"), null);
        }
        if (e instanceof FileSystemException f) {
            String file = f.getFile() == null ? "" : user(f.getFile()) + ": ";
            return new Report(ExitCodes.USAGE, oneLine(file + OutputException.reasonOf(f)), null);
        }
        if (e instanceof OutOfMemoryError) {
            return new Report(ExitCodes.USAGE, "out of memory: the input is too large for the Java heap ("
                    + Words.bytes(Runtime.getRuntime().maxMemory()) + ")",
                    "Use less data, or raise the heap with KDEFLOW_JAVA_OPTS=-Xmx<size> (./kdeflow passes it to java).");
        }
        if (e instanceof StackOverflowError) {
            return new Report(ExitCodes.FAILURE, "internal error: stack overflow", VERBOSE_HINT);
        }
        String type = e.getClass().getSimpleName();
        String m = e.getMessage() == null ? type : type + ": " + e.getMessage();
        if (e instanceof IOException) {
            return new Report(ExitCodes.FAILURE, oneLine(m), VERBOSE_HINT);
        }
        return new Report(ExitCodes.FAILURE, oneLine((e instanceof Error ? "internal error: " : "") + m), VERBOSE_HINT);
    }

    /** Prints the report of {@code failure} to {@code err} (and the stack trace when {@code verbose}); returns the code. */
    public static int print(Throwable failure, PrintWriter err, boolean verbose) {
        Report r = of(failure);
        err.println("kdeflow: error: " + r.message());
        if (r.hint() != null) {
            err.println(r.hint());
        }
        if (verbose) {
            failure.printStackTrace(err);
        }
        err.flush();
        return r.code();
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        for (int i = 0; i < 10; i++) {
            if (e instanceof UncheckedIOException u && u.getCause() != null) {
                e = u.getCause();
            } else if ((e instanceof CommandLine.ExecutionException || e instanceof ExecutionException
                    || e instanceof CompletionException) && e.getCause() != null) {
                e = e.getCause();
            } else {
                break;
            }
        }
        return e;
    }

    /** A staging path in the message becomes the user's path. */
    private static String user(String file) {
        try {
            return StagedOutputs.userPath(Path.of(file)).toString();
        } catch (InvalidPathException e) {
            return file;
        }
    }

    /** One line: line breaks become spaces, control characters '?', at most 2000 characters. */
    static String oneLine(String s) {
        return Words.abbreviate(s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' '), MAX_MESSAGE);
    }

    /**
     * Why {@code value} cannot be a path here: a NUL character, or characters this locale's file-name encoding cannot
     * hold (a non-ASCII name under {@code LC_ALL=C}).
     */
    public static String pathProblem(String value, InvalidPathException e) {
        String shown = "'" + Words.abbreviate(value, 200) + "'";
        if (value.indexOf('\0') >= 0) {
            return shown + " contains a NUL character, which no file name can hold";
        }
        boolean nonAscii = value.chars().anyMatch(c -> c > 127);
        String encoding = System.getProperty("sun.jnu.encoding", "?");
        if (nonAscii) {
            return shown + " has characters that file names cannot hold in this locale (they are encoded as "
                    + encoding + "); run kdeflow in a UTF-8 locale, for example with LC_ALL=C.UTF-8, or rename it";
        }
        return shown + " is not a valid path (" + e.getReason() + ")";
    }
}

package org.kdeflow.cli.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.formats.StagedOutputs;

/** The one error mapper: what each kind of failure becomes. */
class ErrorsTest {
    @TempDir
    Path dir;

    @Test
    void inputProblemsExitTwoWithTheirMessageAndHint() {
        Errors.Report r = Errors.of(new InputException("data.csv: line 3, column 2 (y): 'abc' is not a number",
                "Choose the numeric columns with --columns.", null));
        assertEquals(new Errors.Report(2, "data.csv: line 3, column 2 (y): 'abc' is not a number",
                "Choose the numeric columns with --columns."), r);
        assertEquals(2, Errors.of(new IllegalArgumentException("--h must be > 0")).code());
        assertEquals(2, Errors.of(new UncheckedIOException(new java.nio.file.NoSuchFileException("x.csv"))).code());
        assertEquals("no such file: x.csv",
                Errors.of(new UncheckedIOException(new java.nio.file.NoSuchFileException("x.csv"))).message());
    }

    @Test
    void outOfMemoryIsTooLargeAnInputAndSaysHowToRaiseTheHeap() {
        Errors.Report r = Errors.of(new OutOfMemoryError("Java heap space"));
        assertEquals(2, r.code());
        assertTrue(r.message().startsWith("out of memory: the input is too large for the Java heap ("), r.message());
        assertTrue(r.hint().contains("KDEFLOW_JAVA_OPTS=-Xmx"), r.hint());
    }

    @Test
    void otherFailuresExitOneWithTheirTypeAndTheVerboseHint() {
        Errors.Report npe = Errors.of(new NullPointerException("x is null"));
        assertEquals(new Errors.Report(1, "NullPointerException: x is null", Errors.VERBOSE_HINT), npe);
        assertEquals(new Errors.Report(1, "internal error: stack overflow", Errors.VERBOSE_HINT),
                Errors.of(new StackOverflowError()));
        assertEquals(1, Errors.of(new IOException("stream closed")).code());
    }

    @Test
    void aFileSystemErrorInAStagingAreaNamesTheUsersPath() throws IOException {
        Path out = dir.resolve("figs");
        try (StagedOutputs s = StagedOutputs.begin(List.of(StagedOutputs.Target.folder(out, "test")))) {
            Path staged = s.path(0).resolve("density.png");
            Errors.Report r = Errors.of(new FileSystemException(staged.toString(), null, "No space left on device"));
            assertEquals(new Errors.Report(2, out.resolve("density.png") + ": no space left on device", null), r);
            assertFalse(r.message().contains(StagedOutputs.STAGING_PREFIX));
        }
    }

    @Test
    void aPathTheLocaleCannotEncodeSaysWhatToChange() {
        String m = Errors.pathProblem("r\u00e9sultats.csv", new InvalidPathException("r\u00e9sultats.csv",
                "Malformed input or input contains unmappable characters"));
        assertTrue(m.startsWith("'r\u00e9sultats.csv' has characters that file names cannot hold in this locale"), m);
        assertTrue(m.contains("LC_ALL=C.UTF-8"), m);
        assertTrue(Errors.pathProblem("a\0b", new InvalidPathException("a\0b", "Nul character not allowed"))
                .contains("contains a NUL character"));
    }

    @Test
    void printsOneLineAndTheHintAndTheTraceOnlyWhenVerbose() throws IOException {
        StringWriter quiet = new StringWriter();
        assertEquals(1, Errors.print(new IllegalStateException("boom\nsecond line"), new PrintWriter(quiet), false));
        assertEquals(List.of("kdeflow: error: IllegalStateException: boom second line", Errors.VERBOSE_HINT),
                quiet.toString().lines().toList(), "line breaks in a message never make a second line");
        StringWriter verbose = new StringWriter();
        Errors.print(new IllegalStateException("boom"), new PrintWriter(verbose), true);
        assertTrue(verbose.toString().contains("\tat "), verbose.toString());
        assertNull(Errors.of(new InputException("x")).hint());
        Files.createDirectories(dir);
    }
}

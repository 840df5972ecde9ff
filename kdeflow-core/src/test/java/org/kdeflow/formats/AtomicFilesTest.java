package org.kdeflow.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private long entries() throws IOException {
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void failedWriteKeepsTheOldFileAndLeavesNoTemporary() throws IOException {
        Path f = dir.resolve("model.bin");
        Files.writeString(f, "good");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("good", Files.readString(f));
        assertEquals(1, entries());
    }

    @Test
    void successfulWriteReplacesTheFile() throws IOException {
        Path f = dir.resolve("a.txt");
        Files.writeString(f, "old");
        AtomicFiles.write(f, "new".getBytes(StandardCharsets.UTF_8));
        assertEquals("new", Files.readString(f));
        assertEquals(1, entries());
    }

    @Test
    void aWriteThatCannotStartNamesTheTargetNotTheTemporaryFile() {
        Path target = Path.of("/proc/kdeflow-test/x.csv");
        OutputException e = assertThrows(OutputException.class, () -> AtomicFiles.write(target, new byte[1]));
        assertEquals(target, e.target());
        assertTrue(e.getMessage().startsWith("/proc/kdeflow-test/x.csv: cannot write in /proc"), e.getMessage());
        assertTrue(!e.getMessage().contains(StagedOutputs.STAGING_PREFIX), e.getMessage());
    }

    @Test
    void temporaryFilesCarryTheStagingPrefixAndAreGoneAfterAFailure() throws IOException {
        Path f = dir.resolve("a.bin");
        assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            try (var s = Files.list(dir)) {
                assertTrue(s.allMatch(p -> p.getFileName().toString().startsWith(StagedOutputs.STAGING_PREFIX)),
                        "the temporary file is recognisable, so a later run removes it if this one is killed");
            }
            throw new IOException("stop");
        }));
        assertEquals(0, entries());
    }
}

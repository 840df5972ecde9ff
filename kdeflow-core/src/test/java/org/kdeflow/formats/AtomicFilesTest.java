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
    void failedFolderWriteLeavesTheOldFolderWhole() throws IOException {
        Path out = dir.resolve("results");
        Files.createDirectories(out);
        Files.writeString(out.resolve("keep.txt"), "old");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.writeFolder(out, tmp -> {
            Files.writeString(tmp.resolve("partial.txt"), "x");
            throw new IllegalStateException("stage failed");
        }));
        assertEquals("old", Files.readString(out.resolve("keep.txt")));
        assertTrue(!Files.exists(out.resolve("partial.txt")));
        assertEquals(1, entries(), "no temporary folder left behind");
    }

    @Test
    void folderWriteReplacesTheOldFolder() throws IOException {
        Path out = dir.resolve("results");
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "old");
        AtomicFiles.writeFolder(out, tmp -> Files.writeString(tmp.resolve("new.txt"), "new"));
        assertEquals("new", Files.readString(out.resolve("new.txt")));
        assertTrue(!Files.exists(out.resolve("old.txt")));
        assertEquals(1, entries());
    }
}

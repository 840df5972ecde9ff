package org.kdeflow.formats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.formats.StagedOutputs.Target;

class StagedOutputsTest {
    @TempDir
    Path dir;

    /** Every path below {@code dir} with its content (folders as "/"), to compare before and after. */
    Map<String, String> tree() throws IOException {
        Map<String, String> t = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                t.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "/" : Files.readString(p));
            }
        }
        return t;
    }

    static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void aFileIsReplacedOnlyByTheCommitAndNothingElseRemains() throws IOException {
        Path f = dir.resolve("out.csv");
        Files.writeString(f, "old");
        try (StagedOutputs out = StagedOutputs.begin(List.of(Target.file(f)))) {
            Path staged = out.path(0);
            assertEquals("out.csv", staged.getFileName().toString(), "the staged file keeps the name (extension)");
            Files.writeString(staged, "new");
            assertEquals("old", Files.readString(f));
            out.commit();
        }
        assertEquals(Map.of("", "/", "out.csv", "new"), tree(), "no staging folder, lock or backup left");
    }

    @Test
    void closingWithoutACommitLeavesEverythingAsItWas() throws IOException {
        write(dir.resolve("keep.txt"), "mine");
        Map<String, String> before = tree();
        try (StagedOutputs out = StagedOutputs.begin(List.of(Target.file(dir.resolve("a/b/x.csv")),
                Target.folder(dir.resolve("figs"), "test")))) {
            Files.writeString(out.path(0), "x");
            Files.writeString(out.path(1).resolve("p.png"), "png");
        }
        assertEquals(before, tree(), "no target, no created parent, no staging folder");
    }

    @Test
    void aFolderIsStampedAndOurOwnFolderIsReplacedWhole() throws IOException {
        Path o = dir.resolve("o");
        commitFolder(o, Map.of("a.png", "1", "sub/b.json", "2"));
        String stamp = Files.readString(o.resolve(StagedOutputs.STAMP));
        assertTrue(stamp.startsWith("kdeflow output folder"), stamp);
        assertTrue(stamp.contains("\nwritten-by test\nfile a.png\nfile sub/b.json\n"), stamp);
        commitFolder(o, Map.of("c.png", "3"));
        assertEquals(List.of(".kdeflow", "c.png"), list(o), "replaced as a whole: the old files are gone");
        // the stamp lists the files in sorted order and nothing varies between runs: same content, same bytes
        String first = Files.readString(o.resolve(StagedOutputs.STAMP));
        commitFolder(o, Map.of("c.png", "3"));
        assertEquals(first, Files.readString(o.resolve(StagedOutputs.STAMP)));
    }

    void commitFolder(Path o, Map<String, String> files) throws IOException {
        try (StagedOutputs out = StagedOutputs.begin(List.of(Target.folder(o, "test")))) {
            for (var e : files.entrySet()) {
                write(out.path(0).resolve(e.getKey()), e.getValue());
            }
            out.commit();
        }
    }

    static List<String> list(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFolderWithAnyoneElsesFilesIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path o = dir.resolve("o");
        write(o.resolve("user.txt"), "keep");
        Map<String, String> before = tree();
        OutputException e = assertThrows(OutputException.class,
                () -> StagedOutputs.begin(List.of(Target.folder(o, "test"))));
        assertTrue(e.getMessage().contains("is a folder kdeflow did not write (it holds user.txt)"), e.getMessage());
        assertEquals(before, tree());
        // an earlier output of ours with a file added since: refused, naming the file
        Path ours = dir.resolve("ours");
        commitFolder(ours, Map.of("a.png", "1"));
        write(ours.resolve("notes/today.txt"), "mine");
        Map<String, String> before2 = tree();
        e = assertThrows(OutputException.class, () -> StagedOutputs.begin(List.of(Target.folder(ours, "test"))));
        assertTrue(e.getMessage().contains("holds files kdeflow did not write (notes/, notes/today.txt)"),
                e.getMessage());
        assertEquals(before2, tree());
        // an empty folder may be used
        Path empty = Files.createDirectory(dir.resolve("empty"));
        commitFolder(empty, Map.of("a.png", "1"));
        assertEquals(List.of(".kdeflow", "a.png"), list(empty));
    }

    @Test
    void refusesTargetsThatCannotBeReplacedSafely() throws IOException {
        Path file = dir.resolve("file.txt");
        Files.writeString(file, "f");
        Path cwd = Path.of("").toAbsolutePath();
        assertRefused(Target.folder(Path.of(""), "t"), "is the current folder");
        assertRefused(Target.folder(Path.of("."), "t"), "is the current folder");
        assertRefused(Target.folder(cwd.getParent(), "t"), "holds the current folder");
        assertRefused(Target.folder(Path.of("/"), "t"), "is the root of the file system");
        assertRefused(Target.file(dir), "is a folder; give a file name");
        assertRefused(Target.file(Path.of("/dev/null")), "is not a regular file");
        assertRefused(Target.folder(file, "t"), "exists and is a file");
        assertRefused(Target.file(file.resolve("x.csv")), "is a file, not a folder");
        Path link = Files.createSymbolicLink(dir.resolve("link"), Files.createDirectory(dir.resolve("real")));
        assertRefused(Target.folder(link, "t"), "is a symbolic link");
        assertTrue(Files.exists(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null")), "/dev/null untouched");
    }

    static void assertRefused(Target t, String reason) {
        OutputException e = assertThrows(OutputException.class, () -> StagedOutputs.begin(List.of(t)));
        assertTrue(e.getMessage().startsWith(t.path() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void refusesTheSameTargetTwiceAndAFileInsideAFolderTarget() {
        Path o = dir.resolve("o");
        OutputException e = assertThrows(OutputException.class, () -> StagedOutputs.begin(List.of(
                Target.file(dir.resolve("a.csv")), Target.file(dir.resolve("./a.csv")))));
        assertTrue(e.getMessage().contains("is given twice"), e.getMessage());
        e = assertThrows(OutputException.class, () -> StagedOutputs.begin(List.of(Target.folder(o, "t"),
                Target.file(o.resolve("m.safetensors")))));
        assertTrue(e.getMessage().contains("lies inside the output folder"), e.getMessage());
    }

    @Test
    void anUnwritableFolderIsReportedWithTheUsersPathAndTheReason() {
        Path p = Path.of("/proc/kdeflow-test.csv");
        OutputException e = assertThrows(OutputException.class, () -> StagedOutputs.begin(List.of(Target.file(p))));
        assertEquals("/proc/kdeflow-test.csv: cannot write in /proc (no such file or directory)", e.getMessage());
    }

    @Test
    void errorsAboutStagedPathsNameTheUsersPath() throws IOException {
        Path o = dir.resolve("o");
        Path f = dir.resolve("m.safetensors");
        try (StagedOutputs out = StagedOutputs.begin(List.of(Target.folder(o, "t"), Target.file(f)))) {
            assertEquals(o.resolve("sub/x.png"), StagedOutputs.userPath(out.path(0).resolve("sub/x.png")));
            assertEquals(o, StagedOutputs.userPath(out.path(0)));
            assertEquals(f, StagedOutputs.userPath(out.path(1)));
            Path elsewhere = dir.resolve("other.txt");
            assertEquals(elsewhere, StagedOutputs.userPath(elsewhere));
        }
    }

    /** A pid that belonged to a process which has exited. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor(10, TimeUnit.SECONDS);
        return p.pid();
    }

    @Test
    void aKilledRunsStagingIsRemovedAndItsHalfDoneCommitUndone() throws Exception {
        long pid = deadPid();
        String owner = StagedOutputs.STAGING_PREFIX + pid + "-0.";
        // A folder commit killed between its two renames: the old report sits in the staging folder as the backup,
        // the target is gone, the journal is still there.
        Path report = dir.resolve("report");
        Path staging = Files.createDirectories(dir.resolve(owner + "1"));
        write(staging.resolve("old/report/index.html"), "the old report");
        write(staging.resolve("new/report/index.html"), "the new report");
        Files.createFile(staging.resolve("existed"));
        Files.writeString(staging.resolve("journal"), "FOLDER true " + report.toUri() + " " + staging.toUri() + "\n");
        // A file commit of the same run, already swapped in: its old content is the backup.
        Path model = dir.resolve("m.safetensors");
        Files.writeString(model, "new model");
        Path staging2 = Files.createDirectories(dir.resolve(owner + "2"));
        write(staging2.resolve("old/m.safetensors"), "old model");
        Files.createFile(staging2.resolve("existed"));
        Files.writeString(staging2.resolve("journal-at"), staging.toUri().toString());
        Files.writeString(staging.resolve("journal"), "FOLDER true " + report.toUri() + " " + staging.toUri()
                + "\nFILE true " + model.toUri() + " " + staging2.toUri() + "\n");
        // A stale temporary file of AtomicFiles, and a live staging folder of this process.
        Files.writeString(dir.resolve(owner + "3.tmp"), "half");
        try (StagedOutputs live = StagedOutputs.begin(List.of(Target.file(dir.resolve("live.csv"))))) {
            // the next run of anything that writes here
            try (StagedOutputs next = StagedOutputs.begin(List.of(Target.file(dir.resolve("next.csv"))))) {
                Files.writeString(next.path(0), "n");
                next.commit();
            }
            assertEquals("the old report", Files.readString(report.resolve("index.html")), "rolled back");
            assertEquals("old model", Files.readString(model), "the whole commit is rolled back");
            List<String> left = list(dir).stream().filter(n -> n.startsWith(StagedOutputs.STAGING_PREFIX)).toList();
            assertEquals(1, left.size(), "only the live staging folder remains: " + left);
            assertFalse(left.get(0).startsWith(owner));
        }
        assertEquals(List.of("m.safetensors", "next.csv", "report"), list(dir));
    }

    @Test
    void threadsCommittingTheSameOutputsNeverMixThem() throws Exception {
        Path o = dir.resolve("o");
        Path m = dir.resolve("m.txt");
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            String token = "writer " + w;
            Thread t = new Thread(() -> {
                try {
                    for (int round = 0; round < 15; round++) {
                        try (StagedOutputs out = StagedOutputs.begin(List.of(Target.folder(o, "t"),
                                Target.file(m)))) {
                            Files.writeString(out.path(0).resolve("a.txt"), token);
                            Files.writeString(out.path(1), token);
                            out.commit();
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
        assertEquals(Files.readString(m), Files.readString(o.resolve("a.txt")), "both outputs from the same writer");
        assertEquals(List.of("m.txt", "o"), list(dir), "no lock file or staging folder left");
    }

    @Test
    void aCommitWaitsForAnotherProcessHoldingTheLock() throws Exception {
        Path f = dir.resolve("x.csv");
        Path lock = dir.resolve(".x.csv" + StagedOutputs.LOCK_SUFFIX);
        Path ready = dir.resolve("ready");
        // A second JVM takes the lock file the same way (FileChannel.lock), says so, holds it 1.5 s and lets go.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LockHolder.class.getName(), lock.toString(), ready.toString(), "1500").inheritIO().start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(ready) && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(10);
            }
            assertTrue(Files.exists(ready), "the child holds the lock");
            long t0 = System.nanoTime();
            try (StagedOutputs out = StagedOutputs.begin(List.of(Target.file(f)))) {
                Files.writeString(out.path(0), "mine");
                out.commit();
            }
            double waited = (System.nanoTime() - t0) / 1e9;
            assertTrue(waited > 0.5, "the commit waited for the other process (" + waited + " s)");
            assertEquals("mine", Files.readString(f));
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Holds an exclusive lock on a file for a while (run in a child JVM by the test above). */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            Path lock = Path.of(args[0]);
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                var l = ch.lock();
                ch.write(ByteBuffer.wrap("child\n".getBytes(StandardCharsets.US_ASCII)));
                Files.writeString(Path.of(args[1]), "locked");
                Thread.sleep(Long.parseLong(args[2]));
                Files.deleteIfExists(lock);
                l.release();
            }
        }
    }
}

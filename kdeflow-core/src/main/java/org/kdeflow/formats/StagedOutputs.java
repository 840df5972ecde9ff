package org.kdeflow.formats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Outputs that are written all together or not at all. Every output — a file or a folder — is declared up front and
 * checked before any work; the content is written into a staging area beside each target; {@link #commit} puts
 * everything in place under an exclusive lock; {@link #close} without a commit removes the staging areas and leaves
 * every target as it was.
 *
 * <pre>{@code
 * try (StagedOutputs out = StagedOutputs.begin(List.of(Target.folder(dir, "kdeflow train"), Target.file(model)))) {
 *     write(out.path(0));   // a fresh, empty folder
 *     save(out.path(1));    // a file path in the staging area (same file name as the target)
 *     out.commit();
 * }
 * }</pre>
 *
 * <p>The rules, checked by {@link #begin} and again under the lock by {@link #commit}:
 * <ul>
 *   <li>A file target may exist as a regular file (it is replaced) but not as a folder, a device, a pipe or a
 *       socket (renaming over {@code /dev/null} would replace the device).</li>
 *   <li>A folder target is replaced as a whole, so it must be missing, empty, or <em>ours</em>: it holds a
 *       {@value #STAMP} stamp, which the commit writes, listing every file of the folder, and nothing else. A folder
 *       with any other file — a user's notes beside an earlier report — is refused, naming the files. It must not be
 *       a file system root, the current folder or one of its parents, a symbolic link or a mount point.</li>
 *   <li>Missing parent folders are created by the commit (and only then).</li>
 *   <li>No target is given twice, and none lies inside a folder target.</li>
 * </ul>
 *
 * <p>Staging: each target gets a folder {@code .kdeflow-staging.<pid>-<start>.<random>} in the nearest existing
 * folder above it (so the final rename stays on one file system); the name records the process that made it and its
 * start time. {@link #begin} removes stale staging folders there, those whose process is gone (a killed run), first
 * undoing a commit that was interrupted half-way. A shutdown hook removes this process's staging folders on exit
 * (Ctrl-C, SIGTERM); after SIGKILL the next run does.
 *
 * <p>Commit: the lock is a {@link FileChannel#lock} on {@code .<name>.kdeflow-lock} beside each target (in sorted
 * order, so two commands never deadlock), deleted again before it is released; a second writer of the same target
 * waits for the first commit to finish, up to {@link #LOCK_TIMEOUT_SECONDS}, and then fails. Under the lock a journal
 * lists every target; each target is swapped in by rename (an existing file is kept as a hard link, an existing folder
 * moved aside) and the journal is deleted once all are in place. A failure part-way puts every target back; so does
 * the next run's clean-up after a crash before the journal was deleted. Replacing a folder is two renames: for a
 * moment the folder is absent.
 *
 * <p>Instances are used by one thread.
 */
public final class StagedOutputs implements AutoCloseable {
    /** The stamp file that marks a folder written by kdeflow and lists its files. */
    public static final String STAMP = ".kdeflow";
    /** The name prefix of staging folders and temporary files. */
    public static final String STAGING_PREFIX = ".kdeflow-staging.";
    /** How long a commit waits for another writer of the same target. */
    public static final long LOCK_TIMEOUT_SECONDS = 60;

    static final String LOCK_SUFFIX = ".kdeflow-lock";
    private static final String JOURNAL = "journal";
    private static final String JOURNAL_AT = "journal-at";
    private static final String STAMP_MARK = "kdeflow output folder";
    private static final String STAMP_HEADER = STAMP_MARK + ": replaced as a whole by the next kdeflow "
            + "command that writes here; it holds the files listed below and nothing else.";
    private static final int MAX_NAMED = 3;

    private static final String SELF = ownerOf(ProcessHandle.current());
    /** Staging folders of this JVM that are not closed yet, removed by the shutdown hook. */
    private static final Set<StagedOutputs> LIVE = ConcurrentHashMap.newKeySet();
    /** Recent staging folders and their targets, so that an error about a staged path names the user's path. */
    private static final Map<Path, Slot> RECENT = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Slot> eldest) {
            return size() > 64;
        }
    });
    /** Lock files held by this JVM: FileChannel locks are per process, so threads queue here first. */
    private static final Map<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(StagedOutputs::removeLive, "kdeflow-staging-cleanup"));
        } catch (IllegalStateException e) {
            // first used while the JVM shuts down: nothing will be staged any more
        }
    }

    /** What a target is. */
    public enum Kind {
        /** A single file, replaced whole. */
        FILE,
        /** A folder, replaced whole and stamped. */
        FOLDER
    }

    /**
     * One output as the caller names it.
     *
     * @param writtenBy for folders, who wrote it (a line of the stamp, e.g. {@code kdeflow train}); null for files
     */
    public record Target(Path path, Kind kind, String writtenBy) {
        public Target {
            if (path == null || kind == null) {
                throw new IllegalArgumentException("a target needs a path and a kind");
            }
        }

        public static Target file(Path path) {
            return new Target(path, Kind.FILE, null);
        }

        public static Target folder(Path path, String writtenBy) {
            return new Target(path, Kind.FOLDER, writtenBy == null ? "kdeflow" : writtenBy);
        }
    }

    /** A target, its absolute path and its staging folder. */
    private record Slot(Target target, Path abs, Path staging) {
        String name() {
            return abs.getFileName().toString();
        }

        /** Where the new content is written: {@code staging/new/<name>}. */
        Path staged() {
            return staging.resolve("new").resolve(name());
        }

        /** Where the previous content is kept during a commit: {@code staging/old/<name>}. */
        Path backup() {
            return staging.resolve("old").resolve(name());
        }
    }

    private final List<Slot> slots;
    private final Set<Slot> kept = new HashSet<>();
    private volatile boolean committing;
    private volatile boolean keep;
    private boolean committed;
    private boolean closed;

    private StagedOutputs(List<Slot> slots) {
        this.slots = slots;
    }

    // ------------------------------------------------------------------------------------------------ begin

    /**
     * Checks every target and creates its staging area.
     *
     * @throws OutputException naming the first target that cannot be written and why; nothing is left behind
     */
    public static StagedOutputs begin(List<Target> targets) throws OutputException {
        List<Path> abs = new ArrayList<>();
        for (Target t : targets) {
            Path a = absolute(t.path());
            checkNow(t, a);
            abs.add(a);
        }
        checkOverlaps(targets, abs);
        Set<Path> cleaned = new HashSet<>();
        List<Slot> slots = new ArrayList<>();
        StagedOutputs out = new StagedOutputs(slots);
        LIVE.add(out);
        try {
            for (int i = 0; i < targets.size(); i++) {
                Target t = targets.get(i);
                Path base = existingAncestor(abs.get(i));
                if (cleaned.add(base)) {
                    removeStale(base);
                }
                Path staging;
                try {
                    staging = Files.createDirectory(base.resolve(STAGING_PREFIX + SELF + "." + randomHex()));
                } catch (IOException e) {
                    throw new OutputException(t.path(), "cannot write in " + base + " (" + OutputException.reasonOf(e)
                            + ")", e);
                }
                Slot s = new Slot(t, abs.get(i), staging);
                slots.add(s);
                RECENT.put(staging, s);
                try {
                    Files.createDirectory(staging.resolve("new"));
                    if (t.kind() == Kind.FOLDER) {
                        Files.createDirectory(s.staged());
                    }
                } catch (IOException e) {
                    throw new OutputException(t.path(), "cannot write in " + base + " (" + OutputException.reasonOf(e)
                            + ")", e);
                }
            }
        } catch (OutputException | RuntimeException e) {
            out.close();
            throw e;
        }
        return out;
    }

    /** The staging location of target {@code i}: an empty folder, or a file path that does not exist yet. */
    public Path path(int i) {
        if (closed) {
            throw new IllegalStateException("the staged outputs are closed");
        }
        return slots.get(i).staged();
    }

    /**
     * Leaves target {@code i} as it is: the commit does not touch it (for an output that turned out to have nothing
     * new, such as a checkpoint of a run that had no epoch left to train).
     */
    public void keep(int i) {
        if (closed || committed) {
            throw new IllegalStateException("the staged outputs are " + (closed ? "closed" : "committed already"));
        }
        kept.add(slots.get(i));
    }

    /** How many targets there are. */
    public int size() {
        return slots.size();
    }

    private static Path absolute(Path p) {
        return p.toAbsolutePath().normalize();
    }

    private static BasicFileAttributes attributes(Path p, LinkOption... options) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, options);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * {@link #check} before the work: an existing folder is judged under its commit lock, so that a commit of another
     * writer cannot be seen half-way (the old folder moved aside, its stamp gone). Where no lock can be taken (a
     * folder that cannot be written to), the check runs without one and the staging reports the problem.
     */
    private static void checkNow(Target t, Path abs) throws OutputException {
        if (t.kind() != Kind.FOLDER || abs.getParent() == null || !Files.isDirectory(abs, LinkOption.NOFOLLOW_LINKS)) {
            check(t, abs);
            return;
        }
        CommitLock lock;
        try {
            lock = CommitLock.acquire(abs.resolveSibling("." + abs.getFileName() + LOCK_SUFFIX), t.path());
        } catch (OutputException e) {
            check(t, abs);
            return;
        }
        try {
            check(t, abs);
        } finally {
            lock.close();
        }
    }

    /** The rules of the class comment for one target; throws naming the target as given. */
    private static void check(Target t, Path abs) throws OutputException {
        Path given = t.path();
        if (abs.getParent() == null) {
            throw new OutputException(given, "is the root of the file system; give a " + noun(t) + " below it");
        }
        BasicFileAttributes link = attributes(abs, LinkOption.NOFOLLOW_LINKS);
        BasicFileAttributes a = attributes(abs);
        if (t.kind() == Kind.FILE) {
            if (a != null && a.isDirectory()) {
                throw new OutputException(given, "is a folder; give a file name");
            }
            if (a != null && !a.isRegularFile()) {
                throw new OutputException(given, "is not a regular file but a device, pipe or socket; kdeflow "
                        + "renames a finished file into place, which would replace it, so give a file name");
            }
            if (a == null && link != null) {
                throw new OutputException(given, "is a symbolic link to nothing; remove it or give another name");
            }
        } else {
            Path cwd = absolute(Path.of(""));
            if (cwd.startsWith(abs)) {
                throw new OutputException(given, (cwd.equals(abs) ? "is the current folder" : "holds the current "
                        + "folder") + "; an output folder is replaced as a whole, so name a new folder inside it");
            }
            if (link != null && link.isSymbolicLink()) {
                throw new OutputException(given, "is a symbolic link; give the folder it points to, or a new name");
            }
            if (link != null && !link.isDirectory()) {
                throw new OutputException(given, "exists and is a file; give a folder name");
            }
            if (link != null) {
                checkNotMountPoint(given, abs);
                List<String> foreign = foreignEntries(abs);
                if (!foreign.isEmpty()) {
                    boolean stamped = Files.isRegularFile(abs.resolve(STAMP), LinkOption.NOFOLLOW_LINKS);
                    throw new OutputException(given, (stamped ? "holds files kdeflow did not write (" : "is a folder "
                            + "kdeflow did not write (it holds ") + names(foreign) + "); it would be replaced as a "
                            + "whole, so choose another folder or move " + (foreign.size() == 1 ? "that file" : "them")
                            + " away first");
                }
            }
        }
        Path up = abs.getParent();
        while (up != null && attributes(up) == null) {
            up = up.getParent();
        }
        if (up != null && !attributes(up).isDirectory()) {
            throw new OutputException(given, "cannot be created: " + up + " is a file, not a folder");
        }
    }

    private static String noun(Target t) {
        return t.kind() == Kind.FILE ? "file" : "folder";
    }

    private static void checkNotMountPoint(Path given, Path abs) throws OutputException {
        try {
            if (!Files.getFileStore(abs).equals(Files.getFileStore(abs.getParent()))) {
                throw new OutputException(given, "is a mount point, which cannot be replaced; name a folder inside it");
            }
        } catch (OutputException e) {
            throw e;
        } catch (IOException e) {
            throw new OutputException(given, "cannot be examined (" + OutputException.reasonOf(e) + ")", e);
        }
    }

    private static String names(List<String> entries) {
        List<String> shown = entries.subList(0, Math.min(MAX_NAMED, entries.size()));
        String s = String.join(", ", shown);
        return entries.size() > MAX_NAMED ? s + " and more" : s;
    }

    private static void checkOverlaps(List<Target> targets, List<Path> abs) throws OutputException {
        for (int i = 0; i < abs.size(); i++) {
            for (int j = 0; j < abs.size(); j++) {
                if (i == j) {
                    continue;
                }
                if (abs.get(i).equals(abs.get(j))) {
                    throw new OutputException(targets.get(j).path(), "is given twice as an output");
                }
                if (targets.get(i).kind() == Kind.FOLDER && abs.get(j).startsWith(abs.get(i))) {
                    throw new OutputException(targets.get(j).path(), "lies inside the output folder "
                            + targets.get(i).path() + ", which is replaced as a whole; put it elsewhere");
                }
            }
        }
    }

    private static Path existingAncestor(Path abs) {
        Path up = abs.getParent();
        while (!Files.isDirectory(up)) {
            up = up.getParent();
        }
        return up;
    }

    // ------------------------------------------------------------------------------------------------ stamps

    /**
     * The entries of {@code folder} (relative, '/'-separated, sorted) that kdeflow did not write: everything when the
     * folder has no valid stamp, else whatever its stamp does not list (an empty folder has none).
     */
    static List<String> foreignEntries(Path folder) throws OutputException {
        Set<String> listed = readStamp(folder.resolve(STAMP));
        List<String> foreign = new ArrayList<>();
        // without a stamp every entry is foreign: list the top level only (the folder may be a whole home directory)
        try (Stream<Path> walk = listed == null ? Files.list(folder) : Files.walk(folder)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.equals(folder)) {
                    continue;
                }
                String rel = relative(folder, p);
                boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                if (listed == null) {
                    foreign.add(rel + (dir ? "/" : ""));
                    if (foreign.size() > MAX_NAMED) {
                        break;
                    }
                } else if (rel.equals(STAMP)) {
                    continue;
                } else if (dir ? listed.stream().noneMatch(f -> f.startsWith(rel + "/")) : !listed.contains(rel)) {
                    foreign.add(rel + (dir ? "/" : ""));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            IOException io = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            throw new OutputException(folder, "cannot be examined (" + OutputException.reasonOf(io) + ")", io);
        }
        Collections.sort(foreign);
        return foreign;
    }

    private static String relative(Path folder, Path p) {
        StringBuilder b = new StringBuilder();
        for (Path part : folder.relativize(p)) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(part);
        }
        return b.toString();
    }

    /** The files a stamp lists, or null when it is missing or not a stamp. */
    private static Set<String> readStamp(Path stamp) {
        if (!Files.isRegularFile(stamp, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            if (Files.size(stamp) > 16L << 20) {
                return null;
            }
            List<String> lines = Files.readAllLines(stamp, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).startsWith(STAMP_MARK)) {
                return null;
            }
            Set<String> files = new HashSet<>();
            for (String line : lines) {
                if (line.startsWith("file ")) {
                    files.add(line.substring(5));
                }
            }
            return files;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Writes the stamp of a staged folder: the header, who wrote it, and its files in sorted order. */
    private static void writeStamp(Slot s) throws IOException {
        Path folder = s.staged();
        TreeSet<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(relative(folder, p));
                }
            }
        }
        files.remove(STAMP);
        StringBuilder b = new StringBuilder(STAMP_HEADER).append('\n');
        b.append("written-by ").append(s.target().writtenBy().replace('\n', ' ')).append('\n');
        for (String f : files) {
            b.append("file ").append(f).append('\n');
        }
        Files.writeString(folder.resolve(STAMP), b, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------------------ commit

    /**
     * Puts every staged output in place, all together: under the locks, after checking the targets again. On failure
     * every target is as it was before.
     *
     * @throws OutputException naming the target that could not be written and why
     */
    public void commit() throws OutputException {
        if (closed || committed) {
            throw new IllegalStateException("the staged outputs are " + (closed ? "closed" : "committed already"));
        }
        List<Slot> slots = new ArrayList<>(this.slots);
        slots.removeAll(kept);
        for (Slot s : slots) {
            if (s.target().kind() == Kind.FILE && !Files.exists(s.staged(), LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("nothing was written for " + s.target().path());
            }
        }
        if (slots.isEmpty()) {
            committed = true;
            close();
            return;
        }
        committing = true;
        List<Path> createdParents = new ArrayList<>();
        List<CommitLock> locks = new ArrayList<>();
        try {
            for (Slot s : slots) {
                if (s.target().kind() == Kind.FOLDER) {
                    try {
                        writeStamp(s);
                    } catch (IOException e) {
                        throw new OutputException(s.target().path(), "cannot be written ("
                                + OutputException.reasonOf(e) + ")", e);
                    }
                }
                createParents(s, createdParents);
            }
            List<Slot> order = new ArrayList<>(slots);
            order.sort((a, b) -> lockFile(a).toString().compareTo(lockFile(b).toString()));
            for (Slot s : order) {
                locks.add(CommitLock.acquire(lockFile(s), s.target().path()));
            }
            for (Slot s : slots) {
                check(s.target(), s.abs());
            }
            Path journal = writeJournal(slots);
            List<Slot> done = new ArrayList<>();
            try {
                for (Slot s : slots) {
                    done.add(s);
                    swapIn(s);
                }
            } catch (IOException e) {
                Collections.reverse(done);
                boolean restored = true;
                for (Slot s : done) {
                    try {
                        rollBack(s.target().kind(), existedBefore(s), s.abs(), s.staging());
                    } catch (UncheckedIOException u) {
                        restored = false;
                    }
                }
                if (restored) {
                    deleteQuietly(journal);
                } else {
                    keep = true; // what could not be moved back stays, with the journal, for the next run to restore
                }
                throw e instanceof OutputException o ? o
                        : new OutputException(done.get(0).target().path(), "cannot be put in place ("
                                + OutputException.reasonOf(e) + ")", e);
            }
            Files.delete(journal); // the commit point: from here on the new outputs stand
            committed = true;
        } catch (IOException e) {
            for (int i = createdParents.size() - 1; i >= 0; i--) {
                deleteQuietly(createdParents.get(i)); // only empty folders are deleted
            }
            throw e instanceof OutputException o ? o : new OutputException(this.slots.get(0).target().path(),
                    "cannot be put in place (" + OutputException.reasonOf(e) + ")", e);
        } finally {
            for (int i = locks.size() - 1; i >= 0; i--) {
                locks.get(i).close();
            }
            committing = false;
            if (committed) {
                close();
            }
        }
    }

    private static Path lockFile(Slot s) {
        return s.abs().resolveSibling("." + s.name() + LOCK_SUFFIX);
    }

    private static void createParents(Slot s, List<Path> created) throws OutputException {
        List<Path> missing = new ArrayList<>();
        for (Path up = s.abs().getParent(); up != null && !Files.isDirectory(up); up = up.getParent()) {
            missing.add(0, up);
        }
        for (Path p : missing) {
            try {
                Files.createDirectory(p);
                created.add(p);
            } catch (IOException e) {
                if (!Files.isDirectory(p)) {
                    throw new OutputException(s.target().path(), "cannot create the folder " + p + " ("
                            + OutputException.reasonOf(e) + ")", e);
                }
            }
        }
    }

    /** Whether the target existed when the journal was written (recorded as a marker in the staging folder). */
    private static boolean existedBefore(Slot s) {
        return Files.exists(s.staging().resolve("existed"), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Writes the journal into the first staging folder: one line per target (kind, whether it existed, target and
     * staging folder as URIs); every other staging folder points at it.
     */
    private static Path writeJournal(List<Slot> slots) throws OutputException {
        Slot first = slots.get(0);
        Path journal = first.staging().resolve(JOURNAL);
        try {
            StringBuilder b = new StringBuilder();
            for (Slot s : slots) {
                boolean existed = Files.exists(s.abs(), LinkOption.NOFOLLOW_LINKS);
                if (existed) {
                    Files.createFile(s.staging().resolve("existed"));
                }
                b.append(s.target().kind()).append(' ').append(existed).append(' ')
                        .append(s.abs().toUri()).append(' ').append(s.staging().toUri()).append('\n');
                if (s != first) {
                    Files.writeString(s.staging().resolve(JOURNAL_AT), first.staging().toUri().toString());
                }
            }
            Files.writeString(journal, b, StandardCharsets.UTF_8);
            return journal;
        } catch (IOException e) {
            throw new OutputException(first.target().path(), "cannot be written (" + OutputException.reasonOf(e)
                    + ")", e);
        }
    }

    /** Puts one staged output in place, keeping the previous content in the staging folder. */
    private static void swapIn(Slot s) throws IOException {
        Path target = s.abs();
        boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        try {
            if (existed) {
                Files.createDirectories(s.backup().getParent());
                if (s.target().kind() == Kind.FILE) {
                    keepCopy(target, s.backup());
                } else {
                    Files.move(target, s.backup(), StandardCopyOption.ATOMIC_MOVE);
                }
            }
            move(s.staged(), target);
        } catch (IOException e) {
            throw new OutputException(s.target().path(), "cannot be put in place (" + OutputException.reasonOf(e)
                    + ")", e);
        }
    }

    /** A hard link to {@code file} at {@code backup}, or a copy where the file system has no hard links. */
    private static void keepCopy(Path file, Path backup) throws IOException {
        try {
            Files.createLink(backup, file);
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.copy(file, backup, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Undoes the swap of one target, whatever stage it reached: the new content leaves, the old returns. Used when a
     * commit fails part-way and when a later run finds the journal of a commit that was killed.
     */
    private static void rollBack(Kind kind, boolean existed, Path target, Path staging) {
        Path name = target.getFileName();
        Path staged = staging.resolve("new").resolve(name);
        Path backup = staging.resolve("old").resolve(name);
        boolean movedIn = !Files.exists(staged, LinkOption.NOFOLLOW_LINKS);
        try {
            if (kind == Kind.FILE) {
                if (Files.exists(backup, LinkOption.NOFOLLOW_LINKS)) {
                    move(backup, target);
                } else if (!existed && movedIn) {
                    Files.deleteIfExists(target);
                }
            } else {
                if (movedIn && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(target, staging.resolve("rolled-back"), StandardCopyOption.ATOMIC_MOVE);
                }
                if (Files.exists(backup, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(backup, target, StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            // best effort: whatever could not be moved back stays in the staging folder, which is then kept
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ close

    /** Removes the staging areas (after a commit only the previous contents remain there). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        LIVE.remove(this);
        if (keep) {
            return;
        }
        for (Slot s : slots) {
            AtomicFiles.deleteQuietly(s.staging());
        }
    }

    private static void removeLive() {
        for (StagedOutputs o : LIVE) {
            if (!o.committing && !o.keep) { // a commit in progress finishes or leaves its journal for the next run
                for (Slot s : o.slots) {
                    AtomicFiles.deleteQuietly(s.staging());
                }
            }
        }
    }

    /**
     * The user's path for a path inside a staging area of this JVM ({@code staging/new/<name>/x.png} → the target
     * folder's {@code x.png}), or {@code p} itself: for error messages that must not name hidden staging paths.
     */
    public static Path userPath(Path p) {
        if (p == null) {
            return null;
        }
        Path abs = absolute(p);
        synchronized (RECENT) {
            for (Map.Entry<Path, Slot> e : RECENT.entrySet()) {
                if (abs.startsWith(e.getKey())) {
                    Slot s = e.getValue();
                    Path staged = s.staged();
                    if (s.target().kind() == Kind.FOLDER && abs.startsWith(staged) && !abs.equals(staged)) {
                        return s.target().path().resolve(staged.relativize(abs).toString());
                    }
                    return s.target().path();
                }
            }
        }
        return p;
    }

    // ------------------------------------------------------------------------------------------------ stale staging

    /** {@code <pid>-<start in ms since the epoch>} of a process (start 0 when the system does not tell). */
    static String ownerOf(ProcessHandle h) {
        long start = h.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        return h.pid() + "-" + start;
    }

    /** Whether the process that made a staging entry (from its name) is still running. */
    static boolean ownerAlive(String entryName) {
        String rest = entryName.substring(STAGING_PREFIX.length());
        int dot = rest.indexOf('.');
        String owner = dot < 0 ? rest : rest.substring(0, dot);
        int dash = owner.indexOf('-');
        long pid;
        long start;
        try {
            pid = Long.parseLong(dash < 0 ? owner : owner.substring(0, dash));
            start = dash < 0 ? 0 : Long.parseLong(owner.substring(dash + 1));
        } catch (NumberFormatException e) {
            return true; // not ours to judge: leave it
        }
        var h = ProcessHandle.of(pid);
        if (h.isEmpty() || !h.get().isAlive()) {
            return false;
        }
        long now = h.get().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
        // the same process when the start times agree (a reused pid started later); 1 s covers clock-tick rounding
        return start == 0 || now == 0 || Math.abs(now - start) < 1000;
    }

    /**
     * Removes staging folders and temporary files in {@code dir} whose process is gone, first undoing any commit
     * they were part of. Entries of running processes, and what cannot be removed, are left alone.
     */
    static void removeStale(Path dir) {
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, STAGING_PREFIX + "*")) {
            for (Path p : ds) {
                if (!ownerAlive(p.getFileName().toString())) {
                    stale.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (Path p : stale) {
            try {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    recover(p);
                }
                AtomicFiles.deleteQuietly(p);
            } catch (RuntimeException e) {
                // left for someone who can remove it
            }
        }
    }

    /** Rolls back the interrupted commit a stale staging folder belongs to, if any. */
    private static void recover(Path staging) {
        Path journal = staging.resolve(JOURNAL);
        Path pointer = staging.resolve(JOURNAL_AT);
        try {
            if (!Files.exists(journal) && Files.isRegularFile(pointer)) {
                journal = Path.of(URI.create(Files.readString(pointer).strip())).resolve(JOURNAL);
            }
            if (!Files.isRegularFile(journal)) {
                return;
            }
            for (String line : Files.readAllLines(journal, StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length == 4) {
                    rollBack(Kind.valueOf(f[0]), Boolean.parseBoolean(f[1]), Path.of(URI.create(f[2])),
                            Path.of(URI.create(f[3])));
                }
            }
            Files.delete(journal);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot recover " + staging, e);
        }
    }

    private static String randomHex() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    /** A name for a temporary entry in {@code dir} that {@link #removeStale} removes once this process is gone. */
    static Path temporary(Path dir, String suffix) {
        return dir.resolve(STAGING_PREFIX + SELF + "." + randomHex() + suffix);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // an empty folder that is no longer empty, or already gone
        }
    }

    // ------------------------------------------------------------------------------------------------ locks

    /**
     * An exclusive lock on a lock file beside a target. The file is deleted before the lock is released; a waiting
     * process that then holds the lock of a deleted file notices (its token is not in the file at the path) and
     * starts over, so two holders can never both believe they hold the lock.
     */
    private static final class CommitLock implements AutoCloseable {
        private final Path file;
        private final ReentrantLock jvm;
        private final FileChannel channel;
        private final FileLock lock;

        private CommitLock(Path file, ReentrantLock jvm, FileChannel channel, FileLock lock) {
            this.file = file;
            this.jvm = jvm;
            this.channel = channel;
            this.lock = lock;
        }

        static CommitLock acquire(Path file, Path target) throws OutputException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOCK_TIMEOUT_SECONDS);
            ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
            try {
                if (!jvm.tryLock(LOCK_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw busy(target);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OutputException(target, "was not written: interrupted while waiting for another writer", e);
            }
            byte[] token = (SELF + "." + randomHex() + "\n").getBytes(StandardCharsets.US_ASCII);
            try {
                while (true) {
                    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                            StandardOpenOption.READ);
                    FileLock l = null;
                    try {
                        while ((l = ch.tryLock()) == null) {
                            if (System.nanoTime() > deadline) {
                                throw busy(target);
                            }
                            Thread.sleep(20);
                        }
                        ch.truncate(0);
                        ch.write(ByteBuffer.wrap(token), 0);
                        byte[] there;
                        try {
                            there = Files.readAllBytes(file);
                        } catch (NoSuchFileException e) {
                            there = null;
                        }
                        if (there != null && java.util.Arrays.equals(there, token)) {
                            return new CommitLock(file, jvm, ch, l);
                        }
                        l.release(); // the file we locked was deleted by its last holder: start over
                        ch.close();
                    } catch (IOException | InterruptedException | RuntimeException e) {
                        if (l != null && l.isValid()) {
                            l.release();
                        }
                        ch.close();
                        throw e;
                    }
                }
            } catch (OutputException e) {
                jvm.unlock();
                throw e;
            } catch (IOException e) {
                jvm.unlock();
                throw new OutputException(target, "cannot be locked for writing (" + OutputException.reasonOf(e) + ")",
                        e);
            } catch (InterruptedException e) {
                jvm.unlock();
                Thread.currentThread().interrupt();
                throw new OutputException(target, "was not written: interrupted while waiting for another writer", e);
            }
        }

        private static OutputException busy(Path target) {
            return new OutputException(target, "another kdeflow command has been writing it for "
                    + LOCK_TIMEOUT_SECONDS + " s; try again when it has finished");
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a lock file left behind is harmless: the next writer locks and deletes it
            }
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // closing the channel releases the lock in any case
            } finally {
                jvm.unlock();
            }
        }
    }

    @Override
    public String toString() {
        List<String> t = new ArrayList<>();
        for (Slot s : slots) {
            t.add(s.target().kind().name().toLowerCase(Locale.ROOT) + " " + s.target().path());
        }
        return "StagedOutputs" + t;
    }
}

package org.kdeflow.formats;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes of one file that either complete or leave nothing behind: content goes to a temporary file beside the target,
 * which is renamed over the target only once it is whole. The temporary file is named like a staging entry of
 * {@link StagedOutputs} ({@value StagedOutputs#STAGING_PREFIX}…), so if the process is killed the next staged write in
 * that folder removes it. Several outputs that belong together, and folders, go through {@link StagedOutputs}.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Something that writes a whole file to a stream. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} atomically: a temporary file in the same folder (created if missing), then a rename.
     *
     * @throws OutputException naming {@code target} (never the temporary file; for a file in a staging area of
     *                         {@link StagedOutputs}, the user's path) when it cannot be written
     * @throws IOException     what {@code writer} throws, after the temporary file is removed
     */
    public static void write(Path target, StreamWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
            tmp = Files.createFile(StagedOutputs.temporary(dir, ".tmp"));
        } catch (IOException e) {
            throw new OutputException(StagedOutputs.userPath(target), "cannot write in " + StagedOutputs.userPath(dir)
                    + " (" + OutputException.reasonOf(e) + ")", e);
        }
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                writer.write(out);
            }
            makeReadable(tmp);
            move(tmp, abs);
        } catch (IOException | RuntimeException | Error e) {
            deleteQuietly(tmp);
            if (e instanceof java.nio.file.FileSystemException fs && !(e instanceof OutputException)) {
                throw new OutputException(StagedOutputs.userPath(target), "cannot be written ("
                        + OutputException.reasonOf(fs) + ")", fs);
            }
            throw e;
        }
    }

    /** Something that fills a folder. */
    @FunctionalInterface
    public interface FolderWriter {
        void write(Path folder) throws IOException;
    }

    /**
     * Fills a fresh staging folder beside {@code target}, then puts it in place as a {@link StagedOutputs} folder
     * target: an existing target is replaced only if it is empty or an earlier kdeflow output folder, and only after
     * the new content is complete; on failure the target is untouched and the staging folder removed.
     */
    public static void writeFolder(Path target, FolderWriter writer) throws IOException {
        try (StagedOutputs out = StagedOutputs.begin(java.util.List.of(StagedOutputs.Target.folder(target,
                "kdeflow")))) {
            writer.write(out.path(0));
            out.commit();
        }
    }

    /** Writes bytes to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Temporary files are created private (0600); the finished output gets ordinary permissions. */
    private static void makeReadable(Path p) throws IOException {
        if (Files.getFileStore(p).supportsFileAttributeView("posix")) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
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
     * Deletes a file or folder tree if it exists; symbolic links are removed, never followed.
     *
     * @throws UncheckedIOException if something cannot be deleted
     */
    public static void deleteRecursively(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** As {@link #deleteRecursively}, ignoring what cannot be deleted. */
    public static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (UncheckedIOException e) {
            // left behind; a later clean-up may remove it
        }
    }
}

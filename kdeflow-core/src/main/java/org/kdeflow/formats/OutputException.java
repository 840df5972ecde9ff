package org.kdeflow.formats;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * An output cannot be written where it was asked for: the message names the target as the caller gave it (never a
 * temporary or staging path) and the reason, for example {@code /proc/m.safetensors: cannot write in /proc (no such
 * file or directory)} or {@code o: is a folder kdeflow did not write (it holds user.txt)}.
 */
public final class OutputException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path target;
    private final String reason;

    /**
     * @param target the output as the caller named it
     * @param reason what is wrong, as a phrase that follows the path ("is a folder; give a file name")
     */
    public OutputException(Path target, String reason, Throwable cause) {
        super(target + ": " + reason, cause);
        this.target = target;
        this.reason = reason;
    }

    public OutputException(Path target, String reason) {
        this(target, reason, null);
    }

    /** The output as the caller named it. */
    public Path target() {
        return target;
    }

    /** What is wrong, without the path. */
    public String reason() {
        return reason;
    }

    /**
     * The operating system's reason for an I/O failure as a short lower-case phrase ("read-only file system",
     * "permission denied", "no such file or directory", "no space left on device").
     */
    public static String reasonOf(IOException e) {
        if (e instanceof OutputException o) {
            return o.reason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        String r = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (r == null || r.isBlank()) {
            return e.getClass().getSimpleName();
        }
        r = r.strip();
        return r.substring(0, 1).toLowerCase(Locale.ROOT) + r.substring(1);
    }
}

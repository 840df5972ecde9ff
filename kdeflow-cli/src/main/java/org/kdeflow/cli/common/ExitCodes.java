package org.kdeflow.cli.common;

/** The exit codes of the {@code kdeflow} command. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Anything that is not the user's input: a bug, an unexpected I/O failure. */
    public static final int FAILURE = 1;
    /** Bad usage or bad input: an option, a file, a value, a combination, an output that cannot be written. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}

package org.kdeflow.cli.common;

import picocli.CommandLine.Option;

/** {@code --threads N}, shared by the commands that run in parallel (a picocli mixin). */
public final class ThreadsOption {
    /** The most threads a command starts. */
    public static final int MAX = 1024;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads, 1 … " + MAX + " (default: the number of processors).")
    Integer threads;

    /** Whether {@code --threads} was given. */
    public boolean given() {
        return threads != null;
    }

    /**
     * The number of threads: {@code --threads}, or the number of processors.
     *
     * @throws InputException if {@code --threads} is below 1 or above {@value #MAX}
     */
    public int threads() {
        if (threads == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        if (threads < 1 || threads > MAX) {
            throw new InputException("--threads must be between 1 and " + MAX + ", got " + threads);
        }
        return threads;
    }
}

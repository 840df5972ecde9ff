package org.kdeflow.cli.homework;

/**
 * One part of the homework. {@link #plan} queues its independent jobs, which run on the pool together with every
 * other stage's jobs (so the cores stay busy across stages), and returns the step that, once all jobs have run and in
 * stage order, reads their typed results and writes the figures that combine several results, the report's sections
 * and the metrics.
 */
interface Stage {
    /** A short name for the progress display and {@code timings}. */
    String name();

    /** Queues the stage's jobs on {@code jobs} (maybe none) and returns what to do with their results. */
    Finish plan(Run run, Run.Jobs jobs) throws Exception;

    /** What a stage does after the jobs have run. */
    @FunctionalInterface
    interface Finish {
        void run() throws Exception;
    }
}

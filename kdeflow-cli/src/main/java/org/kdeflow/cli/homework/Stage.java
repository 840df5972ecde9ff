package org.kdeflow.cli.homework;

import java.util.List;

/**
 * One part of the homework. Its {@link #jobs} run on the pool together with every other stage's jobs (so the cores
 * stay busy across stages); then, in stage order, {@link #finish} receives the results, writes the stage's figures
 * that combine several results, its report sections and its metrics.
 */
interface Stage {
    /** A short name for the progress display and {@code timings}. */
    String name();

    /** The stage's independent jobs (may be empty). */
    List<Run.Job<Object>> jobs(Run run) throws Exception;

    /** Receives the jobs' results in the order {@link #jobs} returned them. */
    void finish(Run run, List<Object> results) throws Exception;
}

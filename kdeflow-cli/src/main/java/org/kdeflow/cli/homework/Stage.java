package org.kdeflow.cli.homework;

/** One step of the homework: fills its report sections and metrics, writing its figures into the run's folder. */
interface Stage {
    /** A short name for the progress display and {@code timings.stages}. */
    String name();

    void run(Run run) throws Exception;
}

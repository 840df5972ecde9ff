package org.kdeflow.cli.homework;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.kdeflow.cli.report.ReportDocument;

/**
 * What the stages share: settings, the output folder (a temporary folder until the run succeeds), the metrics, the
 * report's sections, and a thread pool on which independent jobs run.
 */
final class Run {
    final HomeworkConfig config;
    final Path dir;
    final Metrics metrics;
    final ReportDocument doc;
    final HomeworkSections sections;
    final int threads;
    private final ExecutorService pool;
    private final Progress progress;
    private volatile boolean failed;

    Run(HomeworkConfig config, Path dir, Metrics metrics, ReportDocument doc, HomeworkSections sections,
            ExecutorService pool, int threads, Progress progress) {
        this.config = config;
        this.dir = dir;
        this.metrics = metrics;
        this.doc = doc;
        this.sections = sections;
        this.pool = pool;
        this.threads = threads;
        this.progress = progress;
    }

    /** Whether a job has failed: long jobs poll this to stop early, since the run's result is lost anyway. */
    boolean failed() {
        return failed;
    }

    /** Shows how far a running job is on the progress display. */
    void status(String job, String status) {
        progress.jobStatus(job, status);
    }

    /**
     * An independent piece of work with a name for the progress display and the timings, and a rough relative
     * cost: the pool starts the most expensive jobs first, so that no long job is left running alone at the end.
     * Its result lands in {@link #result} once it has run.
     */
    record Job<T>(String name, double cost, Callable<T> work, Result<T> result) {
    }

    /** A job's result, typed; readable once {@link #parallel} has run the job. */
    static final class Result<T> {
        private T value;
        private volatile boolean done;

        /** The job's result. */
        T get() {
            if (!done) {
                throw new IllegalStateException("the job has not run yet");
            }
            return value;
        }

        void set(T v) {
            value = v;
            done = true;
        }
    }

    /** A batch of jobs being collected; {@link #add} returns the handle the job's result will arrive in. */
    static final class Jobs {
        private final List<Job<?>> list = new ArrayList<>();

        /** Queues {@code work} with relative cost {@code cost}. */
        <T> Result<T> add(String name, double cost, Callable<T> work) {
            Result<T> r = new Result<>();
            list.add(new Job<>(name, cost, work, r));
            return r;
        }

        /** Queues {@code work} with cost 1. */
        <T> Result<T> add(String name, Callable<T> work) {
            return add(name, 1, work);
        }

        List<Job<?>> list() {
            return List.copyOf(list);
        }
    }

    /**
     * Runs the jobs on the pool, most expensive first, and puts each result in its job's handle. Each job's wall
     * time goes to {@code timings.jobs.<stage>.<name>}. The first failure cancels the jobs not yet finished and is
     * rethrown.
     */
    void parallel(String stage, List<Job<?>> jobs) throws Exception {
        progress.jobsQueued(jobs.size());
        CompletionService<Integer> cs = new ExecutorCompletionService<>(pool);
        List<Future<Integer>> futures = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(jobs.get(b).cost(), jobs.get(a).cost()));
        for (int index : order) {
            Job<?> job = jobs.get(index);
            futures.add(cs.submit(() -> {
                progress.jobStarted(job.name());
                long t0 = System.nanoTime();
                run(job);
                metrics.put((System.nanoTime() - t0) / 1e9, "timings", "jobs", stage, job.name());
                progress.jobFinished(job.name());
                return index;
            }));
        }
        try {
            for (int i = 0; i < jobs.size(); i++) {
                cs.take().get();
            }
        } catch (ExecutionException e) {
            failed = true;
            for (Future<Integer> f : futures) {
                f.cancel(true);
            }
            Throwable c = e.getCause();
            if (c instanceof Exception ex) {
                throw ex;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw e;
        } catch (InterruptedException e) {
            failed = true;
            for (Future<Integer> f : futures) {
                f.cancel(true);
            }
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private static <T> void run(Job<T> job) throws Exception {
        job.result().set(job.work().call());
    }
}

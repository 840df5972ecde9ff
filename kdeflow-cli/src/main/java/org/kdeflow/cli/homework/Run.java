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
     */
    record Job<T>(String name, double cost, Callable<T> work) {
    }

    static <T> Job<T> job(String name, Callable<T> work) {
        return new Job<>(name, 1, work);
    }

    static <T> Job<T> job(String name, double cost, Callable<T> work) {
        return new Job<>(name, cost, work);
    }

    /**
     * Runs the jobs on the pool and returns their results in the jobs' order. Each job's wall time goes to
     * {@code timings.jobs.<name>}. The first failure cancels the jobs not yet finished and is rethrown.
     */
    <T> List<T> parallel(String stage, List<Job<T>> jobs) throws Exception {
        progress.jobsQueued(jobs.size());
        CompletionService<Integer> cs = new ExecutorCompletionService<>(pool);
        List<Future<Integer>> futures = new ArrayList<>();
        List<T> results = new ArrayList<>(java.util.Collections.nCopies(jobs.size(), null));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            order.add(i);
        }
        order.sort((a, b) -> Double.compare(jobs.get(b).cost(), jobs.get(a).cost()));
        for (int index : order) {
            Job<T> job = jobs.get(index);
            futures.add(cs.submit(() -> {
                progress.jobStarted(job.name());
                long t0 = System.nanoTime();
                T r = job.work().call();
                metrics.put((System.nanoTime() - t0) / 1e9, "timings", "jobs", stage, job.name());
                results.set(index, r);
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
        return results;
    }
}

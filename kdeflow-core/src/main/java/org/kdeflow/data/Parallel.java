package org.kdeflow.data;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Runs independent tasks 0..tasks−1 on a ForkJoinPool (the KDE sums, the benchmarks' independent fits). */
public final class Parallel {
    private Parallel() {
    }

    /**
     * Runs {@code body} for every task index: threads = 1 sequentially in order, threads ≤ 0 on the common pool,
     * otherwise on a pool of that many workers (created for the call).
     */
    public static void forEach(int tasks, int threads, IntConsumer body) {
        if (threads == 1 || tasks <= 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        if (threads <= 0) {
            IntStream.range(0, tasks).parallel().forEach(body);
            return;
        }
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(body)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        } finally {
            pool.shutdown();
        }
    }

    /** The number of workers a call with {@code threads} uses. */
    public static int workers(int threads) {
        return threads <= 0 ? Math.max(1, ForkJoinPool.commonPool().getParallelism() + 1) : threads;
    }
}

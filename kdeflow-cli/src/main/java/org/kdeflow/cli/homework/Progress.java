package org.kdeflow.cli.homework;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import me.tongfei.progressbar.ProgressBar;
import org.kdeflow.cli.common.ProgressBars;

/**
 * What the user sees while the homework runs. {@link #QUIET} shows nothing (output redirected, tests);
 * {@link #terminal} draws one progress bar per stage: stage, jobs done / total, what runs now.
 */
public interface Progress {
    /** A stage begins. */
    void stageStarted(String stage);

    /** {@code jobs} more jobs were queued in the current stage. */
    void jobsQueued(int jobs);

    /** A job of the current stage started. */
    void jobStarted(String job);

    /** A job of the current stage finished. */
    void jobFinished(String job);

    /** A running job reports how far it is (for instance "340/1000" epochs). */
    default void jobStatus(String job, String status) {
    }

    /** The current stage finished after {@code seconds}. */
    void stageFinished(String stage, double seconds);

    /** Shows nothing. */
    Progress QUIET = new Progress() {
        @Override
        public void stageStarted(String stage) {
        }

        @Override
        public void jobsQueued(int jobs) {
        }

        @Override
        public void jobStarted(String job) {
        }

        @Override
        public void jobFinished(String job) {
        }

        @Override
        public void stageFinished(String stage, double seconds) {
        }
    };

    /**
     * One progress bar per stage on {@code out} (a terminal), drawn by the command line's one progress mechanism
     * ({@link ProgressBars}): the stage, jobs done of queued, and what runs now.
     */
    static Progress terminal(PrintStream out) {
        return new Progress() {
            private final Set<String> running = new TreeSet<>();
            private final Map<String, String> status = new HashMap<>();
            private ProgressBar bar;
            private long total;

            @Override
            public synchronized void stageStarted(String s) {
                if (bar != null) {
                    bar.close();
                }
                total = 0;
                running.clear();
                status.clear();
                bar = ProgressBars.open(String.format(Locale.ROOT, "%-16s", s), -1, " jobs", out);
            }

            @Override
            public synchronized void jobsQueued(int jobs) {
                total += jobs;
                bar.maxHint(total);
            }

            @Override
            public synchronized void jobStarted(String job) {
                running.add(job);
                show();
            }

            @Override
            public synchronized void jobStatus(String job, String st) {
                if (running.contains(job)) {
                    status.put(job, st);
                    show();
                }
            }

            @Override
            public synchronized void jobFinished(String job) {
                running.remove(job);
                status.remove(job);
                bar.step();
                show();
            }

            @Override
            public synchronized void stageFinished(String s, double seconds) {
                bar.setExtraMessage(String.format(Locale.ROOT, "done in %.2f s", seconds));
                bar.close();
                bar = null;
            }

            private void show() {
                bar.setExtraMessage(running.isEmpty() ? "" : "running: " + String.join(", ", running.stream()
                        .map(j -> status.containsKey(j) ? j + " " + status.get(j) : j).toList()));
            }
        };
    }
}

package org.kdeflow.cli.homework;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the user sees while the homework runs. {@link #QUIET} shows nothing (output redirected, tests);
 * {@link #terminal} prints one updating status line per stage: stage, jobs done / total, what runs now.
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

    /** A status line on {@code out} (a terminal), rewritten with carriage returns. */
    static Progress terminal(PrintStream out) {
        return new Progress() {
            private final Set<String> running = new TreeSet<>();
            private final java.util.Map<String, String> status = new java.util.HashMap<>();
            private String stage = "";
            private int total;
            private int done;
            private int width;

            @Override
            public synchronized void stageStarted(String s) {
                stage = s;
                total = 0;
                done = 0;
                running.clear();
                draw();
            }

            @Override
            public synchronized void jobsQueued(int jobs) {
                total += jobs;
                draw();
            }

            @Override
            public synchronized void jobStarted(String job) {
                running.add(job);
                draw();
            }

            @Override
            public synchronized void jobStatus(String job, String st) {
                if (running.contains(job)) {
                    status.put(job, st);
                    draw();
                }
            }

            @Override
            public synchronized void jobFinished(String job) {
                running.remove(job);
                status.remove(job);
                done++;
                draw();
            }

            @Override
            public synchronized void stageFinished(String s, double seconds) {
                String line = total == 0 ? String.format(Locale.ROOT, "%-16s         done in %6.2f s", s, seconds)
                        : String.format(Locale.ROOT, "%-16s %3d/%-3d done in %6.2f s", s, done, total, seconds);
                out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())) + "\n");
                out.flush();
                width = 0;
            }

            private void draw() {
                String line = total == 0 ? String.format(Locale.ROOT, "%-16s", stage)
                        : String.format(Locale.ROOT, "%-16s %3d/%-3d %s", stage, done, total,
                                running.isEmpty() ? "" : "running: " + String.join(", ", running.stream()
                                        .map(j -> status.containsKey(j) ? j + " " + status.get(j) : j).toList()));
                if (line.length() > 118) {
                    line = line.substring(0, 117) + "…";
                }
                out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                out.flush();
                width = line.length();
            }
        };
    }
}

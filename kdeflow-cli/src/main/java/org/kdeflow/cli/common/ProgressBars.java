package org.kdeflow.cli.common;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The one progress display of the command line: the progressbar library's bar, on a terminal only. */
public final class ProgressBars {
    private ProgressBars() {
    }

    /** Whether stderr is a terminal a person watches (no bar in logs, pipes and tests). */
    public static boolean interactive() {
        return System.console() != null;
    }

    /**
     * A bar for {@code task}: {@code max} steps of {@code unit} (e.g. " epoch"), redrawn at most every 200 ms.
     *
     * @param out where to draw, or null for the library's default (stderr)
     */
    public static ProgressBar open(String task, long max, String unit, PrintStream out) {
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(unit, 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200);
        if (out != null) {
            b.setConsumer(new ConsoleProgressBarConsumer(out));
        }
        return b.build();
    }
}

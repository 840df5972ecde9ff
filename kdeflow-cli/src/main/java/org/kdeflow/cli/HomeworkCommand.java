package org.kdeflow.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.ProgressBars;
import org.kdeflow.cli.common.ThreadsOption;
import org.kdeflow.cli.homework.Homework;
import org.kdeflow.cli.homework.HomeworkConfig;
import org.kdeflow.cli.homework.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kdeflow homework}: every task of the homework, an HTML and a PDF report, and metrics.json. */
@Command(name = "homework",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {"Run every task of the homework and write the report.",
            "Part I is kernel density estimation, Part II coupling flows. The report folder DIR gets index.html, "
                + "report.pdf, metrics.json, the figures and the trained models (models/*.safetensors).",
            "DIR is replaced only when the whole run has succeeded, and only if it is missing, empty or an earlier "
                + "kdeflow output; a folder holding anything else is refused before anything runs."})
public final class HomeworkCommand implements Callable<Integer> {
    private static final String COMMON_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "results",
            description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--quick", description = "The same pipeline with smaller samples and few epochs (for tests).")
    boolean quick;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Data seed as in the notebook (default: ${DEFAULT-VALUE}); test samples use S+1, "
                    + "model initialisation S+8.")
    long seed;

    @Option(names = "--beyond", description = "Add the section 'Beyond the homework': on each Task 9 set, kdeflow's "
            + "spline flow and the model fit selects (3 folds) beside the homework flow and the LCV KDE (about "
            + "twice the run's time).")
    boolean beyond;

    @Option(names = "--no-pdf", description = "Skip report.pdf (the HTML and metrics are still written).")
    boolean noPdf;

    @Option(names = "--progress", negatable = true,
            description = "Show what runs (default: only when stderr is a terminal).")
    Boolean showProgress;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        int n = threads.threads();
        if (threads.given() && System.getProperty(COMMON_PARALLELISM) == null) {
            // the KDE evaluates on the common fork-join pool; size it to match before its first use
            System.setProperty(COMMON_PARALLELISM, Integer.toString(Math.max(1, n - 1)));
        }
        HomeworkConfig config = (quick ? HomeworkConfig.quick(seed) : HomeworkConfig.full(seed)).withBeyond(beyond);
        boolean terminal = showProgress != null ? showProgress : ProgressBars.interactive();
        PrintStream err = System.err;
        Progress progress = terminal ? Progress.terminal(err) : Progress.QUIET;
        long t0 = System.nanoTime();
        new Homework(config, n, progress, !noPdf).run(out);
        if (terminal) {
            err.printf(java.util.Locale.ROOT, "kdeflow: report written to %s (%.1f s)%n",
                    out.toAbsolutePath().resolve("index.html"), (System.nanoTime() - t0) / 1e9);
        }
        spec.commandLine().getOut().println(out.resolve("index.html"));
        return 0;
    }
}

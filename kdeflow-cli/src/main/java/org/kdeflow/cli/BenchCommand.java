package org.kdeflow.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.kdeflow.cli.bench.FlowBenchCommand;
import org.kdeflow.cli.bench.KdeBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kdeflow bench}: performance figures. Each subcommand's logic lives in {@code org.kdeflow.cli.bench}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure performance (medians of repeated runs; the machine's load shows in min–max).",
        subcommands = {BenchCommand.Kde.class, FlowBenchCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code kdeflow bench kde}. */
    @Command(name = "kde", mixinStandardHelpOptions = true,
            description = "KDE: homework panel, exact evaluation with a full H, binned N=10^6 on 512x512, exp.")
    static final class Kde implements Callable<Integer> {
        @Option(names = "--reps", defaultValue = "9", description = "Timed runs per case (default ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--quick", description = "Smaller sizes, for a smoke test.")
        boolean quick;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (reps < 1) {
                throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
            }
            PrintWriter out = spec.commandLine().getOut();
            new KdeBench(out, reps, quick).run();
            return 0;
        }
    }
}

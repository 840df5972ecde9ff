package org.kdeflow.cli;

import org.kdeflow.cli.bench.FlowBenchCommand;
import org.kdeflow.cli.bench.KdeBenchCommand;
import org.kdeflow.cli.bench.QualityBenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kdeflow bench}: benchmarks, one subcommand each; their logic lives in {@code org.kdeflow.cli.bench}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks: medians of repeated runs (the machine's load shows in min-max; "
                + "'taskset -c 0' pins to one core).",
        subcommands = {KdeBenchCommand.class, FlowBenchCommand.class, QualityBenchCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

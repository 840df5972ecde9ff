package org.kdeflow.cli;

import org.kdeflow.cli.bench.FlowBenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kdeflow bench}: benchmarks, one subcommand each. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks (run them on a quiet machine; 'taskset -c 0' pins to one core).",
        subcommands = {FlowBenchCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}

package org.kdeflow.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.io.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kdeflow bench kde}. */
@Command(name = "kde", mixinStandardHelpOptions = true,
        description = "KDE: homework panel, exact evaluation with a full H (fixed and per-sample), binned N=10^6 on "
                + "512x512, exp; or with --selectors the held-out NLL of every bandwidth selector.")
public final class KdeBenchCommand implements Callable<Integer> {
    @Option(names = "--reps", defaultValue = "9", description = "Timed runs per case (default ${DEFAULT-VALUE}).")
    int reps;

    @Option(names = "--quick", description = "Smaller sizes, for a smoke test.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    Path json;

    @Option(names = "--selectors", description = "Instead of timings: held-out NLL of scott, silverman, lcv, ucv, "
            + "hpi, hscv and adaptive on the homework sets and kdeflow's own (a few minutes).")
    boolean selectors;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (reps < 1) {
            throw new IllegalArgumentException("--reps must be at least 1, got " + reps);
        }
        PrintWriter out = spec.commandLine().getOut();
        Outputs outputs = Outputs.of("kdeflow bench kde");
        Outputs.Output file = outputs.file("--json", json);
        try (Outputs.Staged staged = outputs.begin()) {
            KdeBench bench = new KdeBench(out, reps, quick, selectors);
            bench.run();
            if (file != null) {
                Files.write(staged.path(file), Json.pretty(bench.results()));
            }
            staged.commit();
        }
        return 0;
    }
}

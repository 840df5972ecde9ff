package org.kdeflow.cli.bench;

import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.io.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kdeflow bench quality}: see {@link QualityBench}. */
@Command(name = "quality", mixinStandardHelpOptions = true,
        description = {"Held-out NLL (nats per point, 20,000 fresh points) beside the entropy floor: the "
                + "likelihood-CV KDE, the default flow over training seeds, and kdeflow fit's choice, on the "
                + "homework's six sets and the project's own (banana, ring8, student3, warp5, mix8).",
            "Takes about a minute per set and seed budget; use --sets and --seeds for a part."},
        footer = {"", "Example:", "  ./kdeflow bench quality --seeds 10 --fit-budget 60 --json quality.json"})
public final class QualityBenchCommand implements Callable<Integer> {
    @Option(names = "--sets", split = ",", paramLabel = "NAMES",
            description = "Sets to run (default: all): moons, circles, gaussians-grid, gaussians-rot5, "
                    + "gaussians-rot3, gaussians-rot7, banana, ring8, student3, warp5, mix8.")
    List<String> sets;
    @Option(names = "--seeds", defaultValue = "10", description = "Training seeds of the default flow, 1 … S "
            + "(default ${DEFAULT-VALUE}; 0: no flows).")
    int seeds;
    @Option(names = "--fit-budget", defaultValue = "60", description = "Budget in seconds of kdeflow fit per set "
            + "(default ${DEFAULT-VALUE}; 0: no fit).")
    double fitBudget;
    @Option(names = "--threads", defaultValue = "2", description = "Threads of fit (default ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    java.nio.file.Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        List<String> names = sets == null ? QualityBench.allSets() : sets;
        for (String s : names) {
            if (!QualityBench.allSets().contains(s.toLowerCase(java.util.Locale.ROOT))) {
                throw new InputException("--sets: unknown set '" + s + "' (expected some of "
                        + String.join(", ", QualityBench.allSets()) + ")");
            }
        }
        if (seeds < 0 || seeds > 100 || fitBudget < 0 || threads < 1) {
            throw new InputException("--seeds must be in 0 … 100, --fit-budget >= 0 and --threads >= 1");
        }
        Outputs outputs = Outputs.of("kdeflow bench quality");
        Outputs.Output file = outputs.file("--json", json);
        try (Outputs.Staged staged = outputs.begin()) {
            var out = spec.commandLine().getOut();
            List<Map<String, Object>> rows = QualityBench.run(names, seeds, fitBudget, threads, line -> {
                out.println(line);
                out.flush();
            });
            if (file != null) {
                Map<String, Object> all = new LinkedHashMap<>();
                all.put("protocol", "train N = 1500, test 20000 fresh points; homework sets seeds 0/1, own sets "
                        + "101/102; floor by Monte Carlo (400000 draws)");
                all.put("rows", rows);
                Files.write(staged.path(file), Json.pretty(all));
            }
            staged.commit();
        }
        return 0;
    }
}

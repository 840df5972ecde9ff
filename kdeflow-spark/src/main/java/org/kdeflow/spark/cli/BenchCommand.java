package org.kdeflow.spark.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.kdeflow.spark.ModelSource;
import org.kdeflow.spark.ScoringBench;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kdeflow-spark bench}: scoring throughput per core, in-process against Spark local[1] and local[2]. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Scoring throughput in rows/s per core: the in-process library, Spark local[1] and "
                + "local[2], on the same rows, side by side; medians of --repeats runs after a warm-up.",
            "Built in: the homework flow, a KDE of 1500 samples and a model that costs nothing (Spark's own cost "
                + "per row); --model adds any 2-D model file (e.g. a spline flow)."},
        footer = {"", "Example:", "  kdeflow-spark bench --rows 10000000 --repeats 3"})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--rows", paramLabel = "N", defaultValue = "10000000", description = "Rows (default 10^7).")
    long rows;

    @Option(names = "--repeats", paramLabel = "R", defaultValue = "3", description = "Timed runs (default 3).")
    int repeats;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "8",
            description = "Partitions of the table (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--model", paramLabel = "MODEL.safetensors",
            description = "A further 2-D model file to measure (repeatable).")
    List<Path> models = new ArrayList<>();

    @Option(names = "--cases", paramLabel = "flow,kde,nothing", split = ",",
            description = "Which built-in cases to measure (default: all; none: only the --model files).")
    List<String> only;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<ScoringBench.Case> cases = new ArrayList<>();
        for (ScoringBench.Case c : ScoringBench.builtIn()) {
            if (only == null || only.contains(c.id())) {
                cases.add(c);
            }
        }
        for (Path m : models) {
            cases.add(new ScoringBench.Case(m.toString(), m.getFileName().toString(), ModelSource.file(m)));
        }
        if (cases.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: give --cases flow,kde,nothing or --model FILE");
        }
        ScoringBench.run(cases, rows, repeats, partitions, spec.commandLine().getOut());
        return 0;
    }
}

package org.kdeflow.spark.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.kdeflow.spark.ModelSource;
import org.kdeflow.spark.Scoring;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kdeflow-spark score}: a table with a log_prob column under any kdeflow model file. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score every row of a table under a kdeflow model file (KDE, flow, ensemble, mixture): write "
                + "the input columns followed by log_prob = log p(x) (natural log), as 'kdeflow score' does.",
            "The model file is broadcast once and parsed once per executor; rows are scored in batches."},
        footer = {"", "Example:",
            "  kdeflow-spark score --model moons.safetensors --input events.parquet --cols x,y --output scored.parquet"})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "MODEL.safetensors", required = true, description = "The model file.")
    Path model;

    @Option(names = "--input", paramLabel = "PATH", required = true,
            description = "Input table: Parquet, or CSV with a header row (by extension, or --format).")
    String input;

    @Option(names = "--cols", paramLabel = "x,y,…", split = ",", required = true,
            description = "The columns holding the model's coordinates, in its order.")
    List<String> cols;

    @Option(names = "--output", paramLabel = "PATH", required = true,
            description = "Output table (a folder, as Spark writes); must not exist.")
    String output;

    @Option(names = "--format", paramLabel = "csv|parquet", description = "Input format (default: by extension).")
    String format;

    @Option(names = "--output-format", paramLabel = "csv|parquet",
            description = "Output format (default: by extension).")
    String outputFormat;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "4096",
            description = "Rows per call of the model (default ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    SparkOptions sparkOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelSource source = ModelSource.file(model);
        try (SparkOptions.Session session = sparkOptions.session("kdeflow-spark score")) {
            SparkSession spark = session.spark();
            Dataset<Row> data = SparkOptions.read(spark, input, format, cols);
            String column = List.of(data.columns()).contains(Scoring.LOG_PROB) ? "log_prob_model" : Scoring.LOG_PROB;
            Dataset<Row> scored = Scoring.withLogProb(data, source, cols, column, batch);
            SparkOptions.write(scored, output, outputFormat);
            spec.commandLine().getOut().println("scored " + input + " with " + model + "; wrote " + output);
            return 0;
        }
    }
}

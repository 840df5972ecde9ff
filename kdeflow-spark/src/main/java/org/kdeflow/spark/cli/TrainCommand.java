package org.kdeflow.spark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.kdeflow.density.Density;
import org.kdeflow.models.ModelFile;
import org.kdeflow.spark.DriverTraining;
import org.kdeflow.spark.ModelSource;
import org.kdeflow.spark.Scoring;
import org.kdeflow.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kdeflow-spark train}: a coupling flow trained on a uniform sample on the driver, saved, optionally scored. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train the homework's coupling flow on a uniform sample of a table, on the driver, and save "
                + "it; with --score-output also score every row of the table with it.",
            "Training on a sample is a trade-off: regions holding a fraction ε of the mass are learned from about "
                + "ε·M of the M sampled rows."},
        footer = {"", "Example:",
            "  kdeflow-spark train --input events.parquet --cols x,y --sample 100000 --epochs 200 "
                + "--save flow.safetensors --score-output scored.parquet"})
public final class TrainCommand implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "PATH", required = true,
            description = "Input table: Parquet, or CSV with a header row.")
    String input;

    @Option(names = "--cols", paramLabel = "x,y,…", split = ",", required = true, description = "Coordinates.")
    List<String> cols;

    @Option(names = "--format", paramLabel = "csv|parquet", description = "Input format (default: by extension).")
    String format;

    @Option(names = "--sample", paramLabel = "M", defaultValue = "100000",
            description = "Rows of the uniform training sample (default ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--layers", paramLabel = "K", defaultValue = "4", description = "Coupling layers (default 4).")
    int layers;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "100", description = "Epochs (default 100).")
    int epochs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the sample, the weights and the split (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--save", paramLabel = "MODEL.safetensors", required = true, description = "Model file to write.")
    Path save;

    @Option(names = "--score-output", paramLabel = "PATH", description = "Also score the table into this path.")
    String scoreOutput;

    @Mixin
    SparkOptions sparkOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(save)) {
            throw new IllegalArgumentException("--save " + save + " is a folder; give a file name");
        }
        try (SparkOptions.Session session = sparkOptions.session("kdeflow-spark train")) {
            Dataset<Row> data = SparkOptions.read(session.spark(), input, format, cols);
            Trainer.Options options = Trainer.Options.defaults().withEpochs(epochs).withSeed(seed);
            Density model = DriverTraining.fitOnSample(data, cols, sample, seed,
                    DriverTraining.couplingFlow(layers, options));
            ModelFile.save(model, save);
            spec.commandLine().getOut().println("trained on a sample of at most " + sample + " rows; wrote " + save);
            if (scoreOutput != null) {
                SparkOptions.write(Scoring.withLogProb(data, ModelSource.file(save), cols), scoreOutput, null);
                spec.commandLine().getOut().println("scored " + input + "; wrote " + scoreOutput);
            }
            return 0;
        }
    }
}

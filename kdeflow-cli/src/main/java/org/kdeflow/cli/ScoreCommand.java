package org.kdeflow.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.cli.io.CsvWriter;
import org.kdeflow.cli.io.DataFileOptions;
import org.kdeflow.cli.io.ModelFiles;
import org.kdeflow.data.Dataset;
import org.kdeflow.flow.CouplingFlow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow score}: log p(x) of every point of a CSV file under a saved flow, written as the input columns
 * followed by {@code log_prob}.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score points under a saved flow: log p(x) of every row of a CSV file.",
            "Writes the input columns followed by log_prob = log p(x) (natural log), with a header row.",
            "The model is a .safetensors file from 'kdeflow train --save' or PyTorch's "
                + "safetensors.torch.save_file(model.state_dict(), path) of the homework's CouplingFlow."},
        footer = {"", "Examples:",
            "  kdeflow score --model moons.safetensors --data points.csv --out scored.csv",
            "  kdeflow score --model moons.safetensors --data labelled.csv --columns x,y --out scored.csv"})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "MODEL.safetensors", required = true, description = "The flow.")
    Path model;

    @Mixin
    DataFileOptions data = new DataFileOptions();

    @Option(names = "--out", paramLabel = "OUT.csv", required = true, description = "Output CSV file.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!data.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--data=FILE.csv'");
        }
        data.options();
        Outputs outputs = Outputs.of("kdeflow score");
        Outputs.Output csv = outputs.file("--out", out);
        int n;
        int underflow = 0;
        CouplingFlow flow;
        try (Outputs.Staged staged = outputs.begin()) {
            flow = ModelFiles.loadModel(model).flow();
            CsvData points = data.read();
            Dataset x = points.data();
            if (x.dim() != flow.dim()) {
                throw new InputException(data.path() + " has " + x.dim() + " columns but the model " + model
                        + " has dimension " + flow.dim());
            }
            n = x.size();
            double[] logp = new double[n];
            flow.logDensity(x.toArray(), n, logp);
            // Far from the data the layers' exp(±s) overflow and log p(x) comes out -inf or NaN (inf − inf); either
            // way p(x) is below the smallest double, so both are written as -inf, like scipy's logpdf far in a tail.
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(logp[i])) {
                    logp[i] = Double.NEGATIVE_INFINITY;
                    underflow++;
                }
            }
            List<String> columns = new ArrayList<>(points.hasHeader() ? points.columns()
                    : CsvWriter.defaultColumns(x.dim()));
            columns.add(columns.contains("log_prob") ? "log_prob_model" : "log_prob");
            CsvWriter.write(staged.path(csv), columns, x.toArray(), n, x.dim(), logp);
            staged.commit();
        }
        if (underflow > 0) {
            spec.commandLine().getErr().println("kdeflow: warning: " + underflow + " of " + n + " points lie so far "
                    + "from the model's mass that the flow overflows; their log_prob is written as -inf");
        }
        spec.commandLine().getOut().println("scored " + n + " points with " + model + " (" + flow.architecture()
                + "); wrote " + out);
        return 0;
    }
}

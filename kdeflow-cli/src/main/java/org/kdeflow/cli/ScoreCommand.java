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
import org.kdeflow.density.Density;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow score}: log p(x) of every point of a CSV file under any saved model (a flow, the homework's coupling
 * flow, a kernel density estimate, a mixture or ensemble), written as the input columns followed by
 * {@code log_prob}.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score points under a saved model: log p(x) of every row of a CSV file.",
            "Writes the input columns followed by log_prob = log p(x) (natural log), with a header row.",
            "The model is a .safetensors file of any kind kdeflow writes: a flow ('kdeflow train --save', or "
                + "PyTorch's safetensors.torch.save_file(model.state_dict(), path) of the homework's CouplingFlow), "
                + "a kernel density estimate ('kdeflow kde --save'), a mixture or an ensemble."},
        footer = {"", "Examples:",
            "  kdeflow score --model moons.safetensors --data points.csv --out scored.csv",
            "  kdeflow score --model kde.safetensors --data labelled.csv --columns x,y --out scored.csv"})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "MODEL.safetensors", required = true,
            description = "The model (any kind kdeflow saves).")
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
        int zero = 0;
        Density density;
        try (Outputs.Staged staged = outputs.begin()) {
            density = ModelFiles.load(model);
            CsvData points = data.read();
            Dataset x = points.data();
            if (x.dim() != density.dim()) {
                throw new InputException(data.path() + " has " + x.dim() + " columns but the model " + model
                        + " has dimension " + density.dim());
            }
            n = x.size();
            double[] logp = new double[n];
            density.logDensity(x.toArray(), n, logp);
            // p(x) = 0 in double precision: outside a KDE's support or bounds (log p = -inf exactly), or so far from
            // a flow's mass that its layers' exp(±s) overflow and log p comes out -inf or NaN (inf − inf). All are
            // written as -inf, like scipy's logpdf far in a tail.
            for (int i = 0; i < n; i++) {
                if (!(logp[i] > Double.NEGATIVE_INFINITY && logp[i] < Double.POSITIVE_INFINITY)) {
                    logp[i] = Double.NEGATIVE_INFINITY;
                    zero++;
                }
            }
            List<String> columns = new ArrayList<>(points.coordinateNames());
            columns.add(columns.contains("log_prob") ? "log_prob_model" : "log_prob");
            CsvWriter.write(staged.path(csv), columns, x.toArray(), n, x.dim(), logp);
            staged.commit();
        }
        if (zero > 0) {
            spec.commandLine().getErr().println("kdeflow: warning: " + zero + " of " + n + " points have p(x) = 0 "
                    + "in double precision (outside the model's support, or so far from its mass that a flow "
                    + "overflows); their log_prob is written as -inf");
        }
        spec.commandLine().getOut().println("scored " + n + " points with " + model + " ("
                + ModelFiles.describe(density) + "); wrote " + out);
        return 0;
    }
}

package org.kdeflow.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.data.Dataset;
import org.kdeflow.flow.CouplingFlow;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.kdeflow.formats.AtomicFiles;
import org.kdeflow.models.FlowModelFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow score}: log p(x) of every point of a CSV file under a saved flow, written as the input columns
 * followed by {@code log_prob}.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score points under a saved flow: write the input columns followed by log_prob = log p(x) "
                + "(natural log), with a header row.",
            "The model is a .safetensors file from 'kdeflow train --save' or PyTorch's "
                + "safetensors.torch.save_file(model.state_dict(), path) of the homework's CouplingFlow."},
        footer = {"", "Example:",
            "  kdeflow score --model moons.safetensors --data points.csv --out scored.csv"})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "MODEL.safetensors", required = true, description = "The flow.")
    Path model;

    @Option(names = "--data", paramLabel = "FILE.csv", required = true,
            description = "Points, one per row, one column per coordinate (optional header).")
    Path data;

    @Option(names = "--out", paramLabel = "OUT.csv", required = true, description = "Output CSV file.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        ModelFiles.checkOutputFile(out, "--out");
        FlowModelFile.Loaded loaded = ModelFiles.loadModel(model);
        CouplingFlow flow = loaded.flow();
        CsvData csv = CsvData.read(data);
        Dataset x = csv.data();
        if (x.dim() != flow.dim()) {
            throw new InputException(data + " has " + x.dim() + " columns but the model " + model
                    + " has dimension " + flow.dim());
        }
        int n = x.size();
        int d = x.dim();
        double[] logp = new double[n];
        flow.logDensity(x.toArray(), n, logp);
        // Far from the data the layers' exp(±s) overflow and log p(x) comes out -inf or NaN (inf − inf); either way
        // p(x) is below the smallest double, so both are written as -inf, like scipy's logpdf far in a tail.
        int underflow = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(logp[i])) {
                logp[i] = Double.NEGATIVE_INFINITY;
                underflow++;
            }
        }
        List<String> columns = new ArrayList<>(csv.hasHeader() ? csv.columns() : ModelFiles.columns(d));
        columns.add(columns.contains("log_prob") ? "log_prob_model" : "log_prob");
        writeScores(out, x.toArray(), n, d, logp, columns);
        if (underflow > 0) {
            spec.commandLine().getErr().println("kdeflow: warning: " + underflow + " of " + n + " points lie so far "
                    + "from the model's mass that the flow overflows; their log_prob is written as -inf");
        }
        spec.commandLine().getOut().println("scored " + n + " points with " + model + " (" + flow.architecture()
                + "); wrote " + out);
        return 0;
    }

    /**
     * Writes the points and their log-probabilities as CSV, atomically; numbers as {@link Double#toString}, the
     * shortest decimal that reads back exactly; a log-probability that underflowed as {@code -inf} (numpy's
     * spelling).
     */
    static void writeScores(Path file, double[] x, int n, int d, double[] logp, List<String> columns)
            throws IOException {
        AtomicFiles.write(file, o -> {
            Writer w = new BufferedWriter(new OutputStreamWriter(o, StandardCharsets.UTF_8));
            CSVPrinter header = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator("\n").build());
            header.printRecord(columns);
            header.flush();
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                line.setLength(0);
                for (int j = 0; j < d; j++) {
                    line.append(x[i * d + j]).append(',');
                }
                double v = logp[i];
                line.append(Double.isNaN(v) ? "nan" : v == Double.NEGATIVE_INFINITY ? "-inf"
                        : v == Double.POSITIVE_INFINITY ? "inf" : Double.toString(v)).append('\n');
                w.write(line.toString());
            }
            w.flush();
        });
    }
}

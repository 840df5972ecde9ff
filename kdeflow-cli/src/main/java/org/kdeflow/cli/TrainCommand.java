package org.kdeflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.plot.Series;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.formats.AtomicFiles;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingListener;
import org.kdeflow.train.TrainingResult;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow train}: fits a {@link CouplingFlow} to a toy data set or a CSV file with the homework's training loop
 * and writes the density image, the layer-by-layer samples, the loss curves and {@code metrics.json}.
 *
 * <p>The command only parses and writes; {@link #prepare()}, {@link #train(Prepared, TrainingListener)} and
 * {@link #writeOutputs} are the steps, so that further options (saving the model, checkpoints) slot in between.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a coupling flow (the homework's CouplingFlow) by maximum likelihood and write figures "
                + "and metrics.",
            "Defaults follow the homework's train(): 90/10 random split, batches of 64 in fixed order, Adam "
                + "lr 1e-3, final weights when the validation set has fewer than 500 points (else the best)."},
        footer = {"", "Outputs in --out: density.png/.svg (p(x) on a 100x100 grid), layers.png/.svg "
                + "(sampleEachStep(1000)), loss.png, metrics.json.", "", "Examples:",
            "  kdeflow train --dist moons --n 1500 --epochs 1000 --out results/moons",
            "  kdeflow train --dist gaussians-rot --num-gaussians 5 --layers 2 --epochs 250 --out results/rot-k2",
            "  kdeflow train --data points.csv --epochs 300 --out results/mine"})
public final class TrainCommand implements Callable<Integer> {

    /** Where the points come from: a named distribution or a CSV file. */
    static final class Source {
        @Option(names = "--dist", paramLabel = "NAME", required = true,
                description = "Draw the data: circles, moons, gaussians-grid, gaussians-rot, mixture, spiral.")
        String dist;

        @Option(names = "--data", paramLabel = "FILE.csv", required = true,
                description = "Read the data from a CSV file (numeric columns, optional header).")
        Path data;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--n", paramLabel = "N", defaultValue = "1500",
            description = "Points to draw with --dist (default ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--num-gaussians", paramLabel = "G", defaultValue = "5",
            description = "Gaussians of gaussians-rot (default ${DEFAULT-VALUE}).")
    int numGaussians;

    @Option(names = "--layers", paramLabel = "K", defaultValue = "4",
            description = "Coupling layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--hidden", paramLabel = "W,W", split = ",", defaultValue = "32,32",
            description = "Hidden widths of the s- and t-networks (default ${DEFAULT-VALUE}).")
    int[] hidden;

    @Option(names = "--epochs", paramLabel = "E", defaultValue = "500",
            description = "Epochs (default ${DEFAULT-VALUE}; the homework uses 1000 for moons).")
    int epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64",
            description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR", defaultValue = "1e-3",
            description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seeds the drawn data, like the homework's call to np.random.seed "
                    + "(default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-seed", paramLabel = "T", defaultValue = "8",
            description = "Seeds the initial weights, the split and the reshuffling (default ${DEFAULT-VALUE}, echoing "
                    + "the homework's torch.manual_seed(8); the generator differs, so the numbers do too).")
    long trainSeed;

    @Option(names = "--reshuffle", description = "Draw a new batch order every epoch (the homework keeps one order).")
    boolean reshuffle;

    @Option(names = "--select", paramLabel = "WHICH", defaultValue = "notebook",
            description = "Weights to keep: notebook (final if < 500 validation points, else best), best, final "
                    + "(default ${DEFAULT-VALUE}).")
    Trainer.Selection select;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "f64", converter = PrecisionConverter.class,
            description = "Arithmetic of the training steps: f64 (default) or f32 (float32 like PyTorch, faster; the "
                    + "trained model is still evaluated and saved in double; not with --checkpoint/--resume).")
    org.kdeflow.nn.Precision precision;

    @Option(names = "--test-n", paramLabel = "N", defaultValue = "20000",
            description = "Fresh points for the held-out NLL with --dist (default ${DEFAULT-VALUE}; 0 to skip).")
    int testN;

    @Option(names = "--test-seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the held-out points (default ${DEFAULT-VALUE}).")
    long testSeed;

    @Option(names = "--grid", paramLabel = "G", defaultValue = "100",
            description = "Density image resolution G x G (default ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--quiet", description = "No progress bar and no summary.")
    boolean quiet;

    @CommandLine.Mixin
    TrainModelOptions modelFiles = new TrainModelOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Extra listeners run with the training (e.g. checkpoints); called after the progress bar. */
    final List<TrainingListener> listeners = new ArrayList<>();

    /** The data, the untrained flow and the trainer of this invocation. */
    public record Prepared(String name, String title, Dataset data, CouplingFlow flow, Trainer trainer,
            Dataset test) {
    }

    @Override
    public Integer call() throws IOException {
        validate();
        modelFiles.validate();
        Prepared prep = prepare();
        TrainingResult result;
        try (Progress progress = Progress.open(!quiet && System.console() != null, epochs)) {
            result = train(prep, progress);
        }
        writeOutputs(out, prep, result);
        modelFiles.saveModel(prep.flow(), result, Map.of("name", prep.name(), "title", prep.title(), "seed", seed));
        var o = spec.commandLine().getOut();
        if (!result.completed() && !result.stopReason().contains("by request")) {
            var err = spec.commandLine().getErr();
            err.println("kdeflow: error: " + result.stopReason() + "; wrote the results for those weights to " + out);
            err.flush();
            return Main.EXIT_FAILURE;
        }
        if (!quiet) {
            o.printf(Locale.ROOT, "trained %s: %d epochs in %.2f s; validation loss %.4f (best %.4f at epoch %d); "
                    + "kept the %s weights%n", prep.title(), result.epochsRun(), result.wallSeconds(),
                    result.finalValidLoss(), result.bestValidLoss(), result.bestEpoch(),
                    result.returned().name().toLowerCase(Locale.ROOT));
            if (prep.test() != null) {
                o.printf(Locale.ROOT, "held-out NLL: %.4f nats on %d fresh points (seed %d)%n",
                        -prep.flow().meanLogDensity(prep.test()), testN, testSeed);
            }
            o.println("wrote " + out);
        }
        return 0;
    }

    private void validate() {
        if (source.dist != null && n < 2) {
            throw usage("--n must be at least 2, got " + n);
        }
        if (numGaussians < 1) {
            throw usage("--num-gaussians must be at least 1, got " + numGaussians);
        }
        if (layers < 1) {
            throw usage("--layers must be at least 1, got " + layers);
        }
        for (int h : hidden) {
            if (h < 1) {
                throw usage("--hidden widths must be at least 1, got " + Arrays.toString(hidden));
            }
        }
        if (epochs < 1) {
            throw usage("--epochs must be at least 1, got " + epochs);
        }
        if (precision == org.kdeflow.nn.Precision.F32 && (modelFiles.checkpoint != null || modelFiles.resume != null)) {
            throw usage("--precision f32 cannot be combined with --checkpoint or --resume (float32 runs are not "
                    + "checkpointed); use --precision f64");
        }
        if (batch < 1) {
            throw usage("--batch must be at least 1, got " + batch);
        }
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw usage("--lr must be a positive number, got " + lr);
        }
        if (seed < 0 || seed > 0xffffffffL) {
            throw usage("--seed must be between 0 and 2^32-1, got " + seed);
        }
        if (trainSeed < 0 || trainSeed >= 0xffffffffL) {
            throw usage("--train-seed must be between 0 and 2^32-2, got " + trainSeed);
        }
        if (testSeed < 0 || testSeed > 0xffffffffL) {
            throw usage("--test-seed must be between 0 and 2^32-1, got " + testSeed);
        }
        if (testN < 0) {
            throw usage("--test-n must be >= 0, got " + testN);
        }
        if (grid < 2) {
            throw usage("--grid must be at least 2, got " + grid);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw usage("--out " + out + " is a file; give a folder");
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Loads or draws the data and builds the untrained flow and the trainer. */
    public Prepared prepare() {
        Dataset data;
        String name;
        String title;
        Dataset test = null;
        if (source.dist != null) {
            SampleCommand.Drawn d = SampleCommand.drawDistribution(source.dist, n, seed, numGaussians, null);
            data = d.points();
            name = d.name();
            title = d.title();
            if (testN > 0) {
                test = SampleCommand.drawDistribution(source.dist, testN, testSeed, numGaussians, null).points();
            }
        } else {
            data = CsvData.read(source.data).data();
            name = source.data.getFileName().toString();
            title = name + ", n = " + data.size();
            if (data.dim() < 2) {
                throw new InputException(source.data + ": a coupling flow needs at least 2 columns, the file has "
                        + data.dim());
            }
            if (data.size() < 2) {
                throw new InputException(source.data + ": need at least 2 points to split into training and "
                        + "validation, the file has " + data.size());
            }
        }
        CouplingFlow flow = CouplingFlow.create(new CouplingFlow.Architecture(data.dim(), layers, hidden), trainSeed);
        Trainer trainer = new Trainer(Trainer.Options.defaults().withEpochs(epochs).withBatchSize(batch)
                .withLearningRate(lr).withSeed(trainSeed).withReshuffle(reshuffle).withSelection(select)
                .withPrecision(precision));
        return new Prepared(name, title, data, flow, trainer, test);
    }

    /** Trains the prepared flow in place, reporting to {@code listener} and then to {@link #listeners}. */
    public TrainingResult train(Prepared prep, TrainingListener listener) {
        List<TrainingListener> all = new ArrayList<>();
        all.add(listener);
        all.addAll(listeners);
        Trainer.Session session = modelFiles.session(prep.flow(), prep.data(), prep.trainer());
        if (modelFiles.kernelWarning() != null) {
            spec.commandLine().getErr().println("kdeflow: warning: " + modelFiles.kernelWarning());
        }
        TrainingListener checkpoints = modelFiles.checkpointer(prep.flow(), prep.trainer().options(), session,
                Map.of("run.title", prep.title()));
        if (checkpoints != null) {
            all.add(checkpoints);
        }
        return session.run(new TrainingListener() {
            @Override
            public void onStart(Plan plan) {
                all.forEach(l -> l.onStart(plan));
            }

            @Override
            public boolean onEpoch(Epoch e) {
                boolean go = true;
                for (TrainingListener l : all) {
                    go &= l.onEpoch(e);
                }
                return go;
            }

            @Override
            public void onFinish(TrainingResult r) {
                all.forEach(l -> l.onFinish(r));
            }
        });
    }

    /** A tqdm-like bar on the terminal (epochs, train and validation loss); nothing otherwise. */
    static final class Progress implements TrainingListener, AutoCloseable {
        private final ProgressBar bar;

        private Progress(ProgressBar bar) {
            this.bar = bar;
        }

        static Progress open(boolean show, int epochs) {
            if (!show) {
                return new Progress(null);
            }
            return new Progress(new ProgressBarBuilder().setTaskName("train").setInitialMax(epochs)
                    .setUnit(" epoch", 1).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build());
        }

        @Override
        public boolean onEpoch(Epoch e) {
            if (bar != null) {
                bar.stepTo(e.epoch());
                bar.setExtraMessage(String.format(Locale.ROOT, "train %.3f valid %.3f", e.trainLoss(),
                        e.validLoss()));
            }
            return true;
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    /**
     * Writes the figures and metrics of a trained flow into {@code dir} (created if needed; each file atomically,
     * other files left alone). Figures need d = 2; the loss curves need at least one finished epoch.
     */
    public void writeOutputs(Path dir, Prepared prep, TrainingResult r) throws IOException {
        CouplingFlow flow = prep.flow();
        Map<String, Figure> figures = new LinkedHashMap<>();
        if (flow.dim() == 2) {
            double[] range = robustRange(List.of(prep.data().toArray()), 0.5);
            figures.putAll(flowFigures(flow, prep.title(), prep.title() + ", " + r.epochsRun() + " epochs", range,
                    grid, trainSeed));
        }
        double[] ep = new double[r.epochsRun()];
        for (int e = 0; e < ep.length; e++) {
            ep[e] = e + 1;
        }
        Figure loss = ep.length == 0 ? null : Plots.lines("Training, " + prep.title(), "epoch", "mean NLL (nats)",
                false, false,
                List.of(new Series("train", ep, r.trainLosses()), new Series("validation", ep, r.validLosses())),
                r.bestEpoch() > 0 ? new double[] {r.bestEpoch()} : null);
        byte[] metrics = metricsJson(prep, r);
        Files.createDirectories(dir);
        for (Map.Entry<String, Figure> e : figures.entrySet()) {
            e.getValue().save(dir.resolve(e.getKey() + ".png"));
            e.getValue().save(dir.resolve(e.getKey() + ".svg"));
        }
        if (loss != null) {
            loss.save(dir.resolve("loss.png"));
        }
        AtomicFiles.write(dir.resolve("metrics.json"), metrics);
    }

    /**
     * The figures of a 2-D flow, as {@code train --out} and {@code density --out} write them: "density", p(x) =
     * exp(log p(x)) on a grid × grid grid over {@code range} (x0, x1, y0, y1), and "layers", the panels of
     * {@code sampleEachStep(1000)} drawn from {@code NumpyRandomState(seed)} with shared axes.
     */
    static Map<String, Figure> flowFigures(CouplingFlow flow, String title, String densityPanel, double[] range,
            int grid, long seed) {
        Map<String, Figure> figures = new LinkedHashMap<>();
        Grid g = new Grid(range[0], range[1], range[2], range[3], grid, grid);
        double[] p = flow.density(g.points(), g.size());
        figures.put("density", Plots.densityPanels("Coupling flow, K = " + flow.numLayers()
                + ": p(x) = exp(log p(x))", List.of(densityPanel), g, List.of(p), 1, true, "p(x)"));
        List<Dataset> steps = flow.sampleEachStep(1000, new NumpyRandomState(seed));
        List<double[]> xys = new ArrayList<>();
        List<String> titles = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            xys.add(steps.get(k).toArray());
            titles.add(k == 0 ? "z ~ N(0, I)" : k == steps.size() - 1 ? "x (after layer " + k + ")"
                    : "after layer " + k);
        }
        figures.put("layers", Plots.scatterPanels("Samples after each coupling layer (1000 points), " + title,
                titles, xys, robustRange(xys, 0.5), Math.min(steps.size(), 5)));
        return figures;
    }

    private byte[] metricsJson(Prepared prep, TrainingResult r) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> src = new LinkedHashMap<>();
        if (source.dist != null) {
            src.put("dist", prep.name());
            src.put("n", n);
            src.put("num_gaussians", numGaussians);
            src.put("seed", seed);
        } else {
            src.put("data", source.data.toString());
            src.put("n", prep.data().size());
        }
        m.put("source", src);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "CouplingFlow");
        model.put("dim", prep.flow().dim());
        model.put("layers", layers);
        model.put("hidden", hidden);
        model.put("parameters", prep.flow().parameters().size());
        model.put("init_seed", trainSeed);
        m.put("model", model);
        Trainer.Options o = prep.trainer().options();
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("epochs", o.epochs());
        opt.put("batch_size", o.batchSize());
        opt.put("lr", o.learningRate());
        opt.put("split_seed", o.seed());
        opt.put("train_fraction", o.trainFraction());
        opt.put("reshuffle", o.reshuffle());
        opt.put("select", o.selection().name().toLowerCase(Locale.ROOT));
        opt.put("precision", o.precision().name().toLowerCase(Locale.ROOT));
        m.put("training", opt);
        m.put("train_size", r.trainSize());
        m.put("valid_size", r.validSize());
        m.put("epochs_run", r.epochsRun());
        m.put("best_epoch", r.bestEpoch());
        m.put("best_valid_loss", finite(r.bestValidLoss()));
        m.put("final_valid_loss", finite(r.finalValidLoss()));
        m.put("final_train_loss", r.epochsRun() > 0 ? finite(r.trainLosses()[r.epochsRun() - 1]) : null);
        m.put("returned_weights", r.returned().name().toLowerCase(Locale.ROOT));
        m.put("wall_seconds", r.wallSeconds());
        m.put("stop_reason", r.stopReason());
        if (prep.test() != null) {
            Map<String, Object> held = new LinkedHashMap<>();
            held.put("n", prep.test().size());
            held.put("seed", testSeed);
            held.put("nll", -prep.flow().meanLogDensity(prep.test()));
            m.put("held_out", held);
        }
        m.put("kernel", o.precision() == org.kdeflow.nn.Precision.F32
                ? "float32 " + org.kdeflow.kernels.Kernels.get().denseF32().name() : org.kdeflow.kernels.Kernels.get().dense().name());
        m.put("train_losses", r.trainLosses());
        m.put("valid_losses", r.validLosses());
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(m);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /**
     * A plotting range around point sets that ignores outliers: per axis the {@code tailPercent} and
     * 100 − {@code tailPercent} percentiles of all points, widened by 15% of that width on each side.
     */
    static double[] robustRange(List<double[]> xys, double tailPercent) {
        int total = 0;
        for (double[] a : xys) {
            total += a.length / 2;
        }
        double[] xs = new double[total];
        double[] ys = new double[total];
        int k = 0;
        for (double[] a : xys) {
            for (int i = 0; i + 1 < a.length; i += 2) {
                xs[k] = a[i];
                ys[k] = a[i + 1];
                k++;
            }
        }
        double[] r = new double[4];
        double[][] axes = {xs, ys};
        for (int j = 0; j < 2; j++) {
            double[] v = axes[j];
            Arrays.sort(v);
            double lo = quantile(v, tailPercent / 100);
            double hi = quantile(v, 1 - tailPercent / 100);
            double w = Math.max(hi - lo, 1e-9);
            r[2 * j] = lo - 0.15 * w;
            r[2 * j + 1] = hi + 0.15 * w;
        }
        return r;
    }

    /** numpy's default (linear) quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}

package org.kdeflow.cli;

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
import org.kdeflow.cli.common.Distribution;
import org.kdeflow.cli.common.DistributionOptions;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Limits;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.common.PrecisionConverter;
import org.kdeflow.cli.common.ProgressBars;
import org.kdeflow.cli.io.DataFileOptions;
import org.kdeflow.cli.io.Json;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.FlowFigures;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.plot.Series;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingListener;
import org.kdeflow.train.TrainingResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow train}: fits a {@link CouplingFlow} to a toy data set or a CSV file with the homework's training loop
 * and writes the density image, the layer-by-layer samples, the loss curves and {@code metrics.json}.
 *
 * <p>The command only parses and writes; {@link #prepare()}, {@link #train} and {@link #writeOutputs} are the steps,
 * so that further options slot in between. Every output is declared and checked before the work
 * ({@link Outputs}) and committed together at the end; a training that diverges writes nothing and exits 2.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a coupling flow (the homework's CouplingFlow) by maximum likelihood.",
            "Writes figures and metrics (--out), the model (--save) and checkpoints (--checkpoint): at least one of "
                + "them. Every output is checked before training and written at the end, all or none.",
            "Defaults follow the homework's train(): 90/10 random split, batches of 64 in fixed order, Adam "
                + "lr 1e-3, final weights when the validation set has fewer than 500 points (else the best)."},
        footer = {"", "Outputs in --out: density.png/.svg (p(x) on a 100x100 grid), layers.png/.svg "
                + "(sampleEachStep(1000)), loss.png, metrics.json.", "", "Examples:",
            "  kdeflow train --dist moons --n 1500 --epochs 1000 --out results/moons",
            "  kdeflow train --dist gaussians-rot --num-gaussians 5 --layers 2 --epochs 250 --out results/rot-k2",
            "  kdeflow train --data points.csv --columns x,y --epochs 300 --save mine.safetensors"})
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    DistributionOptions source = new DistributionOptions();

    @Option(names = "--n", paramLabel = "N", defaultValue = "1500",
            description = "Points to draw with --dist (default ${DEFAULT-VALUE}, the homework's Part II size).")
    int n;

    @Mixin
    DataFileOptions data = new DataFileOptions();

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
            description = "The arithmetic of the training steps: f64 (default) or f32 (float32 like PyTorch, faster; "
                    + "the trained model is still evaluated and saved in double; not with --checkpoint/--resume). "
                    + "The saved file's dtype is --save-dtype.")
    org.kdeflow.nn.Precision precision;

    @Option(names = "--test-n", paramLabel = "N", defaultValue = "20000",
            description = "Fresh points for the held-out NLL with --dist (default ${DEFAULT-VALUE}; 0 to skip).")
    int testN;

    @Option(names = "--test-seed", paramLabel = "S", defaultValue = "1",
            description = "Seed of the held-out points (default ${DEFAULT-VALUE}).")
    long testSeed;

    @Option(names = "--grid", paramLabel = "G", defaultValue = "100",
            description = "Density image resolution G x G, 2 … 4096 (default ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder for the figures and metrics.json.")
    Path out;

    @Option(names = "--quiet", description = "No progress bar and no summary.")
    boolean quiet;

    @Mixin
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
        Outputs outputs = Outputs.of("kdeflow train");
        Outputs.Output dir = outputs.folder("--out", out);
        Outputs.Output model = outputs.file("--save", modelFiles.save);
        Outputs.Output checkpoint = outputs.file("--checkpoint", modelFiles.checkpoint);
        Prepared prep;
        TrainingResult result;
        try (Outputs.Staged staged = outputs.begin()) {
            modelFiles.loadResume();
            prep = prepare();
            try (Progress progress = Progress.open(!quiet && ProgressBars.interactive(), epochs)) {
                result = train(prep, progress, staged.path(checkpoint));
            }
            if (!result.completed()) {
                throw diverged(result);
            }
            if (dir != null) {
                writeOutputs(staged.path(dir), prep, result);
            }
            if (model != null) {
                Map<String, Object> src = new LinkedHashMap<>();
                src.put("name", prep.name());
                src.put("title", prep.title());
                src.put("seed", source.seed());
                modelFiles.saveModel(staged.path(model), prep.flow(), result, src);
            }
            if (checkpoint != null && !Files.exists(staged.path(checkpoint))) {
                staged.keep(checkpoint); // a resumed run with no epoch left: the checkpoint stays as it is
            }
            staged.commit();
        }
        if (!quiet) {
            var o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "trained %s: %d epochs in %.2f s; validation loss %.4f (best %.4f at epoch %d); "
                    + "kept the %s weights%n", prep.title(), result.epochsRun(), result.wallSeconds(),
                    result.finalValidLoss(), result.bestValidLoss(), result.bestEpoch(),
                    result.returned().name().toLowerCase(Locale.ROOT));
            if (prep.test() != null) {
                o.printf(Locale.ROOT, "held-out NLL: %.4f nats on %d fresh points (seed %d)%n",
                        -prep.flow().meanLogDensity(prep.test()), testN, testSeed);
            }
            o.println("wrote " + String.join(" and ", written()));
        }
        return 0;
    }

    private List<String> written() {
        List<String> w = new ArrayList<>();
        for (Path p : new Path[] {out, modelFiles.save, modelFiles.checkpoint}) {
            if (p != null) {
                w.add(p.toString());
            }
        }
        return w;
    }

    /** A non-finite loss or gradient: bad input (too large a learning rate, extreme data), exit 2, nothing written. */
    private InputException diverged(TrainingResult r) {
        String why = r.stopReason() == null ? "training stopped early" : r.stopReason();
        int keep = why.indexOf("; keeping the weights");
        return new InputException("training diverged: " + (keep < 0 ? why : why.substring(0, keep))
                + "; nothing was written", "Try a smaller --lr than " + lr + ", or look for extreme values in the "
                + "data.", null);
    }

    private void validate() {
        if (source.given() == data.given()) {
            throw usage(source.given() ? "give either --dist NAME or --data FILE.csv, not both"
                    : "missing the data: --dist NAME (one of " + String.join(", ", Distribution.names())
                    + ") or --data FILE.csv");
        }
        if (out == null && modelFiles.save == null && modelFiles.checkpoint == null) {
            throw usage("nothing to write: give --out DIR (figures and metrics), --save MODEL.safetensors or "
                    + "--checkpoint FILE");
        }
        source.check(DistributionOptions.MAX_SEED);
        data.options();
        if (source.given() && n < 2) {
            throw usage("--n must be at least 2, got " + n);
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
        Limits.checkDoubles("--epochs " + epochs, epochs, 2, 4, "epochs");
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
        if (trainSeed < 0 || trainSeed >= 0xffffffffL) {
            throw usage("--train-seed must be between 0 and 2^32-2, got " + trainSeed);
        }
        if (testSeed < 0 || testSeed > 0xffffffffL) {
            throw usage("--test-seed must be between 0 and 2^32-1, got " + testSeed);
        }
        if (testN < 0) {
            throw usage("--test-n must be >= 0, got " + testN);
        }
        Limits.checkGrid("--grid", grid);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Loads or draws the data and builds the untrained flow and the trainer. */
    public Prepared prepare() {
        Dataset points;
        String name;
        String title;
        Dataset test = null;
        if (source.given()) {
            Distribution.Drawn d = source.draw(n, "--n");
            points = d.points();
            name = d.name();
            title = d.title();
            if (testN > 0) {
                test = source.draw(testN, testSeed, "--test-n").points();
            }
        } else {
            points = data.read().data();
            name = data.path().getFileName().toString();
            title = name + ", n = " + points.size();
            if (points.dim() < 2) {
                throw new InputException(data.path() + ": a coupling flow needs at least 2 columns, the file has "
                        + points.dim());
            }
            if (points.size() < 2) {
                throw new InputException(data.path() + ": need at least 2 points to split into training and "
                        + "validation, the file has " + points.size());
            }
        }
        checkParameters(points.dim());
        CouplingFlow flow = CouplingFlow.create(new CouplingFlow.Architecture(points.dim(), layers, hidden), trainSeed);
        Trainer trainer = new Trainer(Trainer.Options.defaults().withEpochs(epochs).withBatchSize(batch)
                .withLearningRate(lr).withSeed(trainSeed).withReshuffle(reshuffle).withSelection(select)
                .withPrecision(precision));
        return new Prepared(name, title, points, flow, trainer, test);
    }

    /** The flow's weights (each held about ten times: gradients, Adam's moments, snapshots) must fit in the heap. */
    private void checkParameters(int d) {
        long perNetwork = 0;
        long in = d;
        for (int h : hidden) {
            perNetwork += in * h + h;
            in = h;
        }
        perNetwork += in * d + d;
        long parameters = layers * (2 * perNetwork + d);
        Limits.checkDoubles("--layers " + layers + " --hidden " + String.join(",",
                Arrays.stream(hidden).mapToObj(Integer::toString).toList()), parameters, 1, 10, "weights");
    }

    /**
     * Trains the prepared flow in place, reporting to {@code listener} and then to {@link #listeners}; with
     * {@code --checkpoint} the checkpoint after the last epoch goes to {@code lastCheckpoint}.
     */
    public TrainingResult train(Prepared prep, TrainingListener listener, Path lastCheckpoint) {
        List<TrainingListener> all = new ArrayList<>();
        all.add(listener);
        all.addAll(listeners);
        Trainer.Session session = modelFiles.session(prep.flow(), prep.data(), prep.trainer());
        if (modelFiles.kernelWarning() != null) {
            spec.commandLine().getErr().println("kdeflow: warning: " + modelFiles.kernelWarning());
        }
        TrainingListener checkpoints = modelFiles.checkpointer(prep.flow(), prep.trainer().options(), session,
                Map.of("run.title", prep.title()), lastCheckpoint);
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
            return new Progress(show ? ProgressBars.open("train", epochs, " epoch", null) : null);
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
     * Writes the figures and metrics of a trained flow into {@code dir} (a fresh staging folder). Figures need d = 2;
     * the loss curves need at least one finished epoch.
     */
    public void writeOutputs(Path dir, Prepared prep, TrainingResult r) throws IOException {
        CouplingFlow flow = prep.flow();
        Map<String, Figure> figures = new LinkedHashMap<>();
        if (flow.dim() == 2) {
            double[] range = FlowFigures.robustRange(List.of(prep.data().toArray()), 0.5);
            Grid g = new Grid(range[0], range[1], range[2], range[3], grid, grid);
            figures.putAll(FlowFigures.of(flow.numLayers(), prep.title() + ", " + r.epochsRun() + " epochs", g,
                    flow.density(g.points(), g.size()), flow.sampleEachStep(1000, new NumpyRandomState(trainSeed)),
                    prep.title()));
        }
        double[] ep = new double[r.epochsRun()];
        for (int e = 0; e < ep.length; e++) {
            ep[e] = e + 1;
        }
        Figure loss = ep.length == 0 ? null : Plots.lines("Training, " + prep.title(), "epoch", "mean NLL (nats)",
                false, false,
                List.of(new Series("train", ep, r.trainLosses()), new Series("validation", ep, r.validLosses())),
                r.bestEpoch() > 0 ? new double[] {r.bestEpoch()} : null);
        for (Map.Entry<String, Figure> e : figures.entrySet()) {
            e.getValue().save(dir.resolve(e.getKey() + ".png"));
            e.getValue().save(dir.resolve(e.getKey() + ".svg"));
        }
        if (loss != null) {
            loss.save(dir.resolve("loss.png"));
        }
        Files.write(dir.resolve("metrics.json"), Json.pretty(metrics(prep, r)));
    }

    private Map<String, Object> metrics(Prepared prep, TrainingResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> src = new LinkedHashMap<>();
        if (source.given()) {
            src.put("dist", prep.name());
            src.put("n", n);
            src.put("num_gaussians", source.params().numGaussians());
            src.put("seed", source.seed());
        } else {
            src.put("data", data.path().toString());
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
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

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
import org.kdeflow.density.Density;
import org.kdeflow.density.MixtureDensity;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.Flows;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingListener;
import org.kdeflow.train.TrainingResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow train}: fits a normalizing flow to a toy data set or a CSV file and writes the density image, the
 * samples after each transform, the loss curves and {@code metrics.json}. The flow is a neural spline flow by default
 * ({@link Flows}, robust recipe), the homework's {@link CouplingFlow} with {@code --flow homework} (and the homework's
 * training loop), or an ensemble of M flows averaged in density space ({@code --ensemble M}).
 *
 * <p>The command only parses and writes; {@link #prepare()}, {@link #train} and {@link #writeOutputs} are the steps,
 * so that further options slot in between. Every output is declared and checked before the work
 * ({@link Outputs}) and committed together at the end; a training that diverges writes nothing and exits 2.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a normalizing flow by maximum likelihood: a neural spline flow (default), a "
                + "RealNVP-style flow with bounded scales, or the homework's coupling flow.",
            "Writes figures and metrics (--out), the model (--save) and checkpoints (--checkpoint): at least one of "
                + "them. Every output is checked before training and written at the end, all or none.",
            "--recipe robust (default for nsf and realnvp): 200 epochs, AdamW lr 2e-3 with a cosine schedule, "
                + "gradient clipping, averaged weights, the best on a 20%% validation split. --recipe notebook (the "
                + "default and only recipe of --flow homework): the homework's train(), 90/10 split, batches of 64 "
                + "in fixed order, Adam lr 1e-3, final weights when the validation set has fewer than 500 points."},
        footer = {"", "Outputs in --out: density.png/.svg (p(x) on a 100x100 grid), layers.png/.svg "
                + "(sampleEachStep(1000)), loss.png, metrics.json.", "", "Examples:",
            "  kdeflow train --dist moons --out results/moons-nsf",
            "  kdeflow train --dist moons --flow homework --epochs 1000 --out results/moons",
            "  kdeflow train --dist gaussians-rot --base mixture:5 --ensemble 3 --save rot.safetensors",
            "  kdeflow train --data points.csv --columns x,y --test-n 300 --save mine.safetensors"})
public final class TrainCommand implements Callable<Integer> {

    @Mixin
    DistributionOptions source = new DistributionOptions();

    @Option(names = "--n", paramLabel = "N", defaultValue = "1500",
            description = "Points to draw with --dist (default ${DEFAULT-VALUE}, the homework's Part II size).")
    int n;

    @Mixin
    DataFileOptions data = new DataFileOptions();

    @Option(names = "--flow", paramLabel = "KIND", defaultValue = "nsf",
            description = "The flow: nsf (rational-quadratic spline couplings, default), realnvp (affine couplings "
                    + "with a bounded scale) or homework (the homework's CouplingFlow, its PyTorch file format and "
                    + "training loop).")
    String flowKind;

    @Option(names = {"--transforms", "--layers"}, paramLabel = "K",
            description = "Coupling transforms K (default 3 for nsf, 6 for realnvp, 4 for homework).")
    Integer layers;

    @Option(names = "--hidden", paramLabel = "W,W", split = ",",
            description = "Hidden widths of the conditioner networks (default 64,64; 32,32 for homework).")
    int[] hidden;

    @Option(names = "--bins", paramLabel = "B", defaultValue = "8",
            description = "Spline bins of nsf (default ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--base", paramLabel = "BASE", defaultValue = "normal",
            description = "Base distribution: normal (default), diag (learnable mean and scale) or mixture:M (M "
                    + "learnable Gaussians, for separated modes). homework: normal only.")
    String base;

    @Option(names = "--recipe", paramLabel = "R",
            description = "Training recipe: robust (default for nsf and realnvp) or notebook (the homework's loop; "
                    + "the only one for --flow homework).")
    String recipe;

    @Option(names = "--ensemble", paramLabel = "M", defaultValue = "1",
            description = "Train M flows from consecutive seeds and average them in density space (default "
                    + "${DEFAULT-VALUE}: one flow). Not with --flow homework or checkpoints.")
    int ensemble;

    @Option(names = "--epochs", paramLabel = "E",
            description = "Epochs (default: the recipe's, 200 for robust, 500 for notebook; the homework uses 1000 "
                    + "for moons).")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64",
            description = "Mini-batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "LR",
            description = "Learning rate (default: the recipe's, 2e-3 for robust, 1e-3 for notebook).")
    Double lr;

    @Option(names = "--train-seed", paramLabel = "T", defaultValue = "8",
            description = "Seeds the initial weights, the split and the reshuffling (default ${DEFAULT-VALUE}, echoing "
                    + "the homework's torch.manual_seed(8); the generator differs, so the numbers do too).")
    long trainSeed;

    @Option(names = "--reshuffle", description = "notebook recipe: draw a new batch order every epoch (the homework "
            + "keeps one order; the robust recipe always reshuffles).")
    boolean reshuffle;

    @Option(names = "--select", paramLabel = "WHICH",
            description = "Weights to keep: notebook (final if < 500 validation points, else best; the notebook "
                    + "recipe's default), best (the robust recipe's default), final.")
    Trainer.Selection select;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "f64", converter = PrecisionConverter.class,
            description = "The arithmetic of the networks' products: f64 (default) or f32 (float32 like PyTorch, "
                    + "faster; weights, optimizer and the saved model stay double). The saved file's dtype is "
                    + "--save-dtype.")
    org.kdeflow.nn.Precision precision;

    @Option(names = "--test-n", paramLabel = "N",
            description = "Points for the held-out NLL: with --dist that many fresh points (default 20000), with "
                    + "--data that many rows of the file held out at random (seeded by --test-seed) and not "
                    + "trained on (default 0: none); 0 to skip.")
    Integer testN;

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

    /** One flow to train: the flow the trainer trains, and its trainer. */
    public record Member(Flow flow, Trainer trainer) {
    }

    /**
     * The data, the untrained model and its trainers: {@code model} is what gets saved — the homework's
     * {@link CouplingFlow}, a {@link Flow}, or the {@link MixtureDensity} of an ensemble's members.
     */
    public record Prepared(String name, String title, Dataset data, Density model, List<Member> members,
            Dataset test) {
        public Prepared {
            members = List.copyOf(members);
        }

        /** The homework's flow, or null for the other flows. */
        public CouplingFlow homework() {
            return model instanceof CouplingFlow c ? c : null;
        }
    }

    /** The flow kind resolved from --flow. */
    private boolean homework() {
        return flowKind.trim().equalsIgnoreCase("homework");
    }

    private int layers() {
        return layers != null ? layers : homework() ? 4 : Flows.Kind.parse(flowKind) == Flows.Kind.NSF ? 3 : 6;
    }

    private int[] hidden() {
        return hidden != null ? hidden.clone() : homework() ? new int[] {32, 32} : new int[] {64, 64};
    }

    private Trainer.Recipe recipe() {
        return recipe != null ? Trainer.Recipe.parse(recipe) : homework() ? Trainer.Recipe.NOTEBOOK
                : Trainer.Recipe.ROBUST;
    }

    private int epochs() {
        return epochs != null ? epochs : recipe().options().epochs() == 100 ? 500 : recipe().options().epochs();
    }

    private int testN() {
        return testN != null ? testN : source.given() ? 20000 : 0;
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
        List<TrainingResult> results;
        try (Outputs.Staged staged = outputs.begin()) {
            modelFiles.loadResume();
            prep = prepare();
            try (Progress progress = Progress.open(!quiet && ProgressBars.interactive(),
                    epochs() * prep.members().size())) {
                results = train(prep, progress, staged.path(checkpoint));
            }
            for (TrainingResult result : results) {
                if (!result.completed()) {
                    throw diverged(result);
                }
            }
            if (dir != null) {
                writeOutputs(staged.path(dir), prep, results);
            }
            if (model != null) {
                Map<String, Object> src = new LinkedHashMap<>();
                src.put("name", prep.name());
                src.put("title", prep.title());
                src.put("seed", source.seed());
                modelFiles.saveModel(staged.path(model), prep.model(), results, src);
            }
            if (checkpoint != null && !Files.exists(staged.path(checkpoint))) {
                staged.keep(checkpoint); // a resumed run with no epoch left: the checkpoint stays as it is
            }
            staged.commit();
        }
        if (!quiet) {
            var o = spec.commandLine().getOut();
            for (int m = 0; m < results.size(); m++) {
                TrainingResult result = results.get(m);
                o.printf(Locale.ROOT, "trained %s%s: %d epochs in %.2f s; validation loss %.4f (best %.4f at epoch "
                        + "%d); kept the %s weights%n", prep.title(), results.size() > 1 ? " (member " + (m + 1)
                        + " of " + results.size() + ")" : "", result.epochsRun(), result.wallSeconds(),
                        result.finalValidLoss(), result.bestValidLoss(), result.bestEpoch(),
                        result.returned().name().toLowerCase(Locale.ROOT));
            }
            if (prep.test() != null) {
                o.printf(Locale.ROOT, "held-out NLL: %.4f nats on %d %s%n", -prep.model().meanLogDensity(prep.test()),
                        prep.test().size(), source.given() ? "fresh points (seed " + testSeed + ")"
                                : "held-out rows of the file");
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
        if (!homework()) {
            try {
                Flows.Kind.parse(flowKind);
            } catch (IllegalArgumentException e) {
                throw usage("--flow: unknown flow '" + flowKind + "' (expected nsf, realnvp or homework)");
            }
            try {
                Flows.BaseKind.parse(base);
            } catch (IllegalArgumentException e) {
                throw usage("--base: " + e.getMessage());
            }
        } else {
            if (!base.trim().equalsIgnoreCase("normal")) {
                throw usage("--flow homework has the standard normal base only; --base " + base
                        + " needs --flow nsf or realnvp");
            }
            if (ensemble != 1) {
                throw usage("--ensemble needs --flow nsf or realnvp (the homework's file format holds one flow)");
            }
        }
        Trainer.Recipe r;
        try {
            r = recipe();
        } catch (IllegalArgumentException e) {
            throw usage("--recipe: " + e.getMessage());
        }
        if (homework() && r != Trainer.Recipe.NOTEBOOK) {
            throw usage("--flow homework trains with the homework's loop only: drop --recipe robust or use --flow "
                    + "nsf");
        }
        if (r == Trainer.Recipe.ROBUST && reshuffle) {
            throw usage("--reshuffle is part of the robust recipe already; it is an option of --recipe notebook");
        }
        if (layers() < 1) {
            throw usage("--transforms must be at least 1, got " + layers());
        }
        for (int h : hidden()) {
            if (h < 1) {
                throw usage("--hidden widths must be at least 1, got " + Arrays.toString(hidden()));
            }
        }
        if (bins < 1 || bins > 256) {
            throw usage("--bins must be between 1 and 256, got " + bins);
        }
        if (ensemble < 1 || ensemble > 64) {
            throw usage("--ensemble must be between 1 and 64, got " + ensemble);
        }
        if (ensemble > 1 && (modelFiles.checkpoint != null || modelFiles.resume != null)) {
            throw usage("--ensemble cannot be combined with --checkpoint or --resume (a checkpoint holds one run)");
        }
        if (epochs() < 1) {
            throw usage("--epochs must be at least 1, got " + epochs());
        }
        Limits.checkDoubles("--epochs " + epochs(), (long) epochs() * ensemble, 2, 4, "epochs");
        if (batch < 1) {
            throw usage("--batch must be at least 1, got " + batch);
        }
        if (lr != null && (!(lr > 0) || !Double.isFinite(lr))) {
            throw usage("--lr must be a positive number, got " + lr);
        }
        if (trainSeed < 0 || trainSeed + ensemble - 1 >= 0xffffffffL) {
            throw usage("--train-seed must be between 0 and 2^32-2, got " + trainSeed);
        }
        if (testSeed < 0 || testSeed > 0xffffffffL) {
            throw usage("--test-seed must be between 0 and 2^32-1, got " + testSeed);
        }
        if (testN() < 0) {
            throw usage("--test-n must be >= 0, got " + testN());
        }
        Limits.checkGrid("--grid", grid);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** The trainer's options from the recipe and the command line. */
    private Trainer.Options options() {
        Trainer.Options o = recipe().options().withEpochs(epochs()).withBatchSize(batch).withSeed(trainSeed)
                .withPrecision(precision);
        if (lr != null) {
            o = o.withLearningRate(lr);
        }
        if (recipe() == Trainer.Recipe.NOTEBOOK) {
            o = o.withReshuffle(reshuffle);
        }
        if (select != null) {
            o = o.withSelection(select);
        }
        return o;
    }

    /** The preset of --flow nsf/realnvp. */
    private Flows.Config config() {
        Flows.Config c = Flows.Kind.parse(flowKind) == Flows.Kind.NSF ? Flows.Config.nsf(layers(), hidden())
                : Flows.Config.realnvp(layers(), hidden());
        return c.withBins(bins).withBase(Flows.BaseKind.parse(base));
    }

    /** Loads or draws the data and builds the untrained model and its trainers. */
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
            if (testN() > 0) {
                test = source.draw(testN(), testSeed, "--test-n").points();
            }
        } else {
            Dataset all = data.read().data();
            name = data.path().getFileName().toString();
            if (all.dim() < 2) {
                throw new InputException(data.path() + ": a coupling flow needs at least 2 columns, the file has "
                        + all.dim());
            }
            if (testN() > 0) {
                if (all.size() - testN() < 2) {
                    throw new InputException("--test-n " + testN() + ": " + data.path() + " has " + all.size()
                            + " rows; holding out " + testN() + " leaves fewer than 2 to train on");
                }
                Dataset.Split split = all.randomSplit((double) (all.size() - testN()) / all.size(), testSeed);
                points = split.first();
                test = split.second();
            } else {
                points = all;
            }
            title = name + ", n = " + points.size();
            if (points.size() < 2) {
                throw new InputException(data.path() + ": need at least 2 points to split into training and "
                        + "validation, the file has " + points.size());
            }
        }
        checkParameters(points.dim());
        Trainer.Options o = options();
        List<Member> members = new ArrayList<>();
        Density model;
        if (homework()) {
            CouplingFlow flow = CouplingFlow.create(new CouplingFlow.Architecture(points.dim(), layers(), hidden()),
                    trainSeed);
            members.add(new Member(flow.asFlow(), new Trainer(o)));
            model = flow;
        } else {
            List<Density> flows = new ArrayList<>();
            for (int m = 0; m < ensemble; m++) {
                Flow f;
                try {
                    f = Flows.create(config(), points, trainSeed + m);
                } catch (IllegalArgumentException e) {
                    throw new InputException((data.given() ? data.path() + ": " : "") + e.getMessage());
                }
                members.add(new Member(f, new Trainer(o)));
                flows.add(f);
            }
            model = ensemble == 1 ? flows.get(0) : MixtureDensity.equal(flows);
        }
        return new Prepared(name, title, points, model, members, test);
    }

    /** The flows' weights (each held about ten times: gradients, Adam's moments, snapshots) must fit in the heap. */
    private void checkParameters(int d) {
        long perNetwork = 0;
        long in = d;
        int outputs = homework() ? d : d * (3 * bins - 1);
        for (int h : hidden()) {
            perNetwork += in * h + h;
            in = h;
        }
        perNetwork += in * outputs + outputs;
        long parameters = (long) layers() * (2 * perNetwork + d) * ensemble;
        Limits.checkDoubles("--transforms " + layers() + " --hidden " + String.join(",",
                Arrays.stream(hidden()).mapToObj(Integer::toString).toList()), parameters, 1, 10, "weights");
    }

    /**
     * Trains the prepared flows in place, one after the other, reporting to {@code listener} and then to
     * {@link #listeners}; with {@code --checkpoint} the checkpoint after the last epoch goes to
     * {@code lastCheckpoint}. A fresh v2 flow gets its data-dependent initialisation first.
     */
    public List<TrainingResult> train(Prepared prep, TrainingListener listener, Path lastCheckpoint) {
        List<TrainingResult> results = new ArrayList<>();
        for (int m = 0; m < prep.members().size(); m++) {
            Member member = prep.members().get(m);
            int done = m * epochs();
            List<TrainingListener> all = new ArrayList<>();
            all.add(shifted(listener, done, epochs() * prep.members().size()));
            all.addAll(listeners);
            Trainer.Session session = m == 0
                    ? modelFiles.session(prep.model(), member.flow(), prep.data(), member.trainer())
                    : member.trainer().start(member.flow(), prep.data());
            if (m == 0 && modelFiles.kernelWarning() != null) {
                spec.commandLine().getErr().println("kdeflow: warning: " + modelFiles.kernelWarning());
            }
            if (!homework() && session.epochsDone() == 0) {
                session.initializeFromFirstBatch();
            }
            TrainingListener checkpoints = m == 0 ? modelFiles.checkpointer(prep.model(),
                    member.trainer().options(), session, Map.of("run.title", prep.title()), lastCheckpoint) : null;
            if (checkpoints != null) {
                all.add(checkpoints);
            }
            results.add(session.run(new TrainingListener() {
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
            }));
        }
        return results;
    }

    /** The progress listener seeing member m's epochs as epochs done + e of all members' epochs. */
    private static TrainingListener shifted(TrainingListener l, int done, int total) {
        return new TrainingListener() {
            @Override
            public boolean onEpoch(Epoch e) {
                return l.onEpoch(new Epoch(done + e.epoch(), total, e.trainLoss(), e.validLoss(), e.bestEpoch(),
                        e.bestValidLoss(), e.elapsedNanos()));
            }
        };
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
     * Writes the figures and metrics of a trained model into {@code dir} (a fresh staging folder). Figures need
     * d = 2 (the samples after each transform: one flow only); the loss curves are the first member's.
     */
    public void writeOutputs(Path dir, Prepared prep, List<TrainingResult> results) throws IOException {
        Density model = prep.model();
        TrainingResult r = results.get(0);
        Map<String, Figure> figures = new LinkedHashMap<>();
        if (model.dim() == 2) {
            double[] range = FlowFigures.robustRange(List.of(prep.data().toArray()), 0.5);
            Grid g = new Grid(range[0], range[1], range[2], range[3], grid, grid);
            List<Dataset> steps = prep.members().size() == 1
                    ? prep.members().get(0).flow().sampleEachStep(1000, new NumpyRandomState(trainSeed)) : List.of();
            figures.putAll(FlowFigures.of(modelTitle(prep), prep.title() + ", " + r.epochsRun() + " epochs", g,
                    model.density(g.points(), g.size()), steps, stepTitles(prep, steps.size()),
                    homework() ? "Samples after each coupling layer" : "Samples after each transform", prep.title()));
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
        Files.write(dir.resolve("metrics.json"), Json.pretty(metrics(prep, results)));
    }

    private String modelTitle(Prepared prep) {
        if (homework()) {
            return "Coupling flow, K = " + layers();
        }
        String t = config().label();
        return prep.members().size() > 1 ? "Ensemble of " + prep.members().size() + " flows " + t : "Flow " + t;
    }

    /** Panel titles of the samples after each transform: the base's draws, then each transform's output. */
    private List<String> stepTitles(Prepared prep, int count) {
        List<String> t = new ArrayList<>();
        if (count == 0) {
            return t;
        }
        Flow f = prep.members().get(0).flow();
        t.add(homework() ? "z ~ N(0, I)" : "z ~ base");
        for (int k = 1; k < count; k++) {
            String kind = homework() ? "layer " + k : f.transform(k - 1).getClass().getSimpleName() + " " + k;
            t.add(k == count - 1 ? "x (after " + kind + ")" : "after " + kind);
        }
        return t;
    }

    private Map<String, Object> metrics(Prepared prep, List<TrainingResult> results) {
        TrainingResult r = results.get(0);
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
        model.put("type", homework() ? "CouplingFlow" : config().kind().name().toLowerCase(Locale.ROOT));
        model.put("dim", prep.model().dim());
        model.put("layers", layers());
        model.put("hidden", hidden());
        if (!homework()) {
            if (config().kind() == Flows.Kind.NSF) {
                model.put("bins", bins);
            }
            model.put("base", config().base().toString());
            model.put("ensemble", prep.members().size());
        }
        long parameters = 0;
        for (Member mem : prep.members()) {
            parameters += mem.flow().parameters().size();
        }
        model.put("parameters", parameters);
        model.put("init_seed", trainSeed);
        m.put("model", model);
        Trainer.Options o = prep.members().get(0).trainer().options();
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("recipe", recipe().name().toLowerCase(Locale.ROOT));
        opt.put("epochs", o.epochs());
        opt.put("batch_size", o.batchSize());
        opt.put("lr", o.learningRate());
        opt.put("split_seed", o.seed());
        opt.put("train_fraction", o.trainFraction());
        opt.put("reshuffle", o.reshuffle());
        opt.put("select", o.selection().name().toLowerCase(Locale.ROOT));
        opt.put("precision", o.precision().name().toLowerCase(Locale.ROOT));
        if (recipe() == Trainer.Recipe.ROBUST) {
            opt.put("weight_decay", o.weightDecay());
            opt.put("schedule", o.schedule().name().toLowerCase(Locale.ROOT));
            opt.put("clip_norm", o.clipNorm());
            opt.put("ema_decay", o.emaDecay());
        }
        m.put("training", opt);
        m.put("train_size", r.trainSize());
        m.put("valid_size", r.validSize());
        m.put("epochs_run", r.epochsRun());
        m.put("best_epoch", r.bestEpoch());
        m.put("best_valid_loss", finite(r.bestValidLoss()));
        m.put("final_valid_loss", finite(r.finalValidLoss()));
        m.put("final_train_loss", r.epochsRun() > 0 ? finite(r.trainLosses()[r.epochsRun() - 1]) : null);
        m.put("returned_weights", r.returned().name().toLowerCase(Locale.ROOT));
        double wall = 0;
        long skipped = 0;
        for (TrainingResult x : results) {
            wall += x.wallSeconds();
            skipped += x.skippedBatches();
        }
        m.put("wall_seconds", wall);
        m.put("skipped_batches", skipped);
        m.put("stop_reason", r.stopReason());
        if (results.size() > 1) {
            List<Map<String, Object>> members = new ArrayList<>();
            for (TrainingResult x : results) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("epochs_run", x.epochsRun());
                e.put("best_epoch", x.bestEpoch());
                e.put("best_valid_loss", finite(x.bestValidLoss()));
                members.add(e);
            }
            m.put("members", members);
        }
        if (prep.test() != null) {
            Map<String, Object> held = new LinkedHashMap<>();
            held.put("n", prep.test().size());
            held.put(source.given() ? "seed" : "rows_seed", testSeed);
            held.put("nll", -prep.model().meanLogDensity(prep.test()));
            m.put("held_out", held);
        }
        m.put("kernel", o.precision() == org.kdeflow.nn.Precision.F32
                ? "float32 " + org.kdeflow.kernels.Kernels.get().denseF32().name()
                : org.kdeflow.kernels.Kernels.get().dense().name());
        m.put("train_losses", r.trainLosses());
        m.put("valid_losses", r.validLosses());
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}

package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.ReportDocument.code;
import static org.kdeflow.cli.report.ReportDocument.number;
import static org.kdeflow.cli.report.ReportDocument.strong;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.cli.common.Distribution;
import org.kdeflow.cli.plot.ColorCap;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.plot.Series;
import org.kdeflow.cli.report.ReportDocument;
import org.kdeflow.cli.report.ReportDocument.Section;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.data.ToyDatasets.Kind;
import org.kdeflow.density.Density;
import org.kdeflow.density.Entropy;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingListener;
import org.kdeflow.train.TrainingResult;

/**
 * Part II, Tasks 1 and 9–12: the toy sets, every training of the homework (independent, so all run in parallel),
 * each model's density image and layer-by-layer samples, its score on fresh samples against the entropy floor and a
 * likelihood-cross-validated KDE fitted to the same training data, the loss curves, and the answers to Tasks 10–12
 * generated from those scores.
 */
final class PartTwoStage implements Stage {

    /** A toy distribution: the data set's kind and number of Gaussians (GaussiansRot only). */
    record Toy(Kind kind, int gaussians) {
        String key() {
            return kind == Kind.GAUSSIANS_ROT ? kind.homeworkName() + gaussians : kind.homeworkName();
        }

        String label() {
            return kind == Kind.GAUSSIANS_ROT ? kind.homeworkName() + "(" + gaussians + ")" : kind.homeworkName();
        }

        Density limit() {
            return Distribution.of(kind).truth(new Distribution.Params(gaussians, null));
        }

        /** A window around the data for the density images and the entropy integral. */
        double[] window() {
            return switch (kind) {
                case CIRCLES -> new double[] {-1.6, 1.6, -1.6, 1.6};
                case MOONS -> new double[] {-1.6, 2.6, -1.1, 1.6};
                case GAUSSIANS_GRID -> new double[] {-2.2, 4.2, -2.2, 4.2};
                case GAUSSIANS_ROT -> new double[] {-4.2, 4.2, -4.2, 4.2};
            };
        }
    }

    /** One training the homework asks for. */
    record Spec(String task, String id, String label, Toy toy, int n, int layers, int epochs) {
    }

    /** A trained model and its scores. */
    record Model(Spec spec, TrainingResult result, double testNll, double kdeH, double kdeNll, double entropy,
            double[] density, double[] kdeDensity, double logpQ01, double logpMedian, double testNllSe,
            double[] testLogP) {
        double gap() {
            return testNll - entropy;
        }

        double kdeGap() {
            return kdeNll - entropy;
        }
    }

    static final Toy ROT5 = new Toy(Kind.GAUSSIANS_ROT, 5);

    /** Folder (inside the report) with every trained model as safetensors. */
    static final String MODELS = "models";

    /** The homework's trainings, in report order, scaled by the run's settings. */
    static List<Spec> specs(HomeworkConfig c) {
        List<Spec> s = new ArrayList<>();
        for (Kind k : Kind.values()) {
            Toy toy = new Toy(k, 5);
            s.add(new Spec("task9", "t9-" + toy.key(), toy.label(), toy, c.n(1500), 4,
                    c.epochs(k == Kind.MOONS ? 1000 : 500)));
        }
        s.add(new Spec("task10", "t10-K2", "K = 2", ROT5, c.n(1500), 2, c.epochs(250)));
        s.add(new Spec("task10", "t10-K4", "K = 4", ROT5, c.n(1500), 4, c.epochs(250)));
        s.add(new Spec("task11", "t11-N1500", "N = " + c.n(1500), ROT5, c.n(1500), 4, c.epochs(400)));
        s.add(new Spec("task11", "t11-N3000", "N = " + c.n(3000), ROT5, c.n(3000), 4, c.epochs(400)));
        s.add(new Spec("task12", "t12-G3", "3 Gaussians", new Toy(Kind.GAUSSIANS_ROT, 3), c.n(1500), 4, c.epochs(250)));
        s.add(new Spec("task12", "t12-G7", "7 Gaussians", new Toy(Kind.GAUSSIANS_ROT, 7), c.n(1500), 4, c.epochs(250)));
        return s;
    }

    @Override
    public String name() {
        return "part2-flows";
    }

    /** Distinct limit densities of the specs, in first-use order. */
    private static Map<String, Toy> toys(List<Spec> specs) {
        Map<String, Toy> toys = new LinkedHashMap<>();
        for (Spec s : specs) {
            toys.put(s.toy().key(), s.toy());
        }
        return toys;
    }

    @Override
    public List<Run.Job<Object>> jobs(Run run) {
        HomeworkConfig c = run.config;
        List<Spec> specs = specs(c);
        List<Run.Job<Object>> jobs = new ArrayList<>();
        try {
            java.nio.file.Files.createDirectories(run.dir.resolve(MODELS));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        for (Toy t : toys(specs).values()) {
            jobs.add(Run.job("entropy " + t.key(), 0.3, () -> entropy(t, c)));
        }
        for (Kind k : Kind.values()) {
            jobs.add(Run.job("Task 1 " + k.homeworkName(), 0.1, () -> {
                Dataset d = ToyDatasets.sample2dDatasets(k, c.toyN(), c.seed(), 5);
                Plots.scatter(k.homeworkName() + " (N = " + c.toyN() + ")", d.toArray(), d.size(), null)
                        .save(run.dir.resolve("p2-data-" + k.homeworkName() + ".png"));
                return null;
            }));
        }
        for (Spec s : specs) {
            // cost in millions of sample-layer-epochs: Moons' 1000 epochs of 1500 points with K = 4 is 6
            jobs.add(Run.job(s.id(), (double) s.n() * s.epochs() * s.layers() / 1e6, () -> train(run, s)));
        }
        return jobs;
    }

    @Override
    public void finish(Run run, List<Object> results) throws Exception {
        HomeworkConfig c = run.config;
        List<Spec> specs = specs(c);
        Map<String, Toy> toys = toys(specs);
        Map<String, Double> entropy = new LinkedHashMap<>();
        int i = 0;
        for (Toy t : toys.values()) {
            entropy.put(t.key(), (Double) results.get(i++));
            run.metrics.put(entropy.get(t.key()), "part2", "entropy_floor", t.key());
        }
        i += Kind.values().length;
        Map<String, Model> models = new LinkedHashMap<>();
        for (Spec s : specs) {
            Object[] r = (Object[]) results.get(i++);
            Model m = new Model(s, (TrainingResult) r[0], (Double) r[1], (Double) r[2], (Double) r[3],
                    entropy.get(s.toy().key()), (double[]) r[4], (double[]) r[5], (Double) r[6], (Double) r[7], (Double) r[8], (double[]) r[9]);
            models.put(s.id(), m);
            record(run.metrics, m);
        }
        // figures that combine several models: one job each
        List<Run.Job<Object>> figs = new ArrayList<>();
        for (String task : List.of("task9", "task10", "task11", "task12")) {
            List<Model> ms = models.values().stream().filter(m -> m.spec().task().equals(task)).toList();
            if (task.equals("task9")) {
                for (Model m : ms) {
                    figs.add(Run.job("density " + m.spec().id(), () -> densityFigure(run, m.spec().id(),
                            m.spec().label(), List.of(m), true)));
                }
            } else {
                figs.add(Run.job("density " + task, () -> densityFigure(run, task, title(task), ms, false)));
            }
            figs.add(Run.job("losses " + task, () -> lossFigure(run, task, title(task), ms)));
        }
        List<Object> drawn = run.parallel(name() + "-figures", figs);
        Map<String, String> notes = new LinkedHashMap<>();
        for (int k = 0; k < figs.size(); k++) {
            if (figs.get(k).name().startsWith("density ")) {
                notes.put(figs.get(k).name().substring("density ".length()), (String) drawn.get(k));
            }
        }
        writeTask1(run);
        writeModels(run, models);
        writeTask9(run, models, notes);
        writeComparison(run, run.sections.p2Task10, "task10", models, notes);
        writeComparison(run, run.sections.p2Task11, "task11", models, notes);
        writeComparison(run, run.sections.p2Task12, "task12", models, notes);
        writeLosses(run, models);
    }

    private static String title(String task) {
        return switch (task) {
            case "task9" -> "Task 9";
            case "task10" -> "Task 10: GaussiansRot(5), K = 2 and K = 4";
            case "task11" -> "Task 11: GaussiansRot(5), N = 1500 and N = 3000";
            default -> "Task 12: GaussiansRot with 3 and 7 Gaussians";
        };
    }

    /** The limit density's differential entropy, by the trapezoidal rule on a fine grid over its window. */
    static double entropy(Toy t, HomeworkConfig c) {
        double[] w = t.window();
        double pad = 0.6;
        return Entropy.onGrid(t.limit(), new Grid(w[0] - pad, w[1] + pad, w[2] - pad, w[3] + pad, 200, 200));
    }

    /** Trains one model and scores it; returns {result, testNll, kdeH, kdeNll, density, kdeDensity}. */
    private static Object[] train(Run run, Spec s) throws Exception {
        HomeworkConfig c = run.config;
        Dataset data = ToyDatasets.sample2dDatasets(s.toy().kind(), s.n(), c.seed(), s.toy().gaussians());
        Dataset test = ToyDatasets.sample2dDatasets(s.toy().kind(), c.testN(), c.testSeed(), s.toy().gaussians());
        CouplingFlow flow = CouplingFlow.homework(s.layers(), c.modelSeed());
        Trainer trainer = new Trainer(Trainer.Options.defaults().withEpochs(s.epochs()).withSeed(c.modelSeed()));
        int every = Math.max(1, s.epochs() / 50);
        TrainingResult r = trainer.fit(flow, data, new TrainingListener() {
            @Override
            public boolean onEpoch(Epoch e) {
                if (e.epoch() % every == 0) {
                    run.status(s.id(), e.epoch() + "/" + e.epochs());
                }
                return !run.failed(); // another job failed: stop, nothing of this run will be kept
            }
        });
        if (!r.completed()) {
            throw new IllegalStateException(s.id() + ": " + r.stopReason());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("homework.task", s.task());
        meta.put("homework.data", s.toy().label());
        meta.put("homework.n", Integer.toString(s.n()));
        meta.put("homework.epochs", Integer.toString(s.epochs()));
        meta.put("homework.data_seed", Long.toString(c.seed()));
        meta.put("homework.train_seed", Long.toString(c.modelSeed()));
        meta.put("homework.weights", r.returned().name().toLowerCase(java.util.Locale.ROOT));
        FlowModelFile.save(flow, run.dir.resolve(MODELS).resolve(s.id() + ".safetensors"), SafeTensors.DType.F64,
                meta);
        double[] lp = flow.logDensity(test);
        double nll = 0;
        for (double v : lp) {
            nll -= v;
        }
        nll /= lp.length;
        double[] sortedLp = lp.clone();
        java.util.Arrays.sort(sortedLp);
        double q01 = sortedLp[(int) Math.floor(0.01 * (sortedLp.length - 1))];
        double median = sortedLp[sortedLp.length / 2];
        double var = 0;
        for (double v : lp) {
            var += (v + nll) * (v + nll);
        }
        double se = Math.sqrt(var / (lp.length - 1) / lp.length);
        KernelDensity kde = KernelDensity.of(data, BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR,
                org.kdeflow.kde.Kernel.GAUSSIAN, 500))
                .withThreads(1);
        double kdeNll = -kde.meanLogDensity(test);
        Grid grid = grid(s.toy(), c);
        double[] density = flow.density(grid.points(), grid.size());
        double[] kdeDensity = kde.densityOnGrid(grid);
        // the layer-by-layer samples (Task 9's second plot), one panel per step
        List<Dataset> steps = flow.sampleEachStep(c.layerSamples(), new NumpyRandomState(c.modelSeed()));
        List<String> titles = new ArrayList<>();
        List<double[]> xys = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            titles.add(k == 0 ? "z₀ ∼ N(0, I) (prior)" : k == steps.size() - 1 ? "x = f" + sub(k) + "(z" + sub(k - 1)
                    + ")" : "z" + sub(k) + " = f" + sub(k) + "(z" + sub(k - 1) + ")");
            xys.add(steps.get(k).toArray());
        }
        Plots.scatterPanels(s.label() + ": " + c.layerSamples() + " samples after each coupling layer", titles, xys,
                null, steps.size()).save(run.dir.resolve("p2-layers-" + s.id() + ".png"));
        return new Object[] {r, nll, kde.bandwidth().diagonal()[0], kdeNll, density, kdeDensity, q01, median, se, lp};
    }

    private static String sub(int k) {
        StringBuilder sb = new StringBuilder();
        for (char ch : Integer.toString(k).toCharArray()) {
            sb.append((char) ('₀' + (ch - '0')));
        }
        return sb.toString();
    }

    static Grid grid(Toy t, HomeworkConfig c) {
        double[] w = t.window();
        return new Grid(w[0], w[1], w[2], w[3], c.grid(), c.grid());
    }

    private static void record(Metrics m, Model md) {
        Spec s = md.spec();
        String[] p = {"part2", s.task(), s.id()};
        m.putText(s.toy().label(), cat(p, "data"));
        m.put(s.n(), cat(p, "n"));
        m.put(s.layers(), cat(p, "K"));
        m.put(s.epochs(), cat(p, "epochs"));
        m.put(md.result().bestEpoch(), cat(p, "best_epoch"));
        m.put(steps(md), cat(p, "adam_steps"));
        m.putText(md.result().returned().name().toLowerCase(java.util.Locale.ROOT), cat(p, "weights"));
        m.put(md.result().bestValidLoss(), cat(p, "best_valid_loss"));
        m.put(md.result().finalValidLoss(), cat(p, "final_valid_loss"));
        double[] tl = md.result().trainLosses();
        m.put(tl[tl.length - 1], cat(p, "final_train_loss"));
        m.put(md.testNll(), cat(p, "test_nll"));
        m.put(md.testNllSe(), cat(p, "test_nll_standard_error"));
        m.put(md.entropy(), cat(p, "entropy_floor"));
        m.put(md.gap(), cat(p, "gap"));
        m.put(md.logpQ01(), cat(p, "test_logp_q01"));
        m.put(md.logpMedian(), cat(p, "test_logp_median"));
        m.put(md.kdeH(), cat(p, "kde_lcv_h"));
        m.put(md.kdeNll(), cat(p, "kde_test_nll"));
        m.put(md.kdeGap(), cat(p, "kde_gap"));
        m.putArray(md.result().trainLosses(), cat(p, "train_losses"));
        m.putArray(md.result().validLosses(), cat(p, "valid_losses"));
        m.put(md.result().wallSeconds(), "timings", "trainings", s.id());
    }

    private static String[] cat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }

    /** Truth, the flow(s) and (Task 9) the KDE on one shared colour scale. */
    private static Object densityFigure(Run run, String file, String title, List<Model> ms, boolean withKde)
            throws Exception {
        HomeworkConfig c = run.config;
        Grid grid = grid(ms.get(0).spec().toy(), c);
        List<String> titles = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        String lastTruth = null;
        for (Model m : ms) {
            String key = m.spec().toy().key();
            if (!key.equals(lastTruth)) {
                titles.add("true density, " + m.spec().toy().label());
                values.add(m.spec().toy().limit().density(grid.points(), grid.size()));
                lastTruth = key;
            }
            titles.add("flow, " + m.spec().label());
            values.add(m.density());
            if (withKde) {
                titles.add("KDE, h = " + number(m.kdeH()) + " (LCV)");
                values.add(m.kdeDensity());
            }
        }
        ColorCap shown = ColorCap.of(values.get(0), values);
        Plots.densityPanels(title + ": p(x) on a " + c.grid() + "×" + c.grid() + " grid", titles, grid,
                values, Math.min(values.size(), 4), true, "p(x)", shown.colorMax())
                .save(run.dir.resolve("p2-density-" + file + ".png"));
        return shown.note(ReportDocument::number);
    }

    private static Object lossFigure(Run run, String task, String title, List<Model> ms) throws Exception {
        List<Series> series = new ArrayList<>();
        for (Model m : ms) {
            double[] tl = m.result().trainLosses();
            double[] vl = m.result().validLosses();
            double[] ep = new double[tl.length];
            for (int e = 0; e < ep.length; e++) {
                ep[e] = e + 1;
            }
            series.add(new Series(m.spec().label() + " train", ep, tl));
            series.add(new Series(m.spec().label() + " valid", ep, vl));
        }
        Plots.lines(title + ": loss per epoch", "epoch", "mean NLL (nats)", false, false, series, null)
                .save(run.dir.resolve("p2-losses-" + task + ".png"));
        return null;
    }

    // ---- the text ------------------------------------------------------------------------------------------------

    private static void writeTask1(Run run) {
        Section s = run.sections.p2Task1;
        s.paragraph("N = " + run.config.toyN() + " samples of each toy set, drawn exactly as the notebook's "
                + "sample_2d_datasets does with seed " + run.config.seed() + " (scikit-learn's make_circles, "
                + "make_moons and make_blobs, reproduced bit for bit on numpy's random stream).");
        List<String> files = new ArrayList<>();
        for (Kind k : Kind.values()) {
            files.add("p2-data-" + k.homeworkName() + ".png");
        }
        s.figures(files, "The four toy data sets, one plot each: Circles, Moons, GaussiansGrid, GaussiansRot(5).", 25);
    }

    private static List<Object> row(Model m, boolean withData) {
        List<Object> r = new ArrayList<>();
        r.add(withData ? m.spec().toy().label() : m.spec().label());
        r.add(m.spec().n());
        r.add(m.spec().layers());
        r.add(m.spec().epochs());
        r.add(m.result().returned() == TrainingResult.Weights.BEST ? "best (" + m.result().bestEpoch() + ")"
                : "final");
        r.add(m.testNll());
        r.add(m.entropy());
        r.add(m.gap());
        r.add(m.kdeH());
        r.add(m.kdeNll());
        r.add(m.kdeGap());
        return r;
    }

    private static final List<String> HEADER = List.of("model", "N", "K", "epochs", "weights", "test NLL",
            "entropy floor", "flow gap", "KDE h (LCV)", "KDE NLL", "KDE gap");

    private static void table(Run run, Section s, String what, List<Model> ms, boolean withData) {
        List<List<Object>> rows = new ArrayList<>();
        for (Model m : ms) {
            rows.add(row(m, withData));
        }
        s.table(what + " Mean negative log-likelihood in nats per point on " + run.config.testN()
                + " fresh samples (seed " + run.config.testSeed() + "); the entropy floor is the limit density's "
                + "differential entropy, the best any model can reach; gap = NLL − floor estimates KL(p‖model). "
                + "The KDE is fitted to the same training samples with the likelihood-cross-validated h.",
                HEADER, rows);
    }

    private static void writeTask9(Run run, Map<String, Model> models, Map<String, String> notes) {
        Section s = run.sections.p2Task9;
        List<Model> ms = models.values().stream().filter(m -> m.spec().task().equals("task9")).toList();
        s.paragraph("Each set with N = " + ms.get(0).spec().n() + " samples, a flow of K = 4 coupling layers "
                + "trained for " + ms.get(0).spec().epochs() + " epochs (Moons "
                + ms.stream().filter(m -> m.spec().toy().kind() == Kind.MOONS).findFirst().orElseThrow().spec().epochs()
                + "), batches of 64, Adam at 10⁻³. For each: p(x) = exp(log p(x)) on a " + run.config.grid() + "×"
                + run.config.grid() + " grid around the data, beside the true (limit) density and the KDE, and "
                + run.config.layerSamples() + " samples pushed through the layers, with shared axes.");
        for (Model m : ms) {
            s.figure("p2-density-" + m.spec().id() + ".png", m.spec().label() + ": the true density, the flow's "
                    + "p(x) and the cross-validated KDE, on one colour scale." + notes.get(m.spec().id()));
            s.figure("p2-layers-" + m.spec().id() + ".png", m.spec().label() + ": samples from the prior and after "
                    + "each coupling layer (shared axes). Each layer moves one coordinate, conditioned on the other.");
        }
        table(run, s, "Task 9 models.", ms, true);
        List<Model> byGap = new ArrayList<>(ms);
        byGap.sort((a, b) -> Double.compare(a.gap(), b.gap()));
        StringBuilder sb = new StringBuilder("Ranked by the gap to the entropy floor, the flow fits ");
        for (int k = 0; k < byGap.size(); k++) {
            Model m = byGap.get(k);
            sb.append(k == 0 ? "" : k == byGap.size() - 1 ? " and " : ", ").append(m.spec().toy().label())
                    .append(" (").append(number(m.gap())).append(" nats)");
        }
        sb.append(" from best to worst. ");
        long beats = ms.stream().filter(m -> m.testNll() < m.kdeNll()).count();
        List<String> diffs = new ArrayList<>();
        for (Model m : ms) {
            diffs.add(m.spec().toy().label() + " " + signed(m.testNll() - m.kdeNll()));
        }
        String list = " (flow NLL − KDE NLL: " + String.join(", ", diffs) + " nats).";
        if (beats == 0) {
            sb.append("The cross-validated KDE fitted to the same points does better on all ").append(ms.size())
                    .append(" sets").append(list);
        } else if (beats == ms.size()) {
            sb.append("It beats the cross-validated KDE fitted to the same points on every set").append(list);
        } else {
            sb.append("It beats the cross-validated KDE fitted to the same points on ").append(beats).append(" of ")
                    .append(ms.size()).append(" sets").append(list);
        }
        s.paragraph(sb.toString());
        List<String> tails = new ArrayList<>();
        for (Model m : ms) {
            double trainLoss = last(m.result().trainLosses());
            if (m.testNll() - trainLoss > 0.25) {
                tails.add(m.spec().toy().label() + " (test NLL " + number(m.testNll()) + " against a final training "
                        + "loss of " + number(trainLoss) + "; 1 % of the fresh points have log p below "
                        + number(m.logpQ01()) + ")");
            }
        }
        if (!tails.isEmpty()) {
            s.paragraph("The mean NLL is sensitive to a few badly placed points: for " + String.join(" and ", tails)
                    + " some fresh samples fall where the flow has squeezed the density to almost nothing, "
                    + "typically between or just outside the modes the training set covers. The KDE, a sum of "
                    + "Gaussian bumps, never drops that fast.");
        }
        s.paragraph("Coupling flows bend a single Gaussian continuously; separated modes and holes (the circles' "
                + "centre, the gaps between blobs) must be made by stretching space, which leaves thin bridges of "
                + "density between modes: visible in the images, and one reason the flows stay further from the "
                + "floor than the KDE, which simply puts a bump on every sample.");
    }

    private static String signed(double v) {
        return (v >= 0 ? "+" : "") + number(v);
    }

    /** Tasks 10–12: two models, a table, the figures and the conclusion drawn from the numbers. */
    private static void writeComparison(Run run, Section s, String task, Map<String, Model> models,
            Map<String, String> notes) {
        List<Model> ms = models.values().stream().filter(m -> m.spec().task().equals(task)).toList();
        Model a = ms.get(0);
        Model b = ms.get(1);
        s.figure("p2-density-" + task + ".png", title(task) + ": the true density and each model's p(x) on a "
                + run.config.grid() + "×" + run.config.grid() + " grid, one colour scale." + notes.get(task));
        for (Model m : ms) {
            s.figure("p2-layers-" + m.spec().id() + ".png", m.spec().label() + ": " + run.config.layerSamples()
                    + " samples after each coupling layer.", 20 * (m.spec().layers() + 1));
        }
        table(run, s, title(task) + ".", ms, false);
        run.metrics.put(b.gap() - a.gap(), "part2", task, "comparison", "gap_difference");
        run.metrics.put(differenceStandardError(a, b), "part2", task, "comparison", "difference_standard_error");
        run.metrics.putText(a.spec().toy().equals(b.spec().toy()) ? "paired" : "unpaired", "part2", task,
                "comparison", "standard_error_kind");
        s.paragraph(strong("Answer (generated from the table). "), comparisonText(task, a, b, run.config));
    }

    /**
     * Gaps closer than this many nats are never called different; above it, a difference must also exceed twice the
     * standard error of the difference of the two test means (sd(log p)/√n each, combined as if independent, which
     * is conservative when both models are scored on the same points).
     */
    static final double TIE = 0.01;

    static double tieThreshold(Model a, Model b) {
        return Math.max(TIE, 2 * differenceStandardError(a, b));
    }

    /**
     * The standard error of NLL(a) − NLL(b): paired, sd(log p_a − log p_b)/√n, when both were scored on the same
     * fresh points (same distribution; Tasks 10 and 11); otherwise √(se_a² + se_b²).
     */
    static double differenceStandardError(Model a, Model b) {
        double[] x = a.testLogP();
        double[] y = b.testLogP();
        if (x == null || y == null || x.length != y.length || !a.spec().toy().equals(b.spec().toy())) {
            return Math.hypot(a.testNllSe(), b.testNllSe());
        }
        int n = x.length;
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += x[i] - y[i];
        }
        mean /= n;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double d = x[i] - y[i] - mean;
            var += d * d;
        }
        return Math.sqrt(var / (n - 1) / n);
    }

    static String comparisonText(String task, Model a, Model b, HomeworkConfig c) {
        // a and b: (K=2, K=4), (N small, N large), (3 Gaussians, 7 Gaussians)
        double dGap = b.gap() - a.gap();
        Model better = dGap < 0 ? b : a;
        Model worse = better == a ? b : a;
        double threshold = tieThreshold(a, b);
        boolean tie = Math.abs(dGap) < threshold;
        String fit = tie
                ? "The two fit about equally well: gaps " + number(a.gap()) + " and " + number(b.gap())
                        + " nats differ by less than " + number(threshold) + " nats, twice the standard error of "
                        + "the difference: within the noise of the test means, which a few points in the tails "
                        + "dominate. " + (task.equals("task12") ? "" : "On a typical fresh point (median log p: "
                        + number(a.logpMedian()) + " with " + a.spec().label() + ", " + number(b.logpMedian())
                        + " with " + b.spec().label() + ") " + (b.logpMedian() > a.logpMedian() ? b : a).spec().label()
                        + " is ahead. ")
                : task.equals("task12")
                ? "The model fits the " + better.spec().label() + " better: its gap to the entropy floor is "
                        + number(better.gap()) + " against " + number(worse.gap()) + " nats ("
                        + number(100 * Math.abs(dGap) / Math.max(worse.gap(), 1e-12)) + " % less). "
                : better.spec().label() + " fits better: its NLL is " + number(better.testNll()) + " against "
                        + number(worse.testNll()) + " nats, a gap to the entropy floor of " + number(better.gap())
                        + " against " + number(worse.gap()) + " nats (" + number(Math.abs(dGap)) + " nats, "
                        + number(100 * Math.abs(dGap) / Math.max(worse.gap(), 1e-12)) + " % of the larger gap). ";
        switch (task) {
            case "task10" -> {
                String concl;
                if (tie) {
                    concl = "At this training length depth did not matter measurably.";
                } else if (better == b) {
                    concl = "Depth helps: with K = 2 each coordinate is transformed once, by one affine map "
                            + "conditioned on the other coordinate; this can shear and stretch the Gaussian but "
                            + "hardly split it into five rotated modes. Each extra pair of layers composes another "
                            + "such map (the log-determinants add, Task 7), so the deeper flow is far more "
                            + "expressive; the layer panels show the five modes being formed step by step.";
                } else if (last(b.result().trainLosses()) < last(a.result().trainLosses())) {
                    concl = "Yet the deeper model fits its own training data better (final training loss "
                            + number(last(b.result().trainLosses())) + " against "
                            + number(last(a.result().trainLosses())) + ") and typical fresh points better (median "
                            + "log p " + number(b.logpMedian()) + " against " + number(a.logpMedian()) + "): it is "
                            + "more expressive, and uses that to squeeze density into thin ridges between the modes. "
                            + "The mean over fresh points punishes the few that land where it left almost no mass "
                            + "(1 % of them below log p = " + number(b.logpQ01()) + ", against "
                            + number(a.logpQ01()) + " for K = 2). Depth buys expressiveness; without more data or "
                            + "longer, regularised training it also buys overconfidence.";
                } else {
                    concl = "Here the shallower model wins on every measure: after " + a.spec().epochs()
                            + " epochs the deeper model, with twice the parameters, has not yet converged (final "
                            + "training loss " + number(last(b.result().trainLosses())) + " against "
                            + number(last(a.result().trainLosses())) + "); depth buys expressiveness but needs "
                            + "more training.";
                }
                return fit + concl + " The KDE on the same data reaches a gap of " + number(a.kdeGap())
                        + " nats for comparison.";
            }
            case "task11" -> {
                double overfitA = a.testNll() - last(a.result().trainLosses());
                double overfitB = b.testNll() - last(b.result().trainLosses());
                String concl;
                if (tie) {
                    concl = "Doubling the data changed the fit by less than the noise; ";
                } else if (better == b) {
                    concl = "More data helps: the larger set pins the density down in more places, "
                            + (overfitB < overfitA ? "and the model overfits less: " : "although the gap between "
                                    + "test NLL and training loss did not shrink: ");
                } else {
                    concl = "The smaller set wins here; with a fixed budget of epochs the difference is dominated by "
                            + "the optimisation and by a few badly placed test points, not by the data: ";
                }
                return fit + concl + "test NLL − final training loss is " + number(overfitA)
                        + " nats with " + a.spec().label() + " and " + number(overfitB) + " with "
                        + b.spec().label() + ". Note the confound built into the task: at a fixed number of epochs "
                        + "the larger set also gets twice the Adam steps (" + steps(a) + " against " + steps(b)
                        + "), so part of any gain is longer training. "
                        + (a.result().returned() == TrainingResult.Weights.FINAL
                                && b.result().returned() == TrainingResult.Weights.FINAL
                                ? "Both validation sets are under 500 points, so the notebook's rule returns the final "
                                        + "weights in both cases." : "");
            }
            default -> {
                String concl;
                if (tie) {
                    concl = "The model fits both equally well relative to their entropy.";
                } else if (better == a) {
                    concl = "The simpler distribution is fitted better: a continuous, invertible map from one "
                            + "Gaussian must tear the mass into as many separated modes as the data has, and every "
                            + "extra mode adds another thin bridge of misplaced density between neighbours and "
                            + "less room between them; with 7 modes at radius 2.5 the blobs are closer (about "
                            + number(2 * 2.5 * Math.sin(Math.PI / 7)) + " apart, against "
                            + number(2 * 2.5 * Math.sin(Math.PI / 3)) + " with 3) and the same K = 4 layers have "
                            + "to do more bending.";
                } else {
                    concl = "The 7-mode distribution is fitted better relative to its entropy: its modes are "
                            + "closer, so the bridges the flow leaves between them carry less misplaced mass.";
                }
                return fit + concl + " (Raw NLLs are not comparable across the two distributions, whose entropies "
                        + "differ: " + number(a.entropy()) + " and " + number(b.entropy()) + " nats; the gaps are.)";
            }
        }
    }

    private static double last(double[] v) {
        return v[v.length - 1];
    }

    private static int steps(Model m) {
        int train = m.result().trainSize();
        return m.spec().epochs() * ((train + 63) / 64);
    }

    private static void writeModels(Run run, Map<String, Model> models) {
        Section s = run.sections.p2Task6and8;
        List<String> files = new ArrayList<>();
        for (Model m : models.values()) {
            files.add(MODELS + "/" + m.spec().id() + ".safetensors");
        }
        s.paragraph("Every trained model is saved beside this report in ", code(MODELS + "/"), " (safetensors with "
                + "the notebook's state_dict names, so PyTorch loads them with load_state_dict): ",
                code(String.join(", ", files.stream().map(f -> f.substring(MODELS.length() + 1)).toList())),
                ". Score, sample or redraw one with, for example, ",
                code("kdeflow score --model " + files.get(0) + " --data points.csv --out scored.csv"), " or ",
                code("kdeflow density --model " + files.get(0) + " --out dir"), ".");
    }

    private static void writeLosses(Run run, Map<String, Model> models) {
        Section s = run.sections.lossCurves;
        s.paragraph("The mean training and validation NLL per epoch of every model (the homework keeps these out "
                + "of the main text: a sanity check that nothing diverged or overfitted badly).");
        for (String task : List.of("task9", "task10", "task11", "task12")) {
            s.figure("p2-losses-" + task + ".png", title(task) + ": training and validation loss per epoch.", 80);
        }
    }
}

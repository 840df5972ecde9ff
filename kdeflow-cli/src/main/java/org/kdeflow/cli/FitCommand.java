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
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.common.ProgressBars;
import org.kdeflow.cli.common.ThreadsOption;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.cli.io.DataFileOptions;
import org.kdeflow.cli.io.WeightsOption;
import org.kdeflow.cli.io.Json;
import org.kdeflow.cli.plot.FlowFigures;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.report.ReportDocument;
import org.kdeflow.cli.report.ReportWriter;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Density;
import org.kdeflow.fit.Candidates;
import org.kdeflow.fit.ModelSelection;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.models.ModelFile;
import org.kdeflow.random.NumpyRandomState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow fit}: chooses the best density model for the user's data by K-fold cross-validation of the held-out
 * likelihood ({@link ModelSelection} over {@link Candidates#defaults}), refits it on all the data and saves it in
 * the one model format every command reads; {@code --report} writes the ranking as a page and JSON.
 */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Choose the best density model for your data: KDEs (Scott, Silverman, likelihood CV, UCV, "
                + "adaptive), spline and affine flows, an ensemble of the best flow and a mixture of "
                + "the best KDE and the best flow, ranked by K-fold cross-validated held-out log-likelihood; ties "
                + "within one standard error go to the cheaper model. The winner is refitted on all the data.",
            "The candidate set is scaled to --budget: cheap candidates first; flows only while they fit. Which "
                + "candidates run depends only on the number of points, the dimension, --budget and --threads, so the "
                + "same command gives the same model file, byte for byte. --weights weighs every fold's fit and score "
                + "and --test-n's held-out NLL."},
        footer = {"", "Example:", "  kdeflow fit --data points.csv --columns x,y --out model.safetensors "
                + "--report fit-report"})
public final class FitCommand implements Callable<Integer> {

    @Mixin
    DataFileOptions data = new DataFileOptions();

    @Mixin
    WeightsOption weightsOption = new WeightsOption();

    @Option(names = "--out", paramLabel = "MODEL.safetensors", required = true,
            description = "Where to save the chosen model (read by score, sample --model, density).")
    Path out;

    @Option(names = "--budget", paramLabel = "SECONDS", defaultValue = "60",
            description = "Planned wall time of the selection (default ${DEFAULT-VALUE}); the candidates that do not "
                    + "fit are left out, cheapest kept.")
    double budget;

    @Option(names = "--folds", paramLabel = "K", defaultValue = "5",
            description = "Cross-validation folds (default ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seeds the folds and the flows' initial weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--test-n", paramLabel = "N", defaultValue = "0",
            description = "Hold out N rows at random (seeded by --seed) before the selection, never seen by it, and "
                    + "report the chosen model's mean NLL on them (default ${DEFAULT-VALUE}: none).")
    int testN;

    @Option(names = "--report", paramLabel = "DIR",
            description = "Also write a report folder: index.html (the ranking, the chosen model, its density "
                    + "image for 2-D data) and ranking.json.")
    Path report;

    @Option(names = "--save-dtype", paramLabel = "f32|f64", defaultValue = "f64",
            description = "The dtype of the numbers in the saved model: f64 (exact, default) or f32.")
    String dtype;

    @Option(names = "--quiet", description = "No progress bar and no summary.")
    boolean quiet;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!data.given()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "missing the data: --data FILE.csv");
        }
        data.options();
        if (!(budget > 0) || !Double.isFinite(budget) || budget > 1e6) {
            throw new InputException("--budget must be a positive number of seconds up to 1e6, got " + budget);
        }
        if (folds < 2 || folds > 100) {
            throw new InputException("--folds must be between 2 and 100, got " + folds);
        }
        if (seed < 0 || seed > 0xFFFF_FFF0L) {
            throw new InputException("--seed must be between 0 and 2^32-17, got " + seed);
        }
        if (testN < 0) {
            throw new InputException("--test-n must be >= 0, got " + testN);
        }
        SafeTensors.DType saveAs = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32" -> SafeTensors.DType.F32;
            case "f64" -> SafeTensors.DType.F64;
            default -> throw new InputException("--save-dtype must be f32 or f64, got '" + dtype + "'");
        };
        int t = threads.threads();
        Outputs outputs = Outputs.of("kdeflow fit");
        Outputs.Output model = outputs.file("--out", out);
        Outputs.Output dir = outputs.folder("--report", report);
        try (Outputs.Staged staged = outputs.begin()) {
            CsvData csv = data.read(weightsOption);
            Dataset all = csv.data();
            double[] w = csv.weights();
            Dataset points = all;
            Dataset test = null;
            double[] testWeights = null;
            if (testN > 0) {
                if (all.size() - testN < folds) {
                    throw new InputException("--test-n " + testN + ": " + data.path() + " has " + all.size()
                            + " rows; holding out " + testN + " leaves fewer than --folds " + folds);
                }
                int[] perm = new NumpyRandomState(seed).permutation(all.size());
                int[] kept = Arrays.copyOfRange(perm, 0, all.size() - testN);
                points = all.select(kept);
                test = all.select(Arrays.copyOfRange(perm, all.size() - testN, all.size()));
                if (w != null) {
                    testWeights = pick(w, Arrays.copyOfRange(perm, all.size() - testN, all.size()));
                    w = pick(w, kept);
                }
            }
            if (points.size() < 2 * folds) {
                throw new InputException(data.path() + ": " + points.size() + " points are too few for " + folds
                        + "-fold cross-validation (need at least " + 2 * folds + ")");
            }
            ModelSelection.Result r;
            try (Progress progress = new Progress(!quiet && ProgressBars.interactive())) {
                ModelSelection sel = new ModelSelection(Candidates.defaults(points.dim(), seed),
                        ModelSelection.Options.defaults().withFolds(folds).withSeed(seed).withBudget(budget)
                                .withThreads(t), progress);
                r = sel.select(points, w);
            } catch (IllegalArgumentException e) {
                throw new InputException(data.path() + ": " + e.getMessage());
            }
            Map<String, Object> summary = summary(points, test, testWeights, r);
            ModelFile.save(r.model(), staged.path(model), saveAs, Map.of("kdeflow.fit", Json.compact(summary)));
            if (dir != null) {
                writeReport(staged.path(dir), points, r, summary);
            }
            staged.commit();
            if (!quiet) {
                print(r, test, testWeights);
            }
        }
        return 0;
    }

    private static double[] pick(double[] w, int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = w[rows[i]];
        }
        return out;
    }

    /** The mean of −log p over the held-out rows, weighted by their --weights when given. */
    private static double heldOutNll(Density model, Dataset test, double[] w) {
        double[] lp = model.logDensity(test);
        double s = 0;
        double sw = 0;
        for (int i = 0; i < lp.length; i++) {
            double wi = w == null ? 1.0 : w[i];
            if (wi > 0) {
                s -= wi * lp[i];
                sw += wi;
            }
        }
        return sw > 0 ? s / sw : Double.NaN;
    }

    private Map<String, Object> summary(Dataset points, Dataset test, double[] testWeights, ModelSelection.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> src = new LinkedHashMap<>();
        src.put("data", data.path().toString());
        src.put("n", points.size());
        src.put("dim", points.dim());
        m.put("source", src);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("folds", folds);
        settings.put("seed", seed);
        settings.put("budget_seconds", budget);
        m.put("settings", settings);
        m.put("chosen", r.chosen());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ModelSelection.Score s : r.ranking()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", s.name());
            e.put("cv_nll", finite(-s.meanLogLikelihood()));
            e.put("cv_nll_se", finite(s.standardError()));
            e.put("difference_to_best", finite(0.0 + s.differenceToBest()));
            e.put("difference_se", finite(s.differenceError()));
            e.put("parameters", s.parameters());
            e.put("note", s.note());
            rows.add(e);
        }
        m.put("ranking", rows);
        m.put("skipped_for_budget", r.skipped());
        if (test != null) {
            Map<String, Object> held = new LinkedHashMap<>();
            held.put("n", test.size());
            held.put("nll", finite(heldOutNll(r.model(), test, testWeights)));
            m.put("held_out", held);
        }
        return m;
    }

    /** Times are not in the model file's summary (so that the same command writes the same bytes); the report has them. */
    private void writeReport(Path dir, Dataset points, ModelSelection.Result r, Map<String, Object> summary)
            throws IOException {
        Map<String, Object> json = new LinkedHashMap<>(summary);
        List<Map<String, Object>> seconds = new ArrayList<>();
        for (ModelSelection.Score s : r.ranking()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", s.name());
            e.put("cv_seconds", s.fitSeconds());
            seconds.add(e);
        }
        json.put("timings", seconds);
        json.put("refit_seconds", r.refitSeconds());
        Files.write(dir.resolve("ranking.json"), Json.pretty(json));
        ReportDocument doc = new ReportDocument("kdeflow fit: " + data.path().getFileName());
        doc.lead("The candidates ranked by " + folds + "-fold cross-validated mean negative log-likelihood (nats per "
                + "point, lower is better) on " + points.size() + " points in " + points.dim() + " dimensions. The "
                + "chosen model, ", ReportDocument.code(r.chosen()), ", was refitted on all the points.");
        ReportDocument.Section sec = doc.section("ranking", "Ranking");
        List<List<Object>> rows = new ArrayList<>();
        int rank = 1;
        for (ModelSelection.Score s : r.ranking()) {
            rows.add(List.of(rank++, s.name(), fmt(-s.meanLogLikelihood()) + " ± " + fmt(s.standardError()),
                    fmt(0.0 - s.differenceToBest()) + " ± " + fmt(s.differenceError()),
                    String.format(Locale.ROOT, "%.1f", s.fitSeconds()), s.parameters(), s.note()));
        }
        sec.table("Candidates, best first: CV NLL ± standard error; the gap to the best with the standard error of "
                + "the paired differences; the wall seconds of the K fits; the fitted model's parameters.",
                List.of("rank", "candidate", "CV NLL", "gap to best", "seconds", "parameters", ""), rows);
        if (!r.skipped().isEmpty()) {
            sec.paragraph("Left out for the budget of " + budget + " s: " + String.join(", ", r.skipped()) + ".");
        }
        if (points.dim() == 2) {
            double[] range = FlowFigures.robustRange(List.of(points.toArray()), 0.5);
            Grid g = new Grid(range[0], range[1], range[2], range[3], 150, 150);
            Density d = r.model();
            Plots.densityPanels("The chosen model's density p(x)", List.of(r.chosen()), g,
                    List.of(d.density(g.points(), g.size())), 1, true, "p(x)").save(dir.resolve("density.png"));
            Plots.scatter("The data (" + points.size() + " points)", points.toArray(), points.size(), range)
                    .save(dir.resolve("data.png"));
            ReportDocument.Section fig = doc.section("density", "The chosen model");
            fig.figures(List.of("density.png", "data.png"), "The chosen model's density on a 150 × 150 grid, and "
                    + "the data.", 48);
        }
        ReportWriter.writeHtml(doc, dir);
    }

    private void print(ModelSelection.Result r, Dataset test, double[] testWeights) {
        var o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%-44s %18s %18s %8s%n", "candidate", "CV NLL ± SE", "gap ± SE", "seconds");
        for (ModelSelection.Score s : r.ranking()) {
            o.printf(Locale.ROOT, "%-44s %10s ± %-6s %10s ± %-6s %7.1f %s%n", s.name(), fmt(-s.meanLogLikelihood()),
                    fmt(s.standardError()), fmt(0.0 - s.differenceToBest()), fmt(s.differenceError()), s.fitSeconds(),
                    s.note());
        }
        if (!r.skipped().isEmpty()) {
            o.println("left out for the budget: " + String.join(", ", r.skipped()));
        }
        o.println("chosen: " + r.chosen() + "; wrote " + out + (report != null ? " and " + report : ""));
        if (test != null) {
            o.printf(Locale.ROOT, "held-out NLL: %.4f nats on %d rows not seen by the selection%n",
                    heldOutNll(r.model(), test, testWeights), test.size());
        }
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : String.valueOf(v);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    /** A bar over the planned fits, on a terminal only. */
    private static final class Progress implements ModelSelection.Listener, AutoCloseable {
        private final boolean show;
        private ProgressBar bar;

        Progress(boolean show) {
            this.show = show;
        }

        @Override
        public synchronized void onPlan(int fits, List<String> candidates, List<String> skipped) {
            if (show) {
                bar = ProgressBars.open("fit", fits, " fits", null);
            }
        }

        @Override
        public synchronized void onFit(String candidate, int fold) {
            if (bar != null) {
                bar.step();
                bar.setExtraMessage(candidate);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }
}

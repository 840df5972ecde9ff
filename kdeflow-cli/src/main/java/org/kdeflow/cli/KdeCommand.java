package org.kdeflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.Distribution;
import org.kdeflow.cli.common.DistributionOptions;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Limits;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.common.ThreadsOption;
import org.kdeflow.cli.common.Words;
import org.kdeflow.cli.homework.HomeworkConfig;
import org.kdeflow.cli.homework.KdeStudy;
import org.kdeflow.cli.homework.PartOne;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.cli.io.CsvWriter;
import org.kdeflow.cli.io.DataFileOptions;
import org.kdeflow.cli.io.Json;
import org.kdeflow.cli.io.ModelFiles;
import org.kdeflow.cli.io.WeightsOption;
import org.kdeflow.cli.plot.ColorCap;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.plot.Series;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Density;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelector;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.Bounds;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.ModelFile;
import org.kdeflow.random.NumpyRandomState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow kde}: kernel density estimates with figures and metrics, density values at query points, box
 * probabilities and KDE model files. Parses, calls {@link KdeStudy} / {@link KernelDensity}, writes; no numerics
 * here. The options that shape an estimate from {@code --data} (bounds, conditionals, marginals, boxes, the model
 * file) are {@link KdeEstimateOptions}; its weights are {@link WeightsOption}.
 */
@Command(name = "kde", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Kernel density estimation: f̂(x) = (1/|H|) Σᵢ ωᵢ K(H⁻¹(xᵢ − x)).",
            "With --dist (a known density) writes, per bandwidth, f̂ beside the true f on one colour scale, the ISE "
                + "against h with the cross-validated h marked, and metrics.json (ISE, max error, held-out "
                + "log-likelihood; the held-out sample uses seed S+1). With --data and --at writes density and "
                + "log_density at the query points.",
            "With --data the estimate takes --weights, --bounds, --given and --marginal; --box prints box "
                + "probabilities and --save writes it as a model file (for score, sample --model and density)."},
        footer = {"", "Examples:",
            "  kdeflow kde --homework --out figures/kde",
            "  kdeflow kde --dist spiral --h 0.1,0.3 --grid 200 --out spiral-kde",
            "  kdeflow kde --dist mixture --bandwidth ucv --out mix-ucv",
            "  kdeflow kde --data pts.csv --H \"0.3,0.1;-0.05,0.2\" --at query.csv --out values.csv",
            "  kdeflow kde --data pts.csv --weights w --bandwidth adaptive --bounds 0:inf,0:1 --save kde.safetensors",
            "  kdeflow kde --data pts.csv --given x=0.5 --at y-values.csv --out conditional.csv",
            "  kdeflow kde --data pts.csv --marginal y --box 0:1"})
public final class KdeCommand implements Callable<Integer> {

    /** The homework's Part I bandwidths (Task 3). */
    public static final double[] HOMEWORK_H = {0.1, 0.5, 1.0};

    @Option(names = "--homework", description = "The homework's Part I Task 3: mixture σ=½, σ=1 and spiral, N=10000, "
            + "h ∈ {0.1, 0.5, 1}, 100×100 grid, into the folder --out (--n and --grid change N and the grid).")
    boolean homework;

    @Mixin
    DistributionOptions source = new DistributionOptions();

    @Option(names = "--n", paramLabel = "N", description = "Sample size with --dist (default 10000 for mixture and "
            + "spiral, 1000 for the toy sets).")
    Integer n;

    @Mixin
    DataFileOptions data = new DataFileOptions();

    @Option(names = "--h", paramLabel = "h", split = ",", description = "Scalar bandwidths, H = h·I.")
    double[] h;

    @Option(names = "--H", paramLabel = "a,b;c,d", description = "A full bandwidth matrix, rows separated by ';' "
            + "(need not be symmetric; must be invertible).")
    String fullH;

    @Option(names = "--bandwidth", paramLabel = "RULE", description = "A rule for H: scott or silverman (rules of "
            + "thumb), lcv (likelihood cross-validation), ucv (least-squares cross-validation), adaptive (Abramson's "
            + "per-sample bandwidths on the lcv pilot, α by leave-one-out likelihood), hpi (plug-in, as R ks's Hpi) "
            + "or hscv (smoothed cross-validation, as R ks's Hscv); ucv, adaptive, hpi and hscv need the gaussian "
            + "kernel, hpi and hscv a full or diagonal --form. Default without --h, --H or --bandwidth: with --dist "
            + "the homework's h = 0.1, 0.5, 1; with --data scott.")
    String rule;

    @Option(names = "--form", paramLabel = "FORM", defaultValue = "full", description = "Form of the rule's H: "
            + "full (a multiple of the covariance's Cholesky factor, as scipy), diagonal or scalar "
            + "(default ${DEFAULT-VALUE}).")
    String form;

    @Option(names = "--grid", paramLabel = "G", defaultValue = "100", description = "Grid points per axis, 2 … 4096 "
            + "(default ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "gaussian",
            description = "gaussian or epanechnikov (default ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--at", paramLabel = "FILE", description = "Query points (CSV, every column; one per coordinate "
            + "of the estimate); --out is then a CSV file.")
    Path at;

    @Mixin
    WeightsOption weights = new WeightsOption();

    @Mixin
    KdeEstimateOptions estimate = new KdeEstimateOptions();

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--out", paramLabel = "PATH",
            description = "Output folder (figures and metrics.json), or CSV file with --at. Needed except with "
                    + "--data and --save or --box.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        int sources = (homework ? 1 : 0) + (source.given() ? 1 : 0) + (data.given() ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("give exactly one of --homework, --dist NAME or --data FILE");
        }
        int bws = (h != null ? 1 : 0) + (fullH != null ? 1 : 0) + (rule != null ? 1 : 0);
        if (bws > 1) {
            throw new IllegalArgumentException("give at most one of --h, --H and --bandwidth");
        }
        Limits.checkGrid("--grid", grid);
        threads.threads();
        data.options(weights);
        // the held-out sample is drawn with seed + 1
        source.check(DistributionOptions.MAX_SEED - 1);
        if (n != null && n < 2) {
            throw new IllegalArgumentException("--n must be at least 2, got " + n);
        }
        Kernel k = Kernel.parse(kernel);
        Bandwidth.Kind f = parseForm(form);
        selector(k, f);
        estimate.check();
        if (!data.given() && estimate.any()) {
            throw new IllegalArgumentException(estimate.first() + " applies to --data FILE.csv (the estimate from "
                    + "a file of points)");
        }
        if (at != null && !data.given()) {
            throw new IllegalArgumentException("--at needs --data FILE (the samples to estimate from)");
        }
        if (homework && (bws > 0 || source.sigmaGiven() || source.given() || k != Kernel.GAUSSIAN)) {
            throw new IllegalArgumentException("--homework uses the homework's distributions, bandwidths and Gaussian "
                    + "kernel; it cannot be combined with --h, --H, --bandwidth, --sigma or --kernel (only --n and "
                    + "--grid change it)");
        }
        if (data.given()) {
            return fromData(k, f);
        }
        if (out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--out=PATH'");
        }
        Distribution d = source.given() ? source.distribution() : null;
        int count = homework ? (n == null ? Distribution.PART1_N : n) : d == null ? 0 : n == null ? d.defaultN() : n;
        if (count > 0) {
            Limits.checkPoints("--n " + count, 2L * count, 2); // the training and the held-out sample
        }
        Outputs outputs = Outputs.of("kdeflow kde");
        Outputs.Output target = outputs.folder("--out", out);
        String done;
        try (Outputs.Staged staged = outputs.begin()) {
            Path o = staged.path(target);
            if (homework) {
                done = writeHomework(PartOne.Setting.of(HomeworkConfig.full(source.seed())).withN(count)
                        .withGrid(grid), o);
            } else {
                Study s = study(d, source.params(), count);
                done = writeStudies(List.of(s), bandwidths(s.train, null, k, f, HOMEWORK_H), k, o);
            }
            staged.commit();
        }
        spec.commandLine().getOut().println(done);
        return 0;
    }

    // ------------------------------------------------------------------ inputs

    private static Bandwidth.Kind parseForm(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "full" -> Bandwidth.Kind.FULL;
            case "diagonal", "diag" -> Bandwidth.Kind.DIAGONAL;
            case "scalar" -> Bandwidth.Kind.SCALAR;
            default -> throw new IllegalArgumentException("--form must be full, diagonal or scalar, got '" + s + "'");
        };
    }

    private static List<Bandwidth> scalars(double[] hs) {
        List<Bandwidth> list = new ArrayList<>();
        for (double v : hs) {
            list.add(Bandwidth.scalar(v, 2));
        }
        return list;
    }

    /**
     * The rule of {@code --bandwidth} (null without it), checked against the kernel and the form: the rules whose
     * criterion is the Gaussian kernel's (ucv, adaptive, hpi, hscv) refuse another kernel; lcv uses the kernel.
     */
    private BandwidthSelector selector(Kernel k, Bandwidth.Kind f) {
        if (rule == null) {
            return null;
        }
        String name = rule.trim().toLowerCase(Locale.ROOT);
        BandwidthSelector sel;
        try {
            sel = BandwidthSelector.parse(name, f);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--bandwidth " + Words.abbreviate(rule, 40) + ": " + e.getMessage(), e);
        }
        if (k != Kernel.GAUSSIAN && List.of("ucv", "adaptive", "hpi", "hscv").contains(name)) {
            throw new IllegalArgumentException("--bandwidth " + name + " is implemented for the gaussian kernel only");
        }
        return name.equals("lcv") ? BandwidthSelectors.likelihoodCV(f, k, BandwidthSelectors.MAX_POINTS) : sel;
    }

    /**
     * The bandwidths asked for (default: {@code defaults} as scalars, or Scott when null), rules applied to the
     * points x with weights w (null: equal).
     */
    private List<Bandwidth> bandwidths(Dataset x, double[] w, Kernel k, Bandwidth.Kind f, double[] defaults) {
        int d = x.dim();
        if (h != null) {
            List<Bandwidth> list = new ArrayList<>();
            for (double v : h) {
                if (!(Double.isFinite(v) && v > 0)) {
                    throw new IllegalArgumentException("--h: bandwidth h must be a finite number > 0, got " + v);
                }
                list.add(Bandwidth.scalar(v, d));
            }
            if (list.isEmpty()) {
                throw new IllegalArgumentException("--h: give at least one bandwidth");
            }
            return list;
        }
        if (fullH != null) {
            return List.of(parseMatrix(fullH, d));
        }
        if (rule != null) {
            return List.of(selector(k, f).select(x, w));
        }
        if (defaults != null && d == 2) {
            return scalars(defaults);
        }
        return List.of(BandwidthSelectors.scott(f).select(x, w));
    }

    /** "a,b;c,d" → a full H of dimension d. */
    static Bandwidth parseMatrix(String text, int d) {
        String[] rows = text.trim().split(";");
        double[] m = new double[rows.length * rows.length];
        if (rows.length != d) {
            throw new IllegalArgumentException("--H has " + rows.length + " rows but the data have dimension " + d
                    + " (expected a " + d + "x" + d + " matrix)");
        }
        for (int r = 0; r < rows.length; r++) {
            String[] cells = rows[r].trim().split(",");
            if (cells.length != d) {
                throw new IllegalArgumentException("--H row " + (r + 1) + " has " + cells.length
                        + " entries, expected " + d);
            }
            for (int c = 0; c < d; c++) {
                try {
                    m[r * d + c] = Double.parseDouble(cells[c].trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--H entry (" + (r + 1) + "," + (c + 1) + "): '"
                            + cells[c].trim() + "' is not a number");
                }
            }
        }
        return Bandwidth.full(m, d);
    }

    /** One distribution's training and held-out samples. */
    record Study(String name, String title, Density truth, Dataset train, Dataset test) {
    }

    /** n samples of {@code d} with --seed for training, n with seed + 1 held out, and the true density. */
    private Study study(Distribution d, Distribution.Params p, int count) {
        Density truth = d.truth(p);
        return new Study(d.key(p), d.label(p), truth, d.sample(count, source.seed(), p),
                truth.sample(count, new NumpyRandomState(source.seed() + 1)));
    }

    /** A grid over the samples' range, widened by 10% of the span on each side. */
    private Grid gridFor(Dataset x) {
        double[] b = x.bounds();
        double px = 0.1 * (b[1] - b[0]);
        double py = 0.1 * (b[3] - b[2]);
        if (!(px > 0 && py > 0)) {
            throw new IllegalArgumentException("the samples have no spread in x or y; cannot lay a grid over them");
        }
        return new Grid(b[0] - px, b[1] + px, b[2] - py, b[3] + py, grid, grid);
    }

    // ------------------------------------------------------------------ outputs

    /** Estimates, figures and metrics of each study into {@code dir}; returns the line to print. */
    private String writeStudies(List<Study> studies, List<Bandwidth> list, Kernel k, Path dir) throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kernel", k.name().toLowerCase(Locale.ROOT));
        metrics.put("seed", source.seed());
        Map<String, Figure> figures = new LinkedHashMap<>();
        Map<String, Object> per = new LinkedHashMap<>();
        for (Study s : studies) {
            Grid g = gridFor(s.train);
            double[] curveH = KdeStudy.logSpace(0.02, 1.5, 30);
            BandwidthSelector cv = BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR, k,
                    BandwidthSelectors.MAX_POINTS);
            KdeStudy.Result r = KdeStudy.run(s.truth, s.train, s.test, g, list, k, curveH, cv);
            List<String> titles = new ArrayList<>();
            List<double[]> values = new ArrayList<>();
            values.add(r.truth());
            for (KdeStudy.Entry e : r.entries()) {
                values.add(e.estimate());
            }
            ColorCap cap = ColorCap.of(r.truth(), values);
            titles.add(cap.clipped() ? String.format(Locale.ROOT, "true f (colours saturate at %.2g)", cap.cap())
                    : "true f");
            for (KdeStudy.Entry e : r.entries()) {
                titles.add("f̂, " + e.label());
            }
            figures.put(s.name + "-kde", Plots.densityPanels(s.title + ": true density and KDE (N = "
                    + s.train.size() + ", " + k.name().toLowerCase(Locale.ROOT) + " kernel)", titles, g, values,
                    values.size(), true, "density", cap.colorMax()));
            double cvH = r.crossValidated().diagonal()[0];
            List<Series> series = new ArrayList<>();
            series.add(new Series("ISE(h), H = h·I", r.curve().h(), r.curve().ise()));
            for (KdeStudy.Entry e : r.entries()) {
                if (e.bandwidth().kind() == Bandwidth.Kind.SCALAR) {
                    series.add(new Series(e.label(), new double[] {e.bandwidth().diagonal()[0]},
                            new double[] {e.ise()}));
                }
            }
            figures.put(s.name + "-ise", Plots.lines(s.title + ": ISE against h (dashed: LCV h = "
                    + String.format(Locale.ROOT, "%.3g", cvH) + ")", "h", "ISE = ∫(f̂ − f)²", true, true, series,
                    new double[] {cvH}));
            per.put(s.name, studyMetrics(s, g, r));
        }
        metrics.put("distributions", per);
        writeFolder(dir, figures, metrics);
        return "wrote " + figures.size() + " figures and metrics.json to " + out;
    }

    /**
     * The homework's Part I, as the report computes and draws it ({@link PartOne}): per density NAME-kde (true f
     * beside f̂ for each h) and NAME-ise (the ISE curve), PNG and SVG, and metrics.json.
     */
    private String writeHomework(PartOne.Setting setting, Path dir) throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kernel", Kernel.GAUSSIAN.name().toLowerCase(Locale.ROOT));
        metrics.put("seed", setting.seed());
        Map<String, Figure> figures = new LinkedHashMap<>();
        Map<String, Object> per = new LinkedHashMap<>();
        for (PartOne.Dist d : PartOne.distributions()) {
            PartOne.Outcome o = PartOne.study(d, setting);
            figures.put(d.key() + "-kde", PartOne.estimates(o));
            figures.put(d.key() + "-ise", PartOne.iseCurve(o));
            Study s = new Study(d.key(), d.name(), d.density(), o.train(), o.test());
            per.put(d.key(), studyMetrics(s, o.study().grid(), o.study()));
        }
        metrics.put("distributions", per);
        writeFolder(dir, figures, metrics);
        return "wrote " + figures.size() + " figures and metrics.json to " + out;
    }

    private static void writeFolder(Path dir, Map<String, Figure> figures, Map<String, Object> metrics)
            throws IOException {
        for (Map.Entry<String, Figure> e : figures.entrySet()) {
            e.getValue().save(dir.resolve(e.getKey() + ".png"));
            e.getValue().save(dir.resolve(e.getKey() + ".svg"));
        }
        Files.write(dir.resolve("metrics.json"), Json.pretty(metrics));
    }

    private static Map<String, Object> studyMetrics(Study s, Grid g, KdeStudy.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", s.train.size());
        m.put("test_n", s.test.size());
        Map<String, Object> grid = new LinkedHashMap<>();
        grid.put("x0", g.x0());
        grid.put("x1", g.x1());
        grid.put("y0", g.y0());
        grid.put("y1", g.y1());
        grid.put("nx", g.nx());
        grid.put("ny", g.ny());
        m.put("grid", grid);
        m.put("true_heldout_mean_loglik", r.truthHeldOutLogLikelihood());
        List<Object> entries = new ArrayList<>();
        for (KdeStudy.Entry e : r.entries()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("label", e.label());
            em.put("H", e.bandwidth().matrix());
            em.put("ise", e.ise());
            em.put("max_error", e.maxError());
            em.put("heldout_mean_loglik", e.heldOutLogLikelihood());
            entries.add(em);
        }
        m.put("estimates", entries);
        m.put("lcv_h", r.crossValidated().diagonal()[0]);
        m.put("lcv_ise", r.crossValidatedIse());
        Map<String, Object> curve = new LinkedHashMap<>();
        curve.put("h", r.curve().h());
        curve.put("ise", r.curve().ise());
        m.put("ise_curve", curve);
        int best = 0;
        for (int i = 1; i < r.curve().ise().length; i++) {
            if (r.curve().ise()[i] < r.curve().ise()[best]) {
                best = i;
            }
        }
        m.put("ise_curve_best_h", r.curve().h()[best]);
        return m;
    }

    // ------------------------------------------------------------------ --data

    /**
     * {@code --data}: the estimate from a file of points (with --weights, --bounds, --given, --marginal), then what
     * was asked of it: figures and metrics (--out DIR), density values at the --at points (--out FILE), box
     * probabilities (printed), the model file (--save). Every output is declared before the work and committed
     * together; the probabilities are printed after the commit.
     */
    private Integer fromData(Kernel k, Bandwidth.Kind f) throws IOException {
        if (out == null && !estimate.hasOutput()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "nothing to write: give --out (figures, or "
                    + "values with --at), --save KDE.safetensors or --box LO:HI,…");
        }
        if (at != null && out == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--at needs --out VALUES.csv");
        }
        boolean single = at != null || estimate.hasOutput();
        if (single && h != null && h.length > 1) {
            throw new IllegalArgumentException((at != null ? "--at" : estimate.save != null ? "--save" : "--box")
                    + " takes one estimate; give a single --h value");
        }
        Outputs outputs = Outputs.of("kdeflow kde");
        Outputs.Output target = out == null ? null : at != null ? outputs.file("--out", out)
                : outputs.folder("--out", out);
        Outputs.Output model = outputs.file("--save", estimate.save);
        List<String> lines = new ArrayList<>();
        KdeEstimateOptions.Estimate first;
        try (Outputs.Staged staged = outputs.begin()) {
            CsvData csv = data.read(weights);
            Dataset x = csv.data();
            estimate.resolve(x, csv.coordinateNames(), data.path());
            if (target != null && at == null && estimate.names().size() != 2) {
                throw new IllegalArgumentException("the estimate has " + Words.count(estimate.names().size(),
                        "coordinate") + " (" + String.join(", ", estimate.names()) + "); figures need 2 (choose them "
                        + "with --marginal or --given, or use --at QUERY.csv --out VALUES.csv)");
            }
            double[] w = csv.weights();
            List<KdeEstimateOptions.Estimate> list = new ArrayList<>();
            for (Bandwidth b : bandwidths(x, w, k, f, null)) {
                list.add(estimate.estimate(KernelDensity.of(x, w, b, k).withThreads(threads.threads())));
            }
            first = list.get(0);
            for (Bounds box : estimate.boxes()) {
                double p;
                try {
                    p = first.kde().integrateBox(lower(box), upper(box));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--box " + box + ": " + e.getMessage(), e);
                }
                lines.add("P(" + KdeEstimateOptions.describe(box, first.names()) + ") = " + p);
            }
            if (at != null) {
                lines.add(query(first, staged.path(target)));
            } else if (target != null) {
                lines.add(writeFigures(list, csv, staged.path(target)));
            }
            if (model != null) {
                ModelFile.save(first.kde(), staged.path(model));
                lines.add("saved " + first.label() + " (" + ModelFiles.describe(first.kde()) + ") to "
                        + estimate.save);
            }
            staged.commit();
        }
        lines.forEach(spec.commandLine().getOut()::println);
        return 0;
    }

    private static double[] lower(Bounds b) {
        double[] v = new double[b.dim()];
        for (int j = 0; j < v.length; j++) {
            v[j] = b.lower(j);
        }
        return v;
    }

    private static double[] upper(Bounds b) {
        double[] v = new double[b.dim()];
        for (int j = 0; j < v.length; j++) {
            v[j] = b.upper(j);
        }
        return v;
    }

    /** The 2-D estimates on a grid over their samples' range, as figures and metrics into {@code dir}. */
    private String writeFigures(List<KdeEstimateOptions.Estimate> list, CsvData csv, Path dir) throws IOException {
        KdeEstimateOptions.Estimate first = list.get(0);
        Grid g = gridFor(first.kde().samples());
        List<String> titles = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        List<Object> entries = new ArrayList<>();
        for (KdeEstimateOptions.Estimate e : list) {
            KernelDensity kde = e.kde();
            String label = KdeStudy.label(kde.bandwidth()) + (kde.isAdaptive() ? ", adaptive" : "");
            titles.add("f̂, " + label);
            values.add(kde.densityOnGrid(g));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("label", label);
            entry.put("H", kde.bandwidth().matrix());
            entry.put("adaptive", kde.isAdaptive());
            entry.put("grid_method", kde.autoMethod().name().toLowerCase(Locale.ROOT));
            entries.add(entry);
        }
        Figure fig = Plots.densityPanels("KDE of " + data.path().getFileName() + " (N = " + csv.data().size()
                + "): " + first.label(), titles, g, values, Math.min(values.size(), 3), true, "density");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("data", data.path().toString());
        metrics.put("n", csv.data().size());
        metrics.put("kernel", first.kde().kernel().name().toLowerCase(Locale.ROOT));
        metrics.put("weights", weights.column());
        metrics.put("bounds", estimate.bounds);
        metrics.put("estimate", first.label());
        metrics.put("coordinates", first.names());
        metrics.put("estimates", entries);
        writeFolder(dir, Map.of("kde", fig), metrics);
        return "wrote kde.png, kde.svg and metrics.json to " + out;
    }

    /** density and log_density of the estimate at the points of --at, into the CSV file {@code file}. */
    private String query(KdeEstimateOptions.Estimate e, Path file) throws IOException {
        CsvData q = CsvData.read(at);
        KernelDensity kde = e.kde();
        int d = kde.dim();
        if (q.data().dim() != d) {
            throw new IllegalArgumentException(at + " has " + q.data().dim() + " columns but the estimate has "
                    + Words.count(d, "coordinate") + " (" + String.join(", ", e.names()) + ")");
        }
        int m = q.data().size();
        double[] qx = q.data().toArray();
        double[] lp = new double[m];
        kde.logDensity(qx, m, lp);
        double[] p = new double[m];
        for (int i = 0; i < m; i++) {
            p[i] = Math.exp(lp[i]);
        }
        List<String> cols = new ArrayList<>(q.hasHeader() ? q.columns() : e.names());
        cols.add("density");
        cols.add("log_density");
        CsvWriter.write(file, cols, qx, m, d, p, lp);
        return "wrote " + Words.count(m, "density", "densities") + " of " + e.label() + " to " + out
                + " (" + KdeStudy.label(kde.bandwidth())
                + (kde.isAdaptive() ? ", adaptive" : "") + ")";
    }
}

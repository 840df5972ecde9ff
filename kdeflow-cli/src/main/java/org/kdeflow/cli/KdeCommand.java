package org.kdeflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.plot.Series;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.Spiral;
import org.kdeflow.density.ToyDensities;
import org.kdeflow.formats.AtomicFiles;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelector;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.cli.homework.KdeStudy;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.random.NumpyRandomState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow kde}: kernel density estimates with figures and metrics, or density values at query points. Parses,
 * calls {@link KdeStudy} / {@link KernelDensity}, writes; no numerics here.
 */
@Command(name = "kde", mixinStandardHelpOptions = true,
        description = {"Kernel density estimation: f̂(x) = (1/|H|) Σᵢ ωᵢ K(H⁻¹(xᵢ − x)).",
            "With --dist (a known density) writes, per bandwidth, f̂ beside the true f on one colour scale, the ISE "
                + "against h with the cross-validated h marked, and metrics.json (ISE, max error, held-out "
                + "log-likelihood). With --data and --at writes density and log_density at the query points."},
        footer = {"", "Examples:",
            "  kdeflow kde --homework --out figures/kde",
            "  kdeflow kde --dist spiral --h 0.1,0.3 --grid 200 --out spiral-kde",
            "  kdeflow kde --dist mixture --bandwidth ucv --out mix-ucv",
            "  kdeflow kde --data pts.csv --H \"0.3,0.1;-0.05,0.2\" --at query.csv --out values.csv"})
public final class KdeCommand implements Callable<Integer> {

    /** The homework's Part I bandwidths (Task 3). */
    public static final double[] HOMEWORK_H = {0.1, 0.5, 1.0};

    @Option(names = "--homework", description = "The homework's Part I Task 3: mixture σ=½, σ=1 and spiral, N=10000, "
            + "h ∈ {0.1, 0.5, 1}, 100×100 grid, into the folder --out.")
    boolean homework;

    @Option(names = "--dist", paramLabel = "NAME", description = "Distribution to sample: "
            + "mixture, spiral, circles, moons, gaussians-grid, gaussians-rot.")
    String dist;

    @Option(names = "--data", paramLabel = "FILE", description = "Samples from a CSV file (any dimension).")
    Path data;

    @Option(names = "--n", paramLabel = "N", description = "Sample size with --dist (default 10000 for mixture and "
            + "spiral, 1000 for the toy sets).")
    Integer n;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the training sample; the held-out sample uses S+1 (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--sigma", paramLabel = "S", description = "Mixture component std or spiral radial std "
            + "(default 0.5).")
    Double sigma;

    @Option(names = "--num-gaussians", paramLabel = "G", defaultValue = "5", description = "Centers of gaussians-rot.")
    int numGaussians;

    @Option(names = "--h", paramLabel = "h1,h2,…", split = ",", description = "Scalar bandwidths, H = h·I.")
    double[] h;

    @Option(names = "--H", paramLabel = "a,b;c,d", description = "A full bandwidth matrix, rows separated by ';' "
            + "(need not be symmetric; must be invertible).")
    String fullH;

    @Option(names = "--bandwidth", paramLabel = "RULE", description = "scott, silverman, lcv or ucv.")
    String rule;

    @Option(names = "--form", paramLabel = "FORM", defaultValue = "full", description = "Form of the rule's H: "
            + "full (a multiple of the covariance's Cholesky factor, as scipy), diagonal or scalar "
            + "(default ${DEFAULT-VALUE}).")
    String form;

    @Option(names = "--grid", paramLabel = "G", defaultValue = "100", description = "Grid points per axis "
            + "(default ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--kernel", paramLabel = "K", defaultValue = "gaussian",
            description = "gaussian or epanechnikov (default ${DEFAULT-VALUE}).")
    String kernel;

    @Option(names = "--at", paramLabel = "FILE", description = "Query points (CSV); --out is then a CSV file.")
    Path at;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "0",
            description = "Worker threads (0: all cores; default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", paramLabel = "PATH", required = true,
            description = "Output folder (figures and metrics.json), or CSV file with --at.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        int sources = (homework ? 1 : 0) + (dist != null ? 1 : 0) + (data != null ? 1 : 0);
        if (sources != 1) {
            throw new IllegalArgumentException("give exactly one of --homework, --dist NAME or --data FILE");
        }
        int bws = (h != null ? 1 : 0) + (fullH != null ? 1 : 0) + (rule != null ? 1 : 0);
        if (bws > 1) {
            throw new IllegalArgumentException("give at most one of --h, --H and --bandwidth");
        }
        if (grid < 2 || grid > 4096) {
            throw new IllegalArgumentException("--grid must be between 2 and 4096, got " + grid);
        }
        Kernel k = Kernel.parse(kernel);
        Bandwidth.Kind f = parseForm(form);
        if (at != null) {
            if (data == null) {
                throw new IllegalArgumentException("--at needs --data FILE (the samples to estimate from)");
            }
            return query(k, f);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file; give a folder for figures and metrics");
        }
        if (homework) {
            if (bws > 0 || n != null || sigma != null) {
                throw new IllegalArgumentException("--homework uses the homework's fixed setting; it cannot be "
                        + "combined with --h, --H, --bandwidth, --n or --sigma");
            }
            List<Study> studies = List.of(
                    study("mixture-sigma0.5", "Gaussian mixture σ = ½", GaussianMixture.homework(0.5), 10000),
                    study("mixture-sigma1", "Gaussian mixture σ = 1", GaussianMixture.homework(1.0), 10000),
                    study("spiral", "Spiral", new Spiral(), 10000));
            return writeStudies(studies, scalars(HOMEWORK_H), k);
        }
        if (dist != null) {
            Study s = distStudy();
            List<Bandwidth> list = bandwidths(s.train, k, f, HOMEWORK_H);
            return writeStudies(List.of(s), list, k);
        }
        Dataset x = CsvData.read(data).data();
        if (x.dim() != 2) {
            throw new IllegalArgumentException(data + " has dimension " + x.dim()
                    + "; figures need 2-D data (use --at QUERY.csv --out VALUES.csv for other dimensions)");
        }
        List<Bandwidth> list = bandwidths(x, k, f, null);
        return writeData(x, list, k);
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

    /** The bandwidths asked for (default: {@code defaults} as scalars, or Scott when null). */
    private List<Bandwidth> bandwidths(Dataset x, Kernel k, Bandwidth.Kind f, double[] defaults) {
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
            BandwidthSelector sel = rule.trim().equalsIgnoreCase("lcv")
                    ? BandwidthSelectors.likelihoodCV(f, k, BandwidthSelectors.MAX_POINTS)
                    : BandwidthSelector.parse(rule, f);
            if (rule.trim().equalsIgnoreCase("ucv") && k != Kernel.GAUSSIAN) {
                throw new IllegalArgumentException("--bandwidth ucv is implemented for the gaussian kernel only");
            }
            return List.of(sel.select(x, null));
        }
        if (defaults != null && d == 2) {
            return scalars(defaults);
        }
        return List.of(BandwidthSelectors.scott(f).select(x, null));
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

    private Study study(String name, String title, Density truth, int count) {
        return new Study(name, title, truth, truth.sample(count, new NumpyRandomState(seed)),
                truth.sample(count, new NumpyRandomState(seed + 1)));
    }

    private Study distStudy() {
        if (seed < 0 || seed >= 0xffffffffL) {
            throw new IllegalArgumentException("--seed must be between 0 and 2^32-2, got " + seed);
        }
        if (n != null && n < 2) {
            throw new IllegalArgumentException("--n must be at least 2, got " + n);
        }
        if (sigma != null && !(sigma > 0 && Double.isFinite(sigma))) {
            throw new IllegalArgumentException("--sigma must be a positive number, got " + sigma);
        }
        String key = dist.toLowerCase(Locale.ROOT).replace("_", "-");
        switch (key) {
            case "mixture": {
                double s = sigma == null ? 0.5 : sigma;
                return study("mixture-sigma" + num(s), "Gaussian mixture σ = " + num(s), GaussianMixture.homework(s),
                        n == null ? 10000 : n);
            }
            case "spiral": {
                double s = sigma == null ? Spiral.DEFAULT_STD : sigma;
                return study("spiral", "Spiral (radial std " + num(s) + ")", new Spiral(s), n == null ? 10000 : n);
            }
            default:
                break;
        }
        ToyDatasets.Kind kind;
        try {
            kind = ToyDatasets.Kind.parse(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown distribution '" + dist + "'; valid names: mixture, spiral, "
                    + "circles, moons, gaussians-grid, gaussians-rot");
        }
        if (sigma != null) {
            throw new IllegalArgumentException("--sigma applies to mixture and spiral only");
        }
        if (numGaussians < 1) {
            throw new IllegalArgumentException("--num-gaussians must be at least 1, got " + numGaussians);
        }
        int count = n == null ? 1000 : n;
        // the toy sets' own samplers (scikit-learn's points) for training; the limit density for truth and test
        Density truth = ToyDensities.of(kind, numGaussians);
        Dataset train = ToyDatasets.sample2dDatasets(kind, count, seed, numGaussians);
        return new Study(kind.cliName(), kind.homeworkName(), truth, train,
                truth.sample(count, new NumpyRandomState(seed + 1)));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.valueOf(v);
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

    private int writeStudies(List<Study> studies, List<Bandwidth> list, Kernel k) throws IOException {
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("kernel", k.name().toLowerCase(Locale.ROOT));
        metrics.put("seed", seed);
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
            double cap = displayCap(r);
            titles.add(Double.isNaN(cap) ? "true f" : String.format(Locale.ROOT, "true f (shown ≤ %.2g)", cap));
            values.add(r.truth());
            for (KdeStudy.Entry e : r.entries()) {
                titles.add("f̂, " + e.label());
                values.add(e.estimate());
            }
            figures.put(s.name + "-kde", Plots.densityPanels(s.title + ": true density and KDE (N = "
                    + s.train.size() + ", " + k.name().toLowerCase(Locale.ROOT) + " kernel)", titles, g, values,
                    values.size(), true, "density", cap));
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
        AtomicFiles.writeFolder(out, dir -> {
            for (Map.Entry<String, Figure> e : figures.entrySet()) {
                e.getValue().save(dir.resolve(e.getKey() + ".png"));
                e.getValue().save(dir.resolve(e.getKey() + ".svg"));
            }
            writeJson(dir.resolve("metrics.json"), metrics);
        });
        spec.commandLine().getOut().println("wrote " + figures.size() + " figures and metrics.json to " + out);
        return 0;
    }

    /**
     * A colour-scale cap for a true density with a singular point (the spiral's f ~ 1/ρ at the origin): when the
     * truth's maximum exceeds twice every estimate's, the truth panel is drawn clipped at the largest estimate
     * value (and says so), so the shared scale still shows the estimates. NaN when no clipping is needed.
     */
    private static double displayCap(KdeStudy.Result r) {
        double est = 0;
        for (KdeStudy.Entry e : r.entries()) {
            for (double v : e.estimate()) {
                est = Math.max(est, v);
            }
        }
        double truth = 0;
        for (double v : r.truth()) {
            truth = Math.max(truth, v);
        }
        return truth > 2 * est && est > 0 ? est : Double.NaN;
    }

    private static Map<String, Object> studyMetrics(Study s, Grid g, KdeStudy.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", s.train.size());
        m.put("test_n", s.test.size());
        m.put("grid", Map.of("x0", g.x0(), "x1", g.x1(), "y0", g.y0(), "y1", g.y1(), "nx", g.nx(), "ny", g.ny()));
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
        m.put("ise_curve", Map.of("h", r.curve().h(), "ise", r.curve().ise()));
        int best = 0;
        for (int i = 1; i < r.curve().ise().length; i++) {
            if (r.curve().ise()[i] < r.curve().ise()[best]) {
                best = i;
            }
        }
        m.put("ise_curve_best_h", r.curve().h()[best]);
        return m;
    }

    private int writeData(Dataset x, List<Bandwidth> list, Kernel k) throws IOException {
        Grid g = gridFor(x);
        List<String> titles = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        List<Object> entries = new ArrayList<>();
        for (Bandwidth b : list) {
            KernelDensity kde = KernelDensity.of(x, null, b, k).withThreads(threads);
            titles.add("f̂, " + KdeStudy.label(b));
            values.add(kde.densityOnGrid(g));
            entries.add(Map.of("label", KdeStudy.label(b), "H", b.matrix(), "grid_method",
                    kde.autoMethod().name().toLowerCase(Locale.ROOT)));
        }
        Figure fig = Plots.densityPanels("KDE of " + data.getFileName() + " (N = " + x.size() + ")", titles, g,
                values, Math.min(values.size(), 3), true, "density");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("data", data.toString());
        metrics.put("n", x.size());
        metrics.put("kernel", k.name().toLowerCase(Locale.ROOT));
        metrics.put("estimates", entries);
        AtomicFiles.writeFolder(out, dir -> {
            fig.save(dir.resolve("kde.png"));
            fig.save(dir.resolve("kde.svg"));
            writeJson(dir.resolve("metrics.json"), metrics);
        });
        spec.commandLine().getOut().println("wrote kde.png, kde.svg and metrics.json to " + out);
        return 0;
    }

    private int query(Kernel k, Bandwidth.Kind f) throws IOException {
        if (Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; with --at give a CSV file name");
        }
        Dataset x = CsvData.read(data).data();
        CsvData q = CsvData.read(at);
        if (q.data().dim() != x.dim()) {
            throw new IllegalArgumentException(at + " has " + q.data().dim() + " columns but " + data + " has "
                    + x.dim());
        }
        List<Bandwidth> list = bandwidths(x, k, f, null);
        if (list.size() != 1) {
            throw new IllegalArgumentException("--at evaluates one estimate; give a single --h value");
        }
        KernelDensity kde = KernelDensity.of(x, null, list.get(0), k).withThreads(threads);
        int m = q.data().size();
        double[] qx = q.data().toArray();
        double[] lp = new double[m];
        kde.logDensity(qx, m, lp);
        int d = x.dim();
        List<String> cols = new ArrayList<>(q.hasHeader() ? q.columns() : defaultColumns(d));
        cols.add("density");
        cols.add("log_density");
        AtomicFiles.write(out, os -> {
            Writer w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            w.write(String.join(",", cols));
            w.write('\n');
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < m; i++) {
                sb.setLength(0);
                for (int j = 0; j < d; j++) {
                    sb.append(qx[i * d + j]).append(',');
                }
                sb.append(Math.exp(lp[i])).append(',').append(lp[i]).append('\n');
                w.write(sb.toString());
            }
            w.flush();
        });
        spec.commandLine().getOut().println("wrote " + m + " densities to " + out + " (" + KdeStudy.label(list.get(0))
                + ")");
        return 0;
    }

    private static List<String> defaultColumns(int d) {
        if (d == 2) {
            return List.of("x", "y");
        }
        List<String> c = new ArrayList<>();
        for (int j = 1; j <= d; j++) {
            c.add("x" + j);
        }
        return c;
    }

    private static void writeJson(Path file, Object value) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Files.write(file, mapper.writeValueAsBytes(value));
    }
}

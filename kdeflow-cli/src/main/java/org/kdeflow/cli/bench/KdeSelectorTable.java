package org.kdeflow.cli.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.density.Entropy;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.Spiral;
import org.kdeflow.density.ToyDensities;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelector;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.Bounds;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.random.NumpyRandomState;

/**
 * The held-out NLL table of {@code kdeflow bench kde --selectors}: for each data set, train on N points drawn with
 * seed 0 (the toy sets: scikit-learn's points, {@link ToyDatasets#sample2dDatasets}; N = 1500, the spiral 2000),
 * test on 20,000 fresh points drawn from the true density with seed 1, and report −(1/M)Σ log f̂(x'ₘ) in nats per
 * point for every selector beside the entropy floor H(f), once with the full and once with the diagonal form of
 * each rule (Hpi/Hscv: ks's Hpi/Hscv and Hpi.diag/Hscv.diag; adaptive: the pilot of that form). The sets: the six homework sets, the Part I
 * spiral, and four of kdeflow's own — a heavy-tailed bivariate t₃, a skewed bounded Exp(1) × Beta(2, 5) (also
 * reflected at its bounds), and Gaussian mixtures in 3-D and 5-D with scales differing 10×.
 */
final class KdeSelectorTable {
    private static final String[] SELECTORS = {"scott", "silverman", "lcv", "ucv", "hpi", "hscv", "adaptive"};

    private final PrintWriter out;
    private final Map<String, Object> results;
    private final boolean quick;

    KdeSelectorTable(PrintWriter out, Map<String, Object> results, boolean quick) {
        this.out = out;
        this.results = results;
        this.quick = quick;
    }

    /** One row of the table: a true density, its training sample, and optional bounds. */
    private record Case(String name, Density truth, Dataset train, Bounds bounds, double entropy, String floorNote) {
    }

    void run() {
        int n = quick ? 400 : 1500;
        int m = quick ? 2000 : 20_000;
        List<Case> cases = new ArrayList<>();
        for (String kind : new String[] {"Moons", "Circles", "GaussiansGrid", "GaussiansRot3", "GaussiansRot5",
            "GaussiansRot7"}) {
            int g = kind.startsWith("GaussiansRot") ? kind.charAt(kind.length() - 1) - '0' : 5;
            ToyDatasets.Kind k = ToyDatasets.Kind.parse(kind.replaceAll("[0-9]$", ""));
            Density truth = ToyDensities.of(k, g);
            cases.add(new Case(kind, truth, ToyDatasets.sample2dDatasets(k, n, 0, g), null, gridEntropy(truth, k),
                    "grid"));
        }
        Spiral spiral = new Spiral();
        cases.add(new Case("Spiral (N=" + (quick ? 500 : 2000) + ")", spiral,
                spiral.sample(quick ? 500 : 2000, new NumpyRandomState(0)), null, Double.NaN, "MC"));
        StudentT t3 = new StudentT();
        cases.add(new Case("Heavy: t3, rho=0.5", t3, t3.sample(n, new NumpyRandomState(0)), null, Double.NaN, "MC"));
        ExpBeta eb = new ExpBeta();
        Dataset ebTrain = eb.sample(n, new NumpyRandomState(0));
        cases.add(new Case("Skewed: Exp(1) x Beta(2,5)", eb, ebTrain, null, ExpBeta.ENTROPY, "exact"));
        cases.add(new Case("  same, reflected at 0:inf,0:1", eb, ebTrain, Bounds.parse("0:inf,0:1"), ExpBeta.ENTROPY,
                "exact"));
        GaussianMixture mix3 = new GaussianMixture(new double[][] {{0, 0, 0}, {3, 0, 0}, {0, 3, 1}},
                new double[] {0.5, 0.3, 0.2}, new double[] {1, 0.3, 0.1});
        cases.add(new Case("Mixture 3-D", mix3, mix3.sample(n, new NumpyRandomState(0)), null, Double.NaN, "MC"));
        GaussianMixture mix5 = new GaussianMixture(new double[][] {{0, 0, 0, 0, 0}, {2, 2, 0, 0, 1}},
                new double[] {0.6, 0.4}, new double[] {1, 0.25});
        cases.add(new Case("Mixture 5-D", mix5, mix5.sample(n, new NumpyRandomState(0)), null, Double.NaN, "MC"));

        double[] floors = new double[cases.size()];
        Dataset[] tests = new Dataset[cases.size()];
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            tests[k] = c.truth().sample(m, new NumpyRandomState(1));
            floors[k] = Double.isNaN(c.entropy()) ? Entropy.monteCarlo(c.truth(), quick ? 20_000 : 200_000, 2)
                    .value() : c.entropy();
        }
        for (Bandwidth.Kind form : new Bandwidth.Kind[] {Bandwidth.Kind.FULL, Bandwidth.Kind.DIAGONAL}) {
            String formName = form.name().toLowerCase(java.util.Locale.ROOT);
            out.printf("held-out NLL (nats/point): train N=%d (seed 0; spiral 2000), test M=%d (seed 1), %s forms%n",
                    n, m, formName);
            StringBuilder head = new StringBuilder(String.format("%-32s", "set"));
            for (String s : SELECTORS) {
                head.append(String.format(" %9s", s));
            }
            head.append(String.format(" %7s %9s", "alpha", "floor H"));
            out.println(head);
            Map<String, Object> table = new LinkedHashMap<>();
            for (int k = 0; k < cases.size(); k++) {
                Case c = cases.get(k);
                StringBuilder row = new StringBuilder(String.format("%-32s", c.name()));
                Map<String, Object> cells = new LinkedHashMap<>();
                double alpha = Double.NaN;
                for (String s : SELECTORS) {
                    long t0 = System.nanoTime();
                    Bandwidth h;
                    if (s.equals("adaptive")) {
                        BandwidthSelectors.AdaptiveChoice a = BandwidthSelectors.chooseAdaptive(c.train(), null, form,
                                BandwidthSelectors.ADAPTIVE_ALPHAS, BandwidthSelectors.MAX_POINTS);
                        h = a.bandwidth();
                        alpha = a.alpha();
                    } else {
                        h = BandwidthSelector.parse(s, form).select(c.train(), null);
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    KernelDensity kde = KernelDensity.of(c.train(), h);
                    if (c.bounds() != null) {
                        kde = kde.withBounds(c.bounds());
                    }
                    double nll = -kde.meanLogDensity(tests[k]);
                    row.append(String.format(" %9.4f", nll));
                    cells.put(s, nll);
                    cells.put(s + "_seconds", seconds);
                }
                row.append(String.format(" %7.4f %9.4f", alpha, floors[k])).append(" (").append(c.floorNote())
                        .append(')');
                cells.put("adaptive_alpha", alpha);
                cells.put("entropy_floor", floors[k]);
                out.println(row);
                out.flush();
                table.put(c.name(), cells);
            }
            results.put("selectors_nll_" + formName, table);
        }
    }

    private static double gridEntropy(Density truth, ToyDatasets.Kind k) {
        Grid grid = switch (k) {
            case CIRCLES -> Grid.square(-2, 2, -2, 2, 401);
            case MOONS -> Grid.square(-2, 3, -2, 2.5, 401);
            case GAUSSIANS_GRID -> Grid.square(-4, 6, -4, 6, 401);
            case GAUSSIANS_ROT -> Grid.square(-5, 5, -5, 5, 401);
        };
        return Entropy.onGrid(truth, grid);
    }

    /**
     * The bivariate Student t with ν = 3 and correlation ½: x = L·z/√(w/ν), z ~ N(0, I), w ~ χ²₃ (three squared
     * normals), LLᵀ = [[1, ½], [½, 1]]. log f = log(Γ(5/2)/Γ(3/2)) − log(νπ) − ½log|Σ| − (5/2)·log(1 + δ/ν), δ the
     * Mahalanobis distance, Γ(5/2)/Γ(3/2) = 3/2.
     */
    static final class StudentT implements Density {
        private static final double NU = 3;
        private static final double RHO = 0.5;

        @Override
        public int dim() {
            return 2;
        }

        @Override
        public void logDensity(double[] x, int n, double[] out) {
            double det = 1 - RHO * RHO;
            double c = Math.log(1.5) - Math.log(NU * Math.PI) - 0.5 * Math.log(det);
            for (int i = 0; i < n; i++) {
                double a = x[2 * i];
                double b = x[2 * i + 1];
                double delta = (a * a - 2 * RHO * a * b + b * b) / det;
                out[i] = c - 2.5 * Math.log1p(delta / NU);
            }
        }

        @Override
        public Dataset sample(int n, NumpyRandomState rng) {
            double l21 = RHO;
            double l22 = Math.sqrt(1 - RHO * RHO);
            double[] x = new double[2 * n];
            for (int i = 0; i < n; i++) {
                double z1 = rng.gauss();
                double z2 = rng.gauss();
                double w = 0;
                for (int k = 0; k < 3; k++) {
                    double g = rng.gauss();
                    w += g * g;
                }
                double s = 1 / Math.sqrt(w / NU);
                x[2 * i] = s * z1;
                x[2 * i + 1] = s * (l21 * z1 + l22 * z2);
            }
            return Dataset.of(x, n, 2);
        }
    }

    /**
     * Exp(1) × Beta(2, 5) on [0, ∞) × [0, 1]: f = e^(−x)·30y(1 − y)⁴. Beta(2, 5) is the second smallest of six
     * uniforms. H = 1 + log B(2,5) − ψ(2) − 4ψ(5) + 5ψ(7) = 1 − log 30 − 1 − 25/3 + 49/4 (the γ terms cancel).
     */
    static final class ExpBeta implements Density {
        static final double ENTROPY = 1 - Math.log(30) - 1 - 25.0 / 3 + 49.0 / 4;

        @Override
        public int dim() {
            return 2;
        }

        @Override
        public void logDensity(double[] x, int n, double[] out) {
            for (int i = 0; i < n; i++) {
                double a = x[2 * i];
                double b = x[2 * i + 1];
                out[i] = a < 0 || b <= 0 || b >= 1 ? Double.NEGATIVE_INFINITY
                        : -a + Math.log(30) + Math.log(b) + 4 * Math.log1p(-b);
            }
        }

        @Override
        public Dataset sample(int n, NumpyRandomState rng) {
            double[] x = new double[2 * n];
            double[] u = new double[6];
            for (int i = 0; i < n; i++) {
                x[2 * i] = -Math.log(1 - rng.randomSample());
                for (int k = 0; k < 6; k++) {
                    u[k] = rng.randomSample();
                }
                java.util.Arrays.sort(u);
                x[2 * i + 1] = u[1];
            }
            return Dataset.of(x, n, 2);
        }
    }
}

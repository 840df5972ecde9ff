package org.kdeflow.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Parallel;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.density.Entropy;
import org.kdeflow.density.ToyDensities;
import org.kdeflow.fit.Candidates;
import org.kdeflow.fit.FlowEstimator;
import org.kdeflow.fit.KdeEstimator;
import org.kdeflow.fit.ModelSelection;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.Flows;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;

/**
 * The quality benchmark, the project's protocol for every held-out figure: train on N = 1500 points, report the mean
 * negative log-likelihood in nats per point on 20,000 fresh points, beside the entropy floor of the set's limit
 * density (Monte Carlo, 400,000 draws, with its standard error). The homework's six sets are drawn with seed 0
 * (training) and seed 1 (test), as everywhere in the project; the project's own sets ({@link OwnSets}) with seeds 101
 * and 102. Per set:
 * <ul>
 *   <li>the likelihood-CV KDE (H = h·I), the homework table's KDE column;</li>
 *   <li>the default flow of {@code kdeflow train} (neural spline flow, 3 couplings, 64×64, robust recipe) over
 *       training seeds 1 … S, trained in parallel on the given threads (each seed's numbers do not depend on them): mean, min, max and spread of the held-out NLL, and the lowest log p of a test point
 *       inside the training data's bounding box;</li>
 *   <li>optionally the model {@code kdeflow fit} chooses with its defaults and the given budget.</li>
 * </ul>
 */
public final class QualityBench {
    private QualityBench() {
    }

    /** The homework's six sets, by name. */
    public static List<String> homeworkSets() {
        return List.of("moons", "circles", "gaussians-grid", "gaussians-rot5", "gaussians-rot3", "gaussians-rot7");
    }

    /** All sets: the homework's, then the project's own. */
    public static List<String> allSets() {
        List<String> s = new ArrayList<>(homeworkSets());
        s.addAll(OwnSets.names());
        return s;
    }

    /** A set's training points, test points and limit density. */
    record Set(String name, Dataset train, Dataset test, Density truth) {
    }

    static Set set(String name, int n, int testN) {
        String key = name.toLowerCase(Locale.ROOT);
        if (OwnSets.names().contains(key)) {
            Density f = OwnSets.of(key);
            return new Set(key, f.sample(n, new NumpyRandomState(101)), f.sample(testN, new NumpyRandomState(102)),
                    f);
        }
        int g = 5;
        String toy = key;
        if (key.startsWith("gaussians-rot")) {
            g = key.length() > "gaussians-rot".length() ? Integer.parseInt(key.substring("gaussians-rot".length()))
                    : 5;
            toy = "GaussiansRot";
        } else if (key.equals("gaussians-grid")) {
            toy = "GaussiansGrid";
        }
        ToyDatasets.Kind kind = ToyDatasets.Kind.parse(toy);
        return new Set(key, ToyDatasets.sample2dDatasets(toy, n, 0, g), ToyDatasets.sample2dDatasets(toy, testN, 1, g),
                ToyDensities.of(kind, g));
    }

    /**
     * Runs the benchmark on the given sets; {@code progress} receives one line per finished piece.
     *
     * @param seeds training seeds 1 … S of the default flow (0: no flows)
     * @param fitBudget seconds of {@code kdeflow fit} per set (0: no fit)
     */
    public static List<Map<String, Object>> run(List<String> sets, int seeds, double fitBudget, int threads,
            Consumer<String> progress) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : sets) {
            Set s = set(name, 1500, 20000);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("set", s.name());
            row.put("dim", s.train().dim());
            Entropy.Estimate floor = Entropy.monteCarlo(s.truth(), 400_000, 7);
            row.put("floor", floor.value());
            row.put("floor_se", floor.standardError());
            Density kde = KdeEstimator.gaussian("kde-lcv", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR), 1)
                    .fit(s.train());
            row.put("kde_lcv", -kde.meanLogDensity(s.test()));
            if (seeds > 0) {
                double[] nll = new double[seeds];
                double[] worstBySeed = new double[seeds];
                double[] secsBySeed = new double[seeds];
                double[] box = s.train().bounds();
                Parallel.forEach(seeds, threads, k -> { // every seed writes only its own slots
                    FlowEstimator e = new FlowEstimator("nsf", Flows.Config.nsf(3, 64, 64),
                            Trainer.Options.robust().withSeed(k + 1), k + 1);
                    long t0 = System.nanoTime();
                    Flow f = (Flow) e.fit(s.train());
                    secsBySeed[k] = (System.nanoTime() - t0) * 1e-9;
                    double[] lp = f.logDensity(s.test());
                    double sum = 0;
                    double w = 0;
                    for (int i = 0; i < lp.length; i++) {
                        sum += lp[i];
                        if (inside(s.test(), i, box)) {
                            w = Math.min(w, lp[i]);
                        }
                    }
                    nll[k] = -sum / lp.length;
                    worstBySeed[k] = w;
                });
                double worst = Arrays.stream(worstBySeed).min().orElseThrow();
                double secs = Arrays.stream(secsBySeed).sum();
                double[] sorted = nll.clone();
                Arrays.sort(sorted);
                row.put("flow_mean", Arrays.stream(nll).average().orElseThrow());
                row.put("flow_min", sorted[0]);
                row.put("flow_max", sorted[seeds - 1]);
                row.put("flow_spread", sorted[seeds - 1] - sorted[0]);
                row.put("flow_worst_log_p_in_box", worst);
                row.put("flow_seconds_per_fit", secs / seeds);
                row.put("flow_nll_by_seed", nll);
            }
            if (fitBudget > 0) {
                long t0 = System.nanoTime();
                ModelSelection.Result r = new ModelSelection(Candidates.defaults(s.train().dim(), 0),
                        ModelSelection.Options.defaults().withBudget(fitBudget).withThreads(threads), null)
                        .select(s.train(), null);
                row.put("fit_chosen", r.chosen());
                row.put("fit_nll", -r.model().meanLogDensity(s.test()));
                row.put("fit_seconds", (System.nanoTime() - t0) * 1e-9);
            }
            out.add(row);
            if (progress != null) {
                progress.accept(line(row));
            }
        }
        return out;
    }

    private static boolean inside(Dataset x, int i, double[] box) {
        for (int j = 0; j < x.dim(); j++) {
            double v = x.get(i, j);
            if (v < box[2 * j] || v > box[2 * j + 1]) {
                return false;
            }
        }
        return true;
    }

    /** One row as text. */
    static String line(Map<String, Object> r) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-15s d=%d floor %.4f±%.4f  kde-lcv %.4f",
                r.get("set"), (Integer) r.get("dim"), (Double) r.get("floor"), (Double) r.get("floor_se"),
                (Double) r.get("kde_lcv")));
        if (r.containsKey("flow_mean")) {
            b.append(String.format(Locale.ROOT, "  flow mean %.4f [%.4f, %.4f] spread %.4f worst-in-box %.1f "
                    + "(%.1f s/fit)", (Double) r.get("flow_mean"), (Double) r.get("flow_min"),
                    (Double) r.get("flow_max"), (Double) r.get("flow_spread"),
                    (Double) r.get("flow_worst_log_p_in_box"), (Double) r.get("flow_seconds_per_fit")));
        }
        if (r.containsKey("fit_nll")) {
            b.append(String.format(Locale.ROOT, "  fit %.4f (%s, %.0f s)", (Double) r.get("fit_nll"),
                    r.get("fit_chosen"), (Double) r.get("fit_seconds")));
        }
        return b.toString();
    }
}

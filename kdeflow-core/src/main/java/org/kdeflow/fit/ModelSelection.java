package org.kdeflow.fit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Parallel;
import org.kdeflow.density.Density;

/**
 * Chooses the best of several estimators for the data by K-fold cross-validation of the held-out log-likelihood,
 * then refits the winner on all the data — itself a {@link DensityEstimator}.
 *
 * <p>Protocol. The points are split into K folds ({@link Folds}, seeded). For every candidate and fold the candidate
 * is fitted to the other K − 1 folds and evaluated at the held-out points, so every point gets one out-of-fold
 * log-density ℓ_ci. A candidate's score is the (weighted) mean ℓ̄_c over all points, with the standard error
 * SE_c = sd(ℓ_c·)/√n_eff. Candidates are compared with the best by their paired differences
 * Δ_ci = ℓ_ci − ℓ_best,i: a candidate whose mean difference is within one standard error of the differences
 * (sd(Δ)/√n_eff) is tied with the best, and among tied candidates the one with the lowest {@link
 * DensityEstimator#cost()} wins (the one-standard-error rule). The winner is then fitted again on all the points:
 * KDE bandwidths and flows are re-chosen/retrained on the whole set by the same estimator (so a flow trains once
 * more, with its recipe's own validation split for early stopping).
 *
 * <p>Two derived candidates follow the given ones. The <em>ensemble</em> of the best flow
 * ({@link EnsembleEstimator}, M members from consecutive seeds): members 2 … M are cross-validated on the same folds
 * and the ensemble's out-of-fold density is the members' mean (member 1 is the flow already evaluated). The
 * <em>stack</em> of the best KDE and the best flow or ensemble ({@link StackedEstimator}): the mixture
 * α·p_flow + (1 − α)·p_kde with α maximising the out-of-fold likelihood of the two (stacked density estimation,
 * Smyth &amp; Wolpert 1999); its score reuses the same out-of-fold densities, so it is optimistic by one fitted
 * weight, and its refit mixes the two refitted models with that α.
 *
 * <p>Budget. Before any fitting the candidates are planned in order ({@link #plan}): each one's expected cost (K fits
 * plus the refit, from {@link DensityEstimator#expectedSeconds}) is added while the total, spread over the threads,
 * stays within the budget; the first candidate always runs; the ensemble's extra members are reserved right after the
 * first flow, before the other flows, when they fit. The plan depends only on n, d, the budget and the threads, so the same
 * command gives the same model. Folds of a candidate run in parallel.
 *
 * <p>Nothing outside the data given to {@link #select} is seen.
 */
public final class ModelSelection implements DensityEstimator {

    /**
     * @param folds K (default 5)
     * @param seed seeds the folds
     * @param budgetSeconds the planned wall time (default 60)
     * @param threads parallel fits (default 2)
     * @param ensembleMembers M for the ensemble of the best flow candidate (0 or 1: no ensemble; default 3)
     * @param stack whether to try the mixture of the best KDE and the best flow (or its ensemble) (default true)
     */
    public record Options(int folds, long seed, double budgetSeconds, int threads, int ensembleMembers,
            boolean stack) {
        public Options {
            if (folds < 2) {
                throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + folds);
            }
            if (!(budgetSeconds > 0) || !Double.isFinite(budgetSeconds)) {
                throw new IllegalArgumentException("the budget must be a positive number of seconds, got "
                        + budgetSeconds);
            }
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            }
            if (ensembleMembers < 0) {
                throw new IllegalArgumentException("ensemble members must be >= 0, got " + ensembleMembers);
            }
        }

        public static Options defaults() {
            return new Options(5, 0, 60, 2, 3, true);
        }

        public Options withFolds(int k) {
            return new Options(k, seed, budgetSeconds, threads, ensembleMembers, stack);
        }

        public Options withSeed(long s) {
            return new Options(folds, s, budgetSeconds, threads, ensembleMembers, stack);
        }

        public Options withBudget(double seconds) {
            return new Options(folds, seed, seconds, threads, ensembleMembers, stack);
        }

        public Options withThreads(int t) {
            return new Options(folds, seed, budgetSeconds, t, ensembleMembers, stack);
        }

        public Options withEnsembleMembers(int m) {
            return new Options(folds, seed, budgetSeconds, threads, m, stack);
        }

        public Options withStack(boolean on) {
            return new Options(folds, seed, budgetSeconds, threads, ensembleMembers, on);
        }
    }

    /** Follows a selection run (for progress bars). All methods have empty defaults. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** The planned number of fits (candidates × folds, plus the refit). */
        default void onPlan(int fits, List<String> candidates, List<String> skipped) {
        }

        /** One fit finished. */
        default void onFit(String candidate, int fold) {
        }
    }

    /**
     * One candidate's cross-validation score.
     *
     * @param name the candidate
     * @param meanLogLikelihood the mean out-of-fold log-density (nats per point; its negative is the NLL)
     * @param standardError its standard error
     * @param differenceToBest mean paired difference to the best candidate (≤ 0)
     * @param differenceError the standard error of that difference
     * @param fitSeconds wall seconds of its K fits
     * @param parameters parameters of the model fitted on the first fold
     * @param note {@code chosen}, {@code tied} (within one SE of the best), or empty
     */
    public record Score(String name, double meanLogLikelihood, double standardError, double differenceToBest,
            double differenceError, double fitSeconds, long parameters, String note) {
    }

    /**
     * The outcome: the ranking (best first), the chosen candidate, the refitted model, and the candidates left out
     * for the budget.
     */
    public record Result(List<Score> ranking, String chosen, Density model, List<String> skipped,
            double refitSeconds) {
        public Result {
            ranking = List.copyOf(ranking);
            skipped = List.copyOf(skipped);
        }
    }

    private final List<DensityEstimator> candidates;
    private final Options options;
    private final Listener listener;

    public ModelSelection(List<? extends DensityEstimator> candidates, Options options, Listener listener) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("model selection needs at least one candidate");
        }
        this.candidates = List.copyOf(candidates);
        this.options = Objects.requireNonNull(options, "options");
        this.listener = listener == null ? Listener.NONE : listener;
        List<String> names = new ArrayList<>();
        for (DensityEstimator c : this.candidates) {
            if (names.contains(c.name())) {
                throw new IllegalArgumentException("two candidates are called '" + c.name() + "'");
            }
            names.add(c.name());
        }
    }

    @Override
    public String name() {
        return "select(" + candidates.size() + " candidates)";
    }

    @Override
    public Density fit(Dataset data, double[] weights) {
        return select(data, weights).model();
    }

    /** What {@link #select} will run for n points in d dimensions within the budget. */
    public record Plan(List<DensityEstimator> candidates, List<String> skipped, boolean ensemble) {
        public Plan {
            candidates = List.copyOf(candidates);
            skipped = List.copyOf(skipped);
        }
    }

    private double cvSeconds(DensityEstimator c, int n, int d) {
        return c.expectedSeconds(n * (options.folds() - 1) / options.folds(), d) * options.folds();
    }

    /**
     * The plan for n points in d dimensions: the candidates in order while their expected cross-validation and refit
     * time, spread over the threads, fits the budget (the first always runs), then the ensemble of the best flow if
     * its extra members still fit.
     */
    public Plan plan(int n, int d) {
        List<DensityEstimator> in = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        double available = options.budgetSeconds() * options.threads();
        double total = 0;
        int extra = options.ensembleMembers() - 1;
        boolean ensemble = false;
        for (DensityEstimator c : candidates) {
            double cost = cvSeconds(c, n, d) + c.expectedSeconds(n, d) * options.threads();
            if (in.isEmpty() || total + cost <= available) {
                in.add(c);
                total += cost;
                // the ensemble's extra members are reserved right after the first flow, before the other flows
                if (c instanceof FlowEstimator && !ensemble && extra >= 1) {
                    double more = extra * cvSeconds(c, n, d) + (extra + 1) * c.expectedSeconds(n, d);
                    if (total + more <= available) {
                        ensemble = true;
                        total += more;
                    }
                }
            } else {
                skipped.add(c.name());
            }
        }
        return new Plan(in, skipped, ensemble);
    }

    /** One evaluated candidate. */
    private record Entry(DensityEstimator estimator, double[] oof, double seconds, long parameters) {
    }

    /** Runs the protocol of the class comment. */
    public Result select(Dataset data, double[] weights) {
        int n = data.size();
        double[] omega = normalised(weights, n);
        Plan plan = plan(n, data.dim());
        Folds folds = Folds.of(n, options.folds(), options.seed());
        int fits = plan.candidates().size() * folds.count() + 1
                + (plan.ensemble() ? (options.ensembleMembers() - 1) * folds.count() : 0);
        listener.onPlan(fits, names(plan.candidates()), plan.skipped());
        List<Entry> entries = new ArrayList<>();
        for (DensityEstimator c : plan.candidates()) {
            entries.add(evaluate(c, data, weights, folds));
        }
        Entry bestFlow = best(entries, omega, FlowEstimator.class);
        if (plan.ensemble() && bestFlow != null) {
            entries.add(ensemble((FlowEstimator) bestFlow.estimator(), bestFlow, data, weights, folds));
        }
        if (options.stack()) {
            Entry kde = best(entries, omega, KdeEstimator.class);
            Entry flow = bestFlowFamily(entries, omega);
            if (kde != null && flow != null) {
                double alpha = Stacking.bestWeight(flow.oof(), kde.oof(), omega);
                if (alpha > 0 && alpha < 1) {
                    entries.add(new Entry(new StackedEstimator(alpha, flow.estimator(), kde.estimator()),
                            Stacking.mixed(flow.oof(), kde.oof(), alpha), flow.seconds() + kde.seconds(),
                            flow.parameters() + kde.parameters() + 1));
                }
            }
        }
        List<Score> ranking = rank(entries, omega);
        String chosen = ranking.stream().filter(s -> s.note().equals("chosen")).findFirst().orElseThrow().name();
        DensityEstimator winner = entries.stream().filter(e -> e.estimator().name().equals(chosen)).findFirst()
                .orElseThrow().estimator();
        long t0 = System.nanoTime();
        Density model = winner.fit(data, weights);
        listener.onFit(chosen, -1);
        return new Result(ranking, chosen, model, plan.skipped(), (System.nanoTime() - t0) * 1e-9);
    }

    private static Entry best(List<Entry> entries, double[] omega, Class<?> family) {
        Entry best = null;
        double bestMean = Double.NEGATIVE_INFINITY;
        for (Entry e : entries) {
            if (family.isInstance(e.estimator())) {
                double m = meanAndError(e.oof(), omega)[0];
                if (best == null || m > bestMean) {
                    best = e;
                    bestMean = m;
                }
            }
        }
        return best;
    }

    private static Entry bestFlowFamily(List<Entry> entries, double[] omega) {
        Entry f = best(entries, omega, FlowEstimator.class);
        Entry e = best(entries, omega, EnsembleEstimator.class);
        if (e == null) {
            return f;
        }
        return f == null || meanAndError(e.oof(), omega)[0] > meanAndError(f.oof(), omega)[0] ? e : f;
    }

    private Entry evaluate(DensityEstimator c, Dataset data, double[] weights, Folds folds) {
        long[] params = new long[1];
        long t0 = System.nanoTime();
        double[] oof = outOfFold(c, data, weights, folds, params);
        return new Entry(c, oof, (System.nanoTime() - t0) * 1e-9, params[0]);
    }

    /**
     * The ensemble of the best flow: members 1 … M−1 (seeds seed + m) are cross-validated on the same folds, member 0
     * is the candidate already evaluated, and the ensemble's out-of-fold density is the members' mean.
     */
    private Entry ensemble(FlowEstimator flow, Entry first, Dataset data, double[] weights, Folds folds) {
        int m = options.ensembleMembers();
        double[][] members = new double[m][];
        members[0] = first.oof();
        double secs = first.seconds();
        for (int k = 1; k < m; k++) {
            FlowEstimator member = new FlowEstimator(flow.name(), flow.config(), flow.options(), flow.seed() + k);
            Entry e = evaluate(member, data, weights, folds);
            members[k] = e.oof();
            secs += e.seconds();
        }
        double[] mean = new double[data.size()];
        double logM = Math.log(m);
        for (int i = 0; i < mean.length; i++) {
            double mx = Double.NEGATIVE_INFINITY;
            for (double[] v : members) {
                mx = Math.max(mx, v[i]);
            }
            double s = 0;
            for (double[] v : members) {
                s += Math.exp(v[i] - mx);
            }
            mean[i] = mx == Double.NEGATIVE_INFINITY ? mx : mx + Math.log(s) - logM;
        }
        return new Entry(new EnsembleEstimator(flow, m), mean, secs, first.parameters() * m);
    }

    private double[] outOfFold(DensityEstimator est, Dataset data, double[] weights, Folds folds, long[] params) {
        double[] lp = new double[data.size()];
        // every fold writes only its held-out rows of lp
        Parallel.forEach(folds.count(), Math.min(options.threads(), folds.count()), fold -> {
            int[] tr = folds.training(fold);
            int[] te = folds.heldOut(fold);
            Density model = est.fit(Folds.subset(data, tr), Folds.subset(weights, tr));
            double[] v = model.logDensity(Folds.subset(data, te));
            for (int k = 0; k < te.length; k++) {
                lp[te[k]] = v[k];
            }
            listener.onFit(est.name(), fold);
            if (fold == 0) {
                params[0] = est.parameterCount(model);
            }
        });
        return lp;
    }

    private static List<String> names(List<DensityEstimator> es) {
        List<String> out = new ArrayList<>();
        for (DensityEstimator e : es) {
            out.add(e.name());
        }
        return out;
    }

    static double[] normalised(double[] weights, int n) {
        double[] w = new double[n];
        if (weights == null) {
            Arrays.fill(w, 1.0 / n);
            return w;
        }
        if (weights.length != n) {
            throw new IllegalArgumentException("got " + weights.length + " weights for " + n + " points");
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (!(weights[i] >= 0) || !Double.isFinite(weights[i])) {
                throw new IllegalArgumentException("weight " + i + " must be finite and >= 0, got " + weights[i]);
            }
            s += weights[i];
        }
        if (!(s > 0)) {
            throw new IllegalArgumentException("weights sum to 0");
        }
        for (int i = 0; i < n; i++) {
            w[i] = weights[i] / s;
        }
        return w;
    }

    /** Weighted mean and its standard error (with the effective sample size 1/Σω²). */
    static double[] meanAndError(double[] v, double[] omega) {
        double mean = 0;
        double sumW2 = 0;
        for (int i = 0; i < v.length; i++) {
            mean += omega[i] * v[i];
            sumW2 += omega[i] * omega[i];
        }
        if (!Double.isFinite(mean)) {
            return new double[] {mean, Double.POSITIVE_INFINITY};
        }
        double var = 0;
        for (int i = 0; i < v.length; i++) {
            double e = v[i] - mean;
            var += omega[i] * e * e;
        }
        double nEff = 1 / sumW2;
        var *= nEff / Math.max(1, nEff - 1);
        return new double[] {mean, Math.sqrt(var / nEff)};
    }

    private static List<Score> rank(List<Entry> entries, double[] omega) {
        List<String> names = new ArrayList<>();
        List<double[]> oof = new ArrayList<>();
        List<Double> costs = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        List<Long> params = new ArrayList<>();
        for (Entry e : entries) {
            names.add(e.estimator().name());
            oof.add(e.oof());
            costs.add(e.estimator().cost());
            seconds.add(e.seconds());
            params.add(e.parameters());
        }
        return rank(names, oof, omega, costs, seconds, params);
    }

    static List<Score> rank(List<String> names, List<double[]> oof, double[] omega, List<Double> costs,
            List<Double> seconds, List<Long> params) {
        int m = names.size();
        double[] mean = new double[m];
        double[] se = new double[m];
        int best = 0;
        for (int c = 0; c < m; c++) {
            double[] me = meanAndError(oof.get(c), omega);
            mean[c] = me[0];
            se[c] = me[1];
            if (mean[c] > mean[best] || Double.isNaN(mean[best])) {
                best = c;
            }
        }
        double[] diff = new double[m];
        double[] diffSe = new double[m];
        boolean[] tied = new boolean[m];
        double[] d = new double[omega.length];
        for (int c = 0; c < m; c++) {
            double[] a = oof.get(c);
            double[] b = oof.get(best);
            for (int i = 0; i < d.length; i++) {
                d[i] = a[i] - b[i];
                if (Double.isNaN(d[i])) {
                    d[i] = Double.NEGATIVE_INFINITY;
                }
            }
            double[] me = c == best ? new double[] {0, 0} : meanAndError(d, omega);
            diff[c] = me[0];
            diffSe[c] = me[1];
            tied[c] = c == best || (Double.isFinite(diff[c]) && diff[c] >= -diffSe[c]);
        }
        int chosen = best;
        for (int c = 0; c < m; c++) {
            if (tied[c] && costs.get(c) < costs.get(chosen)) {
                chosen = c;
            }
        }
        List<Score> out = new ArrayList<>();
        for (int c = 0; c < m; c++) {
            String note = c == chosen ? "chosen" : tied[c] ? "tied" : "";
            out.add(new Score(names.get(c), mean[c], se[c], diff[c], diffSe[c], seconds.get(c), params.get(c), note));
        }
        out.sort(Comparator.comparingDouble((Score s) -> Double.isNaN(s.meanLogLikelihood())
                ? Double.NEGATIVE_INFINITY : s.meanLogLikelihood()).reversed());
        return out;
    }
}

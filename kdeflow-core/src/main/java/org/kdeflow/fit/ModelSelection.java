package org.kdeflow.fit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.kdeflow.data.Dataset;
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
 * <p>Stacked candidates ({@link Stack}) combine two candidates' out-of-fold densities as a mixture
 * α·p_a + (1 − α)·p_b with α chosen to maximise the out-of-fold likelihood (stacked density estimation, Smyth &amp;
 * Wolpert 1999); their refit mixes the two refitted models with that α.
 *
 * <p>Budget. Before any fitting the candidates are planned in order: each one's expected cost (K fits plus the refit,
 * from {@link DensityEstimator#expectedSeconds}) is added while the total, spread over the threads, stays within the
 * budget; the first candidate always runs. The plan depends only on n, d, the budget and the threads, so the same
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
     */
    public record Options(int folds, long seed, double budgetSeconds, int threads) {
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
        }

        public static Options defaults() {
            return new Options(5, 0, 60, 2);
        }

        public Options withFolds(int k) {
            return new Options(k, seed, budgetSeconds, threads);
        }

        public Options withSeed(long s) {
            return new Options(folds, s, budgetSeconds, threads);
        }

        public Options withBudget(double seconds) {
            return new Options(folds, seed, seconds, threads);
        }

        public Options withThreads(int t) {
            return new Options(folds, seed, budgetSeconds, t);
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
     * A mixture of two candidates' models with the weight α of {@code a} chosen on out-of-fold likelihood.
     *
     * @param a the first candidate's name
     * @param b the second candidate's name
     * @param mix builds α·p_a + (1 − α)·p_b from the two fitted models
     */
    public record Stack(String a, String b, Mixer mix) {
    }

    /** Builds a two-component mixture density. */
    @FunctionalInterface
    public interface Mixer {
        Density mix(double alpha, Density a, Density b);
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
    private final List<Stack> stacks;
    private final Options options;
    private final Listener listener;

    public ModelSelection(List<? extends DensityEstimator> candidates, List<Stack> stacks, Options options,
            Listener listener) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("model selection needs at least one candidate");
        }
        this.candidates = List.copyOf(candidates);
        this.stacks = List.copyOf(stacks);
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

    /** The candidates that fit the budget for n points in d dimensions, in order. */
    public List<DensityEstimator> plan(int n, int d) {
        List<DensityEstimator> out = new ArrayList<>();
        double total = 0;
        double available = options.budgetSeconds() * options.threads();
        for (DensityEstimator c : candidates) {
            double cost = c.expectedSeconds(n * (options.folds() - 1) / options.folds(), d) * options.folds()
                    + c.expectedSeconds(n, d) * options.threads();
            if (out.isEmpty() || total + cost <= available) {
                out.add(c);
                total += cost;
            }
        }
        return out;
    }

    /** Runs the protocol of the class comment. */
    public Result select(Dataset data, double[] weights) {
        int n = data.size();
        double[] omega = normalised(weights, n);
        List<DensityEstimator> planned = plan(n, data.dim());
        List<String> skipped = new ArrayList<>();
        for (DensityEstimator c : candidates) {
            if (!planned.contains(c)) {
                skipped.add(c.name());
            }
        }
        Folds folds = Folds.of(n, options.folds(), options.seed());
        listener.onPlan(planned.size() * folds.count() + 1, names(planned), skipped);
        int m = planned.size();
        double[][] oof = new double[m][];
        double[] secs = new double[m];
        long[] params = new long[m];
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(options.threads(), folds.count()),
                r -> {
                    Thread t = new Thread(r, "kdeflow-fit");
                    t.setDaemon(true);
                    return t;
                });
        try {
            for (int c = 0; c < m; c++) {
                long t0 = System.nanoTime();
                oof[c] = outOfFold(planned.get(c), data, weights, folds, pool, params, c);
                secs[c] = (System.nanoTime() - t0) * 1e-9;
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> names = new ArrayList<>(names(planned));
        List<double[]> all = new ArrayList<>(Arrays.asList(oof));
        List<Double> costs = new ArrayList<>();
        List<Double> seconds = new ArrayList<>();
        List<Long> parameters = new ArrayList<>();
        for (int c = 0; c < m; c++) {
            costs.add(planned.get(c).cost());
            seconds.add(secs[c]);
            parameters.add(params[c]);
        }
        double[] alphas = new double[stacks.size()];
        for (int s = 0; s < stacks.size(); s++) {
            Stack st = stacks.get(s);
            int a = names.indexOf(st.a());
            int b = names.indexOf(st.b());
            if (a < 0 || b < 0 || a >= m || b >= m) {
                continue;
            }
            alphas[s] = Stacking.bestWeight(oof[a], oof[b], omega);
            all.add(Stacking.mixed(oof[a], oof[b], alphas[s]));
            names.add(stackName(st));
            costs.add(costs.get(a) + costs.get(b));
            seconds.add(secs[a] + secs[b]);
            parameters.add(params[a] + params[b] + 1);
        }
        List<Score> ranking = rank(names, all, omega, costs, seconds, parameters);
        String chosen = ranking.stream().filter(s -> s.note().equals("chosen")).findFirst().orElseThrow().name();
        long t0 = System.nanoTime();
        Density model = refit(chosen, planned, names, alphas, data, weights);
        listener.onFit(chosen, -1);
        return new Result(ranking, chosen, model, skipped, (System.nanoTime() - t0) * 1e-9);
    }

    private static String stackName(Stack st) {
        return "mix(" + st.a() + "+" + st.b() + ")";
    }

    private Density refit(String chosen, List<DensityEstimator> planned, List<String> names, double[] alphas,
            Dataset data, double[] weights) {
        for (DensityEstimator c : planned) {
            if (c.name().equals(chosen)) {
                return c.fit(data, weights);
            }
        }
        for (int s = 0; s < stacks.size(); s++) {
            Stack st = stacks.get(s);
            if (stackName(st).equals(chosen)) {
                DensityEstimator a = find(planned, st.a());
                DensityEstimator b = find(planned, st.b());
                return st.mix().mix(alphas[s], a.fit(data, weights), b.fit(data, weights));
            }
        }
        throw new IllegalStateException("no candidate called " + chosen);
    }

    private static DensityEstimator find(List<DensityEstimator> planned, String name) {
        for (DensityEstimator c : planned) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalStateException("no candidate called " + name);
    }

    private double[] outOfFold(DensityEstimator est, Dataset data, double[] weights, Folds folds,
            ExecutorService pool, long[] params, int c) {
        double[] lp = new double[data.size()];
        List<Future<long[]>> jobs = new ArrayList<>();
        for (int f = 0; f < folds.count(); f++) {
            int fold = f;
            jobs.add(pool.submit(() -> {
                int[] tr = folds.training(fold);
                int[] te = folds.heldOut(fold);
                Density model = est.fit(Folds.subset(data, tr), Folds.subset(weights, tr));
                double[] v = model.logDensity(Folds.subset(data, te));
                for (int k = 0; k < te.length; k++) {
                    lp[te[k]] = v[k];
                }
                listener.onFit(est.name(), fold);
                return new long[] {fold == 0 ? est.parameterCount(model) : -1};
            }));
        }
        for (Future<long[]> j : jobs) {
            try {
                long p = j.get()[0];
                if (p >= 0) {
                    params[c] = p;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
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

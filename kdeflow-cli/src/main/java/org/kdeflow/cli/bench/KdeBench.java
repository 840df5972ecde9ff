package org.kdeflow.cli.bench;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kernels.KdeOps;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.random.NumpyRandomState;

/**
 * The KDE benchmarks behind {@code kdeflow bench kde}. Each case runs a warm-up, then {@code reps} timed runs, and
 * reports the median (and min/max to show the noise of a shared machine):
 * <ol>
 *   <li>homework panel: N = 10⁴ samples of the σ = ½ mixture, 100×100 grid over [−3, 5]², H = 0.1·I (separable
 *       path), checked against the plain direct sum (max relative error);</li>
 *   <li>exact at arbitrary points with a full, non-symmetric H: N = 10⁴ samples × M = 10⁴ queries, one thread and
 *       all threads, as kernel evaluations per second; the same with per-sample factors λᵢ (Hᵢ = λᵢH), side by
 *       side with the fixed H in one run;</li>
 *   <li>binned: N = 10⁶, 512×512 grid, H = 0.1·I and a full H, max error against the exact sum at 1000 random grid
 *       points plus the 50 highest, relative to the peak;</li>
 *   <li>exp: hand-written vector exp, the Vector API's lanewise EXP, and {@link Math#exp}, ns per value.</li>
 * </ol>
 * With {@code selectors} it runs instead the held-out NLL table of every bandwidth selector
 * ({@link KdeSelectorTable}).
 */
public final class KdeBench {
    private final PrintWriter out;
    private final int reps;
    private final boolean quick;
    private final boolean selectors;
    private final Map<String, Object> results = new LinkedHashMap<>();

    public KdeBench(PrintWriter out, int reps, boolean quick) {
        this(out, reps, quick, false);
    }

    /** With {@code selectors}, {@link #run()} prints the selectors' held-out NLL table instead of the timings. */
    public KdeBench(PrintWriter out, int reps, boolean quick, boolean selectors) {
        this.out = out;
        this.reps = reps;
        this.quick = quick;
        this.selectors = selectors;
    }

    /** The measured figures by name (after {@link #run()}). */
    public Map<String, Object> results() {
        return results;
    }

    public void run() {
        if (selectors) {
            new KdeSelectorTable(out, results, quick).run();
            out.flush();
            return;
        }
        out.printf("kdeflow bench kde: %d cores, kernels %s, median of %d runs (min–max)%n",
                Runtime.getRuntime().availableProcessors(), KdeOps.best().name(), reps);
        exp();
        panel();
        exact();
        binned();
        out.flush();
    }

    @FunctionalInterface
    private interface Body {
        void run();
    }

    private double[] time(int warm, Body body) {
        for (int i = 0; i < warm; i++) {
            body.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private String ms(double[] t) {
        return String.format("%.2f ms (%.2f–%.2f)", 1e3 * median(t), 1e3 * t[0], 1e3 * t[t.length - 1]);
    }

    private void exp() {
        int n = 1 << 20;
        double[] x = new double[n];
        Random r = new Random(1);
        for (int i = 0; i < n; i++) {
            x[i] = -30 * r.nextDouble();
        }
        double[] y = new double[n];
        double[] tPoly = time(5, () -> {
            System.arraycopy(x, 0, y, 0, n);
            KdeOps.best().exp(y, 0, n);
        });
        double[] tMath = time(3, () -> {
            for (int i = 0; i < n; i++) {
                y[i] = Math.exp(x[i]);
            }
        });
        out.printf("exp, 2^20 values: %s %.2f ns/value, Math.exp %.2f ns/value", KdeOps.best().name(),
                1e9 * median(tPoly) / n, 1e9 * median(tMath) / n);
        results.put("exp_ns_handwritten", 1e9 * median(tPoly) / n);
        results.put("exp_ns_math", 1e9 * median(tMath) / n);
        KdeOps lanewise = KdeOps.lanewiseExp();
        if (lanewise != null) {
            double[] tLane = time(3, () -> {
                System.arraycopy(x, 0, y, 0, n);
                lanewise.exp(y, 0, n);
            });
            out.printf(", lanewise(EXP) %.2f ns/value", 1e9 * median(tLane) / n);
            results.put("exp_ns_lanewise", 1e9 * median(tLane) / n);
        }
        out.println();
    }

    private void panel() {
        int n = quick ? 2_000 : 10_000;
        int g = quick ? 50 : 100;
        Dataset data = GaussianMixture.homework(0.5).sample(n, new NumpyRandomState(0));
        Grid grid = Grid.square(-3, 5, -3, 5, g);
        for (double h : new double[] {0.1, 0.5, 1.0}) {
            KernelDensity kde = KernelDensity.of(data, Bandwidth.scalar(h, 2));
            double[][] keep = new double[1][];
            double[] t = time(quick ? 5 : 20, () -> keep[0] = kde.densityOnGrid(grid));
            double[] ref = directSum(data, h, grid);
            double rel = 0;
            for (int k = 0; k < ref.length; k++) {
                if (ref[k] > 1e-250) {
                    rel = Math.max(rel, Math.abs(keep[0][k] - ref[k]) / ref[k]);
                }
            }
            double[] t1 = time(quick ? 3 : 10, () -> kde.withThreads(1).densityOnGrid(grid));
            out.printf("panel N=%d, %dx%d, h=%.1f (%s): %s; 1 thread %s; max rel. diff vs direct sum %.2e%n", n, g,
                    g, h, kde.autoMethod(), ms(t), ms(t1), rel);
            results.put("panel_ms_h" + h, 1e3 * median(t));
            results.put("panel_ms_1thread_h" + h, 1e3 * median(t1));
            results.put("panel_maxrel_h" + h, rel);
        }
    }

    /** The homework's formula, one point at a time with Math.exp. */
    static double[] directSum(Dataset data, double h, Grid grid) {
        double[] p = grid.points();
        int n = data.size();
        double[] x = data.toArray();
        double[] f = new double[grid.size()];
        double c = 1.0 / (n * h * h * 2 * Math.PI);
        for (int q = 0; q < grid.size(); q++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double u1 = (x[2 * i] - p[2 * q]) / h;
                double u2 = (x[2 * i + 1] - p[2 * q + 1]) / h;
                s += Math.exp(-u1 * u1 / 2) * Math.exp(-u2 * u2 / 2);
            }
            f[q] = c * s;
        }
        return f;
    }

    private void exact() {
        int n = 10_000;
        int m = quick ? 1_000 : 10_000;
        Dataset data = GaussianMixture.homework(0.5).sample(n, new NumpyRandomState(1));
        double[] q = GaussianMixture.homework(0.5).sample(m, new NumpyRandomState(2)).toArray();
        KernelDensity kde = KernelDensity.of(data, Bandwidth.full(new double[] {0.3, 0.1, -0.05, 0.2}, 2));
        double[] o = new double[m];
        double pairs = (double) n * m;
        int workers = Runtime.getRuntime().availableProcessors();
        double[] t1 = time(3, () -> kde.withThreads(1).densityAt(q, m, o));
        double[] tn = time(3, () -> kde.withThreads(workers).densityAt(q, m, o));
        double[] ts = time(1, () -> kde.withThreads(1).withOps(KdeOps.scalar()).densityAt(q, m, o));
        KdeOps lanewise = KdeOps.lanewiseExp();
        if (lanewise != null) {
            double[] tl = time(3, () -> kde.withThreads(1).withOps(lanewise).densityAt(q, m, o));
            out.printf("exact, full H, 1 thread, with lanewise(EXP) instead of the hand-written exp: %s = %.3g "
                    + "evals/s/core%n", ms(tl), pairs / median(tl));
            results.put("exact_evals_per_s_1thread_lanewise", pairs / median(tl));
        }
        out.printf("exact, full H, N=10^4 x M=%d: 1 thread %s = %.3g evals/s/core; %d threads %s = %.3g evals/s;"
                        + " scalar fallback 1 thread %.3g evals/s%n", m, ms(t1), pairs / median(t1), workers, ms(tn),
                pairs / median(tn), pairs / median(ts));
        results.put("exact_evals_per_s_1thread", pairs / median(t1));
        results.put("exact_evals_per_s_all", pairs / median(tn));
        results.put("exact_evals_per_s_scalar", pairs / median(ts));
        // per-sample factors λᵢ = exp(0.3·zᵢ), timed alternately with the fixed H so both see the same load
        double[] lambda = new double[n];
        java.util.Random r = new java.util.Random(5);
        for (int i = 0; i < n; i++) {
            lambda[i] = Math.exp(0.3 * r.nextGaussian());
        }
        KernelDensity adaptive = KernelDensity.of(data, Bandwidth.full(new double[] {0.3, 0.1, -0.05, 0.2}, 2)
                .withFactors(lambda)).withThreads(1);
        KernelDensity fixed = kde.withThreads(1);
        double[] tf = new double[reps];
        double[] ta = new double[reps];
        for (int w = 0; w < 3; w++) {
            fixed.densityAt(q, m, o);
            adaptive.densityAt(q, m, o);
        }
        for (int k = 0; k < reps; k++) {
            long t0 = System.nanoTime();
            fixed.densityAt(q, m, o);
            long t1x = System.nanoTime();
            adaptive.densityAt(q, m, o);
            long t2x = System.nanoTime();
            tf[k] = (t1x - t0) / 1e9;
            ta[k] = (t2x - t1x) / 1e9;
        }
        Arrays.sort(tf);
        Arrays.sort(ta);
        out.printf("exact, full H, 1 thread, alternating: fixed %s = %.3g evals/s; per-sample factors %s = %.3g "
                + "evals/s (ratio %.2f)%n", ms(tf), pairs / median(tf), ms(ta), pairs / median(ta),
                median(ta) / median(tf));
        results.put("exact_evals_per_s_1thread_fixed_alternating", pairs / median(tf));
        results.put("exact_evals_per_s_1thread_factors", pairs / median(ta));
    }

    private void binned() {
        int n = quick ? 50_000 : 1_000_000;
        int g = quick ? 256 : 512;
        Dataset data = GaussianMixture.homework(0.5).sample(n, new NumpyRandomState(3));
        Grid grid = Grid.square(-3, 5, -3, 5, g);
        for (Bandwidth h : new Bandwidth[] {Bandwidth.scalar(0.1, 2),
            Bandwidth.full(new double[] {0.15, 0.05, -0.03, 0.1}, 2)}) {
            KernelDensity kde = KernelDensity.of(data, h);
            double[][] keep = new double[1][];
            double[] t = time(2, () -> keep[0] = kde.densityOnGrid(grid, KernelDensity.GridMethod.BINNED));
            double[] binned = keep[0];
            // exact at 1000 random grid points and the 50 largest binned values
            Random r = new Random(4);
            Integer[] order = new Integer[binned.length];
            for (int k = 0; k < order.length; k++) {
                order[k] = k;
            }
            Arrays.sort(order, (a, b) -> Double.compare(binned[b], binned[a]));
            int checks = quick ? 200 : 1000;
            int[] idx = new int[checks + 50];
            for (int k = 0; k < checks; k++) {
                idx[k] = r.nextInt(binned.length);
            }
            for (int k = 0; k < 50; k++) {
                idx[checks + k] = order[k];
            }
            double[] pts = grid.points();
            double[] qp = new double[2 * idx.length];
            for (int k = 0; k < idx.length; k++) {
                qp[2 * k] = pts[2 * idx[k]];
                qp[2 * k + 1] = pts[2 * idx[k] + 1];
            }
            double[] exact = kde.density(qp, idx.length);
            double peak = 0;
            double err = 0;
            for (int k = 0; k < idx.length; k++) {
                peak = Math.max(peak, exact[k]);
                err = Math.max(err, Math.abs(exact[k] - binned[idx[k]]));
            }
            String kind = h.isDiagonal() ? "diagonal" : "full";
            out.printf("binned N=%d, %dx%d, %s H: %s; max error %.2e of the peak (bound %.2e of the peak)%n", n, g,
                    g, kind, ms(t), err / peak, kde.binnedErrorBound(grid) / peak);
            results.put("binned_ms_" + kind, 1e3 * median(t));
            results.put("binned_maxerr_rel_peak_" + kind, err / peak);
            results.put("binned_bound_rel_peak_" + kind, kde.binnedErrorBound(grid) / peak);
        }
    }
}

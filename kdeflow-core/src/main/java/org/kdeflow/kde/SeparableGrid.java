package org.kdeflow.kde;

import org.kdeflow.kernels.KdeOps;
import org.kdeflow.data.Grid;
import org.kdeflow.data.Parallel;

/**
 * Path 2: the exact estimate on a g₁×g₂ grid for a diagonal H = diag(h₁, h₂) and a product kernel,
 * <pre>
 *   f̂(g¹_a, g²_b) = Σᵢ ωᵢ·A[a,i]·B[b,i],   A[a,i] = k((g¹_a − xᵢ₁)/h₁)/h₁,   B[b,i] = k((g²_b − xᵢ₂)/h₂)/h₂,
 * </pre>
 * i.e. F = A·diag(ω)·Bᵀ: (g₁ + g₂)·N kernel evaluations and one matrix product. With per-sample factors λᵢ the
 * kernel of sample i has the bandwidths λᵢh₁, λᵢh₂: its factors use (g − xᵢ)/(λᵢh) and its weight is ωᵢ/λᵢ². The samples are taken in chunks of
 * {@value #CHUNK} so A and B stay small (never g·N); the worker threads each take a contiguous share of the samples
 * and their partial grids are added in a fixed order, so the result does not depend on scheduling. Kernel factors
 * below 1e−150 are flushed to 0 ({@link #FLUSH}).
 */
final class SeparableGrid {
    static final int CHUNK = 512;
    /**
     * Kernel factors below e^−345 ≈ 1e−150 are set to 0, so no product A·B is subnormal (x86 takes ~100 cycles per
     * subnormal operation). Only grid values below ~1e−140 of the kernel's peak can change.
     */
    static final double FLUSH = -345.0;

    private SeparableGrid() {
    }

    static double[] evaluate(KernelDensity kde, Grid grid) {
        int n = kde.size();
        double[] x = kde.samplesView();
        double[] w = kde.evaluationWeightsView();
        double[] lambda = kde.bandwidth().factorsView();
        double[] diag = kde.bandwidth().diagonal();
        double h1 = Math.abs(diag[0]);
        double h2 = Math.abs(diag[1]);
        double[] xs = grid.xs();
        double[] ys = grid.ys();
        int g1 = xs.length;
        int g2 = ys.length;
        boolean gaussian = kde.kernel() == Kernel.GAUSSIAN;
        KdeOps ops = kde.ops();
        int chunks = (n + CHUNK - 1) / CHUNK;
        long work = (long) n * g1 * g2;
        int parts = work < 2_000_000 ? 1 : Math.min(chunks, Parallel.workers(kde.threads()));
        int g1p = (g1 + 15) / 16 * 16;
        double[][] partial = new double[parts][];
        Parallel.forEach(parts, kde.threads(), p -> {
            double[] at = new double[CHUNK * g1p];
            double[] b = new double[g2 * CHUNK];
            double[] f = new double[g1p * g2];
            int c0 = (int) ((long) chunks * p / parts);
            int c1 = (int) ((long) chunks * (p + 1) / parts);
            for (int c = c0; c < c1; c++) {
                int i0 = c * CHUNK;
                int cnt = Math.min(CHUNK, n - i0);
                fillTransposed(at, g1p, xs, x, i0, cnt, h1, lambda, gaussian, ops);
                fill(b, ys, x, w, i0, cnt, 1, h2, lambda, gaussian, true, ops);
                ops.productAccumulate(at, g1p, b, g2, CHUNK, f);
            }
            partial[p] = f;
        });
        double[] out = new double[g1 * g2];
        double c = gaussian ? 1.0 / (2 * Math.PI * h1 * h2) : 0.5625 / (h1 * h2);
        for (int bb = 0; bb < g2; bb++) {
            for (int a = 0; a < g1; a++) {
                double v = 0;
                for (int p = 0; p < parts; p++) {
                    v += partial[p][bb * g1p + a];
                }
                out[bb * g1 + a] = c * v;
            }
        }
        return out;
    }

    /**
     * at[k·g1p + r] = k̃((g_r − x_{i0+k, 0})/(λh)) for r &lt; g1 (λ = 1 without factors), 0 for the padding
     * (r ≥ g1 or k ≥ cnt).
     */
    private static void fillTransposed(double[] at, int g1p, double[] g, double[] x, int i0, int cnt, double h,
                                       double[] lambda, boolean gaussian, KdeOps ops) {
        for (int k = 0; k < CHUNK; k++) {
            int o = k * g1p;
            if (k >= cnt) {
                java.util.Arrays.fill(at, o, o + g1p, gaussian ? Double.NEGATIVE_INFINITY : 0.0);
                continue;
            }
            double inv = lambda == null ? 1.0 / h : 1.0 / (lambda[i0 + k] * h);
            double xi = x[2 * (i0 + k)];
            for (int r = 0; r < g.length; r++) {
                double u = (g[r] - xi) * inv;
                double t = -0.5 * u * u;
                at[o + r] = gaussian ? (t < FLUSH ? Double.NEGATIVE_INFINITY : t) : Math.max(0.0, 1 - u * u);
            }
            for (int r = g.length; r < g1p; r++) {
                at[o + r] = gaussian ? Double.NEGATIVE_INFINITY : 0.0;
            }
        }
        if (gaussian) {
            ops.exp(at, 0, CHUNK * g1p);
        }
    }

    /**
     * m[r·CHUNK + k] = k̃((g_r − x_{i0+k, j})/(λh)) (times the evaluation weight ωλ^(−2) when {@code weighted}),
     * k̃ the kernel without its constant; 0 for the padding k ≥ cnt.
     */
    private static void fill(double[] m, double[] g, double[] x, double[] w, int i0, int cnt, int j, double h,
                             double[] lambda, boolean gaussian, boolean weighted, KdeOps ops) {
        double inv0 = 1.0 / h;
        for (int r = 0; r < g.length; r++) {
            int o = r * CHUNK;
            double gr = g[r];
            for (int k = 0; k < cnt; k++) {
                double inv = lambda == null ? inv0 : 1.0 / (lambda[i0 + k] * h);
                double u = (gr - x[2 * (i0 + k) + j]) * inv;
                double t = -0.5 * u * u;
                m[o + k] = gaussian ? (t < FLUSH ? Double.NEGATIVE_INFINITY : t) : Math.max(0.0, 1 - u * u);
            }
            for (int k = cnt; k < CHUNK; k++) {
                m[o + k] = gaussian ? Double.NEGATIVE_INFINITY : 0.0;
            }
        }
        if (gaussian) {
            ops.exp(m, 0, g.length * CHUNK);
        }
        if (weighted) {
            for (int r = 0; r < g.length; r++) {
                int o = r * CHUNK;
                for (int k = 0; k < cnt; k++) {
                    m[o + k] *= w[i0 + k];
                }
            }
        }
    }
}

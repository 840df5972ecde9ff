package org.kdeflow.kde;

import org.kdeflow.kernels.KdeOps;
import java.util.Arrays;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Density;
import org.kdeflow.random.NumpyRandomState;

/**
 * A kernel density estimate
 * <pre>
 *   f̂(x) = (1/|H|) Σᵢ ωᵢ K(H⁻¹(xᵢ − x)),   ωᵢ = wᵢ / Σⱼ wⱼ   (ωᵢ = 1/N without weights),
 * </pre>
 * with a product kernel K(u) = Π_j k(u_j) ({@link Kernel}) and a bandwidth matrix H ({@link Bandwidth}); |H| is
 * |det H|. For the Gaussian kernel this is the mixture of normals N(xᵢ, H·Hᵀ) (scipy's {@code gaussian_kde} with
 * kernel covariance H·Hᵀ), and f̂ is the homework's estimator (Part I, Task 2).
 *
 * <p>The samples are whitened once, zᵢ = H⁻¹xᵢ, and stored transposed; a query x becomes y = H⁻¹x, so every pair
 * costs ‖zᵢ − y‖² (d multiply-adds) and one exp: K(H⁻¹(xᵢ − x)) = (2π)^(−d/2)·e^(−½‖zᵢ − y‖²).
 *
 * <p>Evaluation paths (each callable on its own, see {@link GridMethod}):
 * <ol>
 *   <li>exact at arbitrary points ({@link #logDensity(double[], int, double[])}, {@link #densityAt}): blocked over
 *       samples (4096) and queries (64), query blocks in parallel, exp vectorised ({@link KdeOps});</li>
 *   <li>exact on a grid for diagonal H, 2-D ({@link GridMethod#SEPARABLE}): f̂ = A·diag(ω)·Bᵀ;</li>
 *   <li>binned ({@link GridMethod#BINNED}, Gaussian only): linear binning and a convolution, error bounded by
 *       {@link #binnedErrorBound(Grid)}.</li>
 * </ol>
 * Memory is O((N + M)·d) for N samples and M queries: no N×M matrix is ever formed.
 *
 * <p>{@code logDensity} is exact far from the data: when the plain sum underflows (below 1e−200) it is redone as a
 * log-sum-exp, log f̂ = log c − ½r²_min + log Σᵢ ωᵢ e^(−½(rᵢ² − r²_min)).
 *
 * <p>Immutable and thread-safe; factories copy the caller's arrays.
 */
public final class KernelDensity implements Density {
    static final int SAMPLE_BLOCK = 4096;
    static final int QUERY_BLOCK = 64;
    /** Below this plain sum, log-density is recomputed in log space. */
    static final double UNDERFLOW = 1e-200;
    /** From this many samples on, AUTO evaluates a Gaussian estimate on a grid by binning. */
    public static final int BINNED_FROM = 200_000;

    /** How {@link #densityOnGrid(Grid, GridMethod)} evaluates. */
    public enum GridMethod {
        /**
         * SEPARABLE for diagonal H, EXACT otherwise; BINNED from {@link #BINNED_FROM} samples (Gaussian) unless the
         * kernel is so wide against the grid spacing that the extended grid would exceed 2²⁵ cells.
         */
        AUTO,
        /** Path 1: the exact sum at every grid point. */
        EXACT,
        /** Path 2: exact, A·diag(ω)·Bᵀ; needs a diagonal H. */
        SEPARABLE,
        /** Path 3: linear binning and convolution; Gaussian kernel only. */
        BINNED
    }

    private final int n;
    private final int d;
    private final int stride;
    private final double[] x;
    private final double[] zT;
    private final double[] w;
    private final double[] cumulative;
    private final Bandwidth bandwidth;
    private final Kernel kernel;
    private final double logNorm;
    private final int threads;
    private final KdeOps ops;

    private KernelDensity(double[] x, int n, int d, double[] w, Bandwidth bandwidth, Kernel kernel, int threads,
                          KdeOps ops) {
        this.n = n;
        this.d = d;
        this.x = x;
        this.bandwidth = bandwidth;
        this.kernel = kernel;
        this.threads = threads;
        this.ops = ops;
        this.stride = (n + KdeOps.PAD - 1) / KdeOps.PAD * KdeOps.PAD;
        this.w = w;
        this.zT = new double[stride * d];
        bandwidth.whitenTransposed(x, n, zT, stride);
        this.cumulative = new double[n];
        double c = 0;
        for (int i = 0; i < n; i++) {
            c += w[i];
            cumulative[i] = c;
        }
        this.logNorm = d * kernel.logK0() - bandwidth.logAbsDet();
    }

    private KernelDensity(KernelDensity o, int threads, KdeOps ops) {
        this.n = o.n;
        this.d = o.d;
        this.stride = o.stride;
        this.x = o.x;
        this.zT = o.zT;
        this.w = o.w;
        this.cumulative = o.cumulative;
        this.bandwidth = o.bandwidth;
        this.kernel = o.kernel;
        this.logNorm = o.logNorm;
        this.threads = threads;
        this.ops = ops;
    }

    /** The Gaussian estimate with equal weights. */
    public static KernelDensity of(Dataset data, Bandwidth h) {
        return of(data, null, h, Kernel.GAUSSIAN);
    }

    /** The Gaussian estimate with the bandwidth a selector picks for the data. */
    public static KernelDensity of(Dataset data, BandwidthSelector selector) {
        return of(data, null, selector.select(data, null), Kernel.GAUSSIAN);
    }

    /**
     * An estimate over {@code data} with optional {@code weights} (null for equal weights; copied).
     *
     * @throws IllegalArgumentException if there are no samples, H's dimension differs from the data's, or a weight
     *     is negative or not finite, or all weights are 0
     */
    public static KernelDensity of(Dataset data, double[] weights, Bandwidth h, Kernel kernel) {
        int n = data.size();
        int d = data.dim();
        if (n == 0) {
            throw new IllegalArgumentException("cannot estimate a density from 0 samples");
        }
        if (h.dim() != d) {
            throw new IllegalArgumentException("bandwidth is " + h.dim() + "x" + h.dim()
                    + " but the data have dimension " + d);
        }
        int stride = (n + KdeOps.PAD - 1) / KdeOps.PAD * KdeOps.PAD;
        double[] w = normalisedWeights(weights, n, stride);
        return new KernelDensity(data.toArray(), n, d, w, h, kernel, 0, KdeOps.best());
    }

    static double[] normalisedWeights(double[] weights, int n, int length) {
        double[] w = new double[length];
        if (weights == null) {
            Arrays.fill(w, 0, n, 1.0 / n);
            return w;
        }
        if (weights.length != n) {
            throw new IllegalArgumentException("got " + weights.length + " weights for " + n + " samples");
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double v = weights[i];
            if (!(Double.isFinite(v) && v >= 0)) {
                throw new IllegalArgumentException("weight " + i + " must be finite and >= 0, got " + v);
            }
            sum += v;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("weights sum to 0");
        }
        for (int i = 0; i < n; i++) {
            w[i] = weights[i] / sum;
        }
        return w;
    }

    /** The same estimate evaluated with {@code threads} workers (1: the calling thread only; ≤ 0: common pool). */
    public KernelDensity withThreads(int threads) {
        return new KernelDensity(this, threads, ops);
    }

    /** The same estimate on the given {@link KdeOps} (for tests and benchmarks comparing implementations). */
    public KernelDensity withOps(KdeOps ops) {
        return new KernelDensity(this, threads, ops);
    }

    @Override
    public int dim() {
        return d;
    }

    /** Number of samples N. */
    public int size() {
        return n;
    }

    public Bandwidth bandwidth() {
        return bandwidth;
    }

    public Kernel kernel() {
        return kernel;
    }

    /** The normalised weights ωᵢ (a copy). */
    public double[] weights() {
        return Arrays.copyOf(w, n);
    }

    /** The samples (a copy). */
    public Dataset samples() {
        return Dataset.of(x, n, d);
    }

    /** The worker count setting (see {@link #withThreads}). */
    public int threads() {
        return threads;
    }

    /** log c with f̂ = c·Σ ωᵢ K̃(·), K̃ the kernel without its constant: d·log k(0) − log|H|. */
    double logNorm() {
        return logNorm;
    }

    // ---------------------------------------------------------------- path 1: exact at arbitrary points

    /**
     * Fills {@code out[q] = log f̂(x_q)} for the m row-major queries (path 1). Exact for the Gaussian kernel at any
     * distance (log-sum-exp when the sum underflows); −∞ outside the Epanechnikov kernel's support.
     * Modifies {@code out} only.
     */
    @Override
    public void logDensity(double[] query, int m, double[] out) {
        checkQueries(query, m, out);
        rawSums(query, m, out, true);
    }

    /**
     * Fills {@code out[q] = f̂(x_q)} (path 1) without going through logs. Modifies {@code out} only.
     */
    public void densityAt(double[] query, int m, double[] out) {
        checkQueries(query, m, out);
        rawSums(query, m, out, false);
    }

    @Override
    public double[] density(double[] query, int m) {
        double[] out = new double[m];
        densityAt(query, m, out);
        return out;
    }

    private void checkQueries(double[] query, int m, double[] out) {
        if (m < 0 || (long) m * d > query.length) {
            throw new IllegalArgumentException("expected " + m + "x" + d + " query values, got " + query.length);
        }
        if (out.length < m) {
            throw new IllegalArgumentException("output has room for " + out.length + " values, need " + m);
        }
    }

    private void rawSums(double[] query, int m, double[] out, boolean log) {
        int tasks = (m + QUERY_BLOCK - 1) / QUERY_BLOCK;
        double norm = Math.exp(logNorm);
        int th = (long) m * n < 1_000_000 ? 1 : threads;
        Parallel.forEach(tasks, th, t -> {
            int q0 = t * QUERY_BLOCK;
            int mb = Math.min(QUERY_BLOCK, m - q0);
            double[] y = new double[mb * d];
            double[] s = new double[mb];
            whiten(query, q0, mb, y);
            sums(y, mb, s);
            for (int q = 0; q < mb; q++) {
                double v;
                if (log) {
                    v = s[q] >= UNDERFLOW || kernel != Kernel.GAUSSIAN
                            ? logNorm + Math.log(s[q]) : logNorm + logSumExp(y, q);
                } else {
                    v = s[q] >= UNDERFLOW || kernel != Kernel.GAUSSIAN
                            ? norm * s[q] : Math.exp(logNorm + logSumExp(y, q));
                }
                out[q0 + q] = v;
            }
        });
    }

    /** y (mb×d) = H⁻¹·x for queries q0..q0+mb. */
    private void whiten(double[] query, int q0, int mb, double[] y) {
        double[] hInv = bandwidth.inverseView();
        for (int q = 0; q < mb; q++) {
            int xo = (q0 + q) * d;
            for (int r = 0; r < d; r++) {
                double v = 0;
                for (int c = 0; c < d; c++) {
                    v += hInv[r * d + c] * query[xo + c];
                }
                y[q * d + r] = v;
            }
        }
    }

    /** s[q] = Σᵢ ωᵢ K̃(zᵢ − y_q) for whitened queries, blocked over samples. */
    void sums(double[] y, int mb, double[] s) {
        if (kernel == Kernel.GAUSSIAN) {
            for (int from = 0; from < stride; from += SAMPLE_BLOCK) {
                ops.gaussianSums(zT, stride, w, from, Math.min(from + SAMPLE_BLOCK, stride), d, y, mb, s);
            }
        } else {
            epanechnikovSums(y, mb, s);
        }
    }

    private void epanechnikovSums(double[] y, int mb, double[] s) {
        for (int q = 0; q < mb; q++) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                double p = w[i];
                for (int j = 0; j < d && p > 0; j++) {
                    double u = zT[j * stride + i] - y[q * d + j];
                    double t = 1 - u * u;
                    p = t > 0 ? p * t : 0.0;
                }
                acc += p;
            }
            s[q] = acc;
        }
    }

    /** log Σᵢ ωᵢ e^(−½‖zᵢ − y_q‖²) by two passes (minimum distance, then shifted sum). */
    private double logSumExp(double[] y, int q) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (w[i] > 0) {
                min = Math.min(min, dist2(y, q, i));
            }
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (w[i] > 0) {
                s += w[i] * Math.exp(-0.5 * (dist2(y, q, i) - min));
            }
        }
        return -0.5 * min + Math.log(s);
    }

    private double dist2(double[] y, int q, int i) {
        double r2 = 0;
        for (int j = 0; j < d; j++) {
            double u = zT[j * stride + i] - y[q * d + j];
            r2 += u * u;
        }
        return r2;
    }

    /**
     * Leave-one-out log-densities at samples {@code idx}: log f̂₋ᵢ(xᵢ) = log(Σ_{j≠i} ωⱼ K(H⁻¹(xⱼ − xᵢ))/|H| /
     * (1 − ωᵢ)), for the cross-validation selectors. When removing the self term would cancel (it is over 1 − 1e−9 of
     * the sum), the sum over j ≠ i is recomputed directly in log space.
     */
    double[] leaveOneOutLogDensity(int[] idx) {
        int m = idx.length;
        double[] out = new double[m];
        int tasks = (m + QUERY_BLOCK - 1) / QUERY_BLOCK;
        Parallel.forEach(tasks, threads, t -> {
            int q0 = t * QUERY_BLOCK;
            int mb = Math.min(QUERY_BLOCK, m - q0);
            double[] y = new double[mb * d];
            double[] s = new double[mb];
            for (int q = 0; q < mb; q++) {
                for (int j = 0; j < d; j++) {
                    y[q * d + j] = zT[j * stride + idx[q0 + q]];
                }
            }
            sums(y, mb, s);
            for (int q = 0; q < mb; q++) {
                int i = idx[q0 + q];
                double rest = s[q] - w[i]; // K̃(0) = 1 for both kernels
                double lse;
                if (rest > 1e-9 * s[q] && rest >= UNDERFLOW) {
                    lse = Math.log(rest);
                } else {
                    lse = logSumExpExcluding(y, q, i);
                }
                out[q0 + q] = logNorm + lse - Math.log1p(-w[i]);
            }
        });
        return out;
    }

    private double logSumExpExcluding(double[] y, int q, int self) {
        if (kernel != Kernel.GAUSSIAN) {
            double acc = 0;
            for (int i = 0; i < n; i++) {
                if (i == self) {
                    continue;
                }
                double p = w[i];
                for (int j = 0; j < d && p > 0; j++) {
                    double u = zT[j * stride + i] - y[q * d + j];
                    double t = 1 - u * u;
                    p = t > 0 ? p * t : 0.0;
                }
                acc += p;
            }
            return Math.log(acc);
        }
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            if (i != self && w[i] > 0) {
                min = Math.min(min, dist2(y, q, i));
            }
        }
        if (min == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (i != self && w[i] > 0) {
                s += w[i] * Math.exp(-0.5 * (dist2(y, q, i) - min));
            }
        }
        return -0.5 * min + Math.log(s);
    }

    // ---------------------------------------------------------------- grids

    /** f̂ on a 2-D grid, values laid out as {@link Grid#points()}, by {@link GridMethod#AUTO}. */
    public double[] densityOnGrid(Grid grid) {
        return densityOnGrid(grid, GridMethod.AUTO);
    }

    /**
     * f̂ on a 2-D grid (values[iy·nx + ix]) by the given method.
     *
     * @throws IllegalArgumentException if the data are not 2-D, SEPARABLE is asked for with a non-diagonal H, or
     *     BINNED with a non-Gaussian kernel
     */
    public double[] densityOnGrid(Grid grid, GridMethod method) {
        if (d != 2) {
            throw new IllegalArgumentException("grid evaluation needs 2-D data, these have dimension " + d);
        }
        GridMethod m = method == GridMethod.AUTO ? autoMethod() : method;
        if (method == GridMethod.AUTO && m == GridMethod.BINNED
                && BinnedGrid.extendedCells(bandwidth, grid) > BinnedGrid.MAX_CELLS) {
            m = bandwidth.isDiagonal() ? GridMethod.SEPARABLE : GridMethod.EXACT;
        }
        return switch (m) {
            case EXACT -> density(grid.points(), grid.size());
            case SEPARABLE -> {
                if (!bandwidth.isDiagonal()) {
                    throw new IllegalArgumentException("separable grid evaluation needs a diagonal bandwidth, got "
                            + bandwidth);
                }
                yield SeparableGrid.evaluate(this, grid);
            }
            case BINNED -> BinnedGrid.evaluate(this, grid);
            case AUTO -> throw new AssertionError();
        };
    }

    /** The method AUTO resolves to for this estimate. */
    public GridMethod autoMethod() {
        if (kernel == Kernel.GAUSSIAN && n >= BINNED_FROM) {
            return GridMethod.BINNED;
        }
        return bandwidth.isDiagonal() ? GridMethod.SEPARABLE : GridMethod.EXACT;
    }

    /**
     * A bound on |f̃ − f̂| at every grid point for {@link GridMethod#BINNED} (Gaussian kernel, Σ = H·Hᵀ, P = Σ⁻¹):
     * <pre>
     *   φ_Σ(0)·( δ₁²·P₁₁ + δ₂²·P₂₂ ) / 8  +  φ_Σ(0)·e^(−τ²/2),   φ_Σ(0) = 1/(2π|H|),  τ = {@value BinnedGrid#TAU}
     * </pre>
     * The first term is the bilinear-interpolation error of each kernel bump over a grid cell (δ the grid spacing;
     * sup|∂²φ_Σ/∂x_j²| = φ_Σ(0)·P_jj); the second bounds what truncating the kernel at Mahalanobis radius τ drops.
     */
    public double binnedErrorBound(Grid grid) {
        return BinnedGrid.errorBound(bandwidth, grid);
    }

    // ---------------------------------------------------------------- internals shared with the grid paths

    double[] samplesView() {
        return x;
    }

    double[] weightsView() {
        return w;
    }

    KdeOps ops() {
        return ops;
    }

    // ---------------------------------------------------------------- sampling

    /**
     * n draws: pick sample i with probability ωᵢ (one {@code randomSample()}), then add H·ε with ε drawn from the
     * kernel (d {@code gauss()} values; Epanechnikov per coordinate by Devroye's three-uniform rule).
     */
    @Override
    public Dataset sample(int count, NumpyRandomState rng) {
        if (count < 0) {
            throw new IllegalArgumentException("sample count must be >= 0, got " + count);
        }
        double[] out = new double[count * d];
        double[] eps = new double[d];
        double[] he = new double[d];
        for (int s = 0; s < count; s++) {
            double u = rng.randomSample() * cumulative[n - 1];
            int lo = 0;
            int hi = n - 1;
            while (lo < hi) { // first i with cumulative[i] > u: a sample of positive weight
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] > u) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            int i = lo;
            while (w[i] == 0 && i > 0) {
                i--;
            }
            for (int j = 0; j < d; j++) {
                eps[j] = kernel == Kernel.GAUSSIAN ? rng.gauss() : epanechnikov(rng);
            }
            bandwidth.apply(eps, 0, he, 0);
            for (int j = 0; j < d; j++) {
                out[s * d + j] = x[i * d + j] + he[j];
            }
        }
        return Dataset.of(out, count, d);
    }

    private static double epanechnikov(NumpyRandomState rng) {
        double u1 = 2 * rng.randomSample() - 1;
        double u2 = 2 * rng.randomSample() - 1;
        double u3 = 2 * rng.randomSample() - 1;
        return Math.abs(u3) >= Math.abs(u2) && Math.abs(u3) >= Math.abs(u1) ? u2 : u3;
    }

    @Override
    public String toString() {
        return "KernelDensity[n=" + n + ", d=" + d + ", " + kernel + ", " + bandwidth + "]";
    }
}

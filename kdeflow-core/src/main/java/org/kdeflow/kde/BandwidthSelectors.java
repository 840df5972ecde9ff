package org.kdeflow.kde;

import java.util.function.DoubleUnaryOperator;
import org.kdeflow.data.Dataset;

/**
 * Bandwidth rules. Notation: ωᵢ the normalised weights, μ = Σωᵢxᵢ, the sample covariance
 * Σ̂ = Σωᵢ(xᵢ − μ)(xᵢ − μ)ᵀ / (1 − Σωᵢ²) (the unbiased 1/(n−1) form without weights), n_eff = 1/Σωᵢ² (= n without
 * weights), d the dimension. Each rule comes in three forms ({@link Bandwidth.Kind}):
 * <ul>
 *   <li>FULL: H = c·L with L the lower Cholesky factor of Σ̂ (L·Lᵀ = Σ̂), so the Gaussian kernel's covariance is
 *       H·Hᵀ = c²·Σ̂ — exactly scipy's {@code gaussian_kde}, whose kernel covariance is Σ̂·factor²;</li>
 *   <li>DIAGONAL: H = c·diag(σ̂₁, …, σ̂_d), σ̂_j = √Σ̂_jj;</li>
 *   <li>SCALAR: H = c·(det Σ̂)^(1/(2d))·I, the isotropic H with the same kernel volume as the FULL form.</li>
 * </ul>
 * <p>Scott (Scott 1992, Multivariate Density Estimation, eq. 6.42): c = n_eff^(−1/(d+4)).
 * <br>Silverman (Silverman 1986, eq. 4.14): c = (n_eff·(d+2)/4)^(−1/(d+4)).
 * <br>Both equal the AMISE-optimal c for normal data with a Gaussian kernel up to a constant (Silverman's is that
 * optimum for H ∝ Σ̂^{1/2}).
 *
 * <p>Cross-validation rules search c over log c (SCALAR, FULL: a one-parameter family H = c·B with B = I resp. L;
 * DIAGONAL: coordinate search over log h_j, two sweeps): a scan of 25 points over a factor 30 either side of the
 * Scott value divided by 3, then golden-section search between the best point's neighbours to 1e−3 in log c.
 * With more than {@code maxPoints} samples (default {@value #MAX_POINTS}) the leave-one-out averages run over an
 * evenly spaced subset of that many samples (every (n/m)-th), each still against all n samples.
 * <ul>
 *   <li>LCV (likelihood cross-validation, Duin 1976): maximise Σᵢ ω̃ᵢ log f̂₋ᵢ(xᵢ), f̂₋ᵢ(xᵢ) =
 *       Σ_{j≠i} ωⱼ K_H(xᵢ − xⱼ) / (1 − ωᵢ), ω̃ the weights renormalised over the evaluated samples.</li>
 *   <li>UCV (least-squares cross-validation, Rudemo 1982, Bowman 1984), Gaussian kernel: minimise
 *       ∫f̂² − 2 Σᵢ ω̃ᵢ f̂₋ᵢ(xᵢ), with ∫f̂² = Σᵢ Σⱼ ωᵢωⱼ φ_{2HHᵀ}(xᵢ − xⱼ) in closed form (the Gaussian kernel
 *       convolved with itself is the Gaussian with twice the covariance, i.e. bandwidth √2·H).</li>
 * </ul>
 */
public final class BandwidthSelectors {
    /** Default cap on the samples the cross-validation averages run over. */
    public static final int MAX_POINTS = 2000;

    private BandwidthSelectors() {
    }

    /** Scott's rule, c = n_eff^(−1/(d+4)). */
    public static BandwidthSelector scott(Bandwidth.Kind form) {
        return (data, weights) -> {
            Moments m = moments(data, weights);
            return scaled(m, Math.pow(m.nEff, -1.0 / (m.d + 4)), form);
        };
    }

    /** Silverman's rule, c = (n_eff·(d+2)/4)^(−1/(d+4)). */
    public static BandwidthSelector silverman(Bandwidth.Kind form) {
        return (data, weights) -> {
            Moments m = moments(data, weights);
            return scaled(m, Math.pow(m.nEff * (m.d + 2) / 4.0, -1.0 / (m.d + 4)), form);
        };
    }

    /** Leave-one-out likelihood cross-validation with the Gaussian kernel. */
    public static BandwidthSelector likelihoodCV(Bandwidth.Kind form) {
        return likelihoodCV(form, Kernel.GAUSSIAN, MAX_POINTS);
    }

    /** Leave-one-out likelihood cross-validation with the given kernel, averaging over at most maxPoints samples. */
    public static BandwidthSelector likelihoodCV(Bandwidth.Kind form, Kernel kernel, int maxPoints) {
        return (data, weights) -> search(data, weights, form, maxPoints, (h, idx, omega) -> {
            KernelDensity kde = KernelDensity.of(data, weights, h, kernel);
            double[] lp = kde.leaveOneOutLogDensity(idx);
            double s = 0;
            for (int k = 0; k < idx.length; k++) {
                s += omega[k] * lp[k];
            }
            return -s;
        });
    }

    /** Least-squares (unbiased) cross-validation, Gaussian kernel. */
    public static BandwidthSelector leastSquaresCV(Bandwidth.Kind form) {
        return leastSquaresCV(form, MAX_POINTS);
    }

    /** Least-squares cross-validation averaging over at most maxPoints samples. */
    public static BandwidthSelector leastSquaresCV(Bandwidth.Kind form, int maxPoints) {
        return (data, weights) -> search(data, weights, form, maxPoints, (h, idx, omega) -> {
            int d = data.dim();
            double[] q = new double[idx.length * d];
            for (int k = 0; k < idx.length; k++) {
                for (int j = 0; j < d; j++) {
                    q[k * d + j] = data.get(idx[k], j);
                }
            }
            KernelDensity conv = KernelDensity.of(data, weights, h.scaled(Math.sqrt(2)), Kernel.GAUSSIAN);
            double[] g = conv.density(q, idx.length);
            double[] lp = KernelDensity.of(data, weights, h, Kernel.GAUSSIAN).leaveOneOutLogDensity(idx);
            double s = 0;
            for (int k = 0; k < idx.length; k++) {
                s += omega[k] * (g[k] - 2 * Math.exp(lp[k]));
            }
            return s;
        });
    }

    @FunctionalInterface
    private interface Objective {
        double value(Bandwidth h, int[] idx, double[] omega);
    }

    private static Bandwidth search(Dataset data, double[] weights, Bandwidth.Kind form, int maxPoints,
                                    Objective objective) {
        if (maxPoints < 2) {
            throw new IllegalArgumentException("maxPoints must be >= 2, got " + maxPoints);
        }
        Moments mom = moments(data, weights);
        int n = data.size();
        int m = Math.min(n, maxPoints);
        int[] idx = new int[m];
        double[] omega = new double[m];
        double total = 0;
        for (int k = 0; k < m; k++) {
            idx[k] = (int) ((long) k * n / m);
            omega[k] = mom.w[idx[k]];
            total += omega[k];
        }
        for (int k = 0; k < m; k++) {
            omega[k] /= total;
        }
        double c0 = Math.pow(mom.nEff, -1.0 / (mom.d + 4));
        double center = Math.log(c0 / 3);
        double halfWidth = Math.log(30);
        if (form != Bandwidth.Kind.DIAGONAL) {
            double logC = minimise(t -> objective.value(scaled(mom, Math.exp(t), form), idx, omega), center,
                    halfWidth, 25);
            return scaled(mom, Math.exp(logC), form);
        }
        int d = mom.d;
        double[] logH = new double[d];
        for (int j = 0; j < d; j++) {
            logH[j] = Math.log(c0 * Math.sqrt(mom.cov[j * d + j]));
        }
        // first sweep: all axes scaled together (a scalar multiple of the diagonal rule), then per-axis sweeps
        double[] base = logH.clone();
        double t0 = minimise(t -> objective.value(diag(base, t), idx, omega), Math.log(1.0 / 3), halfWidth, 25);
        for (int j = 0; j < d; j++) {
            logH[j] = base[j] + t0;
        }
        for (int sweep = 0; sweep < 2; sweep++) {
            for (int j = 0; j < d; j++) {
                final int axis = j;
                double[] cur = logH.clone();
                logH[j] = minimise(t -> {
                    cur[axis] = t;
                    return objective.value(diag(cur, 0), idx, omega);
                }, logH[j], Math.log(sweep == 0 ? 4 : 1.5), 9);
            }
        }
        return diag(logH, 0);
    }

    private static Bandwidth diag(double[] logH, double shift) {
        double[] h = new double[logH.length];
        for (int j = 0; j < h.length; j++) {
            h[j] = Math.exp(logH[j] + shift);
        }
        return Bandwidth.diagonal(h);
    }

    /**
     * argmin over t ∈ [c − w, c + w]: a scan of {@code points} values, then golden-section search between the best
     * point's neighbours until the bracket is narrower than 1e−3. Non-finite objective values count as +∞.
     */
    static double minimise(DoubleUnaryOperator f, double c, double w, int points) {
        double lo = c - w;
        double step = 2 * w / (points - 1);
        int best = 0;
        double bestV = Double.POSITIVE_INFINITY;
        for (int k = 0; k < points; k++) {
            double v = finite(f.applyAsDouble(lo + k * step));
            if (v < bestV) {
                bestV = v;
                best = k;
            }
        }
        double a = lo + Math.max(0, best - 1) * step;
        double b = lo + Math.min(points - 1, best + 1) * step;
        double g = (Math.sqrt(5) - 1) / 2;
        double x1 = b - g * (b - a);
        double x2 = a + g * (b - a);
        double f1 = finite(f.applyAsDouble(x1));
        double f2 = finite(f.applyAsDouble(x2));
        while (b - a > 1e-3) {
            if (f1 <= f2) {
                b = x2;
                x2 = x1;
                f2 = f1;
                x1 = b - g * (b - a);
                f1 = finite(f.applyAsDouble(x1));
            } else {
                a = x1;
                x1 = x2;
                f1 = f2;
                x2 = a + g * (b - a);
                f2 = finite(f.applyAsDouble(x2));
            }
        }
        double t = (a + b) / 2;
        return finite(f.applyAsDouble(t)) <= bestV ? t : lo + best * step;
    }

    private static double finite(double v) {
        return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
    }

    /** Weighted mean/covariance and n_eff of a sample. */
    record Moments(int d, double nEff, double[] w, double[] mean, double[] cov) {
    }

    static Moments moments(Dataset data, double[] weights) {
        int n = data.size();
        int d = data.dim();
        if (n < 2) {
            throw new IllegalArgumentException("a bandwidth rule needs at least 2 samples, got " + n);
        }
        double[] w = KernelDensity.normalisedWeights(weights, n, n);
        double sw2 = 0;
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            sw2 += w[i] * w[i];
            for (int j = 0; j < d; j++) {
                mean[j] += w[i] * data.get(i, j);
            }
        }
        double[] cov = new double[d * d];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < d; r++) {
                double ar = data.get(i, r) - mean[r];
                for (int c = 0; c <= r; c++) {
                    cov[r * d + c] += w[i] * ar * (data.get(i, c) - mean[c]);
                }
            }
        }
        double denom = 1 - sw2;
        if (!(denom > 0)) {
            throw new IllegalArgumentException("a bandwidth rule needs at least 2 samples of positive weight");
        }
        for (int r = 0; r < d; r++) {
            for (int c = 0; c <= r; c++) {
                cov[r * d + c] /= denom;
                cov[c * d + r] = cov[r * d + c];
            }
        }
        for (int j = 0; j < d; j++) {
            if (!(cov[j * d + j] > 0)) {
                throw new IllegalArgumentException("column " + j + " of the data has zero variance; no bandwidth "
                        + "rule can scale to it");
            }
        }
        return new Moments(d, 1.0 / sw2, w, mean, cov);
    }

    /** c times the FULL / DIAGONAL / SCALAR square root of Σ̂. */
    static Bandwidth scaled(Moments m, double c, Bandwidth.Kind form) {
        int d = m.d;
        return switch (form) {
            case FULL -> {
                double[] l = cholesky(m.cov, d);
                for (int k = 0; k < l.length; k++) {
                    l[k] *= c;
                }
                yield Bandwidth.full(l, d);
            }
            case DIAGONAL -> {
                double[] h = new double[d];
                for (int j = 0; j < d; j++) {
                    h[j] = c * Math.sqrt(m.cov[j * d + j]);
                }
                yield Bandwidth.diagonal(h);
            }
            case SCALAR -> {
                double[] l = cholesky(m.cov, d);
                double logDet = 0;
                for (int j = 0; j < d; j++) {
                    logDet += Math.log(l[j * d + j]);
                }
                yield Bandwidth.scalar(c * Math.exp(logDet / d), d);
            }
        };
    }

    /** Lower Cholesky factor L (row-major) with L·Lᵀ = a. */
    static double[] cholesky(double[] a, int d) {
        double[] l = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c <= r; c++) {
                double s = a[r * d + c];
                for (int k = 0; k < c; k++) {
                    s -= l[r * d + k] * l[c * d + k];
                }
                if (r == c) {
                    if (!(s > 1e-12 * a[r * d + r])) {
                        throw new IllegalArgumentException("the sample covariance is singular (the data lie in a "
                                + "lower-dimensional subspace); use a diagonal or scalar bandwidth");
                    }
                    l[r * d + r] = Math.sqrt(s);
                } else {
                    l[r * d + c] = s / l[c * d + c];
                }
            }
        }
        return l;
    }
}

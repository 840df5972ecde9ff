package org.kdeflow.kde;

import org.kdeflow.random.NumpyRandomState;

/**
 * P(lo ≤ X ≤ hi) for a Gaussian kernel estimate, X ~ Σᵢ ωᵢ N(xᵢ, λᵢ²Σ): Σᵢ ωᵢ Pᵢ with Pᵢ the probability of the
 * standardised box [(lo − xᵢ)/λᵢ, (hi − xᵢ)/λᵢ] under N(0, Σ).
 *
 * <ul>
 *   <li>d = 1: Pᵢ = Φ(u) − Φ(l) (as Q(l) − Q(u) when l &gt; 0, so upper tails keep their relative accuracy).</li>
 *   <li>d = 2: Pᵢ = Φ₂(u₁,u₂) − Φ₂(l₁,u₂) − Φ₂(u₁,l₂) + Φ₂(l₁,l₂) in standardised coordinates with correlation ρ
 *       ({@link Normal#bivariate}); a coordinate whose interval lies mostly above 0 is mirrored first (x ↦ −x, ρ ↦
 *       −ρ), so that the four terms are lower-tail values and do not cancel.</li>
 *   <li>d ≥ 3: Genz's method (Genz 1992, J. Comput. Graph. Stat. 1(2)). With L the Cholesky factor of Σ, Pᵢ =
 *       ∫_{[0,1]^{d−1}} f(w) dw where f(w) = Π_{j} (eⱼ − dⱼ), dⱼ = Φ((aⱼ − Σ_{k&lt;j} L_{jk}yₖ)/L_{jj}), eⱼ likewise with
 *       bⱼ, and yₖ = Φ⁻¹(dₖ + wₖ(eₖ − dₖ)), the variables of each sample ordered as Gibson, Glasbey &amp; Elston
 *       propose ({@link #orderedCholesky}). The integral over all samples at once is a randomised quasi-Monte Carlo
 *       sum: Richtmyer's Kronecker sequence frac(k·z), zⱼ = frac(√pⱼ) with pⱼ the j-th prime, the tent transform
 *       w = |2·frac(k·z + Δ) − 1|, {@value #SHIFTS} random shifts Δ; the error estimate is 3.5 standard errors of
 *       the shifts' means, and the point count doubles from {@value #FIRST_POINTS} (the Kronecker sequence extends,
 *       so each round adds points to the previous ones) until the error is below the tolerance
 *       (or until the next round would take more than {@value #MAX_EVALUATIONS} sample-point evaluations; the
 *       estimate so far is then returned with its error).</li>
 * </ul>
 */
final class BoxProbability {
    static final int SHIFTS = 12;
    static final int FIRST_POINTS = 128;
    static final long MAX_EVALUATIONS = 400_000_000L;
    private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71,
        73, 79, 83, 89, 97, 101, 103, 107, 109, 113};

    private BoxProbability() {
    }

    /** A probability and the estimate of its absolute error (0 for the exact d ≤ 2 formulas). */
    record Estimate(double value, double error) {
    }

    /**
     * Σᵢ ωᵢ Pᵢ. {@code x} row-major n×d samples, {@code omega} weights summing to 1, {@code lambda} per-sample factors
     * or null, {@code cov} the kernel covariance Σ (row-major, positive definite); lo/hi may be infinite.
     */
    static Estimate gaussian(double[] x, int n, int d, double[] omega, double[] lambda, double[] cov, double[] lo,
                             double[] hi, double tolerance, long seed) {
        if (d == 1) {
            double sd = Math.sqrt(cov[0]);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                if (omega[i] == 0) {
                    continue;
                }
                double s = sd * (lambda == null ? 1 : lambda[i]);
                sum += omega[i] * interval((lo[0] - x[i]) / s, (hi[0] - x[i]) / s);
            }
            return new Estimate(sum, 0);
        }
        if (d == 2) {
            double s1 = Math.sqrt(cov[0]);
            double s2 = Math.sqrt(cov[3]);
            double rho = Math.max(-1, Math.min(1, cov[1] / (s1 * s2)));
            double sum = 0;
            for (int i = 0; i < n; i++) {
                if (omega[i] == 0) {
                    continue;
                }
                double li = lambda == null ? 1 : lambda[i];
                sum += omega[i] * rectangle((lo[0] - x[2 * i]) / (li * s1), (hi[0] - x[2 * i]) / (li * s1),
                        (lo[1] - x[2 * i + 1]) / (li * s2), (hi[1] - x[2 * i + 1]) / (li * s2), rho);
            }
            return new Estimate(sum, 0);
        }
        return genz(x, n, d, omega, lambda, cov, lo, hi, tolerance, seed);
    }

    /** P(l ≤ Z ≤ u) for a standard normal Z. */
    static double interval(double l, double u) {
        if (!(u > l)) {
            return 0.0;
        }
        return l > 0 ? Normal.upper(l) - Normal.upper(u) : Normal.cdf(u) - Normal.cdf(l);
    }

    /** P(l₁ ≤ Z₁ ≤ u₁, l₂ ≤ Z₂ ≤ u₂) for standard normals with correlation ρ. */
    static double rectangle(double l1, double u1, double l2, double u2, double rho) {
        if (!(u1 > l1 && u2 > l2)) {
            return 0.0;
        }
        if (l1 + u1 > 0) {
            double t = l1;
            l1 = -u1;
            u1 = -t;
            rho = -rho;
        }
        if (l2 + u2 > 0) {
            double t = l2;
            l2 = -u2;
            u2 = -t;
            rho = -rho;
        }
        if (Math.abs(rho) >= 1) {
            return rho > 0 ? interval(Math.max(l1, l2), Math.min(u1, u2))
                    : interval(Math.max(l1, -u2), Math.min(u1, -l2));
        }
        double p = Normal.bivariate(u1, u2, rho) - Normal.bivariate(l1, u2, rho) - Normal.bivariate(u1, l2, rho)
                + Normal.bivariate(l1, l2, rho);
        return Math.max(0.0, p);
    }

    private static Estimate genz(double[] x, int n, int d, double[] omega, double[] lambda, double[] cov, double[] lo,
                                 double[] hi, double tolerance, long seed) {
        int dims = d - 1;
        double[] z = new double[dims];
        for (int j = 0; j < dims; j++) {
            double r = Math.sqrt(PRIMES[j % PRIMES.length]) * (1 + j / PRIMES.length);
            z[j] = r - Math.floor(r);
        }
        NumpyRandomState rng = new NumpyRandomState(seed);
        double[] shifts = new double[SHIFTS * dims];
        for (int k = 0; k < shifts.length; k++) {
            shifts[k] = rng.randomSample();
        }
        // Pᵢ ≤ minⱼ P(aⱼ ≤ Xⱼ ≤ bⱼ): samples whose bound times ωᵢ stays below 1e−3·tolerance/n are left out,
        // which changes the sum by less than 1e−3·tolerance. The others get their own variable order and factor.
        int[] active = new int[n];
        int m = 0;
        double[] ls = new double[n * d * d];
        double[] as = new double[n * d];
        double[] bs = new double[n * d];
        double[] a = new double[d];
        double[] b = new double[d];
        for (int i = 0; i < n; i++) {
            double li = lambda == null ? 1 : lambda[i];
            double bound = 1;
            for (int j = 0; j < d; j++) {
                a[j] = (lo[j] - x[i * d + j]) / li;
                b[j] = (hi[j] - x[i * d + j]) / li;
                bound = Math.min(bound, interval(a[j] / Math.sqrt(cov[j * d + j]), b[j] / Math.sqrt(cov[j * d + j])));
            }
            if (omega[i] == 0 || omega[i] * bound < 1e-3 * tolerance / n) {
                continue;
            }
            orderedCholesky(cov, d, a, b, ls, m * d * d, as, bs, m * d);
            active[m++] = i;
        }
        double[] y = new double[d];
        double[] w = new double[dims];
        double[] sums = new double[SHIFTS];
        double[] means = new double[SHIFTS];
        int done = 0;
        int points = FIRST_POINTS;
        double value;
        double error;
        while (true) {
            for (int s = 0; s < SHIFTS; s++) {
                double acc = 0;
                for (int k = done; k < points; k++) {
                    for (int j = 0; j < dims; j++) {
                        double u = k * z[j] + shifts[s * dims + j];
                        u -= Math.floor(u);
                        w[j] = Math.abs(2 * u - 1);
                    }
                    double f = 0;
                    for (int t = 0; t < m; t++) {
                        f += omega[active[t]] * integrand(ls, t * d * d, d, as, bs, t * d, w, y);
                    }
                    acc += f;
                }
                sums[s] += acc;
                means[s] = sums[s] / points;
            }
            done = points;
            double mean = 0;
            for (double v : means) {
                mean += v;
            }
            mean /= SHIFTS;
            double ss = 0;
            for (double v : means) {
                ss += (v - mean) * (v - mean);
            }
            value = mean;
            error = 3.5 * Math.sqrt(ss / (SHIFTS - 1) / SHIFTS);
            if (error <= tolerance || 2L * SHIFTS * points * Math.max(m, 1) > MAX_EVALUATIONS) {
                break;
            }
            points *= 2;
        }
        return new Estimate(Math.max(0.0, Math.min(1.0, value)), error);
    }

    /**
     * The Cholesky factor of Σ with the variables reordered as Gibson, Glasbey &amp; Elston (1994) propose: at step j
     * the remaining variable with the smallest conditional interval probability comes next, conditioned at the
     * truncated-normal means of the variables before. Writes L (d×d, row-major) to {@code l[lo..]}, the permuted
     * limits to {@code pa[po..]}, {@code pb[po..]}. The integral does not depend on the order; its variance does.
     */
    static void orderedCholesky(double[] cov, int d, double[] a, double[] b, double[] l, int lo, double[] pa,
                                double[] pb, int po) {
        double[] c = cov.clone();
        double[] aa = a.clone();
        double[] bb = b.clone();
        double[] lt = new double[d * d];
        double[] y = new double[d];
        for (int j = 0; j < d; j++) {
            int best = j;
            double bestP = Double.POSITIVE_INFINITY;
            for (int k = j; k < d; k++) {
                double v = c[k * d + k];
                double sh = 0;
                for (int q = 0; q < j; q++) {
                    v -= lt[k * d + q] * lt[k * d + q];
                    sh += lt[k * d + q] * y[q];
                }
                double sd = Math.sqrt(Math.max(v, 1e-300));
                double p = interval((aa[k] - sh) / sd, (bb[k] - sh) / sd);
                if (p < bestP) {
                    bestP = p;
                    best = k;
                }
            }
            if (best != j) {
                swap(aa, j, best);
                swap(bb, j, best);
                for (int q = 0; q < d; q++) {
                    double t = c[j * d + q];
                    c[j * d + q] = c[best * d + q];
                    c[best * d + q] = t;
                }
                for (int q = 0; q < d; q++) {
                    double t = c[q * d + j];
                    c[q * d + j] = c[q * d + best];
                    c[q * d + best] = t;
                }
                for (int q = 0; q < j; q++) {
                    double t = lt[j * d + q];
                    lt[j * d + q] = lt[best * d + q];
                    lt[best * d + q] = t;
                }
            }
            double v = c[j * d + j];
            for (int q = 0; q < j; q++) {
                v -= lt[j * d + q] * lt[j * d + q];
            }
            if (!(v > 1e-14 * c[j * d + j])) {
                throw new IllegalArgumentException("the kernel covariance is singular; no box probability");
            }
            double ljj = Math.sqrt(v);
            lt[j * d + j] = ljj;
            for (int r = j + 1; r < d; r++) {
                double t = c[r * d + j];
                for (int q = 0; q < j; q++) {
                    t -= lt[r * d + q] * lt[j * d + q];
                }
                lt[r * d + j] = t / ljj;
            }
            double sh = 0;
            for (int q = 0; q < j; q++) {
                sh += lt[j * d + q] * y[q];
            }
            double al = (aa[j] - sh) / ljj;
            double be = (bb[j] - sh) / ljj;
            double mass = interval(al, be);
            y[j] = mass > 1e-300 ? (pdfOrZero(al) - pdfOrZero(be)) / mass : (Double.isFinite(al) ? al : be);
        }
        System.arraycopy(lt, 0, l, lo, d * d);
        System.arraycopy(aa, 0, pa, po, d);
        System.arraycopy(bb, 0, pb, po, d);
    }

    private static double pdfOrZero(double t) {
        return Double.isInfinite(t) ? 0.0 : Normal.pdf(t);
    }

    private static void swap(double[] v, int i, int j) {
        double t = v[i];
        v[i] = v[j];
        v[j] = t;
    }

    /** Genz's integrand f(w) for the box [a, b] under N(0, LLᵀ) (arrays at offsets lo, po); y is work space. */
    private static double integrand(double[] l, int lo, int d, double[] a, double[] b, int po, double[] w,
                                    double[] y) {
        double f = 1;
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int k = 0; k < j; k++) {
                s += l[lo + j * d + k] * y[k];
            }
            double ljj = l[lo + j * d + j];
            double dj = Normal.cdf((a[po + j] - s) / ljj);
            double ej = Normal.cdf((b[po + j] - s) / ljj);
            double width = ej - dj;
            if (!(width > 0)) {
                return 0.0;
            }
            f *= width;
            if (j < d - 1) {
                double p = dj + w[j] * width;
                y[j] = Normal.inverseCdf(Math.min(Math.max(p, Double.MIN_NORMAL), 1 - 1e-16));
            }
        }
        return f;
    }
}

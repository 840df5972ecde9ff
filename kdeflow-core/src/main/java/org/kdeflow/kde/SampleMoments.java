package org.kdeflow.kde;

import java.io.Serializable;

/**
 * The weighted moments of a sample that the normal-reference bandwidth rules need, in a form that merges: moments of
 * parts of a sample {@link #combine} into the moments of the whole, so they can be computed in one pass over data
 * split across threads or machines.
 *
 * <p>For points xᵢ with weights wᵢ ≥ 0 it holds n, W = Σwᵢ, W₂ = Σwᵢ², μ = Σwᵢxᵢ/W and the scatter
 * M = Σwᵢ(xᵢ − μ)(xᵢ − μ)ᵀ. Each batch is summed in two passes ({@link #of}); batches combine by the pairwise update
 * of Chan, Golub and LeVeque (1979, "Updating formulae and a pairwise algorithm for computing sample variances"),
 * weighted: W = W_a + W_b, δ = μ_b − μ_a, μ = μ_a + δ·W_b/W, M = M_a + M_b + δδᵀ·W_a·W_b/W. This avoids the
 * cancellation of Σwx² − Wμ².
 *
 * <p>From them, as in {@link BandwidthSelectors}: n_eff = W²/W₂ and Σ̂ = (M/W)/(1 − W₂/W²), the unbiased 1/(n−1)
 * covariance without weights; {@link #scott} and {@link #silverman} give the same H as the selectors of those names
 * applied to the whole sample, up to rounding.
 *
 * <p>Immutable and serializable (to move between machines); {@link #of} copies nothing it keeps.
 */
public final class SampleMoments implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int d;
    private final long n;
    private final double w;
    private final double w2;
    private final double[] mean;
    private final double[] scatter;

    private SampleMoments(int d, long n, double w, double w2, double[] mean, double[] scatter) {
        this.d = d;
        this.n = n;
        this.w = w;
        this.w2 = w2;
        this.mean = mean;
        this.scatter = scatter;
    }

    /**
     * The moments of no points in dimension d, the identity of {@link #combine}.
     *
     * @throws IllegalArgumentException if d &lt; 1
     */
    public static SampleMoments empty(int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + d);
        }
        return new SampleMoments(d, 0, 0, 0, new double[d], new double[d * d]);
    }

    /**
     * The moments of the n row-major points of {@code x} (n×d) with weights {@code w} (null: 1 each). Two passes:
     * the weighted mean, then the scatter about it.
     *
     * @throws IllegalArgumentException if d &lt; 1, {@code x} holds fewer than n·d values or {@code w} fewer than n,
     *     a coordinate is not finite, or a weight is negative or not finite
     */
    public static SampleMoments of(double[] x, double[] w, int n, int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + d);
        }
        if (n < 0 || (long) n * d > x.length) {
            throw new IllegalArgumentException("expected " + n + "x" + d + " values, got " + x.length);
        }
        if (w != null && w.length < n) {
            throw new IllegalArgumentException("got " + w.length + " weights for " + n + " samples");
        }
        double sw = 0;
        double sw2 = 0;
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) {
            double wi = w == null ? 1.0 : w[i];
            if (!(Double.isFinite(wi) && wi >= 0)) {
                throw new IllegalArgumentException("weight " + i + " must be finite and >= 0, got " + wi);
            }
            sw += wi;
            sw2 += wi * wi;
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("value at row " + i + ", column " + j + " is not finite: "
                            + v);
                }
                mean[j] += wi * v;
            }
        }
        double[] scatter = new double[d * d];
        if (sw > 0) {
            for (int j = 0; j < d; j++) {
                mean[j] /= sw;
            }
            for (int i = 0; i < n; i++) {
                double wi = w == null ? 1.0 : w[i];
                for (int r = 0; r < d; r++) {
                    double ar = x[i * d + r] - mean[r];
                    for (int c = 0; c <= r; c++) {
                        scatter[r * d + c] += wi * ar * (x[i * d + c] - mean[c]);
                    }
                }
            }
            mirror(scatter, d);
        }
        return new SampleMoments(d, n, sw, sw2, mean, scatter);
    }

    private static void mirror(double[] s, int d) {
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < r; c++) {
                s[c * d + r] = s[r * d + c];
            }
        }
    }

    /**
     * The moments of the union of both samples (Chan, Golub and LeVeque's pairwise update, see the class comment).
     *
     * @throws IllegalArgumentException if the dimensions differ
     */
    public SampleMoments combine(SampleMoments o) {
        if (o.d != d) {
            throw new IllegalArgumentException("cannot combine moments of dimension " + d + " and " + o.d);
        }
        long count = n + o.n;
        if (o.w == 0) {
            return new SampleMoments(d, count, w, w2, mean, scatter);
        }
        if (w == 0) {
            return new SampleMoments(d, count, o.w, o.w2, o.mean, o.scatter);
        }
        double total = w + o.w;
        double f = o.w / total;
        double g = w * o.w / total;
        double[] delta = new double[d];
        double[] mu = new double[d];
        for (int j = 0; j < d; j++) {
            delta[j] = o.mean[j] - mean[j];
            mu[j] = mean[j] + delta[j] * f;
        }
        double[] s = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                s[r * d + c] = scatter[r * d + c] + o.scatter[r * d + c] + delta[r] * delta[c] * g;
            }
        }
        return new SampleMoments(d, count, total, w2 + o.w2, mu, s);
    }

    /** The dimension d. */
    public int dim() {
        return d;
    }

    /** Number of points n (including those of weight 0). */
    public long count() {
        return n;
    }

    /** W = Σwᵢ. */
    public double totalWeight() {
        return w;
    }

    /** Σwᵢ². */
    public double sumOfSquaredWeights() {
        return w2;
    }

    /** n_eff = W²/Σwᵢ² (n without weights); 0 for no weight. */
    public double effectiveSize() {
        return w > 0 ? w * w / w2 : 0;
    }

    /** μ = Σwᵢxᵢ/W (a copy). */
    public double[] mean() {
        return mean.clone();
    }

    /** M = Σwᵢ(xᵢ − μ)(xᵢ − μ)ᵀ, row-major d×d (a copy). */
    public double[] scatter() {
        return scatter.clone();
    }

    /**
     * Σ̂ = (M/W)/(1 − W₂/W²), row-major d×d.
     *
     * @throws IllegalArgumentException if there are fewer than 2 points, or fewer than 2 of positive weight
     */
    public double[] covariance() {
        if (n < 2) {
            throw new IllegalArgumentException("a bandwidth rule needs at least 2 samples, got " + n);
        }
        double denom = w > 0 ? 1 - w2 / (w * w) : 0;
        if (!(denom > 0)) {
            throw new IllegalArgumentException("a bandwidth rule needs at least 2 samples of positive weight");
        }
        double[] cov = new double[d * d];
        for (int k = 0; k < cov.length; k++) {
            cov[k] = scatter[k] / w / denom;
        }
        return cov;
    }

    /** Scott's rule (see {@link BandwidthSelectors#scott}): c = n_eff^(−1/(d+4)) times the {@code form} root of Σ̂. */
    public Bandwidth scott(Bandwidth.Kind form) {
        BandwidthSelectors.Moments m = selectorMoments();
        return BandwidthSelectors.scaled(m, Math.pow(m.nEff(), -1.0 / (d + 4)), form);
    }

    /** Silverman's rule (see {@link BandwidthSelectors#silverman}): c = (n_eff·(d+2)/4)^(−1/(d+4)). */
    public Bandwidth silverman(Bandwidth.Kind form) {
        BandwidthSelectors.Moments m = selectorMoments();
        return BandwidthSelectors.scaled(m, Math.pow(m.nEff() * (d + 2) / 4.0, -1.0 / (d + 4)), form);
    }

    /**
     * @throws IllegalArgumentException as {@link #covariance}, or if a column has zero variance
     */
    private BandwidthSelectors.Moments selectorMoments() {
        double[] cov = covariance();
        for (int j = 0; j < d; j++) {
            if (!(cov[j * d + j] > 0)) {
                throw new IllegalArgumentException("column " + j + " of the data has zero variance; no bandwidth "
                        + "rule can scale to it");
            }
        }
        return new BandwidthSelectors.Moments(d, effectiveSize(), null, mean.clone(), cov);
    }

    @Override
    public String toString() {
        return "SampleMoments[n=" + n + ", d=" + d + ", W=" + w + ", n_eff=" + effectiveSize() + "]";
    }
}

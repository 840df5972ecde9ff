package org.kdeflow.flow;

import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.random.NumpyRandomState;

/**
 * A learnable mixture of M diagonal Gaussians as the base, flow-file type {@code mixture}: parameters
 * {@code logits} λ [M], {@code loc} μ [M, d], {@code log_scale} ℓ [M, d], π = softmax(λ), σ_mj = exp(ℓ_mj),
 * <pre>
 *   log p(z) = logsumexp_m a_m,   a_m = log π_m + Σ_j [ −½ ((z_j − μ_mj)/σ_mj)² − ℓ_mj − ½ log 2π ],
 * </pre>
 * by log-sum-exp (the largest a_m subtracted), so points far from every component keep a finite log-density. With
 * the responsibilities γ_m = exp(a_m − log p): ∂log p/∂λ_m = γ_m − π_m, ∂log p/∂μ_mj = γ_m (z_j − μ_mj)/σ_mj²,
 * ∂log p/∂ℓ_mj = γ_m (((z_j − μ_mj)/σ_mj)² − 1), ∂log p/∂z_j = −Σ_m γ_m (z_j − μ_mj)/σ_mj².
 *
 * <p>Initialisation ({@link #initialize}): λ = 0 (equal weights), ℓ = 0 (unit scales) and the means drawn from
 * N(0, 1), row by row from {@code rng}. Components that start equal receive equal gradients and stay equal, so they
 * must start apart; N(0, 1) puts them where the base's mass is once the transforms map the data to roughly standard
 * noise, and needs no data (the base's data-dependent initialisation sees the data through untrained transforms and
 * takes no random stream to pick points from).
 *
 * <p>Sampling draws, from one stream, first the n component indices (a {@code random_sample()} each against the
 * cumulative weights), then z = μ_m + σ_m ⊙ ε row by row.
 */
public final class GaussianMixtureBase implements Base {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    /** M ≥ 1 components in dimension d ≥ 1. */
    public record Spec(int dim, int components) implements Base.Spec {
        public Spec {
            if (dim < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
            }
            if (components < 1) {
                throw new IllegalArgumentException("a mixture base needs at least one component, got " + components);
            }
            if ((long) components * (2L * dim + 1) > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("a mixture base of " + components + " components in dimension "
                        + dim + " has too many parameters");
            }
        }

        @Override
        public int parameterCount() {
            return components * (2 * dim + 1);
        }

        @Override
        public Base create(Parameters p, int offset) {
            return new GaussianMixtureBase(this, p, offset);
        }
    }

    private final Spec spec;
    private final int d;
    private final int m;
    private final Parameters p;
    private final int offset;
    private final int logitsOff;
    private final int locOff;
    private final int logScaleOff;

    private GaussianMixtureBase(Spec spec, Parameters p, int offset) {
        this.spec = spec;
        this.d = spec.dim;
        this.m = spec.components;
        this.p = p;
        this.offset = offset;
        this.logitsOff = offset;
        this.locOff = offset + m;
        this.logScaleOff = offset + m + m * d;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public int offset() {
        return offset;
    }

    /** λ = 0, ℓ = 0, μ_mj ~ N(0, 1) drawn from {@code rng} in row-major order. */
    @Override
    public void initialize(NumpyRandomState rng) {
        double[] v = p.values();
        for (int c = 0; c < m; c++) {
            v[logitsOff + c] = 0.0;
        }
        for (int k = 0; k < m * d; k++) {
            v[locOff + k] = rng.gauss();
            v[logScaleOff + k] = 0.0;
        }
        p.changed();
    }

    /** logsumexp(λ), so that log π_m = λ_m − logsumexp(λ). */
    private double logitNorm(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < m; c++) {
            max = Math.max(max, v[logitsOff + c]);
        }
        double s = 0;
        for (int c = 0; c < m; c++) {
            s += Math.exp(v[logitsOff + c] - max);
        }
        return max + Math.log(s);
    }

    /** a_c = log π_c + log N(z_r; μ_c, diag σ_c²). */
    private double componentLog(double[] z, int r, int c, double[] v, double norm) {
        double s = v[logitsOff + c] - norm - d * HALF_LOG_2PI;
        int o = c * d;
        for (int j = 0; j < d; j++) {
            double ls = v[logScaleOff + o + j];
            double t = (z[r * d + j] - v[locOff + o + j]) * Math.exp(-ls);
            s -= 0.5 * t * t + ls;
        }
        return s;
    }

    /** logsumexp_c a_c for row r, in one pass (running maximum, the sum rescaled when it grows). */
    private double logDensity(double[] z, int r, double[] v, double norm) {
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (int c = 0; c < m; c++) {
            double a = componentLog(z, r, c, v, norm);
            if (a > max) {
                sum = sum * Math.exp(max - a) + 1;
                max = a;
            } else {
                sum += Math.exp(a - max);
            }
        }
        return max == Double.NEGATIVE_INFINITY || Double.isNaN(max) ? max : max + Math.log(sum);
    }

    /** Allocates nothing. */
    @Override
    public void logDensity(double[] z, int n, double[] out) {
        double[] v = p.values();
        double norm = logitNorm(v);
        for (int r = 0; r < n; r++) {
            out[r] = logDensity(z, r, v, norm);
        }
    }

    @Override
    public void sample(int n, NumpyRandomState rng, double[] z) {
        double[] v = p.values();
        double norm = logitNorm(v);
        double[] cdf = new double[m];
        double c = 0;
        for (int k = 0; k < m; k++) {
            c += Math.exp(v[logitsOff + k] - norm);
            cdf[k] = c;
        }
        int[] comp = new int[n];
        for (int r = 0; r < n; r++) {
            double x = rng.randomSample() * c;
            int k = 0;
            while (k < m - 1 && x >= cdf[k]) {
                k++;
            }
            comp[r] = k;
        }
        for (int r = 0; r < n; r++) {
            int o = comp[r] * d;
            for (int j = 0; j < d; j++) {
                z[r * d + j] = v[locOff + o + j] + Math.exp(v[logScaleOff + o + j]) * rng.gauss();
            }
        }
    }

    /** Allocates nothing (the responsibilities are recomputed per component after a first pass for log p). */
    @Override
    public void backward(double[] z, int n, double[] w, double[] gz) {
        double[] v = p.values();
        double[] g = p.gradients();
        double norm = logitNorm(v);
        for (int r = 0; r < n; r++) {
            double lp = logDensity(z, r, v, norm);
            double wr = w[r];
            for (int j = 0; j < d; j++) {
                gz[r * d + j] = 0.0;
            }
            for (int c = 0; c < m; c++) {
                double gamma = Math.exp(componentLog(z, r, c, v, norm) - lp);
                g[logitsOff + c] += wr * (gamma - Math.exp(v[logitsOff + c] - norm));
                double wg = wr * gamma;
                if (wg == 0) {
                    continue;
                }
                int o = c * d;
                for (int j = 0; j < d; j++) {
                    double inv = Math.exp(-v[logScaleOff + o + j]);
                    double dz = z[r * d + j] - v[locOff + o + j];
                    double t = dz * inv;
                    double q = wg * dz * inv * inv;
                    g[locOff + o + j] += q;
                    g[logScaleOff + o + j] += wg * (t * t - 1);
                    gz[r * d + j] -= q;
                }
            }
        }
    }

    /** {@code logits} [M], {@code loc} [M, d], {@code log_scale} [M, d]. */
    @Override
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> lay = new LinkedHashMap<>();
        lay.put("logits", new Slot(new int[] {m}, logitsOff, m));
        lay.put("loc", new Slot(new int[] {m, d}, locOff, m * d));
        lay.put("log_scale", new Slot(new int[] {m, d}, logScaleOff, m * d));
        return lay;
    }
}

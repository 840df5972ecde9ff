package org.kdeflow.flow;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.random.NumpyRandomState;

/**
 * A Gaussian base with learnable mean and diagonal scale, flow-file type {@code diag_normal}: parameters
 * {@code loc} μ [d] and {@code log_scale} ℓ [d], σ_j = exp(ℓ_j),
 * <pre>
 *   log p(z) = Σ_j [ −½ ((z_j − μ_j)/σ_j)² − ℓ_j − ½ log 2π ],
 *   ∂log p/∂z_j = −(z_j − μ_j)/σ_j²,  ∂log p/∂μ_j = (z_j − μ_j)/σ_j²,  ∂log p/∂ℓ_j = ((z_j − μ_j)/σ_j)² − 1.
 * </pre>
 * {@link #initialize} sets μ = 0, ℓ = 0 (the standard normal); draws are z = μ + σ ⊙ ε with ε from
 * {@code rng.gauss()} over the row-major n×d array.
 */
public final class DiagonalNormal implements Base {
    private static final double HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

    /** N(μ, diag σ²) in dimension d. */
    public record Spec(int dim) implements Base.Spec {
        public Spec {
            if (dim < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
            }
        }

        @Override
        public int parameterCount() {
            return 2 * dim;
        }

        @Override
        public Base create(Parameters p, int offset) {
            return new DiagonalNormal(this, p, offset);
        }
    }

    private final Spec spec;
    private final int d;
    private final Parameters p;
    private final int offset;
    private final int locOff;
    private final int logScaleOff;

    private DiagonalNormal(Spec spec, Parameters p, int offset) {
        this.spec = spec;
        this.d = spec.dim;
        this.p = p;
        this.offset = offset;
        this.locOff = offset;
        this.logScaleOff = offset + d;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public int offset() {
        return offset;
    }

    /** μ = 0, ℓ = 0. Draws nothing. */
    @Override
    public void initialize(NumpyRandomState rng) {
        Arrays.fill(p.values(), offset, offset + 2 * d, 0.0);
        p.changed();
    }

    @Override
    public void logDensity(double[] z, int n, double[] out) {
        double[] v = p.values();
        double c = -d * HALF_LOG_2PI;
        for (int j = 0; j < d; j++) {
            c -= v[logScaleOff + j];
        }
        for (int r = 0; r < n; r++) {
            out[r] = c;
        }
        for (int j = 0; j < d; j++) {
            double mu = v[locOff + j];
            double inv = Math.exp(-v[logScaleOff + j]);
            for (int r = 0; r < n; r++) {
                double t = (z[r * d + j] - mu) * inv;
                out[r] -= 0.5 * t * t;
            }
        }
    }

    @Override
    public void sample(int n, NumpyRandomState rng, double[] z) {
        double[] v = p.values();
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                z[r * d + j] = v[locOff + j] + Math.exp(v[logScaleOff + j]) * rng.gauss();
            }
        }
    }

    @Override
    public void backward(double[] z, int n, double[] w, double[] gz) {
        double[] v = p.values();
        double[] g = p.gradients();
        for (int j = 0; j < d; j++) {
            double mu = v[locOff + j];
            double inv = Math.exp(-v[logScaleOff + j]);
            double inv2 = inv * inv;
            double gMu = 0;
            double gL = 0;
            for (int r = 0; r < n; r++) {
                double dz = z[r * d + j] - mu;
                double t = dz * inv;
                gz[r * d + j] = -w[r] * dz * inv2;
                gMu += w[r] * dz * inv2;
                gL += w[r] * (t * t - 1);
            }
            g[locOff + j] += gMu;
            g[logScaleOff + j] += gL;
        }
    }

    /** {@code loc} [d], then {@code log_scale} [d]. */
    @Override
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        m.put("loc", new Slot(new int[] {d}, locOff, d));
        m.put("log_scale", new Slot(new int[] {d}, logScaleOff, d));
        return m;
    }
}

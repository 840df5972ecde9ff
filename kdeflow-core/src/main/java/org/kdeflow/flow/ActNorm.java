package org.kdeflow.flow;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * Activation normalisation (Kingma &amp; Dhariwal 2018, "Glow", sec. 3.1), flow-file type {@code actnorm}: a learnable
 * per-coordinate affine map with parameters {@code shift} b [d] and {@code log_scale} ℓ [d]:
 * <pre>
 *   forward  y = u ⊙ exp(ℓ) + b,   log|det ∂T/∂u| = Σ_j ℓ_j
 *   inverse  u = (y − b) ⊙ exp(−ℓ), log|det ∂T⁻¹/∂y| = −Σ_j ℓ_j
 * </pre>
 * {@link #initialize} sets b = 0, ℓ = 0 (the identity); {@link #initializeFromData} sets b = mean and
 * ℓ = log(standard deviation) of the given points per coordinate (divisor n), so that the inverse maps them to mean
 * 0 and variance 1. Those values are ordinary parameters: a flow saved right after the initialisation loads as the
 * same flow (there is no hidden "initialised" flag to lose).
 */
public final class ActNorm implements Transform {

    /** ActNorm in dimension d. */
    public record Spec(int dim) implements Transform.Spec {
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
        public Transform create(Parameters p, int offset) {
            return new ActNorm(this, p, offset);
        }
    }

    private final Spec spec;
    private final int d;
    private final Parameters p;
    private final int offset;
    private final int shiftOff;
    private final int logScaleOff;

    private ActNorm(Spec spec, Parameters p, int offset) {
        this.spec = spec;
        this.d = spec.dim;
        this.p = p;
        this.offset = offset;
        this.shiftOff = offset;
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

    /** b = 0, ℓ = 0: the identity. Draws nothing. */
    @Override
    public void initialize(NumpyRandomState rng) {
        Arrays.fill(p.values(), offset, offset + 2 * d, 0.0);
        p.changed();
    }

    /**
     * b_j = mean of y_j, ℓ_j = log sd(y_j) over the n rows (divisor n); a coordinate whose standard deviation is 0
     * or not finite (n = 1, constant values) keeps ℓ_j = 0. Nothing is changed for n &lt; 1.
     */
    @Override
    public void initializeFromData(double[] y, int n) {
        if (n < 1) {
            return;
        }
        double[] v = p.values();
        for (int j = 0; j < d; j++) {
            double m = 0;
            for (int r = 0; r < n; r++) {
                m += y[r * d + j];
            }
            m /= n;
            double ss = 0;
            for (int r = 0; r < n; r++) {
                double t = y[r * d + j] - m;
                ss += t * t;
            }
            double sd = Math.sqrt(ss / n);
            if (Double.isFinite(m)) {
                v[shiftOff + j] = m;
            }
            v[logScaleOff + j] = sd > 0 && Double.isFinite(sd) ? Math.log(sd) : 0.0;
        }
        p.changed();
    }

    /** exp(±ℓ) of the current pass, d values (independent of the batch size). */
    private static final class Scales implements Work {
        final double[] e;

        Scales(int d) {
            e = new double[d];
        }
    }

    @Override
    public Work work(int capacity, Precision precision) {
        if (capacity < 1) {
            throw new IllegalArgumentException("buffer capacity must be >= 1, got " + capacity);
        }
        return new Scales(d);
    }

    @Override
    public void forward(double[] u, int n, double[] y, double[] logDet, Work w) {
        double[] v = p.values();
        double[] e = ((Scales) w).e;
        double ld = 0;
        for (int j = 0; j < d; j++) {
            ld += v[logScaleOff + j];
            e[j] = Math.exp(v[logScaleOff + j]);
        }
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                y[o + j] = u[o + j] * e[j] + v[shiftOff + j];
            }
            logDet[r] = ld;
        }
    }

    @Override
    public void inverse(double[] y, int n, double[] u, double[] logDet, Work w) {
        double[] v = p.values();
        double[] e = ((Scales) w).e;
        double ld = 0;
        for (int j = 0; j < d; j++) {
            ld -= v[logScaleOff + j];
            e[j] = Math.exp(-v[logScaleOff + j]);
        }
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                u[o + j] = (y[o + j] - v[shiftOff + j]) * e[j];
            }
            logDet[r] = ld;
        }
    }

    /**
     * With e_j = exp(−ℓ_j), G = ∂L/∂u, ω = ∂L/∂logDet: ∂L/∂b_j = −Σ_r G_rj e_j,
     * ∂L/∂ℓ_j = −Σ_r (G_rj u_rj + ω_r), ∂L/∂y = G ⊙ e.
     */
    @Override
    public void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work w) {
        double[] v = p.values();
        double[] g = p.gradients();
        double omega = 0;
        for (int r = 0; r < n; r++) {
            omega += ldw[r];
        }
        for (int j = 0; j < d; j++) {
            double e = Math.exp(-v[logScaleOff + j]);
            double gb = 0;
            double gl = 0;
            for (int r = 0; r < n; r++) {
                int k = r * d + j;
                gb += gu[k];
                gl += gu[k] * u[k];
                if (gy != null) {
                    gy[k] = gu[k] * e;
                }
            }
            g[shiftOff + j] -= gb * e;
            g[logScaleOff + j] -= gl + omega;
        }
    }

    /** {@code shift} [d], then {@code log_scale} [d]. */
    @Override
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        m.put("shift", new Slot(new int[] {d}, shiftOff, d));
        m.put("log_scale", new Slot(new int[] {d}, logScaleOff, d));
        return m;
    }
}

package org.kdeflow.flow;

import java.util.Arrays;
import org.kdeflow.nn.Mlp;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * The affine coupling of RealNVP (Dinh, Sohl-Dickstein &amp; Bengio 2017, eq. 4) with a bounded log-scale, flow-file
 * type {@code affine_coupling}. The identity coordinates A pass through; the conditioner (see {@link Coupling})
 * gives two numbers per transformed coordinate B[q], s̃ = h[2q] and t = h[2q+1], and
 * <pre>
 *   s = c·tanh(s̃ / c)                       (|s| &lt; c: exp(±s) cannot overflow, the soft clamp of Glow-style flows)
 *   forward:  y_B = u_B ⊙ exp(s) + t,        log|det ∂T/∂u|  =  Σ_q s_q
 *   inverse:  u_B = (y_B − t) ⊙ exp(−s),     log|det ∂T⁻¹/∂y| = −Σ_q s_q
 * </pre>
 * Initialisation: the hidden layers as PyTorch's {@code nn.Linear}, the last layer all 0 (s̃ = t = 0: the identity).
 */
public final class AffineCouplingBounded extends Coupling {
    public static final double DEFAULT_CLAMP = 3.0;

    /**
     * A bounded affine coupling without its parameter values.
     *
     * @param identity the coordinates A passed through (non-empty)
     * @param transformed the coordinates B transformed (non-empty; with A exactly 0 … d−1)
     * @param hidden the conditioner's hidden widths (each &gt;= 1)
     * @param clamp c &gt; 0, the bound on |s|
     */
    public record Spec(int[] identity, int[] transformed, int[] hidden, double clamp) implements Transform.Spec {
        public Spec {
            checkSplit(identity, transformed);
            identity = identity.clone();
            transformed = transformed.clone();
            hidden = hidden.clone();
            if (!(clamp > 0) || !Double.isFinite(clamp)) {
                throw new IllegalArgumentException("clamp must be finite and > 0, got " + clamp);
            }
            widths(identity.length, hidden, 2 * transformed.length);
        }

        /** The default clamp c = 3. */
        public static Spec of(int[] identity, int[] transformed, int[] hidden) {
            return new Spec(identity, transformed, hidden, DEFAULT_CLAMP);
        }

        @Override
        public int[] identity() {
            return identity.clone();
        }

        @Override
        public int[] transformed() {
            return transformed.clone();
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        @Override
        public int dim() {
            return identity.length + transformed.length;
        }

        @Override
        public int parameterCount() {
            return Mlp.parameterCount(widths(identity.length, hidden, 2 * transformed.length));
        }

        @Override
        public Transform create(Parameters p, int offset) {
            return new AffineCouplingBounded(this, p, offset);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && Arrays.equals(s.identity, identity)
                    && Arrays.equals(s.transformed, transformed) && Arrays.equals(s.hidden, hidden)
                    && Double.compare(s.clamp, clamp) == 0;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * Arrays.hashCode(identity) + Arrays.hashCode(transformed))
                    + Arrays.hashCode(hidden)) + Double.hashCode(clamp);
        }

        @Override
        public String toString() {
            return "AffineCouplingBounded.Spec[identity=" + Arrays.toString(identity) + ", transformed="
                    + Arrays.toString(transformed) + ", hidden=" + Arrays.toString(hidden) + ", clamp=" + clamp + "]";
        }
    }

    private final Spec spec;
    private final double clamp;

    private AffineCouplingBounded(Spec spec, Parameters p, int offset) {
        super(spec.identity, spec.transformed, spec.hidden, 2, p, offset);
        this.spec = spec;
        this.clamp = spec.clamp;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    /** The hidden layers as PyTorch's {@code nn.Linear}, from {@code rng}; the last layer 0 (the identity). */
    @Override
    public void initialize(NumpyRandomState rng) {
        initialize(rng, new double[2]);
    }

    @Override
    public Work work(int capacity, Precision precision) {
        return new Buffers(capacity, precision);
    }

    /** Per-batch state: s and exp(−s) of each (row, transformed coordinate) of the last inverse. */
    final class Buffers extends Coupling.Buffers {
        final double[] s;
        final double[] e;

        Buffers(int capacity, Precision precision) {
            super(capacity, precision);
            s = new double[capacity * nB];
            e = new double[capacity * nB];
        }
    }

    @Override
    public void forward(double[] u, int n, double[] y, double[] logDet, Work work) {
        Buffers w = (Buffers) work;
        gather(u, n, w.uA);
        double[] h = net.forward(p, w.uA, n, w.net);
        copyIdentity(u, n, y);
        double c = clamp;
        for (int r = 0; r < n; r++) {
            double ld = 0;
            for (int q = 0; q < nB; q++) {
                int e = r * nB + q;
                int j = r * d + b[q];
                double s = c * Math.tanh(h[2 * e] / c);
                y[j] = u[j] * Math.exp(s) + h[2 * e + 1];
                ld += s;
            }
            logDet[r] = ld;
        }
    }

    @Override
    public void inverse(double[] y, int n, double[] u, double[] logDet, Work work) {
        Buffers w = (Buffers) work;
        gather(y, n, w.uA);
        double[] h = net.forward(p, w.uA, n, w.net);
        copyIdentity(y, n, u);
        double c = clamp;
        for (int r = 0; r < n; r++) {
            double ld = 0;
            for (int q = 0; q < nB; q++) {
                int e = r * nB + q;
                int j = r * d + b[q];
                double s = c * Math.tanh(h[2 * e] / c);
                double ex = Math.exp(-s);
                u[j] = (y[j] - h[2 * e + 1]) * ex;
                w.s[e] = s;
                w.e[e] = ex;
                ld -= s;
            }
            logDet[r] = ld;
        }
    }

    /**
     * With e = exp(−s), G = ∂L/∂u_B and ω = ∂L/∂logDet: ∂L/∂t = −G e, ∂L/∂s = −G u − ω,
     * ∂L/∂s̃ = ∂L/∂s·(1 − (s/c)²), ∂L/∂y_B = G e; the identity coordinates add the conditioner's input gradient.
     */
    @Override
    public void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work work) {
        Buffers w = (Buffers) work;
        double[] gh = w.net.outputGradient();
        double c = clamp;
        for (int r = 0; r < n; r++) {
            double om = ldw[r];
            for (int q = 0; q < nB; q++) {
                int e = r * nB + q;
                int j = r * d + b[q];
                double g = gu[j];
                double ex = w.e[e];
                double th = w.s[e] / c;
                gh[2 * e] = (-g * u[j] - om) * (1 - th * th);
                gh[2 * e + 1] = -g * ex;
                if (gy != null) {
                    gy[j] = g * ex;
                }
            }
        }
        backwardConditioner(gu, n, gh, gy, w);
    }
}

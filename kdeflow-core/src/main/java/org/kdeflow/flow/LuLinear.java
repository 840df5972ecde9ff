package org.kdeflow.flow;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * An invertible linear map in LU form (Kingma &amp; Dhariwal 2018, "Glow", sec. 3.2, the LU-decomposed 1×1
 * convolution; Durkan et al. 2019 use it between spline couplings), flow-file type {@code lu_linear}, with a fixed
 * permutation π (part of the spec) and the parameters {@code lower} [d, d], {@code upper} [d, d], {@code log_diag}
 * [d] and {@code bias} [d]:
 * <pre>
 *   L = I + strict_lower(lower),   U = strict_upper(upper) + diag(exp(log_diag)),   (P v)_j = v_{π(j)}
 *   forward  y = P L U u + bias,                                   log|det ∂T/∂u| =  Σ_j log_diag_j
 *   inverse  v_{π(j)} = (y − bias)_j,  solve L w = v,  solve U u = w,  log|det ∂T⁻¹/∂y| = −Σ_j log_diag_j
 * </pre>
 * Only the strictly lower part of {@code lower} and the strictly upper part of {@code upper} are used; the other
 * entries are stored (the file keeps full matrices) and get zero gradients. {@link #initialize} sets everything to 0:
 * L = U = I, the map is the permutation P.
 */
public final class LuLinear implements Transform {

    /** An LU-linear map of dimension d = perm.length with the fixed permutation π = perm (copied). */
    public record Spec(int[] perm) implements Transform.Spec {
        public Spec {
            perm = Permutation.checkPermutation(perm).clone();
        }

        /** π the identity. */
        public static Spec identity(int d) {
            if (d < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + d);
            }
            int[] p = new int[d];
            for (int j = 0; j < d; j++) {
                p[j] = j;
            }
            return new Spec(p);
        }

        @Override
        public int[] perm() {
            return perm.clone();
        }

        @Override
        public int dim() {
            return perm.length;
        }

        @Override
        public int parameterCount() {
            long d = perm.length;
            long count = 2 * d * d + 2 * d;
            if (count > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("an LU-linear map of dimension " + d + " has too many parameters");
            }
            return (int) count;
        }

        @Override
        public Transform create(Parameters p, int offset) {
            return new LuLinear(this, p, offset);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && Arrays.equals(s.perm, perm);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(perm);
        }

        @Override
        public String toString() {
            return "LuLinear.Spec[perm=" + Arrays.toString(perm) + "]";
        }
    }

    private final Spec spec;
    private final int[] perm;
    private final int d;
    private final Parameters p;
    private final int offset;
    private final int lowerOff;
    private final int upperOff;
    private final int diagOff;
    private final int biasOff;

    private LuLinear(Spec spec, Parameters p, int offset) {
        this.spec = spec;
        this.perm = spec.perm;
        this.d = perm.length;
        this.p = p;
        this.offset = offset;
        this.lowerOff = offset;
        this.upperOff = offset + d * d;
        this.diagOff = offset + 2 * d * d;
        this.biasOff = diagOff + d;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public int offset() {
        return offset;
    }

    /** All parameters 0: L = U = I, bias 0. Draws nothing. */
    @Override
    public void initialize(NumpyRandomState rng) {
        Arrays.fill(p.values(), offset, offset + spec.parameterCount(), 0.0);
        p.changed();
    }

    /** Per-batch state: w = L⁻¹ v of every row of the last inverse, exp(log_diag), row scratch. */
    private final class Buffers implements Work {
        final double[] w;
        final double[] diag;
        final double[] t;
        final double[] gw;

        Buffers(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("buffer capacity must be >= 1, got " + capacity);
            }
            w = new double[capacity * d];
            diag = new double[d];
            t = new double[d];
            gw = new double[d];
        }
    }

    @Override
    public Work work(int capacity, Precision precision) {
        return new Buffers(capacity);
    }

    private double logDiagSum() {
        double[] v = p.values();
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += v[diagOff + j];
        }
        return s;
    }

    /** y = P L U u + bias: t = U u, then (L t)_i = t_i + Σ_{k&lt;i} lower_ik t_k, y_j = (L t)_{π(j)} + bias_j. */
    @Override
    public void forward(double[] u, int n, double[] y, double[] logDet, Work work) {
        Buffers b = (Buffers) work;
        double[] v = p.values();
        double[] t = b.t;
        double[] lt = b.gw;
        double ld = logDiagSum();
        for (int i = 0; i < d; i++) {
            b.diag[i] = Math.exp(v[diagOff + i]);
        }
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int i = 0; i < d; i++) {
                double s = b.diag[i] * u[o + i];
                int row = upperOff + i * d;
                for (int k = i + 1; k < d; k++) {
                    s += v[row + k] * u[o + k];
                }
                t[i] = s;
            }
            for (int i = 0; i < d; i++) {
                double s = t[i];
                int row = lowerOff + i * d;
                for (int k = 0; k < i; k++) {
                    s += v[row + k] * t[k];
                }
                lt[i] = s;
            }
            for (int j = 0; j < d; j++) {
                y[o + j] = lt[perm[j]] + v[biasOff + j];
            }
            logDet[r] = ld;
        }
    }

    /** v_{π(j)} = (y − bias)_j, forward substitution L w = v (unit diagonal), back substitution U u = w. */
    @Override
    public void inverse(double[] y, int n, double[] u, double[] logDet, Work work) {
        Buffers b = (Buffers) work;
        double[] v = p.values();
        double[] vv = b.t;
        double ld = -logDiagSum();
        for (int i = 0; i < d; i++) {
            b.diag[i] = Math.exp(v[diagOff + i]);
        }
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                vv[perm[j]] = y[o + j] - v[biasOff + j];
            }
            for (int i = 0; i < d; i++) {
                double s = vv[i];
                int row = lowerOff + i * d;
                for (int k = 0; k < i; k++) {
                    s -= v[row + k] * b.w[o + k];
                }
                b.w[o + i] = s;
            }
            for (int i = d - 1; i >= 0; i--) {
                double s = b.w[o + i];
                int row = upperOff + i * d;
                for (int k = i + 1; k < d; k++) {
                    s -= v[row + k] * u[o + k];
                }
                u[o + i] = s / b.diag[i];
            }
            logDet[r] = ld;
        }
    }

    /**
     * For u = U⁻¹ w, w = L⁻¹ v, v = Pᵀ(y − bias) and G = ∂L/∂u, ω = ∂L/∂logDet: g_w = U⁻ᵀ G,
     * ∂L/∂upper_ik = −g_w,i u_k (i &lt; k), ∂L/∂log_diag_i = −g_w,i u_i e^{log_diag_i} − ω; g_v = L⁻ᵀ g_w,
     * ∂L/∂lower_ik = −g_v,i w_k (i &gt; k); ∂L/∂y_j = g_v,π(j), ∂L/∂bias = −∂L/∂y.
     */
    @Override
    public void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work work) {
        Buffers b = (Buffers) work;
        double[] v = p.values();
        double[] g = p.gradients();
        double[] gw = b.gw;
        double[] gv = b.t;
        for (int r = 0; r < n; r++) {
            int o = r * d;
            // Uᵀ g_w = G (Uᵀ lower triangular): forward substitution
            for (int i = 0; i < d; i++) {
                double s = gu[o + i];
                for (int k = 0; k < i; k++) {
                    s -= v[upperOff + k * d + i] * gw[k];
                }
                gw[i] = s / b.diag[i];
            }
            for (int i = 0; i < d; i++) {
                double gi = gw[i];
                int row = upperOff + i * d;
                for (int k = i + 1; k < d; k++) {
                    g[row + k] -= gi * u[o + k];
                }
                g[diagOff + i] -= gi * u[o + i] * b.diag[i] + ldw[r];
            }
            // Lᵀ g_v = g_w (Lᵀ upper triangular, unit diagonal): back substitution
            for (int i = d - 1; i >= 0; i--) {
                double s = gw[i];
                for (int k = i + 1; k < d; k++) {
                    s -= v[lowerOff + k * d + i] * gv[k];
                }
                gv[i] = s;
            }
            for (int i = 1; i < d; i++) {
                double gi = gv[i];
                int row = lowerOff + i * d;
                for (int k = 0; k < i; k++) {
                    g[row + k] -= gi * b.w[o + k];
                }
            }
            for (int j = 0; j < d; j++) {
                double gj = gv[perm[j]];
                g[biasOff + j] -= gj;
                if (gy != null) {
                    gy[o + j] = gj;
                }
            }
        }
    }

    /** {@code lower} [d, d], {@code upper} [d, d], {@code log_diag} [d], {@code bias} [d]. */
    @Override
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        m.put("lower", new Slot(new int[] {d, d}, lowerOff, d * d));
        m.put("upper", new Slot(new int[] {d, d}, upperOff, d * d));
        m.put("log_diag", new Slot(new int[] {d}, diagOff, d));
        m.put("bias", new Slot(new int[] {d}, biasOff, d));
        return m;
    }
}

package org.kdeflow.flow;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.nn.Mlp;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * The affine coupling layer of RealNVP (Dinh, Sohl-Dickstein &amp; Bengio 2017) in the homework's masked form. With a
 * binary mask m ∈ {0,1}ᵈ (m = 1: passed through and conditioned on), m̄ = 1 − m, a scale network s(·), a shift
 * network t(·) and a learnable per-dimension {@code scale_factor} σ (initialised to 0, so the layer starts as the
 * identity in scale):
 * <pre>
 *   forward:  s = σ ⊙ s_net(m⊙x),  t = t_net(m⊙x),  y = m⊙x + m̄⊙(x⊙exp(s) + t),      log|det J| =  Σⱼ m̄ⱼ sⱼ
 *   inverse:  s = σ ⊙ s_net(m⊙y),  t = t_net(m⊙y),  x = m⊙y + m̄⊙((y − t)⊙exp(−s)),   log|det J⁻¹| = −Σⱼ m̄ⱼ sⱼ
 * </pre>
 * The Jacobian is triangular after permuting the masked coordinates first, hence the log-determinants.
 *
 * <p>Parameters are views on a {@link Parameters} buffer, from {@link #offset()}: σ (d), then the s-network, then the
 * t-network (each an {@link Mlp} d → hidden… → d with LeakyReLU between layers), which is PyTorch's {@code state_dict}
 * order for the homework's {@code CouplingLayer} after its {@code mask}. The mask itself is not trainable and is held
 * here.
 *
 * <p>This is the homework's layer with its unbounded scale, kept exactly for the homework; new flows use the
 * bounded {@code AffineCouplingBounded} or the spline coupling. The {@link Bijection} methods allocate work buffers
 * per call; training uses a {@link Buffers} work sized once.
 */
public final class AffineCoupling implements Transform, Bijection {
    private static final int CHUNK = 512;

    private final int d;
    private final int[] hidden;
    private final double[] mask;
    private final Parameters p;
    private final int offset;
    private final int sfOff;
    private final Mlp sNet;
    private final Mlp tNet;

    /**
     * A layer viewing {@code p} from {@code offset}.
     *
     * @param mask 0/1 values, length d &gt;= 1 (copied)
     * @param hidden hidden widths of the s- and t-networks (the homework: {32, 32})
     */
    AffineCoupling(double[] mask, int[] hidden, Parameters p, int offset) {
        this.d = mask.length;
        this.hidden = hidden.clone();
        this.mask = checkMask(mask, d).clone();
        this.p = p;
        this.offset = offset;
        this.sfOff = offset;
        int[] widths = widths(d, hidden);
        this.sNet = new Mlp(widths, offset + d);
        this.tNet = new Mlp(widths, offset + d + sNet.size());
    }

    /**
     * A stand-alone layer with its own parameters, initialised from {@code rng} as {@link #initialize} does.
     *
     * @param mask 0/1 values (copied)
     * @param hidden hidden widths of the networks, e.g. {32, 32}
     */
    public static AffineCoupling create(double[] mask, int[] hidden, NumpyRandomState rng) {
        Parameters p = new Parameters(parameterCount(mask.length, hidden));
        AffineCoupling c = new AffineCoupling(mask, hidden, p, 0);
        c.initialize(rng);
        return c;
    }

    /**
     * The homework's layer: a 0/1 mask (copied) and the hidden widths of its two networks.
     */
    public record Spec(double[] mask, int[] hidden) implements Transform.Spec {
        public Spec {
            mask = checkMask(mask, mask.length).clone();
            hidden = hidden.clone();
            widths(mask.length, hidden);
        }

        @Override
        public double[] mask() {
            return mask.clone();
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        @Override
        public int dim() {
            return mask.length;
        }

        @Override
        public int parameterCount() {
            return AffineCoupling.parameterCount(mask.length, hidden);
        }

        @Override
        public Transform create(Parameters p, int offset) {
            return new AffineCoupling(mask, hidden, p, offset);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && Arrays.equals(s.mask, mask) && Arrays.equals(s.hidden, hidden);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(mask) + Arrays.hashCode(hidden);
        }

        @Override
        public String toString() {
            return "AffineCoupling.Spec[mask=" + Arrays.toString(mask) + ", hidden=" + Arrays.toString(hidden) + "]";
        }
    }

    @Override
    public Spec spec() {
        return new Spec(mask, hidden);
    }

    /**
     * The layer's tensors with the homework's names: {@code scale_factor} [d], {@code s_func.{2l}.weight}
     * [out, in], {@code s_func.{2l}.bias} [out], the same for {@code t_func} (the mask is not a parameter).
     */
    @Override
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        m.put("scale_factor", new Slot(new int[] {d}, sfOff, d));
        addNet(m, "s_func.", sNet);
        addNet(m, "t_func.", tNet);
        return m;
    }

    static void addNet(Map<String, Slot> m, String prefix, Mlp net) {
        for (int l = 0; l < net.depth(); l++) {
            var dense = net.layer(l);
            m.put(prefix + (2 * l) + ".weight", new Slot(new int[] {dense.out(), dense.in()}, dense.weightOffset(),
                    dense.out() * dense.in()));
            m.put(prefix + (2 * l) + ".bias", new Slot(new int[] {dense.out()}, dense.biasOffset(), dense.out()));
        }
    }

    @Override
    public Work work(int capacity, Precision precision) {
        return new Buffers(capacity, precision);
    }

    @Override
    public void forward(double[] u, int n, double[] y, double[] logDet, Work w) {
        forward(u, n, y, logDet, (Buffers) w);
    }

    @Override
    public void inverse(double[] y, int n, double[] u, double[] logDet, Work w) {
        inverse(y, n, u, logDet, (Buffers) w);
    }

    @Override
    public void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work w) {
        inverseBackward(y, u, n, gu, ldw, gy, (Buffers) w);
    }

    static int[] widths(int d, int[] hidden) {
        int[] w = new int[hidden.length + 2];
        w[0] = d;
        for (int k = 0; k < hidden.length; k++) {
            if (hidden[k] < 1) {
                throw new IllegalArgumentException("hidden widths must be >= 1, got " + Arrays.toString(hidden));
            }
            w[k + 1] = hidden[k];
        }
        w[w.length - 1] = d;
        return w;
    }

    static double[] checkMask(double[] mask, int d) {
        if (mask.length != d) {
            throw new IllegalArgumentException("mask has " + mask.length + " entries, expected " + d);
        }
        for (int j = 0; j < mask.length; j++) {
            if (mask[j] != 0.0 && mask[j] != 1.0) {
                throw new IllegalArgumentException("mask entries must be 0 or 1, got " + mask[j] + " at index " + j);
            }
        }
        return mask;
    }

    /** Number of parameters: d (scale factor) + 2 × MLP(d → hidden → d). */
    public static int parameterCount(int d, int[] hidden) {
        return d + 2 * Mlp.parameterCount(widths(d, hidden));
    }

    /**
     * Initialises the networks as PyTorch's {@code nn.Linear} does (U(−1/√fan_in, 1/√fan_in), drawn from {@code rng}
     * layer by layer, weight then bias, s-network first) and sets σ = 0.
     */
    @Override
    public void initialize(NumpyRandomState rng) {
        sNet.initialize(p, rng);
        double[] v = p.values();
        for (int j = 0; j < d; j++) {
            v[sfOff + j] = 0.0;
        }
        tNet.initialize(p, rng);
        p.changed();
    }

    @Override
    public int dim() {
        return d;
    }

    /** The mask (a copy). */
    public double[] mask() {
        return mask.clone();
    }

    void setMask(double[] m) {
        checkMask(m, d);
        System.arraycopy(m, 0, mask, 0, d);
    }

    /** The parameter buffer this layer views. */
    public Parameters parameters() {
        return p;
    }

    /** First parameter offset (the scale factor σ). */
    @Override
    public int offset() {
        return offset;
    }

    /** Number of parameters of this layer. */
    @Override
    public int parameterCount() {
        return size();
    }

    /** Number of parameters of this layer. */
    public int size() {
        return d + sNet.size() + tNet.size();
    }

    /** The scale network s_net (without σ). */
    public Mlp scaleNet() {
        return sNet;
    }

    /** The shift network t_net. */
    public Mlp shiftNet() {
        return tNet;
    }

    /** Offset of σ ({@code scale_factor}). */
    public int scaleFactorOffset() {
        return sfOff;
    }

    /** Double-precision work buffers for batches of up to {@code capacity} rows. */
    public Buffers buffers(int capacity) {
        return new Buffers(capacity, Precision.F64);
    }

    @Override
    public void forward(double[] x, int n, double[] y, double[] logDet) {
        runChunked(x, n, y, logDet, true);
    }

    @Override
    public void inverse(double[] y, int n, double[] x, double[] logDet) {
        runChunked(y, n, x, logDet, false);
    }

    private void runChunked(double[] in, int n, double[] out, double[] logDet, boolean forward) {
        checkBatch(in, n, d, "input");
        checkBatch(out, n, d, "output");
        if (logDet.length < n) {
            throw new IllegalArgumentException("logDet holds " + logDet.length + " values, need " + n);
        }
        int cap = Math.max(1, Math.min(CHUNK, n));
        Buffers b = new Buffers(cap, Precision.F64);
        double[] a = new double[cap * d];
        double[] c = new double[cap * d];
        double[] ld = new double[cap];
        for (int from = 0; from < n; from += cap) {
            int m = Math.min(cap, n - from);
            System.arraycopy(in, from * d, a, 0, m * d);
            if (forward) {
                forward(a, m, c, ld, b);
            } else {
                inverse(a, m, c, ld, b);
            }
            System.arraycopy(c, 0, out, from * d, m * d);
            System.arraycopy(ld, 0, logDet, from, m);
        }
    }

    static void checkBatch(double[] a, int n, int d, String what) {
        if (n < 0 || a.length < (long) n * d) {
            throw new IllegalArgumentException(what + " holds " + a.length + " values, need " + n + "x" + d);
        }
    }

    /** y = f(x) with log|det J| per row into logDet, using {@code b} (n ≤ capacity). */
    void forward(double[] x, int n, double[] y, double[] logDet, Buffers b) {
        double[] s = conditioners(x, n, b);
        double[] t = b.t;
        double[] v = p.values();
        for (int r = 0; r < n; r++) {
            double ld = 0;
            for (int j = 0; j < d; j++) {
                int k = r * d + j;
                if (mask[j] == 1.0) {
                    y[k] = x[k];
                } else {
                    double sk = v[sfOff + j] * s[k];
                    double e = Math.exp(sk);
                    b.e[k] = e;
                    y[k] = x[k] * e + t[k];
                    ld += sk;
                }
            }
            logDet[r] = ld;
        }
    }

    /** x = f⁻¹(y) with log|det J⁻¹| per row into logDet, using {@code b}; keeps what {@link #inverseBackward} needs. */
    void inverse(double[] y, int n, double[] x, double[] logDet, Buffers b) {
        double[] s = conditioners(y, n, b);
        double[] t = b.t;
        double[] v = p.values();
        for (int r = 0; r < n; r++) {
            double ld = 0;
            for (int j = 0; j < d; j++) {
                int k = r * d + j;
                if (mask[j] == 1.0) {
                    x[k] = y[k];
                } else {
                    double sk = v[sfOff + j] * s[k];
                    double e = Math.exp(-sk);
                    b.e[k] = e;
                    x[k] = (y[k] - t[k]) * e;
                    ld -= sk;
                }
            }
            logDet[r] = ld;
        }
    }

    /** u = m⊙in, then the raw s_net(u) (returned) and t_net(u) (into b.t). */
    private double[] conditioners(double[] in, int n, Buffers b) {
        double[] u = b.u;
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                u[r * d + j] = mask[j] == 1.0 ? in[r * d + j] : 0.0;
            }
        }
        double[] s = sNet.forward(p, u, n, b.sBuf);
        b.sRaw = s;
        b.t = tNet.forward(p, u, n, b.tBuf);
        return s;
    }

    /**
     * Back-propagation through the last {@link #inverse(double[], int, double[], double[], Buffers)} run with
     * {@code b}, which mapped y to x. Given gx = ∂L/∂x (n×d) and the weight w_r = ∂L/∂(log|det J⁻¹|) of each row's
     * log-determinant, adds the parameter gradients to {@link Parameters#gradients()} and, when gy is not null,
     * fills gy = ∂L/∂y. With e = exp(−s) on the transformed coordinates (m̄ = 1):
     * <pre>
     *   ∂L/∂t = −gx·e,  ∂L/∂s = −gx·x − w,  ∂L/∂σ = Σ_r ∂L/∂s · s_net,  ∂L/∂s_net = σ·∂L/∂s,
     *   ∂L/∂y = m⊙(gx + ∂L/∂u) + m̄⊙(gx·e),  ∂L/∂u from both networks.
     * </pre>
     */
    void inverseBackward(double[] y, double[] x, int n, double[] gx, double[] logDetWeight, double[] gy, Buffers b) {
        double[] v = p.values();
        double[] grad = p.gradients();
        double[] gS = b.sBuf.outputGradient();
        double[] gT = b.tBuf.outputGradient();
        double[] sRaw = b.sRaw;
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                int k = r * d + j;
                if (mask[j] == 1.0) {
                    gS[k] = 0.0;
                    gT[k] = 0.0;
                    if (gy != null) {
                        gy[k] = gx[k];
                    }
                } else {
                    double e = b.e[k];
                    double gs = -gx[k] * x[k] - logDetWeight[r];
                    gT[k] = -gx[k] * e;
                    gS[k] = gs * v[sfOff + j];
                    grad[sfOff + j] += gs * sRaw[k];
                    if (gy != null) {
                        gy[k] = gx[k] * e;
                    }
                }
            }
        }
        sNet.backward(p, b.u, n, gS, gy == null ? null : b.gUs, b.sBuf);
        tNet.backward(p, b.u, n, gT, gy == null ? null : b.gUt, b.tBuf);
        if (gy != null) {
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < d; j++) {
                    if (mask[j] == 1.0) {
                        int k = r * d + j;
                        gy[k] += b.gUs[k] + b.gUt[k];
                    }
                }
            }
        }
    }

    /** Per-batch state of one layer: the networks' activations, exp(±s), and gradient scratch. */
    public final class Buffers implements Work {
        final int capacity;
        final double[] u;
        final double[] e;
        final double[] gUs;
        final double[] gUt;
        final Mlp.Buffers sBuf;
        final Mlp.Buffers tBuf;
        double[] sRaw;
        double[] t;

        Buffers(int capacity, Precision precision) {
            if (capacity < 1) {
                throw new IllegalArgumentException("buffer capacity must be >= 1, got " + capacity);
            }
            this.capacity = capacity;
            u = new double[capacity * d];
            e = new double[capacity * d];
            gUs = new double[capacity * d];
            gUt = new double[capacity * d];
            sBuf = sNet.buffers(capacity, precision);
            tBuf = tNet.buffers(capacity, precision);
        }

        public int capacity() {
            return capacity;
        }
    }
}

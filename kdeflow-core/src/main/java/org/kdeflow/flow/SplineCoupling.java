package org.kdeflow.flow;

import java.util.Arrays;
import org.kdeflow.kernels.KdeOps;
import org.kdeflow.kernels.Kernels;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * The rational-quadratic spline coupling of Durkan, Bekasov, Murray &amp; Papamakarios 2019, "Neural Spline Flows"
 * (eqs. 4–8; the inverse by the quadratic root of their appendix A), flow-file type {@code rq_coupling}. The
 * identity coordinates A pass through; each transformed coordinate B[q] goes through its own monotone spline g with
 * K bins on [−B, B] and linear tails, whose 3K − 1 parameters the conditioner computes from u_A (see
 * {@link Coupling}). Block q of the conditioner's output is [a_0 … a_{K−1}, b_0 … b_{K−1}, c_1 … c_{K−1}]:
 * <pre>
 *   w_k = m_w + (1 − m_w K)·softmax(a)_k,   x_0 = −B,  x_k = −B + 2B·Σ_{i&lt;k} w_i,  x_K = B,   W_k = x_{k+1} − x_k
 *   heights the same from b with m_h:      y_0 = −B, …, y_K = B,                      H_k = y_{k+1} − y_k
 *   δ_0 = δ_K = 1,  δ_k = m_δ + softplus(c_k)  (0 &lt; k &lt; K)
 * </pre>
 * For v ∈ [−B, B] in bin k (the largest k ≤ K−1 with x_k ≤ v), ξ = (v − x_k)/W_k, s_k = H_k/W_k:
 * <pre>
 *   g(v)  = y_k + H_k (s_k ξ² + δ_k ξ(1−ξ)) / (s_k + (δ_{k+1} + δ_k − 2s_k) ξ(1−ξ))
 *   g'(v) = s_k² (δ_{k+1} ξ² + 2 s_k ξ(1−ξ) + δ_k (1−ξ)²) / (s_k + (δ_{k+1} + δ_k − 2s_k) ξ(1−ξ))²
 * </pre>
 * and g(v) = v outside [−B, B]. The spline maps the <em>density</em> direction: u_B = g(y_B) with
 * log|det ∂T⁻¹/∂y| = Σ_q log g'(y_{B[q]}) ({@link #inverse}); the generative direction y_B = g⁻¹(u_B)
 * ({@link #forward}) solves, for w = u − y_k in bin k of the y knots,
 * a ξ² + b ξ + c = 0 with a = H_k(s_k − δ_k) + w(δ_{k+1} + δ_k − 2s_k), b = H_k δ_k − w(δ_{k+1} + δ_k − 2s_k),
 * c = −s_k w, by the cancellation-free root ξ = 2c / (−b − √(b² − 4ac)), the discriminant clamped at 0.
 *
 * <p>Initialisation: the hidden layers as PyTorch's {@code nn.Linear}; the last layer's weights 0 and its biases
 * a = b = 0, c = softplus⁻¹(1 − m_δ), so every bin has width and height 2B/K, s_k = 1, δ_k = 1 and the spline is
 * the identity.
 *
 * <p>Per pass, each (row, coordinate) computes its two softmaxes once and only the two derivatives δ_k, δ_{k+1}
 * of its bin; the work keeps the softmaxes and the bin's geometry for {@link #inverseBackward}. Entries in the tails
 * skip the spline entirely.
 */
public final class SplineCoupling extends Coupling {
    public static final int DEFAULT_BINS = 8;
    public static final double DEFAULT_BOUND = 5.0;
    public static final double DEFAULT_MINIMUM = 1e-3;

    /**
     * Per-entry geometry kept for the backward pass: ξ, W_k, H_k, s_k, δ_k, δ_{k+1}, σ(c_k), σ(c_{k+1}), then the
     * knots x_k, x_{k+1} (at {@link #X_K}) and y_k, y_{k+1} (at {@link #Y_K}).
     */
    private static final int GEO = 12;
    private static final int X_K = 8;
    private static final int Y_K = 10;

    /**
     * A spline coupling without its parameter values.
     *
     * @param identity the coordinates A passed through and conditioned on (non-empty)
     * @param transformed the coordinates B transformed (non-empty; with A exactly 0 … d−1)
     * @param hidden the conditioner's hidden widths (each &gt;= 1; may be empty: one Linear layer)
     * @param bins K &gt;= 1
     * @param bound B &gt; 0: the spline acts on [−B, B]
     * @param minWidth m_w &gt;= 0 with m_w·K &lt; 1 (0 lets a bin's width underflow to 0 for extreme logits)
     * @param minHeight m_h &gt;= 0 with m_h·K &lt; 1
     * @param minDerivative m_δ &gt;= 0 (0 lets δ_k underflow to 0, and g' with it)
     */
    public record Spec(int[] identity, int[] transformed, int[] hidden, int bins, double bound, double minWidth,
                       double minHeight, double minDerivative) implements Transform.Spec {
        public Spec {
            checkSplit(identity, transformed);
            identity = identity.clone();
            transformed = transformed.clone();
            hidden = hidden.clone();
            if (bins < 1) {
                throw new IllegalArgumentException("bins must be >= 1, got " + bins);
            }
            if (!(bound > 0) || !Double.isFinite(bound)) {
                throw new IllegalArgumentException("bound must be finite and > 0, got " + bound);
            }
            checkMinimum("min_width", minWidth, bins);
            checkMinimum("min_height", minHeight, bins);
            if (!(minDerivative >= 0) || !Double.isFinite(minDerivative)) {
                throw new IllegalArgumentException("min_derivative must be finite and >= 0, got " + minDerivative);
            }
            if ((long) transformed.length * (3L * bins - 1) > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException(transformed.length + " transformed coordinates with " + bins
                        + " bins: too many conditioner outputs");
            }
            widths(identity.length, hidden, transformed.length * (3 * bins - 1));
        }

        /** The defaults: K = 8 bins on [−5, 5], minimum width, height and derivative 1e-3. */
        public static Spec of(int[] identity, int[] transformed, int[] hidden) {
            return new Spec(identity, transformed, hidden, DEFAULT_BINS, DEFAULT_BOUND, DEFAULT_MINIMUM,
                    DEFAULT_MINIMUM, DEFAULT_MINIMUM);
        }

        private static void checkMinimum(String name, double m, int bins) {
            if (!(m >= 0) || !(m * bins < 1)) {
                throw new IllegalArgumentException(name + " must be >= 0 and below 1/bins = " + (1.0 / bins)
                        + ", got " + m);
            }
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

        /** P = 3K − 1 conditioner outputs per transformed coordinate. */
        public int perCoordinate() {
            return 3 * bins - 1;
        }

        @Override
        public int parameterCount() {
            return org.kdeflow.nn.Mlp.parameterCount(widths(identity.length, hidden,
                    transformed.length * perCoordinate()));
        }

        @Override
        public Transform create(Parameters p, int offset) {
            return new SplineCoupling(this, p, offset);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && Arrays.equals(s.identity, identity) && Arrays.equals(s.transformed,
                    transformed) && Arrays.equals(s.hidden, hidden) && s.bins == bins
                    && Double.compare(s.bound, bound) == 0 && Double.compare(s.minWidth, minWidth) == 0
                    && Double.compare(s.minHeight, minHeight) == 0
                    && Double.compare(s.minDerivative, minDerivative) == 0;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(new int[] {Arrays.hashCode(identity), Arrays.hashCode(transformed),
                Arrays.hashCode(hidden), bins, Double.hashCode(bound), Double.hashCode(minWidth),
                Double.hashCode(minHeight), Double.hashCode(minDerivative)});
        }

        @Override
        public String toString() {
            return "SplineCoupling.Spec[identity=" + Arrays.toString(identity) + ", transformed="
                    + Arrays.toString(transformed) + ", hidden=" + Arrays.toString(hidden) + ", bins=" + bins
                    + ", bound=" + bound + ", minWidth=" + minWidth + ", minHeight=" + minHeight
                    + ", minDerivative=" + minDerivative + "]";
        }
    }

    private final Spec spec;
    private final int kk;
    private final double bound;
    private final double mw;
    private final double mh;
    private final double md;
    /** 1 − m_w K and 1 − m_h K: the softmax's share of the widths and heights. */
    private final double cw;
    private final double ch;

    private SplineCoupling(Spec spec, Parameters p, int offset) {
        super(spec.identity, spec.transformed, spec.hidden, spec.perCoordinate(), p, offset);
        this.spec = spec;
        this.kk = spec.bins;
        this.bound = spec.bound;
        this.mw = spec.minWidth;
        this.mh = spec.minHeight;
        this.md = spec.minDerivative;
        this.cw = 1 - mw * kk;
        this.ch = 1 - mh * kk;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    /**
     * The hidden layers as PyTorch's {@code nn.Linear}, from {@code rng}; the last layer's weights 0 and its biases
     * 0 for the width and height logits and softplus⁻¹(1 − m_δ) for the derivatives: the identity map.
     */
    @Override
    public void initialize(NumpyRandomState rng) {
        double[] bias = new double[pPer];
        Arrays.fill(bias, 2 * kk, pPer, inverseSoftplus(1 - md));
        initialize(rng, bias);
    }

    /** softplus(c) = log(1 + eᶜ), as max(c, 0) + log1p(e^{−|c|}) (no overflow for large |c|). */
    static double softplus(double c) {
        return Math.max(c, 0) + Math.log1p(Math.exp(-Math.abs(c)));
    }

    /** softplus⁻¹(x) = log(eˣ − 1) = x + log(1 − e^{−x}) for x &gt; 0. */
    static double inverseSoftplus(double x) {
        return x + Math.log(-Math.expm1(-x));
    }

    /**
     * The root in [0, 1] of a ξ² + b ξ + c = 0 (c ≤ 0 &lt; b for a monotone spline) as 2c / (−b − √(b² − 4ac)),
     * free of the cancellation of (−b + √…)/2a; the discriminant, which rounding can make slightly negative near the
     * knots, is clamped at 0, and ξ at [0, 1]. The divisor is 0 only where b = c = 0 (w = y_k with δ_k underflowed
     * to 0, possible with m_δ = 0), whose root is ξ = 0.
     */
    static double quadraticRoot(double qa, double qb, double qc) {
        double disc = Math.max(0.0, qb * qb - 4 * qa * qc);
        double div = -qb - Math.sqrt(disc);
        if (div == 0) {
            return 0.0;
        }
        double xi = 2 * qc / div;
        return xi < 0 ? 0.0 : Math.min(xi, 1.0);
    }

    @Override
    public Work work(int capacity, Precision precision) {
        return new Buffers(capacity, precision);
    }

    /** Per-batch state: softmaxes and per-entry bin geometry of the last inverse, gradient scratch. */
    final class Buffers extends Coupling.Buffers {
        /** Bin of each (row, transformed coordinate), −1 in the tails. */
        final int[] bin;
        /** softmax(a) and softmax(b) of each entry, K each. */
        final double[] sa;
        final double[] sb;
        final double[] geo;

        Buffers(int capacity, Precision precision) {
            super(capacity, precision);
            int entries = capacity * nB;
            bin = new int[entries];
            sa = new double[entries * kk];
            sb = new double[entries * kk];
            geo = new double[entries * GEO];
        }
    }

    /**
     * Both softmaxes of every entry of the batch into the work, softmax(a) into {@code sa} and softmax(b) into
     * {@code sb} (K values per entry): the maxima subtracted first, then one vectorised exp over the whole batch
     * ({@link KdeOps#exp}, exact to a few ulp for arguments ≤ 0), then each entry normalised.
     */
    private void softmaxes(double[] h, int n, Buffers w) {
        int entries = n * nB;
        for (int e = 0; e < entries; e++) {
            shifted(h, e * pPer, w.sa, e * kk);
            shifted(h, e * pPer + kk, w.sb, e * kk);
        }
        KdeOps ops = Kernels.get().kde();
        ops.exp(w.sa, 0, entries * kk);
        ops.exp(w.sb, 0, entries * kk);
        for (int e = 0; e < entries; e++) {
            normalise(w.sa, e * kk);
            normalise(w.sb, e * kk);
        }
    }

    /** out[to …] = h[from …] − max over the K logits. */
    private void shifted(double[] h, int from, double[] out, int to) {
        double max = h[from];
        for (int i = 1; i < kk; i++) {
            max = Math.max(max, h[from + i]);
        }
        for (int i = 0; i < kk; i++) {
            out[to + i] = h[from + i] - max;
        }
    }

    /** Divides the K exponentials at out[to …] by their sum. */
    private void normalise(double[] out, int to) {
        double sum = 0;
        for (int i = 0; i < kk; i++) {
            sum += out[to + i];
        }
        double inv = 1 / sum;
        for (int i = 0; i < kk; i++) {
            out[to + i] *= inv;
        }
    }

    /**
     * Locates v in its bin for entry e (block at h[e·P …], softmaxes already in the work): the bin k found among the
     * knots of g's argument (x, {@code density}) or of its value (y, the sampling direction), both knot pairs,
     * W_k, H_k, s_k and the two derivatives into geo. Returns k.
     */
    private int locate(double[] h, int e, double v, boolean density, Buffers w) {
        int hb = e * pPer;
        int sk = e * kk;
        double[] geo = w.geo;
        int g = e * GEO;
        int k;
        if (density) {
            k = search(w.sa, sk, mw, cw, v, geo, g + X_K);
            knotPair(w.sb, sk, mh, ch, k, geo, g + Y_K);
        } else {
            k = search(w.sb, sk, mh, ch, v, geo, g + Y_K);
            knotPair(w.sa, sk, mw, cw, k, geo, g + X_K);
        }
        double wk = geo[g + X_K + 1] - geo[g + X_K];
        double hk = geo[g + Y_K + 1] - geo[g + Y_K];
        geo[g + 1] = wk;
        geo[g + 2] = hk;
        geo[g + 3] = hk / wk;
        derivatives(h, hb, k, geo, g);
        return k;
    }

    /**
     * The bin of v: the largest k ≤ K−1 with knot_k ≤ v, the knots −B + 2B·Σ_{i&lt;k} (min + c·σ_i) and knot_K = B;
     * geo[at], geo[at+1] = knot_k, knot_{k+1}.
     */
    private int search(double[] sm, int sk, double min, double c, double v, double[] geo, int at) {
        double bd = bound;
        int k = 0;
        double cum = 0;
        double lo = -bd;
        double hi;
        while (true) {
            if (k == kk - 1) {
                hi = bd;
                break;
            }
            cum += min + c * sm[sk + k];
            hi = -bd + 2 * bd * cum;
            if (v < hi) {
                break;
            }
            lo = hi;
            k++;
        }
        geo[at] = lo;
        geo[at + 1] = hi;
        return k;
    }

    /** geo[at], geo[at+1] = knot_k, knot_{k+1} of the other side, as {@link #search} computes knots. */
    private void knotPair(double[] sm, int sk, double min, double c, int k, double[] geo, int at) {
        double bd = bound;
        double cum = 0;
        for (int i = 0; i < k; i++) {
            cum += min + c * sm[sk + i];
        }
        geo[at] = -bd + 2 * bd * cum;
        geo[at + 1] = k == kk - 1 ? bd : -bd + 2 * bd * (cum + min + c * sm[sk + k]);
    }

    /**
     * geo[g+4], geo[g+5] = δ_k, δ_{k+1} and geo[g+6], geo[g+7] = their derivatives σ(c) with respect to the logits
     * (0 at the outer knots, where δ = 1 is fixed); c_k sits at h[hb + 2K + k − 1].
     */
    private void derivatives(double[] h, int hb, int k, double[] geo, int g) {
        int cOff = hb + 2 * kk - 1;
        if (k == 0) {
            geo[g + 4] = 1.0;
            geo[g + 6] = 0.0;
        } else {
            double c = h[cOff + k];
            double t = Math.exp(-Math.abs(c));
            geo[g + 4] = md + Math.max(c, 0) + Math.log1p(t);
            geo[g + 6] = c >= 0 ? 1 / (1 + t) : t / (1 + t);
        }
        if (k == kk - 1) {
            geo[g + 5] = 1.0;
            geo[g + 7] = 0.0;
        } else {
            double c = h[cOff + k + 1];
            double t = Math.exp(-Math.abs(c));
            geo[g + 5] = md + Math.max(c, 0) + Math.log1p(t);
            geo[g + 7] = c >= 0 ? 1 / (1 + t) : t / (1 + t);
        }
    }

    @Override
    public void inverse(double[] y, int n, double[] u, double[] logDet, Work work) {
        Buffers w = (Buffers) work;
        gather(y, n, w.uA);
        double[] h = net.forward(p, w.uA, n, w.net);
        copyIdentity(y, n, u);
        splineInverse(h, y, n, u, logDet, w);
    }

    /**
     * The spline part of {@link #inverse} given the conditioner's output h (n×|B|·P): u_B = g(y_B) and logDet, the
     * softmaxes and bin geometry kept in {@code w}. Allocates nothing.
     */
    void splineInverse(double[] h, double[] y, int n, double[] u, double[] logDet, Buffers w) {
        softmaxes(h, n, w);
        double[] geo = w.geo;
        for (int r = 0; r < n; r++) {
            double ld = 0;
            for (int q = 0; q < nB; q++) {
                int e = r * nB + q;
                int j = r * d + b[q];
                double v = y[j];
                if (!(v >= -bound && v <= bound)) {
                    u[j] = v;
                    w.bin[e] = -1;
                    continue;
                }
                w.bin[e] = locate(h, e, v, true, w);
                int g = e * GEO;
                double wk = geo[g + 1];
                double hk = geo[g + 2];
                double s = geo[g + 3];
                double d0 = geo[g + 4];
                double d1 = geo[g + 5];
                double xi = (v - geo[g + X_K]) / wk;
                double om = 1 - xi;
                double xi1 = xi * om;
                double den = s + (d1 + d0 - 2 * s) * xi1;
                u[j] = geo[g + Y_K] + hk * (s * xi * xi + d0 * xi1) / den;
                ld += Math.log(s * s * (d1 * xi * xi + 2 * s * xi1 + d0 * om * om) / (den * den));
                geo[g] = xi;
            }
            logDet[r] = ld;
        }
    }

    @Override
    public void forward(double[] u, int n, double[] y, double[] logDet, Work work) {
        Buffers w = (Buffers) work;
        gather(u, n, w.uA);
        double[] h = net.forward(p, w.uA, n, w.net);
        copyIdentity(u, n, y);
        softmaxes(h, n, w);
        double[] geo = w.geo;
        for (int r = 0; r < n; r++) {
            double ld = 0;
            for (int q = 0; q < nB; q++) {
                int e = r * nB + q;
                int j = r * d + b[q];
                double t = u[j];
                if (!(t >= -bound && t <= bound)) {
                    y[j] = t;
                    continue;
                }
                locate(h, e, t, false, w);
                int g = e * GEO;
                double wk = geo[g + 1];
                double hk = geo[g + 2];
                double s = geo[g + 3];
                double d0 = geo[g + 4];
                double d1 = geo[g + 5];
                double dsum = d1 + d0 - 2 * s;
                double dt = t - geo[g + Y_K];
                double xi = quadraticRoot(hk * (s - d0) + dt * dsum, hk * d0 - dt * dsum, -s * dt);
                y[j] = geo[g + X_K] + xi * wk;
                double om = 1 - xi;
                double xi1 = xi * om;
                double den = s + dsum * xi1;
                ld -= Math.log(s * s * (d1 * xi * xi + 2 * s * xi1 + d0 * om * om) / (den * den));
            }
            logDet[r] = ld;
        }
    }

    /**
     * Back-propagation through the last {@link #inverse}. Per entry in bin k, with G_g = ∂L/∂u, G_l = ∂L/∂logDet,
     * R = (s ξ² + δ_k ξ(1−ξ))/den, M = δ_{k+1} ξ² + 2s ξ(1−ξ) + δ_k (1−ξ)² and log g' = 2 log s + log M − 2 log den:
     * <pre>
     *   G_ξ = G_g W g' + G_l ∂log g'/∂ξ,        G_s = G_g H ∂R/∂s + G_l ∂log g'/∂s,
     *   ∂L/∂v = G_ξ / W,   ∂L/∂x_k = −G_ξ/W − G_W,  ∂L/∂x_{k+1} = G_W,  G_W = −(G_ξ ξ + G_s s)/W,
     *   ∂L/∂y_k = G_g − G_H,  ∂L/∂y_{k+1} = G_H,  G_H = G_g R + G_s / W,
     * </pre>
     * then through the cumulative knots (∂x_k/∂w_i = 2B for i &lt; k, outer knots fixed), the softmax
     * (∂w_i/∂a_j = (1 − m_w K) σ_i(δ_ij − σ_j)) and the softplus (∂δ/∂c = σ(c)).
     */
    @Override
    public void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work work) {
        Buffers w = (Buffers) work;
        double[] gh = w.net.outputGradient();
        splineBackward(n, gu, ldw, gy, gh, w);
        backwardConditioner(gu, n, gh, gy, w);
    }

    /**
     * The spline part of {@link #inverseBackward}: gh = ∂L/∂h (n×|B|·P) and, when gy is not null, gy_B = ∂L/∂y_B, from
     * what {@link #splineInverse} kept in {@code w}. Allocates nothing.
     */
    void splineBackward(int n, double[] gu, double[] ldw, double[] gy, double[] gh, Buffers w) {
        double twoB = 2 * bound;
        int last = kk - 1;
        for (int r = 0; r < n; r++) {
            double gl = ldw[r];
            for (int q = 0; q < nB; q++) {
                int e = r * nB + q;
                int j = r * d + b[q];
                int hb = e * pPer;
                int k = w.bin[e];
                double gg = gu[j];
                if (k < 0) {
                    Arrays.fill(gh, hb, hb + pPer, 0.0);
                    if (gy != null) {
                        gy[j] = gg;
                    }
                    continue;
                }
                int g = e * GEO;
                double xi = w.geo[g];
                double wk = w.geo[g + 1];
                double hk = w.geo[g + 2];
                double s = w.geo[g + 3];
                double d0 = w.geo[g + 4];
                double d1 = w.geo[g + 5];
                double om = 1 - xi;
                double xi1 = xi * om;
                double dsum = d1 + d0 - 2 * s;
                double den = s + dsum * xi1;
                double numR = s * xi * xi + d0 * xi1;
                double mm = d1 * xi * xi + 2 * s * xi1 + d0 * om * om;
                double iden = 1 / den;
                double imm = 1 / mm;
                double rr = numR * iden;
                double gprime = s * s * mm * iden * iden;
                double oneM2xi1 = 1 - 2 * xi1;
                // ∂R/∂s, ∂R/∂δ_k, ∂R/∂δ_{k+1}
                double dRs = (xi * xi - rr * oneM2xi1) * iden;
                double dRd0 = xi1 * (1 - rr) * iden;
                double dRd1 = -rr * xi1 * iden;
                // ∂log g'/∂(ξ, s, δ_k, δ_{k+1})
                double dLxi = (2 * d1 * xi + 2 * s * (1 - 2 * xi) - 2 * d0 * om) * imm
                        - 2 * dsum * (1 - 2 * xi) * iden;
                double dLs = 2 / s + 2 * xi1 * imm - 2 * oneM2xi1 * iden;
                double dLd0 = om * om * imm - 2 * xi1 * iden;
                double dLd1 = xi * xi * imm - 2 * xi1 * iden;
                double gXi = gg * wk * gprime + gl * dLxi;
                double gS = gg * hk * dRs + gl * dLs;
                double gD0 = gg * hk * dRd0 + gl * dLd0;
                double gD1 = gg * hk * dRd1 + gl * dLd1;
                double iw = 1 / wk;
                double gH = gg * rr + gS * iw;
                double gW = -(gXi * xi + gS * s) * iw;
                if (gy != null) {
                    gy[j] = gXi * iw;
                }
                // knots x_k (k ≥ 1) and x_{k+1} (k+1 ≤ K−1) carry the parameter dependence
                double alphaX = k >= 1 ? -gXi * iw - gW : 0.0;
                double betaX = k < last ? gW : 0.0;
                double alphaY = k >= 1 ? gg - gH : 0.0;
                double betaY = k < last ? gH : 0.0;
                int sk = e * kk;
                softmaxBackward(w.sa, sk, k, twoB * alphaX, twoB * betaX, cw, gh, hb);
                softmaxBackward(w.sb, sk, k, twoB * alphaY, twoB * betaY, ch, gh, hb + kk);
                int cOff = hb + 2 * kk;
                Arrays.fill(gh, cOff, cOff + kk - 1, 0.0);
                if (k >= 1) {
                    gh[cOff + k - 1] = gD0 * w.geo[g + 6];
                }
                if (k < last) {
                    gh[cOff + k] = gD1 * w.geo[g + 7];
                }
            }
        }
    }

    /**
     * ∂L/∂logits from the gradients of the bin's two knots: G_w[i] = α·[i &lt; k] + β·[i ≤ k] (α, β already times
     * 2B), then gh[i] = c σ_i (G_w[i] − Σ_m G_w[m] σ_m).
     */
    private void softmaxBackward(double[] sm, int sk, int k, double alpha, double beta, double c, double[] gh,
            int to) {
        double below = 0;
        for (int i = 0; i < k; i++) {
            below += sm[sk + i];
        }
        double total = alpha * below + beta * (below + sm[sk + k]);
        for (int i = 0; i < kk; i++) {
            double gw = (i < k ? alpha : 0.0) + (i <= k ? beta : 0.0);
            gh[to + i] = c * sm[sk + i] * (gw - total);
        }
    }

    /**
     * The knots and derivatives of the spline of transformed coordinate B[q] for one point's identity coordinates
     * uA (|A| values, in the order of A): x (K+1), y (K+1), δ (K+1). For inspection and tests; allocates.
     */
    public void knots(double[] uA, int q, double[] x, double[] y, double[] delta) {
        if (uA.length != nA || q < 0 || q >= nB || x.length < kk + 1 || y.length < kk + 1
                || delta.length < kk + 1) {
            throw new IllegalArgumentException("knots: need " + nA + " identity values, 0 <= q < " + nB
                    + " and outputs of " + (kk + 1) + " entries");
        }
        Buffers w = new Buffers(1, Precision.F64);
        double[] h = net.forward(p, uA, 1, w.net);
        int hb = q * pPer;
        softmaxes(h, 1, w);
        double[] sa = Arrays.copyOfRange(w.sa, q * kk, q * kk + kk);
        double[] sb = Arrays.copyOfRange(w.sb, q * kk, q * kk + kk);
        double cumW = 0;
        double cumH = 0;
        x[0] = -bound;
        y[0] = -bound;
        for (int k = 1; k < kk; k++) {
            cumW += mw + cw * sa[k - 1];
            cumH += mh + ch * sb[k - 1];
            x[k] = -bound + 2 * bound * cumW;
            y[k] = -bound + 2 * bound * cumH;
            delta[k] = md + softplus(h[hb + 2 * kk + k - 1]);
        }
        x[kk] = bound;
        y[kk] = bound;
        delta[0] = 1;
        delta[kk] = 1;
    }
}

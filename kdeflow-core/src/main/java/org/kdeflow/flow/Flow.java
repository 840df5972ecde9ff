package org.kdeflow.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * A normalizing flow: a base density p_Z and transforms T_1 … T_K, x = T_K ∘ … ∘ T_1(z) with z ~ p_Z (zuko's
 * {@code Flow(transform, base)}, here in the generative order). By the change of variables
 * <pre>
 *   log p(x) = log p_Z(z) + Σ_{k=1..K} log|det ∂T_k⁻¹/∂u_k|,   u_K = x,  u_{k−1} = T_k⁻¹(u_k),  z = u_0,
 * </pre>
 * summed in the order base, T_1, …, T_K. log p is −∞ (never NaN or +∞) where a pass overflowed far from the data.
 *
 * <p>All trainable parameters (transforms in order, then the base) live in one {@link Parameters} buffer;
 * {@link #parameterLayout()} names them {@code transforms.{k}.…} and {@code base.…}. Training goes through a
 * {@link Workspace} (one batch size, one {@link Precision}), which is not shared between threads; evaluation
 * ({@link #logDensity}, sampling) allocates its own work per call and may run concurrently while nobody changes the
 * parameters.
 */
public final class Flow implements Density, Bijection {
    private static final int CHUNK = 512;

    private final int d;
    private final Parameters p;
    private final Transform[] transforms;
    private final Base base;

    private Flow(Base.Spec baseSpec, List<? extends Transform.Spec> specs) {
        this.d = baseSpec.dim();
        int size = baseSpec.parameterCount();
        for (Transform.Spec s : specs) {
            if (s.dim() != d) {
                throw new IllegalArgumentException("a transform of dimension " + s.dim() + " in a flow of dimension "
                        + d);
            }
            size += s.parameterCount();
        }
        this.p = new Parameters(size);
        this.transforms = new Transform[specs.size()];
        int off = 0;
        for (int k = 0; k < transforms.length; k++) {
            transforms[k] = specs.get(k).create(p, off);
            off += specs.get(k).parameterCount();
        }
        this.base = baseSpec.create(p, off);
    }

    /**
     * A flow with freshly initialised parameters: each transform in order, then the base, drawing from
     * {@code NumpyRandomState(seed)}.
     */
    public static Flow create(Base.Spec base, List<? extends Transform.Spec> transforms, long seed) {
        return create(base, transforms, new NumpyRandomState(seed));
    }

    /** As {@link #create(Base.Spec, List, long)}, drawing from the given stream. */
    public static Flow create(Base.Spec base, List<? extends Transform.Spec> transforms, NumpyRandomState rng) {
        Flow f = new Flow(base, transforms);
        for (Transform t : f.transforms) {
            t.initialize(rng);
        }
        f.base.initialize(rng);
        f.p.changed();
        return f;
    }

    /** A flow of this shape with all parameters 0, to be filled by a loader ({@link #parameters()}). */
    public static Flow uninitialised(Base.Spec base, List<? extends Transform.Spec> transforms) {
        return new Flow(base, transforms);
    }

    @Override
    public int dim() {
        return d;
    }

    /** Number of transforms K. */
    public int size() {
        return transforms.length;
    }

    /** Transform k (0-based: T_{k+1} in the formulas). */
    public Transform transform(int k) {
        return transforms[k];
    }

    /** The transforms' specs, T_1 first. */
    public List<Transform.Spec> transformSpecs() {
        List<Transform.Spec> out = new ArrayList<>(transforms.length);
        for (Transform t : transforms) {
            out.add(t.spec());
        }
        return out;
    }

    public Base base() {
        return base;
    }

    /** The live parameter buffer (see {@link Parameters} before writing to it). */
    public Parameters parameters() {
        return p;
    }

    /** An independent copy with the same structure and parameter values. */
    public Flow copy() {
        Flow f = new Flow(base.spec(), transformSpecs());
        f.p.copyFrom(p.values());
        return f;
    }

    /**
     * Every parameter tensor: {@code transforms.{k}.{name}} for each transform's {@link Transform#parameterLayout},
     * then {@code base.{name}}, with absolute offsets.
     */
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        for (int k = 0; k < transforms.length; k++) {
            String prefix = "transforms." + k + ".";
            transforms[k].parameterLayout().forEach((name, s) -> m.put(prefix + name, s));
        }
        base.parameterLayout().forEach((name, s) -> m.put("base." + name, s));
        return Collections.unmodifiableMap(m);
    }

    // ------------------------------------------------------------------ work buffers and the core passes

    /** Double-precision work buffers for batches of up to {@code capacity} rows. */
    public Workspace workspace(int capacity) {
        return new Workspace(capacity, Precision.F64);
    }

    /** Work buffers for batches of up to {@code capacity} rows, the networks' products in {@code precision}. */
    public Workspace workspace(int capacity, Precision precision) {
        return new Workspace(capacity, precision);
    }

    /** Per-batch state of the whole flow: every level u_0 … u_K, per-transform log-dets, gradient scratch. */
    public final class Workspace {
        final int capacity;
        final Precision precision;
        final double[][] level;
        final double[][] logDet;
        final double[] logProb;
        final double[] weight;
        final double[] gA;
        final double[] gB;
        final Transform.Work[] work;

        Workspace(int capacity, Precision precision) {
            if (capacity < 1) {
                throw new IllegalArgumentException("workspace capacity must be >= 1, got " + capacity);
            }
            this.capacity = capacity;
            this.precision = precision;
            level = new double[transforms.length + 1][capacity * d];
            logDet = new double[transforms.length][capacity];
            logProb = new double[capacity];
            weight = new double[capacity];
            gA = new double[capacity * d];
            gB = new double[capacity * d];
            work = new Transform.Work[transforms.length];
            for (int k = 0; k < transforms.length; k++) {
                work[k] = transforms[k].work(capacity, precision);
            }
        }

        public int capacity() {
            return capacity;
        }

        public Precision precision() {
            return precision;
        }

        /** The flow this workspace belongs to. */
        public Flow flow() {
            return Flow.this;
        }

        /** log p of the rows of the last pass run in this workspace (valid for its n rows). */
        public double logProb(int r) {
            return logProb[r];
        }
    }

    private void checkWorkspace(Workspace ws, int n) {
        if (ws.flow() != this) {
            throw new IllegalArgumentException("workspace belongs to another flow");
        }
        if (n < 1 || n > ws.capacity) {
            throw new IllegalArgumentException("batch of " + n + " rows for a workspace of capacity " + ws.capacity);
        }
    }

    /**
     * x → z through T_K⁻¹, …, T_1⁻¹, reading x (n×d) directly; fills ws.level[K−1..0] (level[k] holds u_k), the
     * per-transform log-dets and ws.logProb = log p(x), −∞ where the pass overflowed.
     */
    private void inversePass(double[] x, int n, Workspace ws) {
        int kk = transforms.length;
        double[] in = x;
        for (int k = kk - 1; k >= 0; k--) {
            transforms[k].inverse(in, n, ws.level[k], ws.logDet[k], ws.work[k]);
            in = ws.level[k];
        }
        base.logDensity(ws.level[0], n, ws.logProb);
        for (int r = 0; r < n; r++) {
            double lp = ws.logProb[r];
            for (int k = 0; k < kk; k++) {
                lp += ws.logDet[k][r];
            }
            // NaN or +inf only arise when a pass overflowed (inf − inf, 0·inf): the point is so far from the data
            // that its density is below the smallest double, so log p = −inf. Finite values pass.
            ws.logProb[r] = lp < Double.POSITIVE_INFINITY ? lp : Double.NEGATIVE_INFINITY;
        }
    }

    /**
     * The mean negative log-likelihood −(1/n) Σ_r log p(x_r) of a batch (n×d, n ≤ capacity). Allocates nothing.
     */
    public double meanNegLogLikelihood(double[] x, int n, Workspace ws) {
        checkWorkspace(ws, n);
        inversePass(x, n, ws);
        double s = 0;
        for (int r = 0; r < n; r++) {
            s += ws.logProb[r];
        }
        return -s / n;
    }

    /**
     * The mean NLL L = −(1/n) Σ_r log p(x_r) of a batch and its gradient with respect to every parameter: the
     * gradients of {@link #parameters()} are <em>set</em> (zeroed first). Back-propagation by hand: every row's
     * log-density weighs ∂L/∂log p(x_r) = −1/n; the base passes ∂L/∂z on, and each transform passes ∂L/∂(its
     * input) on. Allocates nothing.
     */
    public double lossAndGradient(double[] x, int n, Workspace ws) {
        double loss = meanNegLogLikelihood(x, n, ws);
        double w = -(1.0 / n);
        Arrays.fill(ws.weight, 0, n, w);
        backward(x, n, ws);
        return loss;
    }

    /**
     * The weighted loss L = −Σ_r ω_r log p(x_r) / Σ_r ω_r (ω_r ≥ 0, not all 0) and its gradient (set, as in
     * {@link #lossAndGradient(double[], int, Workspace)}). Allocates nothing.
     */
    public double lossAndGradient(double[] x, double[] omega, int n, Workspace ws) {
        checkWorkspace(ws, n);
        inversePass(x, n, ws);
        double total = 0;
        for (int r = 0; r < n; r++) {
            total += omega[r];
        }
        double s = 0;
        for (int r = 0; r < n; r++) {
            if (omega[r] != 0) {
                s += omega[r] * ws.logProb[r];
            }
            ws.weight[r] = -omega[r] / total;
        }
        backward(x, n, ws);
        return -s / total;
    }

    private void backward(double[] x, int n, Workspace ws) {
        p.zeroGradients();
        double[] gOut = ws.gA;
        double[] gIn = ws.gB;
        base.backward(ws.level[0], n, ws.weight, gOut);
        int kk = transforms.length;
        for (int k = 0; k < kk; k++) {
            double[] y = k + 1 < kk ? ws.level[k + 1] : x;
            transforms[k].inverseBackward(y, ws.level[k], n, gOut, ws.weight, k + 1 < kk ? gIn : null, ws.work[k]);
            double[] tmp = gOut;
            gOut = gIn;
            gIn = tmp;
        }
    }

    /**
     * Data-dependent initialisation before training: passes the points (n×d) down through T_K⁻¹ … T_1⁻¹, letting
     * each transform initialise itself from its inputs first ({@link Transform#initializeFromData}), then the base.
     */
    public void initializeFromData(double[] x, int n) {
        if (n < 1) {
            return;
        }
        Workspace ws = new Workspace(n, Precision.F64);
        double[] in = x;
        for (int k = transforms.length - 1; k >= 0; k--) {
            transforms[k].initializeFromData(in, n);
            p.changed();
            transforms[k].inverse(in, n, ws.level[k], ws.logDet[k], ws.work[k]);
            in = ws.level[k];
        }
        base.initializeFromData(in, n);
        p.changed();
    }

    // ------------------------------------------------------------------ density, bijection, sampling

    private static void checkBatch(double[] a, int n, int d, String what) {
        if (n < 0 || a.length < (long) n * d) {
            throw new IllegalArgumentException(what + " holds " + a.length + " values, need " + n + "x" + d);
        }
    }

    /** log p(x) for each of the n rows of x. Modifies out only. */
    @Override
    public void logDensity(double[] x, int n, double[] out) {
        checkBatch(x, n, d, "points");
        if (out.length < n) {
            throw new IllegalArgumentException("output holds " + out.length + " values, need " + n);
        }
        if (n == 0) {
            return;
        }
        Workspace ws = new Workspace(Math.min(CHUNK, n), Precision.F64);
        double[] chunk = ws.level[transforms.length];
        for (int from = 0; from < n; from += ws.capacity) {
            int m = Math.min(ws.capacity, n - from);
            System.arraycopy(x, from * d, chunk, 0, m * d);
            inversePass(chunk, m, ws);
            System.arraycopy(ws.logProb, 0, out, from, m);
        }
    }

    /** x = T(z) = T_K ∘ … ∘ T_1(z); logDet[r] = Σ_k log|det ∂T_k/∂u_{k−1}|. */
    @Override
    public void forward(double[] z, int n, double[] x, double[] logDet) {
        run(z, n, x, logDet, true);
    }

    /** z = T⁻¹(x); logDet[r] = Σ_k log|det ∂T_k⁻¹/∂u_k| (so log p(x) = log p_Z(z) + logDet). */
    @Override
    public void inverse(double[] x, int n, double[] z, double[] logDet) {
        run(x, n, z, logDet, false);
    }

    private void run(double[] in, int n, double[] out, double[] logDet, boolean forward) {
        checkBatch(in, n, d, "points");
        checkBatch(out, n, d, "output");
        if (logDet.length < n) {
            throw new IllegalArgumentException("logDet holds " + logDet.length + " values, need " + n);
        }
        if (n == 0) {
            return;
        }
        Workspace ws = new Workspace(Math.min(CHUNK, n), Precision.F64);
        int kk = transforms.length;
        for (int from = 0; from < n; from += ws.capacity) {
            int m = Math.min(ws.capacity, n - from);
            double[] first = forward ? ws.level[0] : ws.level[kk];
            System.arraycopy(in, from * d, first, 0, m * d);
            if (forward) {
                forwardPass(m, ws);
            } else {
                inversePass(first, m, ws);
            }
            double[] last = forward ? ws.level[kk] : ws.level[0];
            System.arraycopy(last, 0, out, from * d, m * d);
            for (int r = 0; r < m; r++) {
                double s = 0;
                for (int k = 0; k < kk; k++) {
                    s += ws.logDet[k][r];
                }
                logDet[from + r] = s;
            }
        }
    }

    /** u_0 = ws.level[0] → level[1] … level[K] through T_1 … T_K, with forward log-dets per transform. */
    private void forwardPass(int n, Workspace ws) {
        for (int k = 0; k < transforms.length; k++) {
            transforms[k].forward(ws.level[k], n, ws.level[k + 1], ws.logDet[k], ws.work[k]);
        }
    }

    /** n points drawn from the flow: z from the base, x = T(z). */
    @Override
    public Dataset sample(int n, NumpyRandomState rng) {
        return sampleWithLogDensity(n, rng).x();
    }

    /** A sample with the log-density of each point. */
    public record Sample(Dataset x, double[] logProb) {
        public Sample {
            logProb = logProb.clone();
        }

        @Override
        public double[] logProb() {
            return logProb.clone();
        }
    }

    /** n draws and their log p(x) = log p_Z(z) − Σ_k log|det ∂T_k/∂u_{k−1}|. */
    public Sample sampleWithLogDensity(int n, NumpyRandomState rng) {
        Trace t = sampleTrace(n, rng);
        return new Sample(t.steps().get(transforms.length), t.logProb());
    }

    /** K+1 sample sets from one draw of n points: z = u_0 first, then u_k = T_k(u_{k−1}), x = u_K last. */
    public List<Dataset> sampleEachStep(int n, NumpyRandomState rng) {
        return sampleTrace(n, rng).steps();
    }

    /** z = T⁻¹(x) for every point: the noise the flow maps to x. */
    public Dataset toNoise(Dataset x) {
        return trace(x).steps().get(0);
    }

    /**
     * The path of points through the flow and each transform's log-determinant: {@code steps} holds u_0 = z, u_1,
     * …, u_K = x, {@code logDet[k][r]} = log|det ∂T_{k+1}/∂u_k| at point r (forward direction), and {@code logProb}
     * the points' log p(x).
     */
    public record Trace(List<Dataset> steps, double[][] logDet, double[] logProb) {
        public Trace {
            steps = List.copyOf(steps);
            logDet = deepCopy(logDet);
            logProb = logProb.clone();
        }

        @Override
        public double[][] logDet() {
            return deepCopy(logDet);
        }

        @Override
        public double[] logProb() {
            return logProb.clone();
        }

        private static double[][] deepCopy(double[][] a) {
            double[][] c = new double[a.length][];
            for (int k = 0; k < a.length; k++) {
                c[k] = a[k].clone();
            }
            return c;
        }
    }

    /** The path of the given points back through the flow to the noise (see {@link Trace}). */
    public Trace trace(Dataset x) {
        if (x.dim() != d) {
            throw new IllegalArgumentException("points have dimension " + x.dim() + ", flow has dimension " + d);
        }
        int n = x.size();
        int kk = transforms.length;
        double[][] steps = new double[kk + 1][n * d];
        double[][] ld = new double[kk][n];
        double[] lp = new double[n];
        double[] all = x.toArray();
        if (n > 0) {
            Workspace ws = new Workspace(Math.min(CHUNK, n), Precision.F64);
            for (int from = 0; from < n; from += ws.capacity) {
                int m = Math.min(ws.capacity, n - from);
                System.arraycopy(all, from * d, ws.level[kk], 0, m * d);
                inversePass(ws.level[kk], m, ws);
                copyChunk(ws, steps, ld, m, from, -1.0);
                System.arraycopy(ws.logProb, 0, lp, from, m);
            }
        }
        return new Trace(datasets(steps, n), ld, lp);
    }

    private Trace sampleTrace(int n, NumpyRandomState rng) {
        if (n < 0) {
            throw new IllegalArgumentException("number of samples must be >= 0, got " + n);
        }
        int kk = transforms.length;
        double[][] steps = new double[kk + 1][n * d];
        double[][] ld = new double[kk][n];
        double[] lp = new double[n];
        base.sample(n, rng, steps[0]);
        if (n > 0) {
            Workspace ws = new Workspace(Math.min(CHUNK, n), Precision.F64);
            double[] lb = new double[ws.capacity];
            for (int from = 0; from < n; from += ws.capacity) {
                int m = Math.min(ws.capacity, n - from);
                System.arraycopy(steps[0], from * d, ws.level[0], 0, m * d);
                forwardPass(m, ws);
                copyChunk(ws, steps, ld, m, from, 1.0);
                base.logDensity(ws.level[0], m, lb);
                for (int r = 0; r < m; r++) {
                    double v = lb[r];
                    for (int k = 0; k < kk; k++) {
                        v -= ws.logDet[k][r];
                    }
                    lp[from + r] = v < Double.POSITIVE_INFINITY ? v : Double.NEGATIVE_INFINITY;
                }
            }
        }
        return new Trace(datasets(steps, n), ld, lp);
    }

    /** Copies a chunk's levels and log-dets (times {@code sign}, to report the forward direction) into the totals. */
    private void copyChunk(Workspace ws, double[][] steps, double[][] ld, int m, int from, double sign) {
        for (int k = 0; k <= transforms.length; k++) {
            System.arraycopy(ws.level[k], 0, steps[k], from * d, m * d);
        }
        for (int k = 0; k < transforms.length; k++) {
            for (int r = 0; r < m; r++) {
                ld[k][from + r] = sign * ws.logDet[k][r];
            }
        }
    }

    private List<Dataset> datasets(double[][] steps, int n) {
        List<Dataset> out = new ArrayList<>(steps.length);
        for (double[] s : steps) {
            out.add(Dataset.of(s, n, d));
        }
        return out;
    }

    @Override
    public String toString() {
        return "Flow[d=" + d + ", " + transforms.length + " transforms, " + p.size() + " parameters]";
    }
}

package org.kdeflow.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.nn.Mlp;
import org.kdeflow.nn.Parameters;
import org.kdeflow.formats.Tensor;
import org.kdeflow.random.NumpyRandomState;

/**
 * A normalizing flow of K {@link AffineCoupling} layers with alternating masks over a standard normal prior — the
 * homework's {@code CouplingFlow}. With z ~ N(0, I) and x = f_K ∘ … ∘ f_1(z), the change of variables gives
 * <pre>
 *   log p(x) = log N(z; 0, I) + Σ_{k=1..K} log|det ∂f_k⁻¹/∂z_k|,   z = f_1⁻¹ ∘ … ∘ f_K⁻¹(x)
 * </pre>
 * with log N(z; 0, I) = −½‖z‖² − (d/2)·log 2π. Layer k (0-based) has mask 1 on the first ⌈d/2⌉ coordinates when k
 * is even and on the others when k is odd; for d = 2 that is [1,0], [0,1], … as the homework's
 * {@code F.one_hot([i % 2 for i in range(K)])}.
 *
 * <p>All trainable parameters live in one {@link Parameters} buffer in PyTorch's {@code state_dict} order;
 * {@link #parameterLayout()} names them as the homework's model does ({@code layers.{i}.scale_factor},
 * {@code layers.{i}.s_func.{0,2,4}.weight} …) and {@link #stateDict()} / {@link #loadStateDict} copy named tensors
 * out and in, masks included.
 *
 * <p>Evaluation ({@link #logDensity}, sampling) allocates its own work buffers per call and may run concurrently as
 * long as nobody changes the parameters meanwhile. Training goes through a {@link Workspace}, which is not shared
 * between threads.
 */
public final class CouplingFlow implements Density, Bijection {
    private static final int CHUNK = 512;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final Architecture arch;
    private final Parameters p;
    private final AffineCoupling[] layers;

    /**
     * The shape of a flow.
     *
     * @param dim d &gt;= 2
     * @param layers K &gt;= 1
     * @param hidden hidden widths of every s- and t-network (the homework: {32, 32})
     */
    public record Architecture(int dim, int layers, int[] hidden) {
        public Architecture {
            if (dim < 2) {
                throw new IllegalArgumentException("a coupling flow needs dimension >= 2, got " + dim);
            }
            if (layers < 1) {
                throw new IllegalArgumentException("number of coupling layers must be >= 1, got " + layers);
            }
            hidden = hidden.clone();
            if (hidden.length < 1) {
                throw new IllegalArgumentException("the networks need at least one hidden layer");
            }
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("hidden widths must be >= 1, got " + Arrays.toString(hidden));
                }
            }
        }

        /** The homework's flow: d = 2, K layers, networks 2 → 32 → 32 → 2. */
        public static Architecture homework(int layers) {
            return new Architecture(2, layers, new int[] {32, 32});
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Architecture a && a.dim == dim && a.layers == layers
                    && Arrays.equals(a.hidden, hidden);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dim + layers) + Arrays.hashCode(hidden);
        }

        @Override
        public String toString() {
            return "Architecture[dim=" + dim + ", layers=" + layers + ", hidden=" + Arrays.toString(hidden) + "]";
        }
    }

    private CouplingFlow(Architecture arch) {
        this.arch = arch;
        int d = arch.dim();
        int per = AffineCoupling.parameterCount(d, arch.hidden());
        this.p = new Parameters(per * arch.layers());
        this.layers = new AffineCoupling[arch.layers()];
        for (int k = 0; k < layers.length; k++) {
            layers[k] = new AffineCoupling(defaultMask(d, k), arch.hidden(), p, k * per);
        }
    }

    /**
     * A flow with freshly initialised parameters: every {@code nn.Linear} as PyTorch initialises it
     * (U(−1/√fan_in, 1/√fan_in)) and σ = 0, drawn from {@code NumpyRandomState(seed)} in {@code state_dict} order
     * (layer by layer; the s-network, then the t-network; weight, then bias). The numbers differ from torch's own
     * generator, the distribution is the same.
     */
    public static CouplingFlow create(Architecture arch, long seed) {
        return create(arch, new NumpyRandomState(seed));
    }

    /** As {@link #create(Architecture, long)}, drawing from the given stream. */
    public static CouplingFlow create(Architecture arch, NumpyRandomState rng) {
        CouplingFlow f = new CouplingFlow(arch);
        for (AffineCoupling c : f.layers) {
            c.initialize(rng);
        }
        return f;
    }

    /** The homework's flow with K layers, initialised from {@code seed}. */
    public static CouplingFlow homework(int layers, long seed) {
        return create(Architecture.homework(layers), seed);
    }

    /** Mask of layer k: 1 on the first ⌈d/2⌉ coordinates for even k, on the rest for odd k. */
    public static double[] defaultMask(int d, int k) {
        double[] m = new double[d];
        int half = (d + 1) / 2;
        for (int j = 0; j < d; j++) {
            boolean first = j < half;
            m[j] = (first == (k % 2 == 0)) ? 1.0 : 0.0;
        }
        return m;
    }

    public Architecture architecture() {
        return arch;
    }

    @Override
    public int dim() {
        return arch.dim();
    }

    /** Number of coupling layers K. */
    public int numLayers() {
        return layers.length;
    }

    /** Coupling layer k (0-based; f_{k+1} in the formulas). */
    public AffineCoupling layer(int k) {
        return layers[k];
    }

    /** The live parameter buffer (see {@link Parameters} before writing to it). */
    public Parameters parameters() {
        return p;
    }

    /** An independent copy with the same architecture, masks and parameter values. */
    public CouplingFlow copy() {
        CouplingFlow f = new CouplingFlow(arch);
        f.p.copyFrom(p.values());
        for (int k = 0; k < layers.length; k++) {
            f.layers[k].setMask(layers[k].mask());
        }
        return f;
    }

    // ------------------------------------------------------------------ named parameters

    /** Where a named trainable tensor lives: its PyTorch shape and its range in {@link #parameters()}. */
    public record Slot(int[] shape, int offset, int size) {
        public Slot {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slot s && s.offset == offset && s.size == size && Arrays.equals(s.shape, shape);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * offset + size) + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return "Slot" + Arrays.toString(shape) + "@" + offset;
        }
    }

    /**
     * The trainable tensors by their names in the homework model's {@code state_dict}, in its order, each with its
     * shape and offset into the flat buffer (row-major, so a PyTorch weight [out, in] maps 1:1):
     * {@code layers.{i}.scale_factor} [d], {@code layers.{i}.s_func.{2l}.weight} [out, in],
     * {@code layers.{i}.s_func.{2l}.bias} [out], the same for {@code t_func}. The masks are not trainable and are not
     * listed here (see {@link #stateDict()}).
     */
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        int d = dim();
        for (int k = 0; k < layers.length; k++) {
            AffineCoupling c = layers[k];
            String prefix = "layers." + k + ".";
            m.put(prefix + "scale_factor", new Slot(new int[] {d}, c.scaleFactorOffset(), d));
            addNet(m, prefix + "s_func.", c.scaleNet());
            addNet(m, prefix + "t_func.", c.shiftNet());
        }
        return Collections.unmodifiableMap(m);
    }

    private static void addNet(Map<String, Slot> m, String prefix, Mlp net) {
        for (int l = 0; l < net.depth(); l++) {
            var dense = net.layer(l);
            m.put(prefix + (2 * l) + ".weight", new Slot(new int[] {dense.out(), dense.in()}, dense.weightOffset(),
                    dense.out() * dense.in()));
            m.put(prefix + (2 * l) + ".bias", new Slot(new int[] {dense.out()}, dense.biasOffset(), dense.out()));
        }
    }

    /**
     * Every tensor of the homework model's {@code state_dict}, in its order: for each layer i,
     * {@code layers.{i}.mask} [d], {@code layers.{i}.scale_factor} [d], then the s- and t-networks' weights and
     * biases. Values are copies.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Slot> layout = parameterLayout();
        double[] v = p.values();
        int k = -1;
        for (Map.Entry<String, Slot> e : layout.entrySet()) {
            if (e.getKey().endsWith(".scale_factor")) {
                k++;
                out.put("layers." + k + ".mask", Tensor.of(layers[k].mask(), new int[] {dim()}));
            }
            Slot s = e.getValue();
            out.put(e.getKey(), Tensor.of(Arrays.copyOfRange(v, s.offset(), s.offset() + s.size()), s.shape()));
        }
        return out;
    }

    /**
     * Copies one named tensor in (a name of {@link #stateDict()}). A mask must hold 0/1 values.
     *
     * @throws IllegalArgumentException for an unknown name or a shape that does not match
     */
    public void copyIn(String name, Tensor t) {
        if (name.endsWith(".mask") && name.startsWith("layers.")) {
            int k = layerIndex(name);
            checkShape(name, new int[] {dim()}, t.shape());
            layers[k].setMask(t.values());
            return;
        }
        Slot s = parameterLayout().get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown parameter '" + name + "' for a flow with " + layers.length
                    + " layers, dimension " + dim() + " and hidden widths " + Arrays.toString(arch.hidden()));
        }
        checkShape(name, s.shape(), t.shape());
        double[] vals = t.values();
        for (int j = 0; j < vals.length; j++) {
            if (!Double.isFinite(vals[j])) {
                throw new IllegalArgumentException("parameter '" + name + "' has a non-finite value at index " + j
                        + ": " + vals[j]);
            }
        }
        System.arraycopy(vals, 0, p.values(), s.offset(), s.size());
        p.changed();
    }

    /**
     * Loads a complete state: every name of {@link #stateDict()} must be present and no other.
     *
     * @throws IllegalArgumentException naming the first missing, unexpected or mis-shaped tensor; nothing is changed
     *     then
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> expected = stateDict();
        for (String name : expected.keySet()) {
            if (!state.containsKey(name)) {
                throw new IllegalArgumentException("missing parameter '" + name + "'");
            }
            checkShape(name, expected.get(name).shape(), state.get(name).shape());
        }
        for (String name : state.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected parameter '" + name + "' for a flow with "
                        + layers.length + " layers");
            }
        }
        CouplingFlow trial = copy();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            trial.copyIn(e.getKey(), e.getValue());
        }
        p.copyFrom(trial.p.values());
        for (int k = 0; k < layers.length; k++) {
            layers[k].setMask(trial.layers[k].mask());
        }
    }

    private int layerIndex(String name) {
        String rest = name.substring("layers.".length());
        int dot = rest.indexOf('.');
        try {
            int k = Integer.parseInt(rest.substring(0, dot));
            if (k >= 0 && k < layers.length) {
                return k;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // fall through
        }
        throw new IllegalArgumentException("unknown parameter '" + name + "' for a flow with " + layers.length
                + " layers");
    }

    private static void checkShape(String name, int[] expected, int[] got) {
        if (!Arrays.equals(expected, got)) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(got)
                    + ", expected " + Arrays.toString(expected));
        }
    }

    // ------------------------------------------------------------------ work buffers and the core passes

    /** Work buffers for batches of up to {@code capacity} rows (training and chunked evaluation). */
    public Workspace workspace(int capacity) {
        return new Workspace(capacity);
    }

    /** Per-batch state of the whole flow: every level z_0 … z_K, per-layer log-dets, gradient scratch. */
    public final class Workspace {
        final int capacity;
        final double[][] level;
        final double[][] logDet;
        final double[] logProb;
        final double[] gA;
        final double[] gB;
        final AffineCoupling.Buffers[] buf;

        Workspace(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("workspace capacity must be >= 1, got " + capacity);
            }
            int d = dim();
            this.capacity = capacity;
            level = new double[layers.length + 1][capacity * d];
            logDet = new double[layers.length][capacity];
            logProb = new double[capacity];
            gA = new double[capacity * d];
            gB = new double[capacity * d];
            buf = new AffineCoupling.Buffers[layers.length];
            for (int k = 0; k < layers.length; k++) {
                buf[k] = layers[k].buffers(capacity);
            }
        }

        public int capacity() {
            return capacity;
        }

        /** The flow this workspace belongs to. */
        public CouplingFlow flow() {
            return CouplingFlow.this;
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
     * x → z through f_K⁻¹, …, f_1⁻¹, reading x (n×d) directly; fills ws.level[K−1..0] (level[k] holds z_k), the
     * per-layer log-dets and ws.logProb = log p(x), which is −∞ (never NaN or +∞) where the pass overflowed.
     */
    private void inversePass(double[] x, int n, Workspace ws) {
        int d = dim();
        int kk = layers.length;
        double[] in = x;
        for (int k = kk - 1; k >= 0; k--) {
            layers[k].inverse(in, n, ws.level[k], ws.logDet[k], ws.buf[k]);
            in = ws.level[k];
        }
        double[] z = ws.level[0];
        for (int r = 0; r < n; r++) {
            double q = 0;
            for (int j = 0; j < d; j++) {
                double zj = z[r * d + j];
                q += zj * zj;
            }
            double lp = -0.5 * q - 0.5 * d * LOG_2PI;
            for (int k = 0; k < kk; k++) {
                lp += ws.logDet[k][r];
            }
            // NaN or +inf only arise when exp(−s) or the networks overflowed (inf − inf, 0·inf): the point is so far
            // from the data that its density is below the smallest double, so log p = −inf. Finite values pass.
            ws.logProb[r] = lp < Double.POSITIVE_INFINITY ? lp : Double.NEGATIVE_INFINITY;
        }
    }

    /**
     * The mean negative log-likelihood −(1/n) Σ_r log p(x_r) of a batch (n×d, n ≤ capacity), the homework's
     * {@code -log_prob.mean(0)}. Allocates nothing.
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
     * The mean NLL of a batch and its gradient with respect to every parameter: the gradients of
     * {@link #parameters()} are <em>set</em> (zeroed first). Back-propagation by hand: with L = −(1/n)Σ log p,
     * ∂L/∂z_r = z_r / n and every layer's log-det weighs −1/n; each layer then passes ∂L/∂(its input) on
     * (see {@link AffineCoupling}). Allocates nothing.
     */
    public double lossAndGradient(double[] x, int n, Workspace ws) {
        double loss = meanNegLogLikelihood(x, n, ws);
        p.zeroGradients();
        int d = dim();
        double invN = 1.0 / n;
        double[] gOut = ws.gA;
        double[] gIn = ws.gB;
        double[] z = ws.level[0];
        for (int k = 0; k < n * d; k++) {
            gOut[k] = z[k] * invN;
        }
        int kk = layers.length;
        for (int k = 0; k < kk; k++) {
            double[] y = k + 1 < kk ? ws.level[k + 1] : x;
            layers[k].inverseBackward(y, ws.level[k], n, gOut, -invN, k + 1 < kk ? gIn : null, ws.buf[k]);
            double[] tmp = gOut;
            gOut = gIn;
            gIn = tmp;
        }
        return loss;
    }

    // ------------------------------------------------------------------ density, bijection, sampling

    private static void checkPoints(double[] x, int n, int d) {
        AffineCoupling.checkBatch(x, n, d, "points");
    }

    /** log p(x) for each of the n rows of x, the homework's {@code log_probability}. Modifies out only. */
    @Override
    public void logDensity(double[] x, int n, double[] out) {
        checkPoints(x, n, dim());
        if (out.length < n) {
            throw new IllegalArgumentException("output holds " + out.length + " values, need " + n);
        }
        if (n == 0) {
            return;
        }
        int d = dim();
        Workspace ws = new Workspace(Math.min(CHUNK, n));
        double[] chunk = ws.level[layers.length];
        for (int from = 0; from < n; from += ws.capacity) {
            int m = Math.min(ws.capacity, n - from);
            System.arraycopy(x, from * d, chunk, 0, m * d);
            inversePass(chunk, m, ws);
            System.arraycopy(ws.logProb, 0, out, from, m);
        }
    }

    /** log p(x) of a dataset's points (the homework's {@code log_probability}), a new array. */
    public double[] logProbability(Dataset x) {
        return logDensity(x);
    }

    /** x = f(z) = f_K ∘ … ∘ f_1(z); logDet[r] = Σ_k log|det ∂f_k/∂z_{k−1}|. */
    @Override
    public void forward(double[] z, int n, double[] x, double[] logDet) {
        run(z, n, x, logDet, true);
    }

    /** z = f⁻¹(x); logDet[r] = Σ_k log|det ∂f_k⁻¹/∂z_k| (so log p(x) = log N(z) + logDet). */
    @Override
    public void inverse(double[] x, int n, double[] z, double[] logDet) {
        run(x, n, z, logDet, false);
    }

    private void run(double[] in, int n, double[] out, double[] logDet, boolean forward) {
        int d = dim();
        checkPoints(in, n, d);
        AffineCoupling.checkBatch(out, n, d, "output");
        if (logDet.length < n) {
            throw new IllegalArgumentException("logDet holds " + logDet.length + " values, need " + n);
        }
        if (n == 0) {
            return;
        }
        Workspace ws = new Workspace(Math.min(CHUNK, n));
        int kk = layers.length;
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

    /** z_0 = ws.level[0] → level[1] … level[K] through f_1 … f_K, with forward log-dets per layer. */
    private void forwardPass(int n, Workspace ws) {
        for (int k = 0; k < layers.length; k++) {
            layers[k].forward(ws.level[k], n, ws.level[k + 1], ws.logDet[k], ws.buf[k]);
        }
    }

    /** n points drawn from the flow: z ~ N(0, I) (row by row from {@code rng}'s Gaussians), x = f(z). */
    @Override
    public Dataset sample(int n, NumpyRandomState rng) {
        return sampleWithLogProbability(n, rng).x();
    }

    /** A sample with the log-density of each point, the homework's {@code sample} returning (x, log_prob). */
    public record Sample(Dataset x, double[] logProb) {
        public Sample {
            logProb = logProb.clone();
        }

        @Override
        public double[] logProb() {
            return logProb.clone();
        }
    }

    /** n draws and their log p(x) = log N(z) − Σ_k log|det ∂f_k/∂z_{k−1}|. */
    public Sample sampleWithLogProbability(int n, NumpyRandomState rng) {
        Trace t = sampleTrace(n, rng);
        return new Sample(t.steps().get(layers.length), t.logProb());
    }

    /**
     * K+1 sample sets from one draw of n points: the prior's z_0 first, then z_k = f_k(z_{k−1}) after each layer,
     * x = z_K last (the homework's {@code sample_x_each_step}).
     */
    public List<Dataset> sampleEachStep(int n, NumpyRandomState rng) {
        return sampleTrace(n, rng).steps();
    }

    /** z = f⁻¹(x) for every point: the noise the flow maps to x. */
    public Dataset toNoise(Dataset x) {
        return trace(x).steps().get(0);
    }

    /**
     * The path of points through the flow and each layer's log-determinant: {@code steps} holds z_0, z_1, …, z_K
     * (z_K = x), {@code logDet[k][r]} = log|det ∂f_{k+1}/∂z_k| at point r (forward direction), and {@code logProb}
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
        if (x.dim() != dim()) {
            throw new IllegalArgumentException("points have dimension " + x.dim() + ", flow has dimension " + dim());
        }
        int n = x.size();
        int d = dim();
        int kk = layers.length;
        double[][] steps = new double[kk + 1][n * d];
        double[][] ld = new double[kk][n];
        double[] lp = new double[n];
        double[] all = x.toArray();
        if (n > 0) {
            Workspace ws = new Workspace(Math.min(CHUNK, n));
            for (int from = 0; from < n; from += ws.capacity) {
                int m = Math.min(ws.capacity, n - from);
                System.arraycopy(all, from * d, ws.level[kk], 0, m * d);
                inversePass(ws.level[kk], m, ws);
                copyChunk(ws, steps, ld, m, from, -1.0);
                System.arraycopy(ws.logProb, 0, lp, from, m);
            }
        }
        return new Trace(datasets(steps, n, d), ld, lp);
    }

    private Trace sampleTrace(int n, NumpyRandomState rng) {
        if (n < 0) {
            throw new IllegalArgumentException("number of samples must be >= 0, got " + n);
        }
        int d = dim();
        int kk = layers.length;
        double[][] steps = new double[kk + 1][n * d];
        double[][] ld = new double[kk][n];
        double[] lp = new double[n];
        rng.fillGauss(steps[0]);
        if (n > 0) {
            Workspace ws = new Workspace(Math.min(CHUNK, n));
            for (int from = 0; from < n; from += ws.capacity) {
                int m = Math.min(ws.capacity, n - from);
                System.arraycopy(steps[0], from * d, ws.level[0], 0, m * d);
                forwardPass(m, ws);
                copyChunk(ws, steps, ld, m, from, 1.0);
                for (int r = 0; r < m; r++) {
                    double q = 0;
                    for (int j = 0; j < d; j++) {
                        double zj = ws.level[0][r * d + j];
                        q += zj * zj;
                    }
                    double v = -0.5 * q - 0.5 * d * LOG_2PI;
                    for (int k = 0; k < kk; k++) {
                        v -= ws.logDet[k][r];
                    }
                    lp[from + r] = v;
                }
            }
        }
        return new Trace(datasets(steps, n, d), ld, lp);
    }

    /** Copies a chunk's levels and log-dets (times {@code sign}, to report the forward direction) into the totals. */
    private void copyChunk(Workspace ws, double[][] steps, double[][] ld, int m, int from, double sign) {
        int d = dim();
        for (int k = 0; k <= layers.length; k++) {
            System.arraycopy(ws.level[k], 0, steps[k], from * d, m * d);
        }
        for (int k = 0; k < layers.length; k++) {
            for (int r = 0; r < m; r++) {
                ld[k][from + r] = sign * ws.logDet[k][r];
            }
        }
    }

    private static List<Dataset> datasets(double[][] steps, int n, int d) {
        List<Dataset> out = new ArrayList<>(steps.length);
        for (double[] s : steps) {
            out.add(Dataset.of(s, n, d));
        }
        return out;
    }

    @Override
    public String toString() {
        return "CouplingFlow[" + arch + ", " + p.size() + " parameters]";
    }
}

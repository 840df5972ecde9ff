package org.kdeflow.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.formats.Tensor;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * The homework's {@code CouplingFlow}: a preset {@link Flow} of K {@link AffineCoupling} layers with alternating masks
 * over the standard normal base. With z ~ N(0, I) and x = f_K ∘ … ∘ f_1(z), the change of variables gives
 * <pre>
 *   log p(x) = log N(z; 0, I) + Σ_{k=1..K} log|det ∂f_k⁻¹/∂z_k|,   z = f_1⁻¹ ∘ … ∘ f_K⁻¹(x)
 * </pre>
 * with log N(z; 0, I) = −½‖z‖² − (d/2)·log 2π. Layer k (0-based) has mask 1 on the first ⌈d/2⌉ coordinates when k
 * is even and on the others when k is odd; for d = 2 that is [1,0], [0,1], … as the homework's
 * {@code F.one_hot([i % 2 for i in range(K)])}.
 *
 * <p>Everything numerical is the {@link Flow}'s ({@link #asFlow()}); this class adds the homework model's names:
 * {@link #parameterLayout()} names the parameters as the homework's {@code state_dict} does
 * ({@code layers.{i}.scale_factor}, {@code layers.{i}.s_func.{0,2,4}.weight} …) and {@link #stateDict()} /
 * {@link #loadStateDict} copy named tensors out and in, masks included, so model files move to and from PyTorch.
 */
public final class CouplingFlow implements Density, Bijection {

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

    private final Architecture arch;
    private final Flow flow;

    private CouplingFlow(Architecture arch, Flow flow) {
        this.arch = arch;
        this.flow = flow;
    }

    private static List<AffineCoupling.Spec> specs(Architecture arch) {
        List<AffineCoupling.Spec> specs = new ArrayList<>();
        for (int k = 0; k < arch.layers(); k++) {
            specs.add(new AffineCoupling.Spec(defaultMask(arch.dim(), k), arch.hidden()));
        }
        return specs;
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
        return new CouplingFlow(arch, Flow.create(new StandardNormal.Spec(arch.dim()), specs(arch), rng));
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

    /** The generic flow this preset is (shared, not a copy: training one trains the other). */
    public Flow asFlow() {
        return flow;
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
        return flow.size();
    }

    /** Coupling layer k (0-based; f_{k+1} in the formulas). */
    public AffineCoupling layer(int k) {
        return (AffineCoupling) flow.transform(k);
    }

    /** The live parameter buffer (see {@link Parameters} before writing to it). */
    public Parameters parameters() {
        return flow.parameters();
    }

    /** An independent copy with the same architecture, masks and parameter values. */
    public CouplingFlow copy() {
        CouplingFlow f = new CouplingFlow(arch, Flow.uninitialised(new StandardNormal.Spec(arch.dim()), specs(arch)));
        f.parameters().copyFrom(parameters().values());
        for (int k = 0; k < numLayers(); k++) {
            f.layer(k).setMask(layer(k).mask());
        }
        return f;
    }

    // ------------------------------------------------------------------ named parameters

    /**
     * The trainable tensors by their names in the homework model's {@code state_dict}, in its order, each with its
     * shape and offset into the flat buffer (row-major, so a PyTorch weight [out, in] maps 1:1):
     * {@code layers.{i}.scale_factor} [d], {@code layers.{i}.s_func.{2l}.weight} [out, in],
     * {@code layers.{i}.s_func.{2l}.bias} [out], the same for {@code t_func}. The masks are not trainable and are not
     * listed here (see {@link #stateDict()}).
     */
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        for (int k = 0; k < numLayers(); k++) {
            String prefix = "layers." + k + ".";
            layer(k).parameterLayout().forEach((name, s) -> m.put(prefix + name, s));
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Every tensor of the homework model's {@code state_dict}, in its order: for each layer i,
     * {@code layers.{i}.mask} [d], {@code layers.{i}.scale_factor} [d], then the s- and t-networks' weights and
     * biases. Values are copies.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, Slot> layout = parameterLayout();
        double[] v = parameters().values();
        int k = -1;
        for (Map.Entry<String, Slot> e : layout.entrySet()) {
            if (e.getKey().endsWith(".scale_factor")) {
                k++;
                out.put("layers." + k + ".mask", Tensor.of(layer(k).mask(), dim()));
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
            layer(k).setMask(t.values());
            return;
        }
        Slot s = parameterLayout().get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown parameter '" + name + "' for a flow with " + numLayers()
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
        System.arraycopy(vals, 0, parameters().values(), s.offset(), s.size());
        parameters().changed();
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
                        + numLayers() + " layers");
            }
        }
        CouplingFlow trial = copy();
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            trial.copyIn(e.getKey(), e.getValue());
        }
        parameters().copyFrom(trial.parameters().values());
        for (int k = 0; k < numLayers(); k++) {
            layer(k).setMask(trial.layer(k).mask());
        }
    }

    private int layerIndex(String name) {
        String rest = name.substring("layers.".length());
        int dot = rest.indexOf('.');
        try {
            int k = Integer.parseInt(rest.substring(0, dot));
            if (k >= 0 && k < numLayers()) {
                return k;
            }
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            // fall through
        }
        throw new IllegalArgumentException("unknown parameter '" + name + "' for a flow with " + numLayers()
                + " layers");
    }

    private static void checkShape(String name, int[] expected, int[] got) {
        if (!Arrays.equals(expected, got)) {
            throw new IllegalArgumentException("parameter '" + name + "' has shape " + Arrays.toString(got)
                    + ", expected " + Arrays.toString(expected));
        }
    }

    // ------------------------------------------------------------------ the flow's passes

    /** Double-precision work buffers for batches of up to {@code capacity} rows. */
    public Flow.Workspace workspace(int capacity) {
        return flow.workspace(capacity);
    }

    /** Work buffers whose networks' products run in {@code precision}. */
    public Flow.Workspace workspace(int capacity, Precision precision) {
        return flow.workspace(capacity, precision);
    }

    /** The mean NLL of a batch, the homework's {@code -log_prob.mean(0)} (see {@link Flow#meanNegLogLikelihood}). */
    public double meanNegLogLikelihood(double[] x, int n, Flow.Workspace ws) {
        return flow.meanNegLogLikelihood(x, n, ws);
    }

    /** The mean NLL of a batch and its gradient, set (see {@link Flow#lossAndGradient(double[], int, Flow.Workspace)}). */
    public double lossAndGradient(double[] x, int n, Flow.Workspace ws) {
        return flow.lossAndGradient(x, n, ws);
    }

    /** log p(x) for each of the n rows of x, the homework's {@code log_probability}. Modifies out only. */
    @Override
    public void logDensity(double[] x, int n, double[] out) {
        flow.logDensity(x, n, out);
    }

    /** log p(x) of a dataset's points (the homework's {@code log_probability}), a new array. */
    public double[] logProbability(Dataset x) {
        return logDensity(x);
    }

    /** x = f(z) = f_K ∘ … ∘ f_1(z); logDet[r] = Σ_k log|det ∂f_k/∂z_{k−1}|. */
    @Override
    public void forward(double[] z, int n, double[] x, double[] logDet) {
        flow.forward(z, n, x, logDet);
    }

    /** z = f⁻¹(x); logDet[r] = Σ_k log|det ∂f_k⁻¹/∂z_k| (so log p(x) = log N(z) + logDet). */
    @Override
    public void inverse(double[] x, int n, double[] z, double[] logDet) {
        flow.inverse(x, n, z, logDet);
    }

    /** n points drawn from the flow: z ~ N(0, I) (row by row from {@code rng}'s Gaussians), x = f(z). */
    @Override
    public Dataset sample(int n, NumpyRandomState rng) {
        return flow.sample(n, rng);
    }

    /** n draws and their log p(x), the homework's {@code sample} returning (x, log_prob). */
    public Flow.Sample sampleWithLogProbability(int n, NumpyRandomState rng) {
        return flow.sampleWithLogDensity(n, rng);
    }

    /**
     * K+1 sample sets from one draw of n points: the prior's z_0 first, then z_k = f_k(z_{k−1}) after each layer,
     * x = z_K last (the homework's {@code sample_x_each_step}).
     */
    public List<Dataset> sampleEachStep(int n, NumpyRandomState rng) {
        return flow.sampleEachStep(n, rng);
    }

    /** z = f⁻¹(x) for every point: the noise the flow maps to x. */
    public Dataset toNoise(Dataset x) {
        return flow.toNoise(x);
    }

    /** The path of the given points back through the flow to the noise (see {@link Flow.Trace}). */
    public Flow.Trace trace(Dataset x) {
        return flow.trace(x);
    }

    @Override
    public String toString() {
        return "CouplingFlow[" + arch + ", " + parameters().size() + " parameters]";
    }
}

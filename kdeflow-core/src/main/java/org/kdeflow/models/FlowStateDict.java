package org.kdeflow.models;

import org.kdeflow.formats.SafeTensors;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.kdeflow.formats.Tensor;

/**
 * The homework's {@code CouplingFlow.state_dict()} read from a tensor file: the architecture inferred from the tensor
 * names and shapes, and checked. Names and shapes, for layers i = 0 … K−1 and Linear modules at the even positions
 * j = 0, 2, …, 2(L−1) of the {@code nn.Sequential} (LeakyReLU modules at the odd positions hold no tensors):
 * <pre>
 *   layers.{i}.mask                 [d]          0/1, not trained
 *   layers.{i}.scale_factor         [d]
 *   layers.{i}.s_func.{j}.weight    [out, in]    PyTorch's nn.Linear layout (y = x·Wᵀ + b)
 *   layers.{i}.s_func.{j}.bias      [out]
 *   layers.{i}.t_func.{j}.weight    [out, in]
 *   layers.{i}.t_func.{j}.bias      [out]
 * </pre>
 * with widths d → h₁ → … → h_{L−1} → d, the same for every network of every layer. Every value must be finite and
 * every mask entry 0 or 1; missing, extra or misshapen tensors are errors naming the tensor.
 */
public final class FlowStateDict {

    private static final Pattern NAME = Pattern.compile(
            "layers\\.(0|[1-9][0-9]{0,8})\\.(mask|scale_factor|([st])_func\\.(0|[1-9][0-9]{0,8})\\.(weight|bias))");

    private final int dim;
    private final int[] hidden;
    private final double[][] masks;
    private final Map<String, double[]> values;
    private final Map<String, int[]> shapes;

    private FlowStateDict(int dim, int[] hidden, double[][] masks, Map<String, double[]> values,
                          Map<String, int[]> shapes) {
        this.dim = dim;
        this.hidden = hidden;
        this.masks = masks;
        this.values = values;
        this.shapes = shapes;
    }

    /** The data dimension d. */
    public int dim() {
        return dim;
    }

    /** The number of coupling layers K. */
    public int layers() {
        return masks.length;
    }

    /** The hidden widths of the s- and t-networks (a copy), e.g. {32, 32}. */
    public int[] hidden() {
        return hidden.clone();
    }

    /** Layer i's mask (a copy). */
    public double[] mask(int i) {
        return masks[i].clone();
    }

    /** The tensor names in PyTorch's {@code state_dict} order (layer by layer: mask, scale_factor, s_func, t_func). */
    public List<String> names() {
        return List.copyOf(values.keySet());
    }

    /** A copy of the values of the tensor {@code name} (row-major), or null. */
    public double[] values(String name) {
        double[] v = values.get(name);
        return v == null ? null : v.clone();
    }

    /** A copy of the shape of the tensor {@code name}, or null. */
    public int[] shape(String name) {
        int[] s = shapes.get(name);
        return s == null ? null : s.clone();
    }

    /** The names a flow with this architecture has, in {@code state_dict} order. */
    public static List<String> expectedNames(int layers, int netDepth) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            names.add("layers." + i + ".mask");
            names.add("layers." + i + ".scale_factor");
            for (String net : new String[] {"s_func", "t_func"}) {
                for (int l = 0; l < netDepth; l++) {
                    names.add("layers." + i + "." + net + "." + 2 * l + ".weight");
                    names.add("layers." + i + "." + net + "." + 2 * l + ".bias");
                }
            }
        }
        return names;
    }

    /**
     * Infers and checks the architecture of the tensors of {@code st}; {@code label} names the file in messages.
     *
     * @throws IllegalArgumentException naming the file and the tensor when the tensors are not a coupling flow
     */
    public static FlowStateDict of(SafeTensors st, String label) {
        Map<String, Tensor> t = st.tensors();
        if (t.isEmpty()) {
            throw bad(label, "holds no tensors (expected a CouplingFlow state_dict: layers.0.mask, ...)");
        }
        // Which layers exist, and where layer 0's s-network has Linear modules (the others must match it).
        TreeSet<Integer> layerIds = new TreeSet<>();
        TreeSet<Integer> linearIds = new TreeSet<>();
        for (String name : t.keySet()) {
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw bad(label, "unexpected tensor '" + printable(name) + "' (not a CouplingFlow state_dict name like "
                        + "layers.0.s_func.0.weight)");
            }
            layerIds.add(Integer.parseInt(m.group(1)));
            if (m.group(4) != null && m.group(1).equals("0") && m.group(3).equals("s")) {
                linearIds.add(Integer.parseInt(m.group(4)));
            }
        }
        int k = layerIds.size();
        if (layerIds.last() != k - 1) {
            int missing = 0;
            while (layerIds.contains(missing)) {
                missing++;
            }
            throw bad(label, "coupling layer " + missing + " is missing (found tensors of layers " + layerIds + ")");
        }
        if (linearIds.isEmpty()) {
            throw bad(label, "tensor 'layers.0.s_func.0.weight' is missing");
        }
        int depth = linearIds.size();
        for (int l = 0; l < depth; l++) {
            if (!linearIds.contains(2 * l)) {
                throw bad(label, "the networks' Linear modules must sit at positions 0, 2, 4, ... of s_func and "
                        + "t_func (LeakyReLU between them); layers.0.s_func has them at " + linearIds);
            }
        }
        // d from the first mask, widths from layer 0's s-network; then everything must agree.
        Tensor mask0 = t.get("layers.0.mask");
        if (mask0 == null) {
            throw bad(label, "tensor 'layers.0.mask' is missing");
        }
        if (mask0.rank() != 1 || mask0.dim(0) < 1) {
            throw bad(label, "tensor 'layers.0.mask' has shape " + mask0.shapeString() + ", expected [d]");
        }
        int d = mask0.dim(0);
        int[] widths = new int[depth + 1];
        widths[0] = d;
        widths[depth] = d;
        for (int l = 0; l + 1 < depth; l++) {
            String name = "layers.0.s_func." + 2 * l + ".weight";
            Tensor w = t.get(name);
            if (w == null) {
                throw bad(label, "tensor '" + name + "' is missing");
            }
            if (w.rank() != 2 || w.dim(0) < 1) {
                throw bad(label, "tensor '" + name + "' has shape " + w.shapeString() + ", expected [out, in]");
            }
            widths[l + 1] = w.dim(0);
        }
        int[] hidden = Arrays.copyOfRange(widths, 1, depth);
        Map<String, int[]> expectedShapes = new LinkedHashMap<>();
        for (String name : expectedNames(k, depth)) {
            expectedShapes.put(name, expectedShape(name, d, widths));
        }
        TreeMap<String, String> extra = new TreeMap<>();
        for (String name : t.keySet()) {
            if (!expectedShapes.containsKey(name)) {
                extra.put(name, name);
            }
        }
        if (!extra.isEmpty()) {
            throw bad(label, "unexpected tensor '" + extra.firstKey() + "' for a flow of " + k + " layers whose "
                    + "networks have " + depth + " Linear modules");
        }
        Map<String, double[]> values = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        double[][] masks = new double[k][];
        for (Map.Entry<String, int[]> e : expectedShapes.entrySet()) {
            String name = e.getKey();
            Tensor x = t.get(name);
            if (x == null) {
                throw bad(label, "tensor '" + name + "' is missing (a flow of " + k + " layers, widths "
                        + Arrays.toString(widths) + ")");
            }
            if (!x.hasShape(e.getValue())) {
                throw bad(label, "tensor '" + name + "' has shape " + x.shapeString() + ", expected "
                        + Arrays.toString(e.getValue()) + " (network widths " + Arrays.toString(widths) + ")");
            }
            double[] v = x.values();
            for (int j = 0; j < v.length; j++) {
                if (!Double.isFinite(v[j])) {
                    throw bad(label, "tensor '" + name + "' holds the non-finite value " + v[j] + " at index " + j);
                }
            }
            if (name.endsWith(".mask")) {
                for (int j = 0; j < v.length; j++) {
                    if (v[j] != 0.0 && v[j] != 1.0) {
                        throw bad(label, "tensor '" + name + "' must hold only 0 and 1, found " + v[j]
                                + " at index " + j);
                    }
                }
                masks[Integer.parseInt(name.substring("layers.".length(), name.indexOf('.', "layers.".length())))] = v;
            }
            values.put(name, v);
            shapes.put(name, e.getValue());
        }
        return new FlowStateDict(d, hidden, masks, values, shapes);
    }

    private static int[] expectedShape(String name, int d, int[] widths) {
        if (name.endsWith(".mask") || name.endsWith(".scale_factor")) {
            return new int[] {d};
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalStateException(name);
        }
        int l = Integer.parseInt(m.group(4)) / 2;
        return m.group(5).equals("weight") ? new int[] {widths[l + 1], widths[l]} : new int[] {widths[l + 1]};
    }

    private static String printable(String s) {
        return SafeTensors.abbreviate(s);
    }

    private static IllegalArgumentException bad(String label, String message) {
        return new IllegalArgumentException(label + ": " + message);
    }
}

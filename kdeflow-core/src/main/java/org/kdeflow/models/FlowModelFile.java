package org.kdeflow.models;

import org.kdeflow.formats.SafeTensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.nn.LeakyReLU;
import org.kdeflow.formats.Tensor;

/**
 * A {@link CouplingFlow} in a safetensors file whose tensors are the homework model's
 * {@code CouplingFlow.state_dict()} (names and shapes in {@link FlowStateDict}), so that files move both ways:
 * <ul>
 *   <li>PyTorch → kdeflow: {@code safetensors.torch.save_file(model.state_dict(), path)}, then {@link #load(Path)};
 *       the architecture (K, d, hidden widths, masks) is inferred from the tensors and checked.</li>
 *   <li>kdeflow → PyTorch: {@link #save}, then {@code model.load_state_dict(safetensors.torch.load_file(path))}
 *       (PyTorch casts F64 tensors to the model's dtype; call {@code model.double()} first to keep them exact).</li>
 * </ul>
 * When kdeflow writes, {@code __metadata__} describes the model ({@value #KEY_VERSION}, {@value #KEY_DIM},
 * {@value #KEY_LAYERS}, {@value #KEY_HIDDEN}, {@value #KEY_SLOPE}, …) plus whatever the caller adds (a training
 * summary); reading needs none of it, but what is there must agree with the tensors.
 */
public final class FlowModelFile {
    /** The model-file format version kdeflow writes. */
    public static final int FORMAT_VERSION = 1;

    public static final String KEY_FORMAT = "format";
    public static final String KEY_VERSION = "kdeflow.format_version";
    public static final String KEY_MODEL = "kdeflow.model";
    public static final String KEY_DIM = "kdeflow.dim";
    public static final String KEY_LAYERS = "kdeflow.layers";
    public static final String KEY_HIDDEN = "kdeflow.hidden";
    public static final String KEY_SLOPE = "kdeflow.leaky_relu_slope";
    public static final String KEY_PRIOR = "kdeflow.prior";

    private FlowModelFile() {
    }

    /** A flow read from a file, with the file's metadata and the dtype its tensors were stored in. */
    public record Loaded(CouplingFlow flow, Map<String, String> metadata, DType dtype) {
        public Loaded {
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * Reads a flow.
     *
     * @throws IllegalArgumentException if the file is not a valid safetensors file holding a coupling flow's
     *                                  state_dict (the message names the file and the tensor)
     * @throws IOException              if the file cannot be read
     */
    public static CouplingFlow load(Path file) throws IOException {
        return read(file).flow();
    }

    /** As {@link #load}, with the metadata and dtype. */
    public static Loaded read(Path file) throws IOException {
        String label = file.toString();
        return fromSafeTensors(SafeTensors.read(file), label);
    }

    /** Builds the flow described by the tensors of {@code st}; {@code label} names the source in messages. */
    public static Loaded fromSafeTensors(SafeTensors st, String label) {
        if (st.metadata().containsKey("checkpoint.version")) {
            throw new IllegalArgumentException(label + ": is a training checkpoint, not a model file; continue it "
                    + "with 'kdeflow train ... --resume " + label + " --save MODEL.safetensors'");
        }
        FlowStateDict sd = FlowStateDict.of(st, label);
        checkMetadata(st.metadata(), sd, label);
        CouplingFlow.Architecture arch;
        try {
            arch = new CouplingFlow.Architecture(sd.dim(), sd.layers(), sd.hidden());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": " + e.getMessage());
        }
        CouplingFlow flow = CouplingFlow.create(arch, 0L);
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (String name : sd.names()) {
            state.put(name, Tensor.of(sd.values(name), sd.shape(name)));
        }
        try {
            flow.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": " + e.getMessage());
        }
        DType dtype = st.tensors().values().iterator().next().dtype();
        return new Loaded(flow, st.metadata(), dtype);
    }

    /**
     * Writes {@code flow} atomically as {@code dtype} with kdeflow's description in {@code __metadata__} plus
     * {@code extraMetadata} (keys must not collide with kdeflow's own).
     */
    public static void save(CouplingFlow flow, Path file, DType dtype, Map<String, String> extraMetadata)
            throws IOException {
        toSafeTensors(flow, extraMetadata).write(file, dtype);
    }

    /** Writes {@code flow} atomically as F64 (exact) with kdeflow's description in {@code __metadata__}. */
    public static void save(CouplingFlow flow, Path file) throws IOException {
        save(flow, file, DType.F64, null);
    }

    /** The tensors and metadata {@link #save} writes. */
    public static SafeTensors toSafeTensors(CouplingFlow flow, Map<String, String> extraMetadata) {
        Objects.requireNonNull(flow, "flow");
        Map<String, String> meta = new LinkedHashMap<>(describe(flow));
        if (extraMetadata != null) {
            for (Map.Entry<String, String> e : extraMetadata.entrySet()) {
                if (meta.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is kdeflow's own");
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : flow.stateDict().entrySet()) {
            tensors.put(e.getKey(), Tensor.of(e.getValue().values(), e.getValue().shape()));
        }
        return SafeTensors.of(tensors, meta);
    }

    /** kdeflow's description of a flow, as written to {@code __metadata__}. */
    public static Map<String, String> describe(CouplingFlow flow) {
        CouplingFlow.Architecture a = flow.architecture();
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KEY_FORMAT, "pt");
        m.put(KEY_VERSION, Integer.toString(FORMAT_VERSION));
        m.put(KEY_MODEL, "CouplingFlow");
        m.put(KEY_DIM, Integer.toString(a.dim()));
        m.put(KEY_LAYERS, Integer.toString(a.layers()));
        m.put(KEY_HIDDEN, joined(a.hidden()));
        m.put(KEY_SLOPE, Double.toString(LeakyReLU.SLOPE));
        m.put(KEY_PRIOR, "standard normal N(0, I)");
        return m;
    }

    private static void checkMetadata(Map<String, String> meta, FlowStateDict sd, String label) {
        String v = meta.get(KEY_VERSION);
        if (v != null) {
            int version = parseInt(v, KEY_VERSION, label);
            if (version > FORMAT_VERSION) {
                throw new IllegalArgumentException(label + ": written in model-file format " + version
                        + " by a newer kdeflow; this one reads format " + FORMAT_VERSION);
            }
        }
        String model = meta.get(KEY_MODEL);
        if (model != null && !model.equals("CouplingFlow")) {
            throw new IllegalArgumentException(label + ": holds a '" + abbreviate(model) + "', not a CouplingFlow");
        }
        agree(meta, KEY_DIM, Integer.toString(sd.dim()), label);
        agree(meta, KEY_LAYERS, Integer.toString(sd.layers()), label);
        agree(meta, KEY_HIDDEN, joined(sd.hidden()), label);
        String slope = meta.get(KEY_SLOPE);
        if (slope != null) {
            double s;
            try {
                s = Double.parseDouble(slope);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(label + ": metadata " + KEY_SLOPE + " '" + abbreviate(slope)
                        + "' is not a number");
            }
            if (s != LeakyReLU.SLOPE) {
                throw new IllegalArgumentException(label + ": the networks use LeakyReLU slope " + abbreviate(slope)
                        + "; kdeflow's flows use " + LeakyReLU.SLOPE);
            }
        }
    }

    private static void agree(Map<String, String> meta, String key, String fromTensors, String label) {
        String v = meta.get(key);
        if (v != null && !v.replace(" ", "").equals(fromTensors)) {
            throw new IllegalArgumentException(label + ": metadata " + key + " = '" + abbreviate(v)
                    + "' disagrees with the tensors (" + fromTensors + ")");
        }
    }

    private static int parseInt(String v, String key, String label) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(label + ": metadata " + key + " '" + abbreviate(v)
                    + "' is not an integer");
        }
    }

    private static String joined(int[] a) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            b.append(i == 0 ? "" : ",").append(a[i]);
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return SafeTensors.abbreviate(s);
    }
}

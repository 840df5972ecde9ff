package org.kdeflow.models;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.formats.Tensor;

/**
 * Saving and loading any kdeflow model — KDE, flow, ensemble, mixture, the homework's coupling flow — as one
 * safetensors file. {@code score}, {@code sample --model}, {@code density} and the Spark module all read models
 * through {@link #load}.
 *
 * <p>Layout: the tensors under names given by the model's codec, and in {@code __metadata__}
 * <ul>
 *   <li>{@value #KEY_MODEL}: the kind ({@code kde}, {@code flow}, {@code mixture}, {@code CouplingFlow});</li>
 *   <li>{@value #KEY_VERSION}: the format version ({@value #FORMAT_VERSION}); a newer one is refused with a clear
 *       message;</li>
 *   <li>{@value #KEY_SPEC}: the model's configuration as compact JSON with a fixed key order (see each codec).</li>
 * </ul>
 * The homework's {@link CouplingFlow} keeps the PyTorch {@code state_dict} layout of {@link FlowModelFile} at the top
 * level (no spec), so files move to and from the notebook's PyTorch model; files PyTorch wrote without any kdeflow
 * metadata are recognised by their tensor names.
 */
public final class ModelFile {
    /** The current format version. Version 1 files (the homework flow only) still load. */
    public static final int FORMAT_VERSION = 2;
    public static final String KEY_MODEL = FlowModelFile.KEY_MODEL;
    public static final String KEY_VERSION = FlowModelFile.KEY_VERSION;
    public static final String KEY_SPEC = "kdeflow.spec";

    static final ObjectMapper JSON = new ObjectMapper();

    /** The codecs, tried in order for writing; looked up by {@link ModelCodec#type()} for reading. */
    static final List<ModelCodec> CODECS = new ArrayList<>(List.of(new CouplingFlowCodec(), new FlowCodec(),
            new MixtureCodec(), new KdeCodec()));

    private ModelFile() {
    }

    /** The codec that writes {@code model}. */
    static ModelCodec codecFor(Density model) {
        for (ModelCodec c : CODECS) {
            if (c.canWrite(model)) {
                return c;
            }
        }
        throw new IllegalArgumentException("kdeflow cannot save a " + model.getClass().getSimpleName());
    }

    /** The codec for a kind read from a file. */
    static ModelCodec codecFor(String type, String label) {
        for (ModelCodec c : CODECS) {
            if (c.type().equals(type)) {
                return c;
            }
        }
        throw new IllegalArgumentException(label + ": holds a model of unknown kind '" + SafeTensors.abbreviate(type)
                + "'");
    }

    /** Writes {@code model} atomically, exactly (F64). */
    public static void save(Density model, Path file) throws IOException {
        save(model, file, DType.F64, null);
    }

    /**
     * Writes {@code model} atomically with its tensors as {@code dtype}, plus {@code extraMetadata} (keys must not be
     * kdeflow's own).
     */
    public static void save(Density model, Path file, DType dtype, Map<String, String> extraMetadata)
            throws IOException {
        toSafeTensors(model, extraMetadata).write(file, dtype);
    }

    /** The tensors and metadata {@link #save} writes. */
    public static SafeTensors toSafeTensors(Density model, Map<String, String> extraMetadata) {
        Objects.requireNonNull(model, "model");
        if (model instanceof CouplingFlow cf) {
            return FlowModelFile.toSafeTensors(cf, extraMetadata);
        }
        ModelCodec codec = codecFor(model);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ObjectNode spec = codec.write(model, "", tensors);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FlowModelFile.KEY_FORMAT, "pt");
        meta.put(KEY_VERSION, Integer.toString(FORMAT_VERSION));
        meta.put(KEY_MODEL, codec.type());
        meta.put(KEY_SPEC, json(spec));
        if (extraMetadata != null) {
            for (Map.Entry<String, String> e : extraMetadata.entrySet()) {
                if (meta.containsKey(e.getKey())) {
                    throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is kdeflow's own");
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        return SafeTensors.of(tensors, meta);
    }

    /**
     * Reads any kdeflow model.
     *
     * @throws IllegalArgumentException if the file is not a model kdeflow can read (the message names the file and
     *                                  what is wrong)
     * @throws IOException              if it cannot be read
     */
    public static Density load(Path file) throws IOException {
        return fromSafeTensors(SafeTensors.read(file), file.toString());
    }

    /** Builds the model held by {@code st}; {@code label} names the source in messages. */
    public static Density fromSafeTensors(SafeTensors st, String label) {
        Map<String, String> meta = st.metadata();
        String type = meta.get(KEY_MODEL);
        if (type == null || type.equals("CouplingFlow")) {
            return FlowModelFile.fromSafeTensors(st, label).flow();
        }
        String v = meta.get(KEY_VERSION);
        if (v != null) {
            int version;
            try {
                version = Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(label + ": metadata " + KEY_VERSION + " '"
                        + SafeTensors.abbreviate(v) + "' is not an integer");
            }
            if (version > FORMAT_VERSION) {
                throw new IllegalArgumentException(label + ": written in model-file format " + version
                        + " by a newer kdeflow; this one reads format " + FORMAT_VERSION);
            }
        }
        ModelCodec codec = codecFor(type, label);
        String specText = meta.get(KEY_SPEC);
        if (specText == null) {
            throw new IllegalArgumentException(label + ": metadata has no " + KEY_SPEC + " describing the " + type);
        }
        return codec.read(parseSpec(specText, label), "", st.tensors(), label);
    }

    static ObjectNode parseSpec(String text, String label) {
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(label + ": metadata " + KEY_SPEC + " is not valid JSON");
        }
        if (!(n instanceof ObjectNode o)) {
            throw new IllegalArgumentException(label + ": metadata " + KEY_SPEC + " is not a JSON object");
        }
        return o;
    }

    static String json(JsonNode n) {
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

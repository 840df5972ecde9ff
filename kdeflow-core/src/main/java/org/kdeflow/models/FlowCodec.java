package org.kdeflow.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.kdeflow.density.Density;
import org.kdeflow.flow.ActNorm;
import org.kdeflow.flow.AffineCouplingBounded;
import org.kdeflow.flow.Base;
import org.kdeflow.flow.DiagonalNormal;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.GaussianMixtureBase;
import org.kdeflow.flow.LuLinear;
import org.kdeflow.flow.Permutation;
import org.kdeflow.flow.Slot;
import org.kdeflow.flow.SplineCoupling;
import org.kdeflow.flow.StandardNormal;
import org.kdeflow.flow.Standardize;
import org.kdeflow.flow.Transform;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.Tensor;

/**
 * A {@link Flow} (model type {@code flow}, format version 2): spec {@code {"dim": d, "base": {...}, "transforms":
 * [{...}, ...]}} with the transforms in the order T_1 … T_K, tensors {@code transforms.{k}.NAME} and
 * {@code base.NAME} as {@link Flow#parameterLayout()} names them. The types, fields and tensors of each base and
 * transform are those of docs/model-files.md (the flow-file section):
 * <ul>
 *   <li>bases {@code normal}, {@code diag_normal} ({@code loc}, {@code log_scale}), {@code mixture} with
 *       {@code components} ({@code logits}, {@code loc}, {@code log_scale});</li>
 *   <li>transforms {@code standardize} ({@code shift}, {@code scale} in the spec), {@code actnorm}
 *       ({@code shift}, {@code log_scale}), {@code permutation} ({@code perm}), {@code lu_linear} ({@code perm};
 *       {@code lower}, {@code upper}, {@code log_diag}, {@code bias}), {@code affine_coupling} ({@code identity},
 *       {@code transformed}, {@code hidden}, {@code clamp}; {@code net.*}), {@code rq_coupling} ({@code identity},
 *       {@code transformed}, {@code hidden}, {@code bins}, {@code bound}, {@code min_width}, {@code min_height},
 *       {@code min_derivative}; {@code net.*}).</li>
 * </ul>
 * Keys are written in that order; numbers as the shortest decimal that reads back to the same double, so a round
 * trip is bit-exact. Reading checks every field and tensor (unknown keys and types, missing, mis-shaped or non-finite
 * tensors, unexpected tensors, dimensions that disagree) and allocates nothing from a size the file merely claims
 * beyond what its tensors hold. The homework's masked {@link org.kdeflow.flow.AffineCoupling} has no form here: its
 * flows are saved as {@link org.kdeflow.flow.CouplingFlow} files.
 */
final class FlowCodec implements ModelCodec {
    /** The largest dimension a file may claim (keeps n·d products far from int overflow). */
    static final int MAX_DIM = 1 << 20;
    /**
     * Parameter counts up to this many values are allocated to find the exact missing or mis-shaped tensor even when
     * the file's tensors hold fewer values than the spec needs; above it such a file is refused by the counts alone.
     */
    private static final long TRIAL_LIMIT = 1L << 22;

    @Override
    public String type() {
        return "flow";
    }

    @Override
    public boolean canWrite(Density model) {
        return model instanceof Flow;
    }

    @Override
    public ObjectNode write(Density model, String prefix, Map<String, Tensor> tensors) {
        Flow flow = (Flow) model;
        ObjectNode spec = ModelFile.JSON.createObjectNode();
        spec.put("dim", flow.dim());
        spec.set("base", baseJson(flow.base().spec(), flow));
        ArrayNode ts = spec.putArray("transforms");
        for (int k = 0; k < flow.size(); k++) {
            ts.add(transformJson(flow.transform(k).spec(), k));
        }
        double[] v = flow.parameters().values();
        for (Map.Entry<String, Slot> e : flow.parameterLayout().entrySet()) {
            Slot s = e.getValue();
            tensors.put(prefix + e.getKey(), Tensor.of(Arrays.copyOfRange(v, s.offset(), s.offset() + s.size()),
                    s.shape()));
        }
        return spec;
    }

    private static ObjectNode baseJson(Base.Spec b, Flow flow) {
        ObjectNode o = ModelFile.JSON.createObjectNode();
        if (b instanceof StandardNormal.Spec) {
            o.put("type", "normal");
        } else if (b instanceof DiagonalNormal.Spec) {
            o.put("type", "diag_normal");
        } else if (b instanceof GaussianMixtureBase.Spec m) {
            o.put("type", "mixture");
            o.put("components", m.components());
        } else {
            throw new IllegalArgumentException("the flow file format has no base " + b.getClass().getName()
                    + " (of " + flow + ")");
        }
        return o;
    }

    private static ObjectNode transformJson(Transform.Spec t, int k) {
        ObjectNode o = ModelFile.JSON.createObjectNode();
        if (t instanceof Standardize.Spec s) {
            o.put("type", "standardize");
            doubles(o.putArray("shift"), s.shift());
            doubles(o.putArray("scale"), s.scale());
        } else if (t instanceof ActNorm.Spec) {
            o.put("type", "actnorm");
        } else if (t instanceof Permutation.Spec s) {
            o.put("type", "permutation");
            ints(o.putArray("perm"), s.perm());
        } else if (t instanceof LuLinear.Spec s) {
            o.put("type", "lu_linear");
            ints(o.putArray("perm"), s.perm());
        } else if (t instanceof AffineCouplingBounded.Spec s) {
            o.put("type", "affine_coupling");
            ints(o.putArray("identity"), s.identity());
            ints(o.putArray("transformed"), s.transformed());
            ints(o.putArray("hidden"), s.hidden());
            o.put("clamp", s.clamp());
        } else if (t instanceof SplineCoupling.Spec s) {
            o.put("type", "rq_coupling");
            ints(o.putArray("identity"), s.identity());
            ints(o.putArray("transformed"), s.transformed());
            ints(o.putArray("hidden"), s.hidden());
            o.put("bins", s.bins());
            o.put("bound", s.bound());
            o.put("min_width", s.minWidth());
            o.put("min_height", s.minHeight());
            o.put("min_derivative", s.minDerivative());
        } else if (t instanceof org.kdeflow.flow.AffineCoupling.Spec) {
            throw new IllegalArgumentException("transform " + k + " is the homework's masked AffineCoupling, which "
                    + "the flow file format does not describe; save the CouplingFlow itself");
        } else {
            throw new IllegalArgumentException("the flow file format has no transform " + t.getClass().getName()
                    + " (transform " + k + ")");
        }
        return o;
    }

    private static void ints(ArrayNode a, int[] v) {
        for (int x : v) {
            a.add(x);
        }
    }

    private static void doubles(ArrayNode a, double[] v) {
        for (double x : v) {
            a.add(x);
        }
    }

    @Override
    public Density read(ObjectNode spec, String prefix, Map<String, Tensor> tensors, String label) {
        SpecFields f = new SpecFields(label);
        String path = SpecFields.path(prefix);
        f.onlyKeys(spec, path, "dim", "base", "transforms");
        int d = f.integer(spec, "dim", path + ".dim", 1, MAX_DIM);
        Base.Spec base = base(f.object(spec, "base", path + ".base"), d, f, path + ".base");
        ArrayNode ts = f.array(spec, "transforms", path + ".transforms");
        List<Transform.Spec> specs = new ArrayList<>(ts.size());
        long count = base.parameterCount();
        for (int k = 0; k < ts.size(); k++) {
            String field = path + ".transforms[" + k + "]";
            Transform.Spec t = transform(f.object(ts.get(k), field), d, f, field);
            count += t.parameterCount();
            specs.add(t);
        }
        long available = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                available += e.getValue().size();
            }
        }
        if (count > available && count > TRIAL_LIMIT) {
            throw f.error(path, "describes " + count + " parameter values, but the file's tensors"
                    + (prefix.isEmpty() ? "" : " under '" + prefix + "'") + " hold only " + available);
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw f.error(path, "describes " + count + " parameter values, too many");
        }
        Flow flow = Flow.uninitialised(base, specs);
        Map<String, Slot> layout = flow.parameterLayout();
        double[] v = flow.parameters().values();
        for (Map.Entry<String, Slot> e : layout.entrySet()) {
            String name = e.getKey();
            Slot s = e.getValue();
            double[] x = f.tensor(tensors, prefix + name, s.shape(), owner(name, flow));
            System.arraycopy(x, 0, v, s.offset(), s.size());
        }
        for (String name : tensors.keySet()) {
            if (name.startsWith(prefix) && !layout.containsKey(name.substring(prefix.length()))) {
                throw f.tensorError(name, "is not a tensor of this flow (" + flow.size() + " transforms, "
                        + layout.size() + " parameter tensors)");
            }
        }
        flow.parameters().changed();
        return flow;
    }

    /** Which part of the flow a tensor belongs to, for messages: "transform 2 (rq_coupling)" or "the base". */
    private static String owner(String name, Flow flow) {
        if (name.startsWith("transforms.")) {
            int k = Integer.parseInt(name.substring("transforms.".length(), name.indexOf('.', "transforms.".length())));
            return "transform " + k + ", " + flow.transform(k).getClass().getSimpleName();
        }
        return "the base, " + flow.base().getClass().getSimpleName();
    }

    private static Base.Spec base(ObjectNode o, int d, SpecFields f, String field) {
        String type = f.text(o, "type", field + ".type");
        try {
            switch (type) {
                case "normal":
                    f.onlyKeys(o, field, "type");
                    return new StandardNormal.Spec(d);
                case "diag_normal":
                    f.onlyKeys(o, field, "type");
                    return new DiagonalNormal.Spec(d);
                case "mixture":
                    f.onlyKeys(o, field, "type", "components");
                    return new GaussianMixtureBase.Spec(d, f.integer(o, "components", field + ".components", 1,
                            MAX_DIM));
                default:
                    throw f.error(field + ".type", "unknown base type '"
                            + SafeTensors.abbreviate(type)
                            + "' (expected normal, diag_normal or mixture)");
            }
        } catch (IllegalArgumentException e) {
            throw f.at(field, e);
        }
    }

    private static Transform.Spec transform(ObjectNode o, int d, SpecFields f, String field) {
        String type = f.text(o, "type", field + ".type");
        Transform.Spec t;
        try {
            switch (type) {
                case "standardize" -> {
                    f.onlyKeys(o, field, "type", "shift", "scale");
                    t = new Standardize.Spec(f.numbers(o, "shift", field + ".shift", MAX_DIM),
                            f.numbers(o, "scale", field + ".scale", MAX_DIM));
                }
                case "actnorm" -> {
                    f.onlyKeys(o, field, "type");
                    t = new ActNorm.Spec(d);
                }
                case "permutation" -> {
                    f.onlyKeys(o, field, "type", "perm");
                    t = new Permutation.Spec(f.integers(o, "perm", field + ".perm", MAX_DIM));
                }
                case "lu_linear" -> {
                    f.onlyKeys(o, field, "type", "perm");
                    t = new LuLinear.Spec(f.integers(o, "perm", field + ".perm", MAX_DIM));
                }
                case "affine_coupling" -> {
                    f.onlyKeys(o, field, "type", "identity", "transformed", "hidden", "clamp");
                    t = new AffineCouplingBounded.Spec(f.integers(o, "identity", field + ".identity", MAX_DIM),
                            f.integers(o, "transformed", field + ".transformed", MAX_DIM),
                            f.integers(o, "hidden", field + ".hidden", 1024),
                            f.number(o, "clamp", field + ".clamp"));
                }
                case "rq_coupling" -> {
                    f.onlyKeys(o, field, "type", "identity", "transformed", "hidden", "bins", "bound", "min_width",
                            "min_height", "min_derivative");
                    t = new SplineCoupling.Spec(f.integers(o, "identity", field + ".identity", MAX_DIM),
                            f.integers(o, "transformed", field + ".transformed", MAX_DIM),
                            f.integers(o, "hidden", field + ".hidden", 1024),
                            f.integer(o, "bins", field + ".bins", 1, 1 << 16),
                            f.number(o, "bound", field + ".bound"),
                            f.number(o, "min_width", field + ".min_width"),
                            f.number(o, "min_height", field + ".min_height"),
                            f.number(o, "min_derivative", field + ".min_derivative"));
                }
                default -> throw f.error(field + ".type", "unknown transform type '"
                        + SafeTensors.abbreviate(type) + "' (expected standardize, actnorm, "
                        + "permutation, lu_linear, affine_coupling or rq_coupling)");
            }
        } catch (IllegalArgumentException e) {
            throw f.at(field, e);
        }
        if (t.dim() != d) {
            throw f.error(field, type + " of dimension " + t.dim() + " in a flow of dimension " + d);
        }
        return t;
    }
}

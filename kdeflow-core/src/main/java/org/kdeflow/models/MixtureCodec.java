package org.kdeflow.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kdeflow.density.Density;
import org.kdeflow.density.MixtureDensity;
import org.kdeflow.formats.Tensor;

/**
 * A {@link MixtureDensity} (model type {@code mixture}): spec
 * {@code {"weights": [ω_0, …], "components": [{"model": TYPE, "spec": {...}}, …]}} with the relative weights as
 * given, and component i written by its own codec with its tensors under {@code components.{i}.} (so mixtures nest:
 * a component's own components live under {@code components.{i}.components.{j}.}). Reading refuses negative or
 * non-finite weights, weights that are all 0, a weight count that differs from the component count, components of
 * different dimensions, unknown component types and tensors under the prefix that belong to no component.
 */
final class MixtureCodec implements ModelCodec {
    /** The most components a file may claim. */
    static final int MAX_COMPONENTS = 1 << 16;

    @Override
    public String type() {
        return "mixture";
    }

    @Override
    public boolean canWrite(Density model) {
        return model instanceof MixtureDensity;
    }

    @Override
    public ObjectNode write(Density model, String prefix, Map<String, Tensor> tensors) {
        MixtureDensity mix = (MixtureDensity) model;
        ObjectNode spec = ModelFile.JSON.createObjectNode();
        ArrayNode w = spec.putArray("weights");
        for (double x : mix.weights()) {
            w.add(x);
        }
        ArrayNode cs = spec.putArray("components");
        for (int i = 0; i < mix.size(); i++) {
            Density c = mix.component(i);
            ModelCodec codec = ModelFile.codecFor(c);
            ObjectNode entry = cs.addObject();
            entry.put("model", codec.type());
            entry.set("spec", codec.write(c, prefix + "components." + i + ".", tensors));
        }
        return spec;
    }

    @Override
    public Density read(ObjectNode spec, String prefix, Map<String, Tensor> tensors, String label) {
        SpecFields f = new SpecFields(label);
        String path = SpecFields.path(prefix);
        f.onlyKeys(spec, path, "weights", "components");
        double[] weights = f.numbers(spec, "weights", path + ".weights", MAX_COMPONENTS);
        ArrayNode cs = f.array(spec, "components", path + ".components");
        if (cs.size() != weights.length) {
            throw f.error(path, cs.size() + " components but " + weights.length + " weights");
        }
        List<Density> components = new ArrayList<>(cs.size());
        for (int i = 0; i < cs.size(); i++) {
            String field = path + ".components[" + i + "]";
            ObjectNode entry = f.object(cs.get(i), field);
            f.onlyKeys(entry, field, "model", "spec");
            String type = f.text(entry, "model", field + ".model");
            ModelCodec codec;
            try {
                codec = ModelFile.codecFor(type, label);
            } catch (IllegalArgumentException e) {
                throw f.error(field + ".model", "unknown model type '"
                        + org.kdeflow.formats.SafeTensors.abbreviate(type) + "'");
            }
            ObjectNode cspec = f.object(entry, "spec", field + ".spec");
            components.add(codec.read(cspec, prefix + "components." + i + ".", tensors, label));
        }
        for (String name : tensors.keySet()) {
            if (name.startsWith(prefix) && component(name.substring(prefix.length())) >= cs.size()) {
                throw f.tensorError(name, "belongs to no component of this mixture of " + cs.size());
            }
        }
        try {
            return MixtureDensity.of(components, weights);
        } catch (IllegalArgumentException e) {
            throw f.at(path, e);
        }
    }

    /** i for a name {@code components.{i}.…}, else {@link Integer#MAX_VALUE}. */
    private static int component(String rest) {
        if (!rest.startsWith("components.")) {
            return Integer.MAX_VALUE;
        }
        int from = "components.".length();
        int dot = rest.indexOf('.', from);
        if (dot <= from || dot - from > 9) {
            return Integer.MAX_VALUE;
        }
        for (int k = from; k < dot; k++) {
            if (!Character.isDigit(rest.charAt(k)) || (k == from && rest.charAt(k) == '0' && dot - from > 1)) {
                return Integer.MAX_VALUE;
            }
        }
        return Integer.parseInt(rest.substring(from, dot));
    }
}

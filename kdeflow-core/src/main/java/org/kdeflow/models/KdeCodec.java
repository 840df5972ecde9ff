package org.kdeflow.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.Tensor;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.Bounds;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;

/**
 * A {@link KernelDensity} as a model file (type {@value #TYPE}). Tensors, under the prefix:
 * <ul>
 *   <li>{@code samples} [n, d]: the samples xᵢ, row-major;</li>
 *   <li>{@code weights} [n]: the normalised weights ωᵢ (summing to 1);</li>
 *   <li>{@code bandwidth} [d, d]: H, row-major (the kernel covariance is H·Hᵀ);</li>
 *   <li>{@code factors} [n]: the per-sample factors λᵢ, only for an adaptive estimate.</li>
 * </ul>
 * Spec (keys in this order): {@code kernel} ("gaussian" / "epanechnikov"), {@code form} ("scalar", "diagonal",
 * "full": how H was given), {@code dim}, {@code samples} (n), {@code bounds} (null on ℝᵈ, else
 * {@code {"lower": [...], "upper": [...]}} with null for an infinite bound). Written as F64, a model reads back to
 * the same estimate: the same log-densities bit for bit ({@link KernelDensity#restore}).
 */
final class KdeCodec implements ModelCodec {
    static final String TYPE = "kde";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public boolean canWrite(Density model) {
        return model instanceof KernelDensity;
    }

    @Override
    public ObjectNode write(Density model, String prefix, Map<String, Tensor> tensors) {
        KernelDensity kde = (KernelDensity) model;
        int n = kde.size();
        int d = kde.dim();
        Bandwidth h = kde.bandwidth();
        tensors.put(prefix + "samples", Tensor.of(kde.samples().toArray(), n, d));
        tensors.put(prefix + "weights", Tensor.of(kde.weights(), n));
        tensors.put(prefix + "bandwidth", Tensor.of(h.matrix(), d, d));
        if (h.isAdaptive()) {
            tensors.put(prefix + "factors", Tensor.of(h.factors(), n));
        }
        ObjectNode spec = ModelFile.JSON.createObjectNode();
        spec.put("kernel", kde.kernel().name().toLowerCase(Locale.ROOT));
        spec.put("form", h.kind().name().toLowerCase(Locale.ROOT));
        spec.put("dim", d);
        spec.put("samples", n);
        Bounds b = kde.bounds();
        if (!b.isBounded()) {
            spec.putNull("bounds");
        } else {
            ObjectNode bn = spec.putObject("bounds");
            ArrayNode lo = bn.putArray("lower");
            ArrayNode hi = bn.putArray("upper");
            for (int j = 0; j < d; j++) {
                if (b.lower(j) == Double.NEGATIVE_INFINITY) {
                    lo.addNull();
                } else {
                    lo.add(b.lower(j));
                }
                if (b.upper(j) == Double.POSITIVE_INFINITY) {
                    hi.addNull();
                } else {
                    hi.add(b.upper(j));
                }
            }
        }
        return spec;
    }

    @Override
    public Density read(ObjectNode spec, String prefix, Map<String, Tensor> tensors, String label) {
        Kernel kernel;
        String kernelName = text(spec, "kernel", label);
        try {
            kernel = Kernel.parse(kernelName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": spec field 'kernel' names an unknown kernel '"
                    + SafeTensors.abbreviate(kernelName) + "' (expected gaussian or epanechnikov)");
        }
        String formName = text(spec, "form", label);
        Bandwidth.Kind form;
        try {
            form = Bandwidth.Kind.valueOf(formName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": spec field 'form' is '" + SafeTensors.abbreviate(formName)
                    + "' (expected scalar, diagonal or full)");
        }
        int d = integer(spec, "dim", label);
        int n = integer(spec, "samples", label);
        double[] x = tensor(tensors, prefix, "samples", label, n, d);
        double[] w = tensor(tensors, prefix, "weights", label, n);
        double[] hm = tensor(tensors, prefix, "bandwidth", label, d, d);
        Tensor f = tensors.get(prefix + "factors");
        double[] lambda = f == null ? null : tensor(tensors, prefix, "factors", label, n);
        for (int i = 0; i < n; i++) {
            if (w[i] < 0) {
                throw new IllegalArgumentException(label + ": tensor '" + prefix + "weights' holds the negative "
                        + "weight " + w[i] + " at [" + i + "]");
            }
            if (lambda != null && !(lambda[i] > 0)) {
                throw new IllegalArgumentException(label + ": tensor '" + prefix + "factors' holds the factor "
                        + lambda[i] + " at [" + i + "]; factors must be > 0");
            }
        }
        Bandwidth h;
        try {
            h = bandwidth(hm, d, form).withFactors(lambda);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": tensor '" + prefix + "bandwidth': " + e.getMessage());
        }
        Bounds bounds = bounds(spec, d, label);
        try {
            return KernelDensity.restore(Dataset.of(x, n, d), w, h, kernel, bounds);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": tensor '" + prefix + "weights': " + e.getMessage());
        }
    }

    /** H in the stored form; a scalar or diagonal form must have the matching zeros. */
    private static Bandwidth bandwidth(double[] m, int d, Bandwidth.Kind form) {
        if (form == Bandwidth.Kind.FULL) {
            return Bandwidth.full(m, d);
        }
        double[] diag = new double[d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                if (r != c && m[r * d + c] != 0) {
                    throw new IllegalArgumentException("the form is " + form.name().toLowerCase(Locale.ROOT)
                            + " but entry (" + (r + 1) + "," + (c + 1) + ") is " + m[r * d + c]);
                }
            }
            diag[r] = m[r * d + r];
        }
        if (form == Bandwidth.Kind.SCALAR) {
            for (int j = 1; j < d; j++) {
                if (diag[j] != diag[0]) {
                    throw new IllegalArgumentException("the form is scalar but the diagonal is not constant: "
                            + java.util.Arrays.toString(diag));
                }
            }
            return Bandwidth.scalar(diag[0], d);
        }
        return Bandwidth.diagonal(diag);
    }

    private static Bounds bounds(ObjectNode spec, int d, String label) {
        JsonNode b = spec.get("bounds");
        if (b == null || b.isNull()) {
            return null;
        }
        JsonNode lo = b.get("lower");
        JsonNode hi = b.get("upper");
        if (!(b.isObject() && lo != null && hi != null && lo.isArray() && hi.isArray() && lo.size() == d
                && hi.size() == d)) {
            throw new IllegalArgumentException(label + ": spec field 'bounds' must be null or {\"lower\": [...], "
                    + "\"upper\": [...]} with " + d + " entries each");
        }
        double[] a = new double[d];
        double[] c = new double[d];
        for (int j = 0; j < d; j++) {
            a[j] = bound(lo.get(j), Double.NEGATIVE_INFINITY, label);
            c[j] = bound(hi.get(j), Double.POSITIVE_INFINITY, label);
        }
        try {
            return Bounds.of(a, c);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(label + ": spec field 'bounds': " + e.getMessage());
        }
    }

    private static double bound(JsonNode v, double open, String label) {
        if (v.isNull()) {
            return open;
        }
        if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException(label + ": spec field 'bounds' holds '"
                    + SafeTensors.abbreviate(v.toString()) + "'; bounds are numbers or null");
        }
        return v.asDouble();
    }

    private static String text(ObjectNode spec, String key, String label) {
        JsonNode v = spec.get(key);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(label + ": spec field '" + key + "' is missing or not a string");
        }
        return v.asText();
    }

    private static int integer(ObjectNode spec, String key, String label) {
        JsonNode v = spec.get(key);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
            throw new IllegalArgumentException(label + ": spec field '" + key + "' must be an integer >= 1, got "
                    + (v == null ? "nothing" : SafeTensors.abbreviate(v.toString())));
        }
        return v.asInt();
    }

    /** The finite elements of tensor {@code name}, which must have exactly the given shape. */
    private static double[] tensor(Map<String, Tensor> tensors, String prefix, String name, String label,
                                   int... shape) {
        Tensor t = tensors.get(prefix + name);
        if (t == null) {
            throw new IllegalArgumentException(label + ": tensor '" + prefix + name + "' is missing");
        }
        if (!t.hasShape(shape)) {
            throw new IllegalArgumentException(label + ": tensor '" + prefix + name + "' has shape "
                    + t.shapeString() + ", expected " + java.util.Arrays.toString(shape));
        }
        double[] v = t.values();
        for (int k = 0; k < v.length; k++) {
            if (!Double.isFinite(v[k])) {
                throw new IllegalArgumentException(label + ": tensor '" + prefix + name + "' holds " + v[k]
                        + " at element " + k);
            }
        }
        return v;
    }
}

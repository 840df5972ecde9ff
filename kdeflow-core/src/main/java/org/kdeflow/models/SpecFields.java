package org.kdeflow.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.Tensor;

/**
 * Reading a model's spec (JSON) and tensors from a file that may be hostile: every accessor checks presence, type
 * and range and throws one {@link IllegalArgumentException} that starts with the file's label and names the field
 * by its path in {@value ModelFile#KEY_SPEC} (e.g. {@code kdeflow.spec.transforms[2].perm}) or the tensor by its full
 * name.
 */
final class SpecFields {
    private final String label;

    SpecFields(String label) {
        this.label = label;
    }

    /**
     * The path of the spec of the model whose tensors live under {@code prefix}: {@code kdeflow.spec} at the top, and
     * {@code .components[i].spec} for each {@code components.{i}.} of a mixture's prefix.
     */
    static String path(String prefix) {
        StringBuilder p = new StringBuilder(ModelFile.KEY_SPEC);
        String rest = prefix;
        while (rest.startsWith("components.")) {
            int dot = rest.indexOf('.', "components.".length());
            if (dot < 0) {
                break;
            }
            p.append(".components[").append(rest, "components.".length(), dot).append("].spec");
            rest = rest.substring(dot + 1);
        }
        return p.toString();
    }

    /** An error that already names the file and the field. */
    static final class FieldException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        FieldException(String message) {
            super(message);
        }
    }

    FieldException error(String field, String message) {
        return new FieldException(label + ": " + field + ": " + message);
    }

    FieldException tensorError(String name, String message) {
        return new FieldException(label + ": tensor '" + SafeTensors.abbreviate(name) + "' " + message);
    }

    /**
     * {@code e} itself when it already names the file and field, else the same message with the file and
     * {@code field} in front (for the validation messages of the specs' own constructors).
     */
    FieldException at(String field, IllegalArgumentException e) {
        return e instanceof FieldException fe ? fe : error(field, e.getMessage());
    }

    /** Refuses keys of {@code o} other than {@code allowed}. */
    void onlyKeys(ObjectNode o, String field, String... allowed) {
        List<String> ok = Arrays.asList(allowed);
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ok.contains(k)) {
                throw error(field, "unknown key '" + SafeTensors.abbreviate(k) + "' (expected " + String.join(", ",
                        allowed) + ")");
            }
        }
    }

    JsonNode required(ObjectNode o, String key, String field) {
        JsonNode n = o.get(key);
        if (n == null || n.isNull()) {
            throw error(field, "is missing");
        }
        return n;
    }

    ObjectNode object(ObjectNode o, String key, String field) {
        JsonNode n = required(o, key, field);
        if (!(n instanceof ObjectNode on)) {
            throw error(field, "must be a JSON object, got " + kind(n));
        }
        return on;
    }

    ObjectNode object(JsonNode n, String field) {
        if (!(n instanceof ObjectNode on)) {
            throw error(field, "must be a JSON object, got " + kind(n));
        }
        return on;
    }

    ArrayNode array(ObjectNode o, String key, String field) {
        JsonNode n = required(o, key, field);
        if (!(n instanceof ArrayNode an)) {
            throw error(field, "must be a JSON array, got " + kind(n));
        }
        return an;
    }

    String text(ObjectNode o, String key, String field) {
        JsonNode n = required(o, key, field);
        if (!n.isTextual()) {
            throw error(field, "must be a string, got " + kind(n));
        }
        return n.textValue();
    }

    int integer(JsonNode n, String field, int min, int max) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
            throw error(field, "must be an integer, got " + kind(n));
        }
        int v = n.intValue();
        if (v < min || v > max) {
            throw error(field, "must be in " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    int integer(ObjectNode o, String key, String field, int min, int max) {
        return integer(required(o, key, field), field, min, max);
    }

    double number(JsonNode n, String field) {
        if (n == null || !n.isNumber()) {
            throw error(field, "must be a number, got " + kind(n));
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v)) {
            throw error(field, "must be finite, got " + SafeTensors.abbreviate(n.toString()));
        }
        return v;
    }

    double number(ObjectNode o, String key, String field) {
        return number(required(o, key, field), field);
    }

    int[] integers(ObjectNode o, String key, String field, int max) {
        ArrayNode a = array(o, key, field);
        if (a.size() > max) {
            throw error(field, "has " + a.size() + " entries, at most " + max + " allowed");
        }
        int[] v = new int[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = integer(a.get(i), field + "[" + i + "]", Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return v;
    }

    double[] numbers(ObjectNode o, String key, String field, int max) {
        ArrayNode a = array(o, key, field);
        if (a.size() > max) {
            throw error(field, "has " + a.size() + " entries, at most " + max + " allowed");
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = number(a.get(i), field + "[" + i + "]");
        }
        return v;
    }

    /** The tensor {@code name}: present, of the given shape, every value finite; its values (a copy). */
    double[] tensor(Map<String, Tensor> tensors, String name, int[] shape, String what) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw tensorError(name, "is missing (" + what + ")");
        }
        if (!t.hasShape(shape)) {
            throw tensorError(name, "has shape " + t.shapeString() + ", expected " + Arrays.toString(shape) + " ("
                    + what + ")");
        }
        double[] v = t.values();
        for (int j = 0; j < v.length; j++) {
            if (!Double.isFinite(v[j])) {
                throw tensorError(name, "holds the non-finite value " + v[j] + " at index " + j);
            }
        }
        return v;
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "nothing";
        }
        String s = n.toString();
        return n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + SafeTensors.abbreviate(s);
    }
}

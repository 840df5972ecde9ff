package org.kdeflow.cli.homework;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.kdeflow.formats.AtomicFiles;

/**
 * The numbers behind the report, as one JSON tree: everything the report quotes, plus software versions, seeds and
 * timings. Thread-safe for the stages that fill it from pool threads. Timings live under the top-level
 * {@code "timings"} object and nowhere else, so two runs with the same seed agree on everything outside it.
 */
public final class Metrics {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root = JSON.createObjectNode();

    /** The object at a path of keys, created on the way. */
    public synchronized ObjectNode at(String... path) {
        ObjectNode n = root;
        for (String k : path) {
            JsonNode c = n.get(k);
            if (c == null) {
                c = n.putObject(k);
            } else if (!c.isObject()) {
                throw new IllegalStateException("metrics: '" + k + "' is not an object");
            }
            n = (ObjectNode) c;
        }
        return n;
    }

    /** Sets a number at {@code path…/key}. Non-finite values are written as JSON strings ("NaN", "Infinity"). */
    public synchronized void put(double value, String... path) {
        ObjectNode parent = at(java.util.Arrays.copyOf(path, path.length - 1));
        String key = path[path.length - 1];
        if (Double.isFinite(value)) {
            parent.put(key, value);
        } else {
            parent.put(key, Double.toString(value));
        }
    }

    /** Sets an integer at {@code path…/key}. */
    public synchronized void put(long value, String... path) {
        at(java.util.Arrays.copyOf(path, path.length - 1)).put(path[path.length - 1], value);
    }

    /** Sets an array of numbers at {@code path…/key}. */
    public synchronized void putArray(double[] values, String... path) {
        ObjectNode parent = at(java.util.Arrays.copyOf(path, path.length - 1));
        ArrayNode a = parent.putArray(path[path.length - 1]);
        for (double v : values) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.add(Double.toString(v));
            }
        }
    }

    /** Sets a string at {@code path…/key}. */
    public synchronized void putText(String value, String... path) {
        at(java.util.Arrays.copyOf(path, path.length - 1)).put(path[path.length - 1], value);
    }

    /** The tree (live; callers synchronise on nothing and must not modify it while stages run). */
    public synchronized ObjectNode tree() {
        return root;
    }

    /** Writes the tree atomically as indented JSON. */
    public synchronized void write(Path file) throws IOException {
        AtomicFiles.write(file, JSON.writeValueAsBytes(root));
    }
}

package org.kdeflow.kde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The values {@code scipy-kde/make_reference.py} wrote with scipy 1.17 into {@code scipy-kde/reference.json}
 * (infinities as the strings "inf" / "-inf").
 */
final class ScipyReference {
    static final JsonNode ROOT = load();

    private ScipyReference() {
    }

    private static JsonNode load() {
        try (InputStream in = ScipyReference.class.getResourceAsStream("/scipy-kde/reference.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode node(String path) {
        JsonNode n = ROOT;
        for (String p : path.split("\\.")) {
            n = n.get(p);
        }
        return n;
    }

    static double number(JsonNode v) {
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> throw new IllegalArgumentException(v.asText());
            };
        }
        return v.asDouble();
    }

    /** A flat array; nested arrays (rows) are concatenated row-major. */
    static double[] array(String path) {
        JsonNode n = node(path);
        int rows = n.size();
        int cols = rows > 0 && n.get(0).isArray() ? n.get(0).size() : 1;
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            JsonNode row = n.get(r);
            if (row.isArray()) {
                for (int c = 0; c < cols; c++) {
                    out[r * cols + c] = number(row.get(c));
                }
            } else {
                out[r] = number(row);
            }
        }
        return out;
    }

    /** The number of columns of a nested array (1 for a flat one). */
    static int cols(String path) {
        JsonNode n = node(path);
        return n.size() > 0 && n.get(0).isArray() ? n.get(0).size() : 1;
    }
}

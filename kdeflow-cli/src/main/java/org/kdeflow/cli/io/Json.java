package org.kdeflow.cli.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The one JSON writer of the command line (metrics.json, the training summary in model files, benchmark figures),
 * with a fixed key order so that the same run gives the same bytes: a map keeps its order when it has one
 * ({@link LinkedHashMap}, {@link SortedMap}) and is written sorted by key otherwise ({@link Map#of},
 * {@link java.util.HashMap}, whose order changes from one JVM to the next). Records keep their components' order.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    /** Indented UTF-8 JSON. */
    public static byte[] pretty(Object value) {
        try {
            return PRETTY.writeValueAsBytes(ordered(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Compact JSON (for a metadata value). */
    public static String compact(Object value) {
        try {
            return MAPPER.writeValueAsString(ordered(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code value} with every map of no defined order replaced by a sorted copy, recursively. */
    static Object ordered(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> copy = m instanceof LinkedHashMap || m instanceof SortedMap ? new LinkedHashMap<>()
                    : new TreeMap<>((a, b) -> String.valueOf(a).compareTo(String.valueOf(b)));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                copy.put(e.getKey(), ordered(e.getValue()));
            }
            return copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>(l.size());
            for (Object o : l) {
                copy.add(ordered(o));
            }
            return copy;
        }
        return value;
    }
}

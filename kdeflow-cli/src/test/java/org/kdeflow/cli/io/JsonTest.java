package org.kdeflow.cli.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one JSON writer: the same content gives the same bytes in every JVM. */
class JsonTest {
    @Test
    void mapsWithoutAnOrderAreWrittenSortedAndOrderedMapsKeepTheirs() {
        // Map.of iterates in an order that changes from one JVM to the next (a random salt): the defect that made
        // two identical 'train --save' runs write different model files.
        Map<String, Object> source = Map.of("name", "moons", "title", "Moons, n = 1500, seed 0", "seed", 0L);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("source", source);
        summary.put("epochs_run", 3);
        summary.put("list", List.of(Map.of("b", 1, "a", 2)));
        assertEquals("{\"source\":{\"name\":\"moons\",\"seed\":0,\"title\":\"Moons, n = 1500, seed 0\"},"
                + "\"epochs_run\":3,\"list\":[{\"a\":2,\"b\":1}]}", Json.compact(summary));
        assertEquals("{\n  \"a\" : 2,\n  \"b\" : 1\n}", new String(Json.pretty(Map.of("b", 1, "a", 2)),
                StandardCharsets.UTF_8));
    }
}

package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.models.FlowModelFile;

/** Same run, same bytes (in two JVMs), and concurrent writers of the same outputs. */
class ReliabilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static List<String> train(Path dir, String suffix, String... more) {
        List<String> a = new ArrayList<>(List.of(HostileInputTest.trainArgs("--epochs", "3", "--reshuffle",
                "--out", dir.resolve("o" + suffix).toString(), "--save", dir.resolve("m" + suffix + ".safetensors")
                        .toString(), "--checkpoint", dir.resolve("c" + suffix + ".ckpt").toString())));
        a.addAll(List.of(more));
        return a;
    }

    /**
     * The JSON summary inside a model file once came out with its keys in another order in every JVM (a
     * {@code Map.of}); two runs of the same command in two JVMs must write the same bytes: the model, the figures,
     * the folder's stamp, metrics.json (but for its wall time) and the checkpoint (but for its elapsed time).
     */
    @Test
    void twoJvmsWriteTheSameBytes() throws Exception {
        List<String> child = Child.run(dir, Map.of(), List.of(train(dir, "A")));
        assertEquals("EXIT 0", child.get(0), String.join("\n", child));
        Run r = Run.of(train(dir, "B").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(dir.resolve("mA.safetensors")),
                Files.readAllBytes(dir.resolve("mB.safetensors")), "model files");
        for (String f : List.of(".kdeflow", "density.png", "density.svg", "layers.png", "layers.svg", "loss.png")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("oA").resolve(f)),
                    Files.readAllBytes(dir.resolve("oB").resolve(f)), f);
        }
        ObjectNode a = (ObjectNode) JSON.readTree(dir.resolve("oA/metrics.json").toFile());
        ObjectNode b = (ObjectNode) JSON.readTree(dir.resolve("oB/metrics.json").toFile());
        a.remove("wall_seconds");
        b.remove("wall_seconds");
        assertEquals(JSON.writeValueAsString(a), JSON.writeValueAsString(b), "metrics.json, keys in the same order");
        SafeTensors ca = SafeTensors.read(dir.resolve("cA.ckpt"));
        SafeTensors cb = SafeTensors.read(dir.resolve("cB.ckpt"));
        assertEquals(ca.tensors(), cb.tensors(), "checkpoint tensors");
        Map<String, String> ma = new LinkedHashMap<>(ca.metadata());
        Map<String, String> mb = new LinkedHashMap<>(cb.metadata());
        ma.remove("checkpoint.elapsed_nanos");
        mb.remove("checkpoint.elapsed_nanos");
        assertEquals(List.copyOf(ma.entrySet()), List.copyOf(mb.entrySet()), "checkpoint metadata, in order");
        JsonNode summary = JSON.readTree(FlowModelFile.read(dir.resolve("mA.safetensors")).metadata()
                .get("kdeflow.training"));
        List<String> keys = new ArrayList<>();
        summary.get("source").fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("name", "title", "seed"), keys, "the summary's source in its documented order");
    }

    /**
     * Two trainings with the same --out and --save at the same time: each commit is whole, so the folder and the
     * model always come from the same run (here told apart by their epoch counts), never a mixture.
     */
    @Test
    void concurrentWritersOfTheSameOutputsNeverMix() throws Exception {
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> writers = new ArrayList<>();
        for (String epochs : List.of("2", "3")) {
            Thread t = new Thread(() -> {
                for (int round = 0; round < 4; round++) {
                    Run r = Run.of(HostileInputTest.trainArgs("--epochs", epochs, "--out", dir.resolve("o").toString(),
                            "--save", dir.resolve("m.safetensors").toString()));
                    if (r.code() != 0) {
                        failures.add(new AssertionError(r.err()));
                    }
                }
            });
            writers.add(t);
            t.start();
        }
        for (Thread t : writers) {
            t.join();
        }
        assertEquals(List.of(), failures);
        int folder = JSON.readTree(dir.resolve("o/metrics.json").toFile()).get("epochs_run").asInt();
        int model = JSON.readTree(FlowModelFile.read(dir.resolve("m.safetensors")).metadata()
                .get("kdeflow.training")).get("epochs_run").asInt();
        assertEquals(folder, model, "the folder and the model of one run");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("m.safetensors", "o"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging folder or lock file left");
        }
        assertTrue(folder == 2 || folder == 3);
    }
}

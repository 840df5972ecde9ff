package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.cli.bench.FlowBench;
import org.kdeflow.train.Trainer;

/** {@code --precision} of {@code kdeflow train} and {@code kdeflow bench flow}. */
class PrecisionOptionTest {
    @TempDir
    Path dir;

    @Test
    void trainsInFloatAndRecordsIt() throws IOException {
        Path out = dir.resolve("f32");
        Run r = Run.of("train", "--dist", "moons", "--n", "200", "--epochs", "2", "--test-n", "300", "--grid", "10",
                "--precision", "f32", "--quiet", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals("f32", m.get("training").get("precision").asText());
        assertTrue(m.get("kernel").asText().startsWith("float32 "), m.get("kernel").asText());
        assertTrue(Double.isFinite(m.get("held_out").get("nll").asDouble()));
        Path d = dir.resolve("f64");
        Run r64 = Run.of("train", "--dist", "moons", "--n", "200", "--epochs", "2", "--test-n", "0", "--grid", "10",
                "--quiet", "--out", d.toString());
        assertEquals(0, r64.code(), r64.err());
        assertEquals("f64", new ObjectMapper().readTree(d.resolve("metrics.json").toFile()).get("training")
                .get("precision").asText(), "double by default");
    }

    /**
     * Weights and the optimizer stay double in float32 training, so a float32 run checkpoints and resumes like a
     * double one (the checkpoint records the precision, and resuming with the other one is refused).
     */
    @Test
    void checkpointsFloatRunsAndRefusesUnknownValues() throws IOException {
        Path out = dir.resolve("never");
        Path ckpt = dir.resolve("c.ckpt");
        Run ck = Run.of("train", "--dist", "moons", "--n", "200", "--epochs", "2", "--precision", "f32",
                "--transforms", "1", "--hidden", "8", "--checkpoint", ckpt.toString(), "--quiet");
        assertEquals(0, ck.code(), ck.err());
        Run rs = Run.of("train", "--dist", "moons", "--n", "200", "--epochs", "3", "--precision", "F32",
                "--transforms", "1", "--hidden", "8", "--resume", ckpt.toString(), "--checkpoint", ckpt.toString(),
                "--quiet");
        assertEquals(0, rs.code(), rs.err());
        Run other = Run.of("train", "--dist", "moons", "--n", "200", "--epochs", "3", "--transforms", "1",
                "--hidden", "8", "--resume", ckpt.toString(), "--out", out.toString());
        assertEquals(2, other.code());
        assertTrue(other.err().contains("--precision f32, this command has f64"), other.err());
        Run bad = Run.of("train", "--dist", "moons", "--epochs", "1", "--precision", "f16", "--out", out.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("expected f64 or f32, got 'f16'"), bad.err());
        Run bench = Run.of("bench", "flow", "--precision", "half");
        assertEquals(2, bench.code());
        assertFalse(Files.exists(out));
    }

    @Test
    void benchmarkRunsInFloat() {
        FlowBench.Config c = new FlowBench.Config("moons", 40, 5, 2, 2, 64, 1, 0, 8, 100, 1, org.kdeflow.nn.Precision.F32);
        FlowBench.Result r = FlowBench.run(c, null);
        assertTrue(r.kernel().startsWith("float32 "), r.kernel());
        assertTrue(Double.isFinite(r.heldOutNll()));
        assertTrue(r.step().lossAndGradient() > 0);
        assertEquals(org.kdeflow.nn.Precision.F64, FlowBench.Config.homework().precision());
    }

    /** The spline-flow benchmark runs in both precisions and reports a per-epoch time and a falling loss. */
    @Test
    void splineBenchmarkRuns() {
        for (String p : new String[] {"f64", "f32"}) {
            Run r = Run.of("bench", "flow", "--flow", "nsf", "--quick", "--epochs", "2", "--precision", p);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("per epoch, median of 2 after 20 warm-up"), r.out());
            assertTrue(r.out().contains("22 steps per epoch, 17349 parameters"), r.out());
        }
        Run bad = Run.of("bench", "flow", "--flow", "glow", "--epochs", "1");
        assertEquals(2, bad.code());
    }
}

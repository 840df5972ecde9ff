package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.cli.bench.FlowBench;
import org.kdeflow.flow.CouplingFlow;

class TrainCommandTest {
    @TempDir
    Path dir;

    static Run run(String... args) {
        return Run.of(args);
    }

    @Test
    void trainsOnAToySetAndWritesFiguresAndMetrics() throws IOException {
        Path out = dir.resolve("moons");
        Run r = run("train", "--flow", "homework", "--dist", "moons", "--n", "300", "--epochs", "3", "--test-n",
                "500", "--grid", "20", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("density.png", "density.svg", "layers.png", "layers.svg", "loss.png",
                "metrics.json")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(3, m.get("epochs_run").asInt());
        assertEquals(3, m.get("train_losses").size());
        assertEquals(3, m.get("valid_losses").size());
        assertEquals(270, m.get("train_size").asInt());
        assertEquals(30, m.get("valid_size").asInt());
        assertEquals("final", m.get("returned_weights").asText(), "30 < 500 validation points: the notebook rule");
        assertEquals(500, m.get("held_out").get("n").asInt());
        assertTrue(Double.isFinite(m.get("held_out").get("nll").asDouble()));
        assertEquals(m.get("valid_losses").get(2).asDouble(), m.get("final_valid_loss").asDouble(), 0.0);
        assertTrue(r.out().contains("held-out NLL"), r.out());
    }

    @Test
    void trainsOnACsvFileOfThreeColumnsWithoutFigures() throws IOException {
        Path csv = dir.resolve("p.csv");
        StringBuilder b = new StringBuilder("a,b,c\n");
        for (int i = 0; i < 60; i++) {
            b.append(Math.sin(i)).append(',').append(Math.cos(0.7 * i)).append(',').append(0.01 * i).append('\n');
        }
        Files.writeString(csv, b);
        Path out = dir.resolve("o");
        Run r = run("train", "--data", csv.toString(), "--epochs", "2", "--layers", "2", "--hidden", "8", "--quiet",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.out(), "--quiet prints nothing");
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        assertEquals(3, m.get("model").get("dim").asInt());
        assertFalse(m.has("held_out"));
        assertFalse(Files.exists(out.resolve("density.png")), "density images need d = 2");
        assertTrue(Files.exists(out.resolve("loss.png")));
    }

    @Test
    void badInputExitsTwoWithOneLineAndWritesNothing() throws IOException {
        Path out = dir.resolve("never");
        Run both = run("train", "--dist", "moons", "--data", "x.csv", "--out", out.toString());
        assertEquals(2, both.code());
        Run unknown = run("train", "--dist", "banana", "--epochs", "1", "--out", out.toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("kdeflow: error: unknown distribution 'banana'"), unknown.err());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
        Run epochs = run("train", "--dist", "moons", "--epochs", "0", "--out", out.toString());
        assertEquals(2, epochs.code());
        assertTrue(epochs.err().contains("--epochs must be at least 1"), epochs.err());
        Run missing = run("train", "--data", dir.resolve("nope.csv").toString(), "--out", out.toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.csv"), missing.err());
        Path file = dir.resolve("afile");
        Files.writeString(file, "keep me");
        Run onFile = run("train", "--dist", "moons", "--epochs", "1", "--out", file.toString());
        assertEquals(2, onFile.code());
        assertEquals("keep me", Files.readString(file));
        assertFalse(Files.exists(out));
    }

    @Test
    void aDivergingTrainingExitsTwoNamingTheEpochAndWritesNothing() throws IOException {
        Path csv = dir.resolve("huge.csv");
        StringBuilder b = new StringBuilder("x,y\n1e200,0\n");
        for (int i = 0; i < 80; i++) {
            b.append(Math.sin(i)).append(',').append(Math.cos(i)).append('\n');
        }
        Files.writeString(csv, b);
        Path out = dir.resolve("nan");
        Path model = dir.resolve("m.safetensors");
        Files.writeString(model, "the user's old model");
        Run r = run("train", "--flow", "homework", "--data", csv.toString(), "--epochs", "3", "--grid", "10",
                "--train-seed", "0", "--out", out.toString(), "--save", model.toString());
        assertEquals(2, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("kdeflow: error: training diverged: training stopped at epoch 1"),
                r.err());
        assertTrue(lines.get(0).endsWith("nothing was written"), r.err());
        assertTrue(lines.get(1).contains("smaller --lr"), r.err());
        assertFalse(Files.exists(out), "a failing command writes nothing");
        assertEquals("the user's old model", Files.readString(model));
    }

    /** The count behind the benchmark's GFLOP/s: per row and network 2·Σ in·out = 2·1152 for 2→32→32→2. */
    @Test
    void benchmarkCountsTheDenseArithmetic() {
        double perEpoch = FlowBench.trainingFlops(CouplingFlow.Architecture.homework(4), 1350, 150, 1);
        double forwardPerRow = 2 * 1152 * 2 * 4;
        assertEquals(1350 * 3 * forwardPerRow + 150 * forwardPerRow, perEpoch, 0.0);
    }

    /** The benchmark's step profile: a batch no larger than the data, and every part timed (positive, finite). */
    @Test
    void benchmarkStepProfileTimesEveryPart() {
        FlowBench.Config c = new FlowBench.Config("moons", 10, 5, 2, 1, 64, 1, 0, 8, 100, 1);
        FlowBench.StepProfile sp = FlowBench.stepProfile(c,
                org.kdeflow.data.ToyDatasets.sample2dDatasets("moons", 10, 0, 5));
        assertEquals(10, sp.batch());
        for (double t : new double[] {sp.lossAndGradient(), sp.adam(), sp.firstForward(), sp.firstBackward(),
            sp.hiddenForward(), sp.hiddenBackward(), sp.lastForward(), sp.lastBackward()}) {
            assertTrue(t > 0 && Double.isFinite(t), "time " + t);
        }
    }
}

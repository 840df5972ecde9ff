package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.cli.Run;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.formats.SafeTensors;

/** {@code train --save/--save-dtype/--checkpoint/--resume} and {@code density}. */
class TrainModelFilesTest {
    @TempDir
    Path dir;

    /** A small, fast run: 300 moons, K = 2, networks 2-8-8-2, no held-out set. */
    List<String> train(int epochs, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--flow", "homework", "--dist", "moons", "--n", "300",
                "--layers", "2",
                "--hidden", "8,8", "--epochs", Integer.toString(epochs), "--batch", "32", "--reshuffle",
                "--test-n", "0", "--grid", "20", "--quiet", "--out", dir.resolve("out").toString()));
        a.addAll(List.of(more));
        return a;
    }

    static Run run(List<String> args) {
        return Run.of(args.toArray(new String[0]));
    }

    static void assertOneLineError(Run r, String fragment) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(fragment), r.err());
    }

    @Test
    void saveWritesTheTrainedFlowInBothPrecisions() throws IOException {
        Path m64 = dir.resolve("m64.safetensors");
        Path m32 = dir.resolve("models/m32.safetensors");
        assertEquals(0, run(train(6, "--save", m64.toString())).code());
        assertEquals(0, run(train(6, "--save", m32.toString(), "--save-dtype", "F32")).code());
        FlowModelFile.Loaded a = FlowModelFile.read(m64);
        FlowModelFile.Loaded b = FlowModelFile.read(m32);
        assertEquals(SafeTensors.DType.F64, a.dtype());
        assertEquals(SafeTensors.DType.F32, b.dtype());
        assertEquals(new CouplingFlow.Architecture(2, 2, new int[] {8, 8}), a.flow().architecture());
        double[] w64 = a.flow().parameters().values();
        double[] w32 = b.flow().parameters().values();
        for (int i = 0; i < w64.length; i++) {
            assertEquals((float) w64[i], w32[i], 0.0, "the same run, rounded to float");
        }
        JsonNode summary = new ObjectMapper().readTree(a.metadata().get("kdeflow.training"));
        assertEquals(6, summary.get("epochs_run").asInt());
        assertEquals("moons", summary.get("source").get("name").asText());
        assertOneLineError(run(train(2, "--save", dir.resolve("x.safetensors").toString(), "--save-dtype", "f16")),
                "--save-dtype must be f32 or f64");
        assertFalse(Files.exists(dir.resolve("x.safetensors")));
        assertOneLineError(run(train(2, "--checkpoint-every", "3")), "--checkpoint-every needs --checkpoint");
        assertOneLineError(run(train(2, "--save-dtype", "f32")), "--save MODEL.safetensors, which is missing");
    }

    @Test
    void resumingACheckpointEndsBitIdentical() throws IOException {
        Path whole = dir.resolve("whole.safetensors");
        assertEquals(0, run(train(12, "--save", whole.toString())).code());
        Path ckpt = dir.resolve("run.ckpt");
        assertEquals(0, run(train(5, "--checkpoint", ckpt.toString(), "--checkpoint-every", "2")).code());
        Path resumed = dir.resolve("resumed.safetensors");
        Run r = run(train(12, "--resume", ckpt.toString(), "--save", resumed.toString()));
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed), "same weights, same metadata");

        // Another run's options, or something that is not a checkpoint: one line, exit 2.
        assertOneLineError(run(train(12, "--resume", ckpt.toString(), "--lr", "0.01")), "--lr 0.001");
        assertOneLineError(run(train(12, "--resume", ckpt.toString(), "--hidden", "16,16")), "a flow Architecture");
        assertOneLineError(run(train(3, "--resume", ckpt.toString())), "5 epochs done, more than --epochs 3");
        assertOneLineError(run(train(12, "--resume", whole.toString())), "not a kdeflow training checkpoint");
        assertOneLineError(Run.of("sample", "--model", ckpt.toString(), "--out",
                dir.resolve("s.csv").toString()), "is a training checkpoint, not a model file");
        byte[] b = Files.readAllBytes(ckpt);
        Path broken = dir.resolve("broken.ckpt");
        Files.write(broken, Arrays.copyOf(b, b.length / 2));
        assertOneLineError(run(train(12, "--resume", broken.toString())), broken.toString());
        assertOneLineError(run(train(12, "--resume", dir.resolve("none").toString())), "no such checkpoint file");
    }

    @Test
    void aKilledTrainingResumesBitIdentical() throws Exception {
        int epochs = 400;
        Path ckpt = dir.resolve("child.ckpt");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector")); // the same dense kernel as this JVM
        }
        cmd.addAll(List.of("-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(train(epochs, "--checkpoint", ckpt.toString(), "--checkpoint-every", "1"));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && child.isAlive() && epochsDone(ckpt) < 3) {
                Thread.sleep(5);
            }
            child.destroyForcibly(); // SIGKILL
            child.waitFor(30, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        int done = epochsDone(ckpt);
        System.out.println("child killed after " + done + " of " + epochs + " epochs");
        assertTrue(done >= 3 && done < epochs, "killed mid-run after " + done + " epochs; log: "
                + Files.readString(dir.resolve("child.log")));
        Path resumed = dir.resolve("resumed.safetensors");
        Run r = run(train(epochs, "--resume", ckpt.toString(), "--save", resumed.toString()));
        assertEquals(0, r.code(), r.err());
        Path whole = dir.resolve("whole.safetensors");
        assertEquals(0, run(train(epochs, "--save", whole.toString())).code());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed));
    }

    static int epochsDone(Path ckpt) {
        try {
            return Integer.parseInt(SafeTensors.read(ckpt).metadata().get("checkpoint.epochs_done"));
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void densityDrawsTheTrainFigures() throws IOException {
        Path m = dir.resolve("m.safetensors");
        assertEquals(0, run(train(3, "--save", m.toString())).code());
        Path figs = dir.resolve("figs");
        Run r = Run.of("density", "--model", m.toString(), "--grid", "30", "--out", figs.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("density.png", "density.svg", "layers.png", "layers.svg")) {
            assertTrue(Files.size(figs.resolve(f)) > 1000, f);
        }
        Path other = dir.resolve("other");
        assertOneLineError(Run.of("density", "--model", m.toString(), "--range", "1,0,0,1", "--out",
                other.toString()), "x0 < x1");
        CouplingFlow threeD = CouplingFlow.create(new CouplingFlow.Architecture(3, 2, new int[] {4}), 1);
        Path m3 = dir.resolve("m3.safetensors");
        FlowModelFile.save(threeD, m3, SafeTensors.DType.F64, Map.of());
        assertOneLineError(Run.of("density", "--model", m3.toString(), "--out", other.toString()),
                "dimension 3");
        assertOneLineError(Run.of("density", "--model", dir.resolve("no").toString(), "--out",
                other.toString()), "no such model file");
        assertFalse(Files.exists(other), "no output after an error");
    }
}

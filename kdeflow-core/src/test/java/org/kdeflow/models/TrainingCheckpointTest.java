package org.kdeflow.models;

import org.kdeflow.formats.SafeTensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kdeflow.data.Dataset;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.formats.Tensor;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingListener;
import org.kdeflow.train.TrainingResult;

class TrainingCheckpointTest {

    @TempDir
    Path tmp;

    static void assertBitIdentical(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + " [" + i + "]");
        }
    }

    /** Stops after {@code stopAt} epochs, checkpoints, throws everything away, resumes from the file. */
    @ParameterizedTest(name = "reshuffle={0} selection={1} stop after {2}")
    @CsvSource({"false, NOTEBOOK, 4", "true, BEST, 4", "true, FINAL, 0", "false, BEST, 12", "true, NOTEBOOK, 1"})
    void resumedRunEndsBitIdenticalToTheUninterruptedOne(boolean reshuffle, Trainer.Selection selection, int stopAt)
            throws Exception {
        Trainer.Options options = Trainer.Options.defaults().withEpochs(12).withBatchSize(16).withSeed(5)
                .withReshuffle(reshuffle).withSelection(selection);
        Dataset data = CheckpointChild.data();

        CouplingFlow a = CheckpointChild.flow();
        TrainingResult ra = new Trainer(options).fit(a, data);

        CouplingFlow b = CheckpointChild.flow();
        Trainer.Session s = new Trainer(options).start(b, data);
        for (int e = 0; e < stopAt; e++) {
            assertTrue(s.runEpoch());
        }
        Path ckpt = tmp.resolve("run.ckpt.safetensors");
        TrainingCheckpoint.save(ckpt, b, options, s, Map.of("run.source", "moons"));

        TrainingCheckpoint.Contents c = TrainingCheckpoint.read(ckpt);
        assertEquals(options, c.options());
        assertEquals(stopAt, c.state().epochsDone());
        assertEquals("moons", c.metadata().get("run.source"));
        assertBitIdentical(s.trainSet().toArray(), c.split().first().toArray(), "train split");
        assertBitIdentical(s.validSet().toArray(), c.split().second().toArray(), "validation split");
        TrainingResult rb = c.resume().run(TrainingListener.NONE);

        assertBitIdentical(a.parameters().values(), c.flow().parameters().values(), "final weights");
        assertBitIdentical(ra.trainLosses(), rb.trainLosses(), "training losses");
        assertBitIdentical(ra.validLosses(), rb.validLosses(), "validation losses");
        assertEquals(ra.bestEpoch(), rb.bestEpoch());
        assertEquals(ra.returned(), rb.returned());
    }

    @Test
    void aKilledProcessResumesBitIdentical() throws Exception {
        Path ckpt = tmp.resolve("child.ckpt.safetensors");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The child must use the same dense kernel as this JVM: the vector and scalar kernels round differently.
        List<String> cmd = new java.util.ArrayList<>(List.of(java));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        cmd.addAll(List.of("-Dkdeflow.vector=" + System.getProperty("kdeflow.vector", "true"),
                "-cp", System.getProperty("java.class.path"), CheckpointChild.class.getName(), ckpt.toString()));
        Process child = new ProcessBuilder(cmd)
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            // Wait for a checkpoint a few epochs in, then SIGKILL (no shutdown hooks, no cleanup).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && child.isAlive()) {
                if (Files.exists(ckpt) && epochsDone(ckpt) >= 3) {
                    break;
                }
                Thread.sleep(5);
            }
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        TrainingCheckpoint.Contents c = TrainingCheckpoint.read(ckpt);
        assertEquals(null, c.kernelWarning(), "same kernel as the child");
        int done = c.state().epochsDone();
        assertTrue(done >= 3 && done < CheckpointChild.EPOCHS, "killed mid-run, after " + done + " epochs");
        c.resume().run(TrainingListener.NONE);

        CouplingFlow a = CheckpointChild.flow();
        new Trainer(CheckpointChild.options()).fit(a, CheckpointChild.data());
        assertBitIdentical(a.parameters().values(), c.flow().parameters().values(), "final weights");
    }

    static int epochsDone(Path ckpt) {
        try {
            return Integer.parseInt(SafeTensors.read(ckpt).metadata().get("checkpoint.epochs_done"));
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void rejectsWhatIsNotAValidCheckpoint() throws Exception {
        Trainer.Options options = Trainer.Options.defaults().withEpochs(3).withBatchSize(32).withReshuffle(true);
        CouplingFlow f = CheckpointChild.flow();
        Trainer.Session s = new Trainer(options).start(f, CheckpointChild.data());
        s.runEpoch();
        Path good = tmp.resolve("good.safetensors");
        TrainingCheckpoint.save(good, f, options, s, null);
        SafeTensors st = SafeTensors.read(good);

        Path model = tmp.resolve("model.safetensors");
        FlowModelFile.save(f, model, DType.F64, null);
        assertMessage(model, "not a kdeflow training checkpoint");

        assertMessage(edit(st, "missing m", t -> t.remove("optimizer.m"), null), "'optimizer.m' is missing");
        assertMessage(edit(st, "nan v", t -> t.put("optimizer.v", withValue(t.get("optimizer.v"), 3, Double.NaN)), null),
                "'optimizer.v' holds the non-finite value NaN at index 3");
        assertMessage(edit(st, "negative v", t -> t.put("optimizer.v", withValue(t.get("optimizer.v"), 0, -1)), null),
                "negative second moment");
        assertMessage(edit(st, "nan weight", t -> t.put("model.layers.1.t_func.2.bias",
                withValue(t.get("model.layers.1.t_func.2.bias"), 0, Double.POSITIVE_INFINITY)), null),
                "'layers.1.t_func.2.bias' holds the non-finite value Infinity");
        assertMessage(edit(st, "short losses", t -> t.put("losses.train", Tensor.of(new double[0], 0)), null),
                "'losses.train' has shape [0], expected [1]");
        assertMessage(edit(st, "bad data", t -> t.put("data.valid", Tensor.of(new double[3], 1, 3)), null),
                "'data.valid' has shape [1, 3], expected [n, 2]");
        assertMessage(edit(st, "bad key", t -> t.put("rng.shuffle.key", withValue(t.get("rng.shuffle.key"), 7, 0.5)),
                null), "not a 32-bit unsigned integer");
        assertMessage(edit(st, "no rng", t -> {
            t.remove("rng.shuffle.key");
            t.remove("rng.shuffle.state");
        }, null), "reshuffle");
        assertMessage(edit(st, "epochs", null, Map.of("checkpoint.epochs_done", "7")), "outside [0, 3]");
        assertMessage(edit(st, "lr", null, Map.of("options.learning_rate", "fast")), "is not a number");
        assertMessage(edit(st, "selection", null, Map.of("options.selection", "WORST")), "WORST");
        assertMessage(edit(st, "version", null, Map.of("checkpoint.version", "9")), "checkpoint format 9");
    }

    interface Edit {
        void apply(Map<String, Tensor> t);
    }

    Path edit(SafeTensors st, String name, Edit tensors, Map<String, String> meta) throws Exception {
        Map<String, Tensor> t = new HashMap<>(st.tensors());
        if (tensors != null) {
            tensors.apply(t);
        }
        Map<String, String> m = new HashMap<>(st.metadata());
        if (meta != null) {
            m.putAll(meta);
        }
        Path p = tmp.resolve(name.replace(' ', '_') + ".safetensors");
        SafeTensors.of(t, m).write(p);
        return p;
    }

    static Tensor withValue(Tensor t, int i, double v) {
        double[] x = t.values();
        x[i] = v;
        return Tensor.of(x, t.shape());
    }

    static void assertMessage(Path p, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingCheckpoint.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    /**
     * A v2 flow (spline couplings, a mixture base, float32 products, averaged weights) under the robust recipe: stopped
     * after 3 epochs,
     * saved, read back and continued, it ends with the weights of the uninterrupted run, bit for bit.
     */
    @Test
    void aSplineFlowResumesBitIdentical() throws Exception {
        Dataset data = org.kdeflow.data.ToyDatasets.sample2dDatasets("Moons", 300, 0, 5);
        org.kdeflow.flow.Flows.Config c = org.kdeflow.flow.Flows.Config.nsf(2, 8)
                .withBase(org.kdeflow.flow.Flows.BaseKind.mixture(2));
        Trainer.Options o = Trainer.Options.robust().withEpochs(7).withPrecision(org.kdeflow.nn.Precision.F32)
                .withEmaDecay(0.9);
        org.kdeflow.flow.Flow whole = org.kdeflow.flow.Flows.create(c, data, 4);
        Trainer.Session w = new Trainer(o).start(whole, data);
        w.initializeFromFirstBatch();
        w.run(TrainingListener.NONE);

        org.kdeflow.flow.Flow part = org.kdeflow.flow.Flows.create(c, data, 4);
        Trainer.Session s = new Trainer(o).start(part, data);
        s.initializeFromFirstBatch();
        for (int e = 0; e < 3; e++) {
            assertTrue(s.runEpoch());
        }
        Path ckpt = tmp.resolve("nsf.ckpt.safetensors");
        TrainingCheckpoint.save(ckpt, part, o, s, null);
        TrainingCheckpoint.Contents back = TrainingCheckpoint.read(ckpt);
        assertEquals(null, back.flow(), "not the homework's flow");
        assertEquals(o, back.options());
        Trainer.Session t = back.resume();
        t.run(TrainingListener.NONE);
        org.junit.jupiter.api.Assertions.assertArrayEquals(whole.parameters().values(),
                back.trainable().parameters().values());
    }

    @Test
    void reservedMetadataKeysAreRefused() throws Exception {
        Trainer.Options options = Trainer.Options.defaults().withEpochs(1);
        CouplingFlow f = CheckpointChild.flow();
        Trainer.Session s = new Trainer(options).start(f, CheckpointChild.data());
        for (String key : List.of("options.seed", "checkpoint.x", "kdeflow.dim")) {
            assertThrows(IllegalArgumentException.class,
                    () -> TrainingCheckpoint.save(tmp.resolve("x"), f, options, s, Map.of(key, "1")));
        }
    }
}

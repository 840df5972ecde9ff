package org.kdeflow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.nn.Precision;

/** Training with the networks' products in float32 ({@link Precision#F32}). */
class TrainerF32Test {

    private static Dataset moons(int n) {
        return ToyDatasets.sample2dDatasets("Moons", n, 0, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
    }

    @Test
    void defaultIsDoubleAndTheOptionIsKept() {
        assertEquals(Precision.F64, Trainer.Options.defaults().precision());
        assertEquals(Precision.F64, new Trainer.Options(3, 64, 1e-3, 0, 0.9, false,
                Trainer.Selection.NOTEBOOK).precision());
        Trainer.Options o = Trainer.Options.defaults().withPrecision(Precision.F32).withEpochs(7);
        assertEquals(Precision.F32, o.precision());
        assertEquals(Precision.F32, o.withSeed(2).withReshuffle(true).precision());
        assertThrows(IllegalArgumentException.class, () -> o.withPrecision(null));
    }

    @Test
    void floatRunIsDeterministicAndLandsNearTheDoubleRun() {
        Trainer.Options o = Trainer.Options.defaults().withEpochs(30).withReshuffle(true).withSeed(3);
        Trainer t32 = new Trainer(o.withPrecision(Precision.F32));
        CouplingFlow a = CouplingFlow.homework(4, 7);
        CouplingFlow b = CouplingFlow.homework(4, 7);
        TrainingResult ra = t32.fit(a, moons(400));
        TrainingResult rb = t32.fit(b, moons(400));
        assertTrue(ra.completed());
        assertArrayEquals(a.parameters().values(), b.parameters().values(), "same seed, same bits");
        assertArrayEquals(ra.trainLosses(), rb.trainLosses());
        assertArrayEquals(ra.validLosses(), rb.validLosses());
        CouplingFlow c = CouplingFlow.homework(4, 7);
        TrainingResult rc = new Trainer(o).fit(c, moons(400));
        assertFalse(java.util.Arrays.equals(a.parameters().values(), c.parameters().values()), "a different path");
        // Same start, data and batches: float rounding makes the trajectories drift apart slowly. After 30 epochs
        // (180 Adam steps) the losses are ~1.3–1.6 nats and fall ~0.01 per epoch; 0.02 nats bounds the drift.
        assertEquals(rc.finalValidLoss(), ra.finalValidLoss(), 0.02);
        assertEquals(rc.trainLosses()[29], ra.trainLosses()[29], 0.02);
        assertTrue(ra.trainLosses()[29] < ra.trainLosses()[0] - 0.1, "it learns");
        // the validation loss is computed with float products: the double NLL of the same weights on the validation
        // set (40 points, one batch) matches it to float precision
        CouplingFlow d = CouplingFlow.homework(4, 7);
        Trainer.Session s = t32.start(d, moons(400));
        assertTrue(s.runEpoch());
        double nll = -d.meanLogDensity(s.validSet());
        assertEquals(nll, s.validationLoss(), 1e-4 * nll);
    }

    /** Weights and optimizer state stay double in float training, so a float run checkpoints and resumes exactly. */
    @Test
    void floatRunResumesBitIdentically() {
        Trainer t32 = new Trainer(Trainer.Options.defaults().withEpochs(6).withReshuffle(true).withSeed(5)
                .withPrecision(Precision.F32));
        CouplingFlow whole = CouplingFlow.homework(2, 3);
        t32.fit(whole, moons(300));
        CouplingFlow first = CouplingFlow.homework(2, 3);
        Trainer.Session s = t32.start(first, moons(300));
        for (int e = 0; e < 3; e++) {
            assertTrue(s.runEpoch());
        }
        Trainer.State state = s.state();
        CouplingFlow second = CouplingFlow.homework(2, 3);
        Trainer.Session t = t32.start(second, moons(300));
        t.restore(state);
        t.run(TrainingListener.NONE);
        assertArrayEquals(whole.parameters().values(), second.parameters().values());
    }
}

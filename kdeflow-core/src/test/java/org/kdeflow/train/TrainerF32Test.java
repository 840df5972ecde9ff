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

/** Training with {@link Trainer.Precision#F32}. */
class TrainerF32Test {

    private static Dataset moons(int n) {
        return ToyDatasets.sample2dDatasets("Moons", n, 0, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
    }

    @Test
    void defaultIsDoubleAndTheOptionIsKept() {
        assertEquals(Trainer.Precision.F64, Trainer.Options.defaults().precision());
        assertEquals(Trainer.Precision.F64, new Trainer.Options(3, 64, 1e-3, 0, 0.9, false,
                Trainer.Selection.NOTEBOOK).precision());
        Trainer.Options o = Trainer.Options.defaults().withPrecision(Trainer.Precision.F32).withEpochs(7);
        assertEquals(Trainer.Precision.F32, o.precision());
        assertEquals(Trainer.Precision.F32, o.withSeed(2).withReshuffle(true).precision());
        assertThrows(IllegalArgumentException.class, () -> o.withPrecision(null));
    }

    @Test
    void floatRunIsDeterministicAndLandsNearTheDoubleRun() {
        Trainer.Options o = Trainer.Options.defaults().withEpochs(30).withReshuffle(true).withSeed(3);
        Trainer t32 = new Trainer(o.withPrecision(Trainer.Precision.F32));
        CouplingFlow a = CouplingFlow.homework(4, 7);
        CouplingFlow b = CouplingFlow.homework(4, 7);
        TrainingResult ra = t32.fit(a, moons(400));
        TrainingResult rb = t32.fit(b, moons(400));
        assertTrue(ra.completed());
        assertArrayEquals(a.parameters().values(), b.parameters().values(), "same seed, same bits");
        assertArrayEquals(ra.trainLosses(), rb.trainLosses());
        assertArrayEquals(ra.validLosses(), rb.validLosses());
        for (double w : a.parameters().values()) {
            assertEquals(w, (double) (float) w, 0.0, "the flow holds the float weights, exactly");
        }
        CouplingFlow c = CouplingFlow.homework(4, 7);
        TrainingResult rc = new Trainer(o).fit(c, moons(400));
        assertFalse(java.util.Arrays.equals(a.parameters().values(), c.parameters().values()), "a different path");
        // Same start, data and batches: float rounding makes the trajectories drift apart slowly. After 30 epochs
        // (180 Adam steps) the losses are ~1.3–1.6 nats and fall ~0.01 per epoch; 0.02 nats bounds the drift.
        assertEquals(rc.finalValidLoss(), ra.finalValidLoss(), 0.02);
        assertEquals(rc.trainLosses()[29], ra.trainLosses()[29], 0.02);
        assertTrue(ra.trainLosses()[29] < ra.trainLosses()[0] - 0.1, "it learns");
        // after an epoch the double flow holds the float weights: its double NLL on the validation set (40 points,
        // one batch) matches the float validation loss to float precision
        CouplingFlow d = CouplingFlow.homework(4, 7);
        Trainer.Session s = t32.start(d, moons(400));
        assertTrue(s.runEpoch());
        double nll = -d.meanLogDensity(s.validSet());
        assertEquals(nll, s.validationLoss(), 1e-4 * nll);
        assertThrows(UnsupportedOperationException.class, s::state);
        assertThrows(UnsupportedOperationException.class, () -> s.restore(null));
    }
}

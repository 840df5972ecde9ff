package org.kdeflow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.CouplingFlow;

class TrainerTest {

    private static Dataset moons(int n) {
        return ToyDatasets.sample2dDatasets("Moons", n, 0, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        Trainer t = new Trainer(Trainer.Options.defaults().withEpochs(4).withReshuffle(true).withSeed(3));
        CouplingFlow a = CouplingFlow.homework(4, 7);
        CouplingFlow b = CouplingFlow.homework(4, 7);
        TrainingResult ra = t.fit(a, moons(300));
        TrainingResult rb = t.fit(b, moons(300));
        assertArrayEquals(a.parameters().values(), b.parameters().values());
        assertArrayEquals(ra.trainLosses(), rb.trainLosses());
        CouplingFlow c = CouplingFlow.homework(4, 7);
        new Trainer(t.options().withSeed(4)).fit(c, moons(300));
        assertFalse(java.util.Arrays.equals(a.parameters().values(), c.parameters().values()), "another seed");
    }

    @Test
    void learnsTheMoons() {
        CouplingFlow f = CouplingFlow.homework(4, 1);
        TrainingResult r = Trainer.notebook(40).fit(f, moons(500));
        assertTrue(r.completed());
        assertEquals(40, r.epochsRun());
        assertEquals(450, r.trainSize());
        assertEquals(50, r.validSize());
        double[] tl = r.trainLosses();
        // N(0, I) fits the moons at about 2.9 nats; 40 epochs of 8 steps bring the flow well below
        assertTrue(tl[0] > 2.3, "first epoch " + tl[0]);
        assertTrue(tl[39] < tl[0] - 0.4, "last epoch " + tl[39] + " vs first " + tl[0]);
        assertTrue(r.validLosses()[39] < r.validLosses()[0]);
    }

    /** Validation loss as the homework averages it: the mean over batches of 64 of each batch's mean NLL. */
    @Test
    void validationLossIsTheMeanOfBatchMeans() {
        CouplingFlow f = CouplingFlow.homework(2, 2);
        Trainer.Session s = Trainer.notebook(1).start(f, moons(1500));
        Dataset v = s.validSet();
        assertEquals(150, v.size());
        double[] lp = f.logProbability(v);
        double[] batchMeans = new double[3];
        int[] from = {0, 64, 128};
        int[] to = {64, 128, 150};
        for (int b = 0; b < 3; b++) {
            double sum = 0;
            for (int r = from[b]; r < to[b]; r++) {
                sum += lp[r];
            }
            batchMeans[b] = -sum / (to[b] - from[b]);
        }
        double expected = (batchMeans[0] + batchMeans[1] + batchMeans[2]) / 3;
        assertEquals(expected, s.validationLoss(), 1e-12);
        // the split is Dataset.randomSplit(0.9, seed) of the data
        Dataset.Split split = moons(1500).randomSplit(0.9, 0);
        assertArrayEquals(split.second().toArray(), v.toArray());
    }

    @Test
    void notebookRuleReturnsFinalWeightsForSmallValidationSets() {
        Trainer.Options o = Trainer.Options.defaults().withEpochs(6).withLearningRate(5e-3);
        CouplingFlow nb = CouplingFlow.homework(2, 5);
        CouplingFlow fin = CouplingFlow.homework(2, 5);
        CouplingFlow best = CouplingFlow.homework(2, 5);
        TrainingResult rNb = new Trainer(o).fit(nb, moons(400));
        new Trainer(o.withSelection(Trainer.Selection.FINAL)).fit(fin, moons(400));
        Trainer.Session s = new Trainer(o.withSelection(Trainer.Selection.BEST)).start(best, moons(400));
        TrainingResult rBest = s.run(TrainingListener.NONE);
        assertEquals(TrainingResult.Weights.FINAL, rNb.returned());
        assertArrayEquals(fin.parameters().values(), nb.parameters().values());
        assertEquals(TrainingResult.Weights.BEST, rBest.returned());
        assertEquals(rBest.bestValidLoss(), s.validationLoss(), 0.0, "the model holds the best snapshot");
        double min = Double.POSITIVE_INFINITY;
        int arg = 0;
        for (int e = 0; e < 6; e++) {
            if (rBest.validLosses()[e] < min) {
                min = rBest.validLosses()[e];
                arg = e + 1;
            }
        }
        assertEquals(arg, rBest.bestEpoch());
        assertEquals(rBest.validLosses()[5], rBest.finalValidLoss(), 0.0);
    }

    @Test
    void notebookRuleReturnsBestWeightsForLargeValidationSets() {
        CouplingFlow f = CouplingFlow.homework(2, 5);
        TrainingResult r = Trainer.notebook(1).fit(f, moons(5000));
        assertEquals(500, r.validSize());
        assertEquals(TrainingResult.Weights.BEST, r.returned());
    }

    @Test
    void nonFiniteLossStopsWithTheLastGoodWeights() {
        double[] x = moons(200).toArray();
        x[0] = 1e200; // z² overflows: the loss of the batch holding this point is +∞
        Dataset data = Dataset.of(x, 200, 2);
        CouplingFlow f = CouplingFlow.homework(2, 5);
        double[] before = f.parameters().copyValues();
        TrainingResult r = Trainer.notebook(5).fit(f, data);
        assertFalse(r.completed());
        assertTrue(r.stopReason().contains("epoch 1") && r.stopReason().contains("not finite"), r.stopReason());
        assertEquals(0, r.epochsRun());
        assertArrayEquals(before, f.parameters().values());
        assertTrue(f.parameters().valuesFinite());
    }

    @Test
    void listenerSeesEveryEpochAndCanStop() {
        int[] seen = {0};
        TrainingListener stopAt3 = new TrainingListener() {
            @Override
            public boolean onEpoch(Epoch e) {
                seen[0]++;
                assertEquals(seen[0], e.epoch());
                assertTrue(Double.isFinite(e.trainLoss()) && Double.isFinite(e.validLoss()));
                return e.epoch() < 3;
            }
        };
        TrainingResult r = Trainer.notebook(10).fit(CouplingFlow.homework(2, 1), moons(200), stopAt3);
        assertEquals(3, seen[0]);
        assertEquals(3, r.epochsRun());
        assertEquals(3, r.trainLosses().length);
        assertTrue(r.stopReason().contains("after epoch 3"), r.stopReason());
    }

    @Test
    void resumingFromAStateContinuesBitForBit() {
        Trainer t = new Trainer(Trainer.Options.defaults().withEpochs(6).withReshuffle(true).withSeed(9));
        CouplingFlow straight = CouplingFlow.homework(2, 4);
        TrainingResult all = t.fit(straight, moons(300));

        CouplingFlow first = CouplingFlow.homework(2, 4);
        Trainer.Session s1 = t.start(first, moons(300));
        for (int e = 0; e < 3; e++) {
            assertTrue(s1.runEpoch());
        }
        Trainer.State state = s1.state();
        CouplingFlow resumed = CouplingFlow.homework(2, 99);
        Trainer.Session s2 = t.start(resumed, moons(300));
        s2.restore(state);
        TrainingResult rest = s2.run(TrainingListener.NONE);
        assertNull(rest.stopReason());
        assertArrayEquals(straight.parameters().values(), resumed.parameters().values());
        assertArrayEquals(all.trainLosses(), rest.trainLosses());
        assertEquals(all.bestEpoch(), rest.bestEpoch());
    }

    @Test
    void rejectsBadOptionsAndData() {
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.defaults().withEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.defaults().withBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.defaults().withLearningRate(-1));
        assertThrows(IllegalArgumentException.class,
                () -> Trainer.notebook(1).fit(CouplingFlow.homework(2, 0), moons(1)));
        Dataset threeD = Dataset.of(new double[30], 10, 3);
        assertThrows(IllegalArgumentException.class, () -> Trainer.notebook(1).fit(CouplingFlow.homework(2, 0),
                threeD));
    }
}

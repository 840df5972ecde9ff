package org.kdeflow.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.Flows;

/** The robust recipe's mechanisms: early stopping, the schedule, clipping, skipped batches and weights. */
class RobustRecipeTest {

    private static Dataset moons(int n) {
        return ToyDatasets.sample2dDatasets("Moons", n, 0, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
    }

    private static Flow small(Dataset data) {
        return Flows.create(Flows.Config.nsf(2, 8), data, 3);
    }

    @Test
    void earlyStoppingEndsTheRunAndRestoresTheBestWeights() {
        Dataset data = moons(300);
        Trainer t = new Trainer(Trainer.Options.robust().withEpochs(400).withPatience(5).withLearningRate(2e-2));
        Flow f = small(data);
        TrainingResult r = t.fit(f, data);
        assertTrue(r.completed(), "early stopping is a normal end");
        assertNull(r.stopReason());
        assertTrue(r.earlyStopEpoch() > 0 && r.earlyStopEpoch() < 400, "stopped at " + r.earlyStopEpoch());
        assertEquals(r.earlyStopEpoch(), r.epochsRun());
        assertEquals(r.bestEpoch() + 5, r.earlyStopEpoch());
        assertEquals(TrainingResult.Weights.BEST, r.returned());
        // the restored weights are the best epoch's: their validation loss is the best one
        Trainer.Session s = t.start(small(data), data);
        double best = r.bestValidLoss();
        s.runEpoch();
        Flow g = f.copy();
        assertEquals(best, -g.meanLogDensity(s.validSet()), 0.02, "mean of batch means vs overall mean");
    }

    @Test
    void robustRunsAreDeterministicAndDifferFromTheNotebook() {
        Dataset data = moons(200);
        Trainer.Options o = Trainer.Options.robust().withEpochs(12);
        Flow a = small(data);
        Flow b = small(data);
        new Trainer(o).fit(a, data);
        new Trainer(o).fit(b, data);
        assertArrayEquals(a.parameters().values(), b.parameters().values());
        Flow c = small(data);
        new Trainer(Trainer.Options.defaults().withEpochs(12)).fit(c, data);
        assertNotEquals(Arrays.toString(a.parameters().values()), Arrays.toString(c.parameters().values()));
    }

    /**
     * A learning rate far too large makes the homework's unbounded affine layers overflow within a few steps: the
     * notebook recipe stops, naming the epoch; the robust recipe skips and counts those batches and never holds NaN
     * weights.
     */
    @Test
    void nonFiniteBatchesAreSkippedAndCounted() {
        Dataset data = moons(300);
        org.kdeflow.flow.CouplingFlow a = org.kdeflow.flow.CouplingFlow.homework(4, 1);
        TrainingResult n = new Trainer(Trainer.Options.defaults().withEpochs(3).withLearningRate(1e9)).fit(a, data);
        assertTrue(!n.completed() && n.stopReason().contains("epoch 1"), String.valueOf(n.stopReason()));
        assertTrue(a.parameters().valuesFinite());
        org.kdeflow.flow.CouplingFlow b = org.kdeflow.flow.CouplingFlow.homework(4, 1);
        Trainer.Options o = Trainer.Options.robust().withEpochs(3).withLearningRate(1e9).withClipNorm(0)
                .withSchedule(Trainer.Schedule.CONSTANT).withWeightDecay(0);
        TrainingResult r = new Trainer(o).fit(b.asFlow(), data);
        assertTrue(r.skippedBatches() > 0, "skipped " + r.skippedBatches());
        assertTrue(b.parameters().valuesFinite(), "never NaN weights");
    }

    /** Equal weights give the same steps as no weights (the loss and gradient are the same numbers). */
    @Test
    void equalWeightsTrainLikeNoWeights() {
        Dataset data = moons(200);
        Trainer.Options o = Trainer.Options.robust().withEpochs(6).withPatience(0)
                .withSelection(Trainer.Selection.FINAL);
        Flow a = small(data);
        Flow b = small(data);
        new Trainer(o).fit(a, data);
        double[] w = new double[data.size()];
        Arrays.fill(w, 1.0);
        new Trainer(o).start(b, data, w).run(TrainingListener.NONE);
        assertArrayEquals(a.parameters().values(), b.parameters().values());
        assertThrows(IllegalArgumentException.class, () -> new Trainer(o).start(small(data), data, new double[3]));
        w[4] = -1;
        assertThrows(IllegalArgumentException.class, () -> new Trainer(o).start(small(data), data, w));
    }

    /** A point with weight 0 has no part in the loss or the gradient: the same as leaving it out. */
    @Test
    void zeroWeightLeavesThePointOut() {
        Dataset data = moons(40);
        Flow f = small(data);
        double[] x = data.toArray();
        int n = data.size();
        double[] omega = new double[n];
        Arrays.fill(omega, 1.0);
        omega[7] = 0;
        Flow.Workspace ws = f.workspace(n);
        double loss = f.lossAndGradient(x, omega, n, ws);
        double[] g = f.parameters().gradients().clone();
        int[] keep = new int[n - 1];
        for (int i = 0, k = 0; i < n; i++) {
            if (i != 7) {
                keep[k++] = i;
            }
        }
        double[] y = data.select(keep).toArray();
        double loss2 = f.lossAndGradient(y, n - 1, f.workspace(n - 1));
        assertEquals(loss2, loss, 1e-12);
        double[] g2 = f.parameters().gradients();
        for (int k = 0; k < g.length; k++) {
            assertEquals(g2[k], g[k], 1e-12 * (1 + Math.abs(g2[k])), "gradient " + k);
        }
    }

    /**
     * Weight averaging: with one step per epoch (50 training points, batches of 64), β = 0.5 and FINAL selection, two
     * epochs return θ̄ = ½θ₁ + ½θ₂, where θ₁, θ₂ are the raw weights after each step — the averaging never changes
     * the raw trajectory (validation swaps the average in and back).
     */
    @Test
    void averagedWeightsAreTheRunningAverageOfTheSteps() {
        Dataset data = moons(100);
        Trainer.Options o = Trainer.Options.robust().withEpochs(2).withPatience(0)
                .withSelection(Trainer.Selection.FINAL).withTrainFraction(0.5);
        Flow g = small(data);
        Trainer.Session raw = new Trainer(o).start(g, data);
        assertTrue(raw.runEpoch());
        double[] t1 = g.parameters().values().clone();
        assertTrue(raw.runEpoch());
        double[] t2 = g.parameters().values().clone();
        Flow f = small(data);
        new Trainer(o.withEmaDecay(0.5)).fit(f, data);
        double[] v = f.parameters().values();
        for (int k = 0; k < v.length; k++) {
            assertEquals(0.5 * t1[k] + 0.5 * t2[k], v[k], 0.0, "parameter " + k);
        }
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.robust().withEmaDecay(1));
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.robust().withEmaDecay(-0.1));
    }

    @Test
    void theCosineScheduleEndsAtZeroAndOptionsAreValidated() {
        assertEquals(Trainer.Schedule.COSINE, Trainer.Options.robust().schedule());
        assertEquals(Trainer.Schedule.CONSTANT, Trainer.Options.defaults().schedule());
        assertEquals(0.0, Trainer.Options.defaults().weightDecay(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.robust().withPatience(-1));
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.robust().withClipNorm(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Trainer.Options.robust().withWeightDecay(-1));
        assertEquals(Trainer.Recipe.ROBUST, Trainer.Recipe.parse("Robust"));
        assertThrows(IllegalArgumentException.class, () -> Trainer.Recipe.parse("fast"));
    }
}

package org.kdeflow.fit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;

class ModelSelectionTest {

    private static Dataset moons(int n) {
        return ToyDatasets.sample2dDatasets("Moons", n, 0, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
    }

    private static KdeEstimator fixed(String name, double h, double cost) {
        return KdeEstimator.gaussian(name, (data, w) -> Bandwidth.scalar(h, data.dim()), cost);
    }

    @Test
    void foldsPartitionThePointsEvenly() {
        Folds f = Folds.of(103, 5, 7);
        int[] count = new int[5];
        for (int i = 0; i < 103; i++) {
            count[f.foldOf(i)]++;
        }
        assertArrayEquals(new int[] {21, 21, 21, 20, 20}, count);
        for (int k = 0; k < 5; k++) {
            assertEquals(103, f.heldOut(k).length + f.training(k).length);
        }
        assertArrayEquals(Folds.of(103, 5, 7).heldOut(2), f.heldOut(2), "seeded");
        assertThrows(IllegalArgumentException.class, () -> Folds.of(3, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> Folds.of(10, 1, 0));
    }

    /** A bandwidth far too small or far too large loses to the likelihood-CV bandwidth on held-out points. */
    @Test
    void picksTheBandwidthThatPredictsHeldOutPoints() {
        Dataset data = moons(400);
        ModelSelection sel = new ModelSelection(List.of(fixed("tiny", 0.005, 1), fixed("huge", 3, 1),
                KdeEstimator.gaussian("lcv", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.FULL), 2)),
                ModelSelection.Options.defaults(), null);
        ModelSelection.Result r = sel.select(data, null);
        assertEquals("lcv", r.chosen());
        assertEquals("lcv", r.ranking().get(0).name());
        ModelSelection.Score best = r.ranking().get(0);
        assertTrue(best.standardError() > 0 && best.standardError() < 0.1, "SE " + best.standardError());
        for (ModelSelection.Score s : r.ranking()) {
            assertTrue(s.differenceToBest() <= 0, s.toString());
        }
        // the refit is the winner fitted to all points: its mean log-density on fresh points is that of lcv
        Density fresh = KdeEstimator.gaussian("lcv", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.FULL), 2)
                .fit(data);
        Dataset test = ToyDatasets.sample2dDatasets("Moons", 2000, 1, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
        assertEquals(fresh.meanLogDensity(test), r.model().meanLogDensity(test), 0.0);
    }

    /** Two candidates with the same out-of-fold densities are tied; the cheaper one is chosen. */
    @Test
    void tiesGoToTheCheaperCandidate() {
        Dataset data = moons(300);
        ModelSelection sel = new ModelSelection(List.of(fixed("dear", 0.2, 5), fixed("cheap", 0.2, 1)),
                ModelSelection.Options.defaults(), null);
        ModelSelection.Result r = sel.select(data, null);
        assertEquals("cheap", r.chosen());
        assertEquals(0.0, r.ranking().get(1).differenceToBest(), 0.0);
    }

    @Test
    void sameDataSameChoiceAndScores() {
        Dataset data = moons(300);
        List<DensityEstimator> c = List.of(fixed("a", 0.1, 1), fixed("b", 0.25, 1));
        ModelSelection.Result r1 = new ModelSelection(c, ModelSelection.Options.defaults().withThreads(1),
                null).select(data, null);
        ModelSelection.Result r2 = new ModelSelection(c, ModelSelection.Options.defaults().withThreads(2),
                null).select(data, null);
        assertEquals(r1.ranking().get(0).meanLogLikelihood(), r2.ranking().get(0).meanLogLikelihood(), 0.0,
                "the thread count changes nothing");
        assertEquals(r1.chosen(), r2.chosen());
    }

    /** The budget drops the expensive candidates that do not fit, keeping the first one always. */
    @Test
    void theBudgetPlansTheCandidateSet() {
        DensityEstimator slow = new DensityEstimator() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public Density fit(Dataset data, double[] weights) {
                throw new AssertionError("must not run");
            }

            @Override
            public double expectedSeconds(int n, int d) {
                return 1000;
            }
        };
        ModelSelection sel = new ModelSelection(List.of(fixed("quick", 0.2, 1), slow),
                ModelSelection.Options.defaults().withBudget(10), null);
        assertEquals(List.of("quick"), sel.plan(300, 2).candidates().stream().map(DensityEstimator::name).toList());
        ModelSelection.Result r = sel.select(moons(300), null);
        assertEquals(List.of("slow"), r.skipped());
        assertEquals("quick", r.chosen());
    }

    /**
     * Stacking against optima known in closed form. Two points with densities (p_a, p_b) = (1, 0) and (0, 1), equally
     * weighted: L(α) = ½ log α + ½ log(1 − α), so α = ½.
     */
    @Test
    void stackingWeightMaximisesTheOutOfFoldLikelihood() {
        double[] omega = {0.5, 0.5};
        double ninf = Double.NEGATIVE_INFINITY;
        assertEquals(0.5, Stacking.bestWeight(new double[] {0, ninf}, new double[] {ninf, 0}, omega), 1e-12);
        // three points where a is better twice: L(α) = ⅔ log(α + (1−α)/4) + ⅓ log(α/4 + (1−α)) (densities 1 vs ¼)
        double q = Math.log(0.25);
        double[] a = {0, 0, q};
        double[] b = {q, q, 0};
        double[] w = {1 / 3.0, 1 / 3.0, 1 / 3.0};
        double alpha = Stacking.bestWeight(a, b, w);
        // L'(α) = ⅔·(3/4)/(¼ + ¾α) − ⅓·(3/4)/(1 − ¾α) = 0 → 2(1 − ¾α) = ¼ + ¾α → α = 7/9
        assertEquals(7.0 / 9.0, alpha, 1e-12);
        double[] mixed = Stacking.mixed(a, b, alpha);
        assertEquals(Math.log(alpha + (1 - alpha) / 4), mixed[0], 1e-15);
        assertTrue(Arrays.stream(Stacking.mixed(a, a, 0.3)).allMatch(Double::isFinite));
    }

    /**
     * The derived candidates: the ensemble of the best flow and the stack of the best KDE with the best flow are
     * ranked with the rest; the ensemble's score is that of the mean of its members' out-of-fold densities, so it is
     * at least the members' mean score (Jensen), and a stack never scores below the better of its two parts.
     */
    @Test
    void ensembleAndStackJoinTheRanking() {
        Dataset data = moons(250);
        FlowEstimator tiny = new FlowEstimator("tiny-flow", org.kdeflow.flow.Flows.Config.nsf(2, 8),
                org.kdeflow.train.Trainer.Options.robust().withEpochs(15), 1);
        KdeEstimator lcv = KdeEstimator.gaussian("lcv", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.FULL), 2);
        ModelSelection.Result r = new ModelSelection(List.of(lcv, tiny),
                ModelSelection.Options.defaults().withEnsembleMembers(2).withBudget(1e6), null).select(data, null);
        java.util.Map<String, ModelSelection.Score> by = new java.util.HashMap<>();
        r.ranking().forEach(s -> by.put(s.name(), s));
        assertTrue(by.containsKey("tiny-flow-ensemble2"), by.keySet().toString());
        assertTrue(by.get("tiny-flow-ensemble2").meanLogLikelihood() >= by.get("tiny-flow").meanLogLikelihood() - 0.05);
        String stack = by.keySet().stream().filter(n -> n.startsWith("mix(")).findFirst().orElse(null);
        if (stack != null) {
            double parts = Math.max(by.get("lcv").meanLogLikelihood(),
                    Math.max(by.get("tiny-flow").meanLogLikelihood(), by.get("tiny-flow-ensemble2").meanLogLikelihood()));
            assertTrue(by.get(stack).meanLogLikelihood() >= parts - 1e-12, stack + " vs its parts");
        }
        assertEquals(r.ranking().size(), by.size());
    }
}

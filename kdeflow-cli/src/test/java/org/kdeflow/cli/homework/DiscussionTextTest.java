package org.kdeflow.cli.homework;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Grid;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.train.TrainingResult;

/**
 * The discussion is generated from the numbers: feed it made-up numbers and check that it names the winner the
 * numbers name, and switches explanation when the numbers say something else.
 */
class DiscussionTextTest {
    private static final HomeworkConfig C = HomeworkConfig.full(0);

    private static Model model(String task, String label, int n, int k, double testNll, double entropy,
            double finalTrain, double q01, double median) {
        return model(task, label, n, k, testNll, entropy, entropy + 0.03, finalTrain, q01, median, 0.004, null);
    }

    /** One training seed (8) with these scores; the KDE has h = 0.13 and the given NLL. */
    private static Model model(String task, String label, int n, int k, double testNll, double entropy,
            double kdeNll, double finalTrain, double q01, double median, double se, double[] logp) {
        TrainingResult r = new TrainingResult(new double[] {finalTrain + 1, finalTrain},
                new double[] {finalTrain + 1, finalTrain}, 2, finalTrain, finalTrain, 1.0,
                TrainingResult.Weights.FINAL, 2, 2, (int) (0.9 * n), n - (int) (0.9 * n), null);
        PartTwoSpecs.Spec spec = new PartTwoSpecs.Spec(task, task + label, label, PartTwoSpecs.ROT5, n, k, 250);
        var trained = new PartTwoExperiments.Trained(spec, 8, r, new PartTwoExperiments.Scores(testNll, se, q01,
                median, logp), null);
        return new Model(spec, List.of(trained), new PartTwoExperiments.KdeFit(0.13, kdeNll, null), entropy);
    }

    private static String text(String task, Model a, Model b) {
        return PartTwoText.comparisonText(task, Comparison.of(a, b), C);
    }

    @Test
    void depthTextNamesTheModelWithTheSmallerGap() {
        var k2 = model("task10", "K = 2", 1500, 2, 2.70, 2.145, 2.57, -7.5, -2.4);
        var k4 = model("task10", "K = 4", 1500, 4, 2.40, 2.145, 2.30, -6.0, -2.1);
        String t = text("task10", k2, k4);
        assertTrue(t.startsWith("K = 4 fits better"), t);
        assertTrue(t.contains("Depth helps"), t);
    }

    @Test
    void aDeeperModelThatLosesOnTheMeanButFitsItsDataBetterIsExplainedByTheTail() {
        var k2 = model("task10", "K = 2", 1500, 2, 2.68, 2.145, 2.57, -7.5, -2.43);
        var k4 = model("task10", "K = 4", 1500, 4, 2.98, 2.145, 2.29, -12.2, -2.09);
        String t = text("task10", k2, k4);
        assertTrue(t.startsWith("K = 2 fits better"), t);
        assertTrue(t.contains("fits its own training data better"), t);
        assertTrue(t.contains("−12.2"), t);
        assertFalse(t.contains("Depth helps"), t);
    }

    @Test
    void differencesWithinTheNoiseAreCalledATie() {
        var a = model("task11", "N = 1500", 1500, 4, 2.500, 2.145, 2.3, -6, -2.1);
        var b = model("task11", "N = 3000", 3000, 4, 2.495, 2.145, 2.3, -6, -2.1);
        String t = text("task11", a, b);
        assertTrue(t.startsWith("The two fit about equally well"), t);
        assertTrue(t.contains("twice the Adam steps"), t);
    }

    @Test
    void aDifferenceSmallerThanTwiceTheStandardErrorIsATie() {
        var a = model("task10", "K = 2", 1500, 2, 2.70, 2.145, 2.5, -6, -2.1);
        var b = model("task10", "K = 4", 1500, 4, 2.68, 2.145, 2.5, -6, -2.1);
        var noisyB = model("task10", "K = 4", 1500, 4, 2.68, 2.145, 2.175, 2.5, -6, -2.1, 0.05, null);
        assertTrue(text("task10", a, b).startsWith("K = 4 fits better"));
        assertTrue(text("task10", a, noisyB).startsWith("The two fit about equally well"));
    }

    @Test
    void modelsScoredOnTheSamePointsAreComparedPointByPoint() {
        // b is better than a by 0.1 nats at every point, but both vary a lot from point to point
        int n = 1000;
        double[] la = new double[n];
        double[] lb = new double[n];
        java.util.Random rnd = new java.util.Random(1);
        for (int i = 0; i < n; i++) {
            la[i] = -2 - 3 * Math.abs(rnd.nextGaussian());
            lb[i] = la[i] + 0.1;
        }
        var a = model("task11", "N = 1500", 1500, 4, 2.6, 2.145, 2.2, 2.3, -6, -2.1, 0.1, la);
        var b = model("task11", "N = 3000", 3000, 4, 2.5, 2.145, 2.2, 2.3, -6, -2.1, 0.1, lb);
        // unpaired, 2·√(0.1² + 0.1²) ≈ 0.28 > 0.1 would call it a tie; paired, the difference is exact
        assertTrue(Comparison.of(a, b).standardError() < 1e-9);
        assertTrue(text("task11", a, b).startsWith("N = 3000 fits better"));
    }

    @Test
    void complexityComparesGapsNotRawLikelihoods() {
        // 7 Gaussians has the higher NLL (higher entropy) but the smaller gap: it is the better fit
        var g3 = model("task12", "3 Gaussians", 1500, 4, 2.03, 1.634, 1.8, -6, -1.9);
        var g7 = model("task12", "7 Gaussians", 1500, 4, 2.82, 2.479, 2.6, -6, -2.7);
        String t = text("task12", g3, g7);
        assertTrue(t.startsWith("The model fits the 7 Gaussians better"), t);
        var g7worse = model("task12", "7 Gaussians", 1500, 4, 3.10, 2.479, 2.6, -6, -2.7);
        String u = text("task12", g3, g7worse);
        assertTrue(u.startsWith("The model fits the 3 Gaussians better"), u);
        assertTrue(u.contains("The simpler distribution is fitted better"), u);
    }

    @Test
    void bandwidthSentenceNamesTheWinnerOnEachMeasure() {
        Grid g = Grid.square(0, 1, 0, 1, 3);
        double[] f = new double[9];
        List<KdeStudy.Entry> entries = List.of(
                new KdeStudy.Entry("h=0.1", Bandwidth.scalar(0.1, 2), f, 0.004, 0.10, -2.90),
                new KdeStudy.Entry("h=0.5", Bandwidth.scalar(0.5, 2), f, 0.002, 0.05, -2.80),
                new KdeStudy.Entry("h=1", Bandwidth.scalar(1, 2), f, 0.008, 0.04, -3.00));
        KdeStudy.Result r = new KdeStudy.Result(g, f, -2.7, entries,
                new KdeStudy.Curve(new double[] {0.1, 0.3, 1}, new double[] {0.004, 0.001, 0.008}),
                Bandwidth.scalar(0.3, 2), 0.001);
        String t = PartOneText.task3Sentence(new PartOne.Outcome(PartOne.distributions().get(0),
                PartOne.Setting.of(C), null, null, r, new org.kdeflow.cli.plot.ColorCap(1, 0)));
        assertTrue(t.contains("h = 0.5 has the smallest ISE (0.002; 2× at h = 0.1, 4× at h = 1)"), t);
        assertTrue(t.contains("the held-out log-likelihood prefers h = 0.5 and the maximum error h = 1"), t);
        assertTrue(t.contains("minimum is at h ≈ 0.3"), t);
        assertTrue(t.contains("as good as the best bandwidth sampled"), t);
    }

    /** Five seeds of one configuration with these test NLLs (the KDE as in {@link #model}). */
    private static Model seeds(String task, String label, double entropy, double... nll) {
        List<PartTwoExperiments.Trained> ts = new java.util.ArrayList<>();
        PartTwoSpecs.Spec spec = new PartTwoSpecs.Spec(task, task + label, label, PartTwoSpecs.ROT5, 1500, 4, 250);
        for (int k = 0; k < nll.length; k++) {
            TrainingResult r = new TrainingResult(new double[] {3, 2}, new double[] {3, 2}, 2, 2, 2, 1.0,
                    TrainingResult.Weights.FINAL, 2, 2, 1350, 150, null);
            ts.add(new PartTwoExperiments.Trained(spec, 8 + k, r, new PartTwoExperiments.Scores(nll[k], 0.004, -6,
                    -1.5 - 0.01 * k, null), null));
        }
        return new Model(spec, ts, new PartTwoExperiments.KdeFit(0.13, entropy + 0.03, null), entropy);
    }

    @Test
    void oneSeedFarAboveTheOthersIsNamedWithTheMediansBeside() {
        var g3 = seeds("task12", "3 Gaussians", 1.634, 2.00, 2.02, 8000, 2.05, 1.98);
        var g7 = seeds("task12", "7 Gaussians", 2.479, 2.90, 2.95, 2.93, 2.97, 2.91);
        String t = text("task12", g3, g7);
        assertTrue(t.contains("seed 10 reaches a gap of 7998 nats"), t);
        // the medians: gap 2.02 − 1.634 and 2.93 − 2.479; paired difference median of (0.9, 0.93, …)
        assertTrue(t.contains("the gap is 0.386 nats with 3 Gaussians and 0.451 with 7 Gaussians"), t);
        var calm = seeds("task12", "3 Gaussians", 1.634, 2.00, 2.02, 2.03, 2.05, 1.98);
        assertFalse(text("task12", calm, g7).contains("reaches a gap"));
    }

    @Test
    void beyondTheHomeworkNamesTheModelClosestToTheFloorAndWhetherFitChoseIt() {
        var rows = List.of(new BeyondStage.Row("homework flow", 1.30), new BeyondStage.Row("LCV KDE", 1.25),
                new BeyondStage.Row("spline flow", 1.20), new BeyondStage.Row("fit's choice (nsf)", 1.20));
        String t = BeyondStage.sentence("Moons", rows, 1.0);
        assertTrue(t.startsWith("Moons: spline flow comes closest to the floor (gap 0.2 nats, against 0.3"), t);
        assertTrue(t.endsWith("and fit's choice matches it."), t); // the same NLL: fit refitted that candidate
        var kdeWins = List.of(rows.get(0), new BeyondStage.Row("LCV KDE", 1.10), rows.get(2),
                new BeyondStage.Row("fit's choice (nsf)", 1.20));
        String u = BeyondStage.sentence("Moons", kdeWins, 1.0);
        assertTrue(u.contains("LCV KDE comes closest") && u.contains("trails it by 0.1 nats"), u);
    }
}

package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.ReportDocument.code;
import static org.kdeflow.cli.report.ReportDocument.number;
import static org.kdeflow.cli.report.ReportDocument.strong;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.kdeflow.cli.homework.Model.Spread;
import org.kdeflow.cli.homework.PartTwoExperiments.Trained;
import org.kdeflow.cli.homework.PartTwoSpecs.Spec;
import org.kdeflow.cli.report.ReportDocument;
import org.kdeflow.cli.report.ReportDocument.Section;
import org.kdeflow.data.ToyDatasets.Kind;
import org.kdeflow.train.TrainingResult;

/**
 * Part II's sections: the tables and the answers to Tasks 9–12, generated from the numbers so that they stay true when
 * the numbers change (which model wins, by how much, and which explanation the numbers support).
 */
final class PartTwoText {
    /** Text width of a layer figure (up to 3 panels to a row). */
    private static final int LAYERS = 85;

    private PartTwoText() {
    }

    static void task1(Run run) {
        Section s = run.sections.p2Task1;
        s.paragraph("N = " + run.config.toyN() + " samples of each toy set, drawn exactly as the notebook's "
                + "sample_2d_datasets does with seed " + run.config.seed() + " (scikit-learn's make_circles, "
                + "make_moons and make_blobs, reproduced bit for bit on numpy's random stream).");
        List<String> files = new ArrayList<>();
        for (Kind k : Kind.values()) {
            files.add("p2-data-" + k.homeworkName() + ".png");
        }
        s.figures(files, "The four toy data sets, one plot each: Circles, Moons, GaussiansGrid, GaussiansRot(5).", 45);
    }

    static void models(Run run, List<Model> models) {
        Section s = run.sections.p2Task6and8;
        List<String> files = new ArrayList<>();
        for (Model m : models) {
            files.add(PartTwoStage.MODELS + "/" + m.spec().id() + ".safetensors");
        }
        s.paragraph("Every trained model is saved beside this report in ", code(PartTwoStage.MODELS + "/"),
                " (safetensors with the notebook's state_dict names, so PyTorch loads them with load_state_dict): ",
                code(String.join(", ", files.stream().map(f -> f.substring(PartTwoStage.MODELS.length() + 1))
                        .toList())), ". Score, sample or redraw one with, for example, ",
                code("kdeflow score --model " + files.get(0) + " --data points.csv --out scored.csv"), " or ",
                code("kdeflow density --model " + files.get(0) + " --out dir"), ".");
    }

    private static List<Object> row(Model m, boolean withData) {
        List<Object> r = new ArrayList<>();
        r.add(withData ? m.spec().toy().label() : m.spec().label());
        r.add(m.spec().n());
        r.add(m.spec().layers());
        r.add(m.spec().epochs());
        r.add(m.result().returned() == TrainingResult.Weights.BEST ? "best (" + m.result().bestEpoch() + ")"
                : "final");
        r.add(m.testNll());
        r.add(m.entropy());
        r.add(m.gap());
        r.add(m.kde().h());
        r.add(m.kde().nll());
        r.add(m.kdeGap());
        return r;
    }

    private static final List<String> HEADER = List.of("model", "N", "K", "epochs", "weights", "test NLL",
            "entropy floor", "flow gap", "KDE h (LCV)", "KDE NLL", "KDE gap");

    static void table(Run run, Section s, String what, List<Model> ms, boolean withData) {
        List<List<Object>> rows = new ArrayList<>();
        for (Model m : ms) {
            rows.add(row(m, withData));
        }
        s.table(what + " Mean negative log-likelihood in nats per point on " + run.config.testN()
                + " fresh samples (seed " + run.config.testSeed() + "); the entropy floor is the limit density's "
                + "differential entropy, the best any model can reach; gap = NLL − floor estimates KL(p‖model). "
                + "The KDE is fitted to the same training samples with the likelihood-cross-validated h.",
                HEADER, rows);
    }

    static void task9(Run run, List<Model> ms, Map<String, String> notes) {
        Section s = run.sections.p2Task9;
        s.paragraph("Each set with N = " + ms.get(0).spec().n() + " samples, a flow of K = 4 coupling layers "
                + "trained for " + ms.get(0).spec().epochs() + " epochs (Moons "
                + ms.stream().filter(m -> m.spec().toy().kind() == Kind.MOONS).findFirst().orElseThrow().spec().epochs()
                + "), batches of 64, Adam at 10⁻³. For each: p(x) = exp(log p(x)) on a " + run.config.grid() + "×"
                + run.config.grid() + " grid around the data, beside the true (limit) density and the KDE, and "
                + run.config.layerSamples() + " samples pushed through the layers, with shared axes.");
        for (Model m : ms) {
            s.figure("p2-density-" + m.spec().id() + ".png", m.spec().label() + ": the true density, the flow's "
                    + "p(x) and the cross-validated KDE, on one colour scale." + notes.get(m.spec().id()));
            s.figure("p2-layers-" + m.spec().id() + ".png", m.spec().label() + ": samples from the prior and after "
                    + "each coupling layer (shared axes). Each layer moves one coordinate, conditioned on the other.",
                    LAYERS);
        }
        table(run, s, "Task 9 models.", ms, true);
        List<Model> byGap = new ArrayList<>(ms);
        byGap.sort((a, b) -> Double.compare(a.gap(), b.gap()));
        StringBuilder sb = new StringBuilder("Ranked by the gap to the entropy floor, the flow fits ");
        for (int k = 0; k < byGap.size(); k++) {
            Model m = byGap.get(k);
            sb.append(k == 0 ? "" : k == byGap.size() - 1 ? " and " : ", ").append(m.spec().toy().label())
                    .append(" (").append(number(m.gap())).append(" nats)");
        }
        sb.append(" from best to worst. ");
        long beats = ms.stream().filter(m -> m.testNll() < m.kde().nll()).count();
        List<String> diffs = new ArrayList<>();
        for (Model m : ms) {
            diffs.add(m.spec().toy().label() + " " + signed(m.testNll() - m.kde().nll()));
        }
        String list = " (flow NLL − KDE NLL: " + String.join(", ", diffs) + " nats).";
        if (beats == 0) {
            sb.append("The cross-validated KDE fitted to the same points does better on all ").append(ms.size())
                    .append(" sets").append(list);
        } else if (beats == ms.size()) {
            sb.append("It beats the cross-validated KDE fitted to the same points on every set").append(list);
        } else {
            sb.append("It beats the cross-validated KDE fitted to the same points on ").append(beats).append(" of ")
                    .append(ms.size()).append(" sets").append(list);
        }
        s.paragraph(sb.toString());
        List<String> tails = new ArrayList<>();
        for (Model m : ms) {
            double trainLoss = Stats.last(m.result().trainLosses());
            if (m.testNll() - trainLoss > 0.25) {
                tails.add(m.spec().toy().label() + " (test NLL " + number(m.testNll()) + " against a final training "
                        + "loss of " + number(trainLoss) + "; 1 % of the fresh points have log p below "
                        + number(m.scores().q01()) + ")");
            }
        }
        if (!tails.isEmpty()) {
            s.paragraph("The mean NLL is sensitive to a few badly placed points: for " + String.join(" and ", tails)
                    + " some fresh samples fall where the flow has squeezed the density to almost nothing, "
                    + "typically between or just outside the modes the training set covers. The KDE, a sum of "
                    + "Gaussian bumps, never drops that fast.");
        }
        s.paragraph("Coupling flows bend a single Gaussian continuously; separated modes and holes (the circles' "
                + "centre, the gaps between blobs) must be made by stretching space, which leaves thin bridges of "
                + "density between modes: visible in the images, and one reason the flows stay further from the "
                + "floor than the KDE, which simply puts a bump on every sample.");
    }

    private static String signed(double v) {
        return (v >= 0 ? "+" : "") + number(v);
    }

    /** Tasks 10–12: two models, their figures and table, the spread over seeds and the generated answer. */
    static void comparison(Run run, Section s, String task, Comparison cmp, Map<String, String> notes) {
        List<Model> ms = List.of(cmp.a(), cmp.b());
        s.figure("p2-density-" + task + ".png", PartTwoSpecs.title(task) + ": the true density and each model's "
                + "p(x) on a " + run.config.grid() + "×" + run.config.grid() + " grid, one colour scale."
                + notes.get(task), cmp.a().spec().toy().equals(cmp.b().spec().toy()) ? 100 : PartOneText.TWO_BY_TWO);
        for (Model m : ms) {
            s.figure("p2-layers-" + m.spec().id() + ".png", m.spec().label() + ": " + run.config.layerSamples()
                    + " samples after each coupling layer.", LAYERS);
        }
        table(run, s, PartTwoSpecs.title(task) + ".", ms, false);
        if (cmp.seeds() > 1) {
            seedTable(run, s, task, cmp);
        }
        s.paragraph(strong("Answer (generated from the table" + (cmp.seeds() > 1 ? "s" : "") + "). "),
                comparisonText(task, cmp, run.config));
    }

    private static void seedTable(Run run, Section s, String task, Comparison cmp) {
        List<String> header = new ArrayList<>();
        header.add("model");
        Model a = cmp.a();
        Model b = cmp.b();
        for (var t : a.seeds()) {
            header.add("seed\u00a0" + t.seed());
        }
        header.add("mean ± sd");
        header.add("median log p, mean ± sd");
        List<List<Object>> rows = new ArrayList<>();
        for (Model m : List.of(a, b)) {
            List<Object> r = new ArrayList<>();
            r.add(m.spec().label());
            for (double g : m.gapOverSeeds().values()) {
                r.add(fixed(g));
            }
            r.add(pm(m.gapOverSeeds()));
            r.add(pm(m.medianOverSeeds()));
            rows.add(r);
        }
        List<Object> d = new ArrayList<>();
        d.add("difference");
        for (double g : cmp.gapDifference().values()) {
            d.add(fixed(g));
        }
        d.add(pm(cmp.gapDifference()));
        d.add(pm(cmp.medianDifference()));
        rows.add(d);
        s.table(PartTwoSpecs.title(task) + " over " + cmp.seeds() + " training seeds (weights and split; the data "
                + "and the fresh test points stay the same): the gap to the entropy floor in nats, and per seed the "
                + "difference " + b.spec().label() + " − " + a.spec().label() + " (negative: " + b.spec().label()
                + " fits better). Seed " + a.seeds().get(0).seed() + " is the one the figures and the table above "
                + "show.", header, rows);
    }

    /** A gap or difference in the seed table: three decimals (milli-nats), as every cell of that table. */
    private static ReportDocument.Fixed fixed(double v) {
        return new ReportDocument.Fixed(v, 3);
    }

    /** "a ± b". */
    static String pm(Spread s) {
        return ReportDocument.plusMinus(s.mean(), s.sd());
    }

    /** The answer to Task 10, 11 or 12 from the comparison of its two configurations (a, b in task order). */
    static String comparisonText(String task, Comparison cmp, HomeworkConfig c) {
        // a and b: (K=2, K=4), (N small, N large), (3 Gaussians, 7 Gaussians)
        Model a = cmp.a();
        Model b = cmp.b();
        Model better = cmp.better();
        boolean tie = cmp.tie();
        int seeds = cmp.seeds();
        String fit = seeds == 1 ? fitOneSeed(task, cmp) : fitOverSeeds(task, cmp);
        Spread trainA = a.trainLossOverSeeds();
        Spread trainB = b.trainLossOverSeeds();
        String over = seeds == 1 ? "" : ", means over the seeds";
        switch (task) {
            case "task10" -> {
                String concl;
                if (tie) {
                    concl = "At this training length depth did not matter measurably.";
                } else if (better == b) {
                    concl = "Depth helps: with K = 2 each coordinate is transformed once, by one affine map "
                            + "conditioned on the other coordinate; this can shear and stretch the Gaussian but "
                            + "hardly split it into five rotated modes. Each extra pair of layers composes another "
                            + "such map (the log-determinants add, Task 7), so the deeper flow is far more "
                            + "expressive; the layer panels show the five modes being formed step by step.";
                } else if (trainB.mean() < trainA.mean()) {
                    concl = "Yet the deeper model fits its own training data better (final training loss "
                            + number(trainB.mean()) + " against " + number(trainA.mean()) + over
                            + ") and typical fresh points better (median log p " + number(b.medianOverSeeds().mean())
                            + " against " + number(a.medianOverSeeds().mean()) + "): it is more expressive, and uses "
                            + "that to squeeze density into thin ridges between the modes. The mean over fresh points "
                            + "punishes the few that land where it left almost no mass (1 % of them below log p = "
                            + number(b.q01OverSeeds().mean()) + ", against " + number(a.q01OverSeeds().mean())
                            + " for K = 2). Depth buys expressiveness; without more data or longer, regularised "
                            + "training it also buys overconfidence.";
                } else {
                    concl = "Here the shallower model wins on every measure: after " + a.spec().epochs()
                            + " epochs the deeper model, with twice the parameters, has not yet converged (final "
                            + "training loss " + number(trainB.mean()) + " against " + number(trainA.mean()) + over
                            + "); depth buys expressiveness but needs more training.";
                }
                return fit + concl + " The KDE on the same data reaches a gap of " + number(a.kdeGap())
                        + " nats for comparison.";
            }
            case "task11" -> {
                double overfitA = a.nllOverSeeds().mean() - trainA.mean();
                double overfitB = b.nllOverSeeds().mean() - trainB.mean();
                String concl;
                if (tie) {
                    concl = "Doubling the data changed the fit by less than the noise; ";
                } else if (better == b) {
                    concl = "More data helps: the larger set pins the density down in more places, "
                            + (overfitB < overfitA ? "and the model overfits less: " : "although the gap between "
                                    + "test NLL and training loss did not shrink: ");
                } else {
                    concl = "The smaller set wins here; with a fixed budget of epochs the difference is dominated by "
                            + "the optimisation and by a few badly placed test points, not by the data: ";
                }
                return fit + concl + "test NLL − final training loss is " + number(overfitA)
                        + " nats with " + a.spec().label() + " and " + number(overfitB) + " with "
                        + b.spec().label() + (seeds == 1 ? "" : " (means over the seeds)")
                        + ". Note the confound built into the task: at a fixed number of epochs "
                        + "the larger set also gets twice the Adam steps (" + steps(a) + " against " + steps(b)
                        + "), so part of any gain is longer training. "
                        + (a.result().returned() == TrainingResult.Weights.FINAL
                                && b.result().returned() == TrainingResult.Weights.FINAL
                                ? "Both validation sets are under 500 points, so the notebook's rule returns the final "
                                        + "weights in both cases." : "");
            }
            default -> {
                String concl;
                if (tie) {
                    concl = "The model fits both equally well relative to their entropy.";
                } else if (better == a) {
                    concl = "The simpler distribution is fitted better: a continuous, invertible map from one "
                            + "Gaussian must tear the mass into as many separated modes as the data has, and every "
                            + "extra mode adds another thin bridge of misplaced density between neighbours and "
                            + "less room between them; with 7 modes at radius 2.5 the blobs are closer (about "
                            + number(2 * 2.5 * Math.sin(Math.PI / 7)) + " apart, against "
                            + number(2 * 2.5 * Math.sin(Math.PI / 3)) + " with 3) and the same K = 4 layers have "
                            + "to do more bending.";
                } else {
                    concl = "The 7-mode distribution is fitted better relative to its entropy: its modes are "
                            + "closer, so the bridges the flow leaves between them carry less misplaced mass.";
                }
                return fit + concl + " (Raw NLLs are not comparable across the two distributions, whose entropies "
                        + "differ: " + number(a.entropy()) + " and " + number(b.entropy()) + " nats; the gaps are.)";
            }
        }
    }

    /** The verdict of one training seed, against the test-set noise alone. */
    private static String fitOneSeed(String task, Comparison cmp) {
        Model a = cmp.a();
        Model b = cmp.b();
        Model better = cmp.better();
        Model worse = cmp.worse();
        double dGap = cmp.mean();
        if (cmp.tie()) {
            return "The two fit about equally well: gaps " + number(a.gap()) + " and " + number(b.gap())
                    + " nats differ by less than " + number(cmp.threshold()) + " nats, twice the standard error of "
                    + "the difference: within the noise of the test means, which a few points in the tails "
                    + "dominate. " + (task.equals("task12") ? "" : "On a typical fresh point (median log p: "
                    + number(a.scores().median()) + " with " + a.spec().label() + ", " + number(b.scores().median())
                    + " with " + b.spec().label() + ") " + (b.scores().median() > a.scores().median() ? b : a)
                    .spec().label() + " is ahead. ");
        }
        if (task.equals("task12")) {
            return "The model fits the " + better.spec().label() + " better: its gap to the entropy floor is "
                    + number(better.gap()) + " against " + number(worse.gap()) + " nats ("
                    + number(100 * Math.abs(dGap) / Math.max(worse.gap(), 1e-12)) + " % less). ";
        }
        return better.spec().label() + " fits better: its NLL is " + number(better.testNll()) + " against "
                + number(worse.testNll()) + " nats, a gap to the entropy floor of " + number(better.gap())
                + " against " + number(worse.gap()) + " nats (" + number(Math.abs(dGap)) + " nats, "
                + number(100 * Math.abs(dGap) / Math.max(worse.gap(), 1e-12)) + " % of the larger gap). ";
    }

    /** The verdict over several training seeds: means ± sd, the paired difference, and the median log p beside it. */
    private static String fitOverSeeds(String task, Comparison cmp) {
        Model a = cmp.a();
        Model b = cmp.b();
        Model better = cmp.better();
        Model worse = cmp.worse();
        int seeds = cmp.seeds();
        Spread d = cmp.gapDifference();
        String noise = " nats, twice its standard error (" + number(cmp.standardError()) + " nats: the seeds' spread "
                + "and the test points' together)";
        String median = outliers(cmp) + (task.equals("task12") ? "" : medianSentence(cmp));
        if (cmp.tie()) {
            return "The two fit about equally well: over " + seeds + " training seeds the gaps to the entropy floor "
                    + "are " + pm(a.gapOverSeeds()) + " nats with " + a.spec().label() + " and "
                    + pm(b.gapOverSeeds()) + " with " + b.spec().label() + " (mean ± sd), and their paired "
                    + "difference, " + pm(d) + ", is below " + number(cmp.threshold()) + noise + "; "
                    + better.spec().label() + " has the smaller gap in " + cmp.betterInSeeds() + " of " + seeds
                    + " seeds. The difference is within the noise: one training seed can reverse it. " + median;
        }
        double pct = 100 * Math.abs(cmp.mean()) / Math.max(worse.gapOverSeeds().mean(), 1e-12);
        if (task.equals("task12")) {
            return "The model fits the " + better.spec().label() + " better: over " + seeds + " training seeds its "
                    + "gap to the entropy floor is " + pm(better.gapOverSeeds()) + " against "
                    + pm(worse.gapOverSeeds()) + " nats (mean ± sd; " + number(pct) + " % less), smaller in "
                    + cmp.betterInSeeds() + " of " + seeds + " seeds; the difference, " + pm(d) + " nats, exceeds "
                    + number(cmp.threshold()) + noise + ". ";
        }
        return better.spec().label() + " fits better: over " + seeds + " training seeds its test NLL is "
                + pm(better.nllOverSeeds()) + " against " + pm(worse.nllOverSeeds()) + " nats (mean ± sd), a gap to "
                + "the entropy floor of " + number(better.gapOverSeeds().mean()) + " against "
                + number(worse.gapOverSeeds().mean()) + " nats; the paired difference, " + pm(d) + " nats ("
                + number(pct) + " % of the larger gap), exceeds " + number(cmp.threshold()) + noise + ", and "
                + better.spec().label() + " is ahead in " + cmp.betterInSeeds() + " of " + seeds + " seeds. "
                + median;
    }

    /**
     * Seeds whose gap lies far above the configuration's other seeds (by more than max(1 nat, 4 × the median gap)):
     * named, with the medians over seeds beside the means, since one such model moves the mean of five.
     */
    static String outliers(Comparison cmp) {
        StringBuilder sb = new StringBuilder();
        for (Model m : List.of(cmp.a(), cmp.b())) {
            Spread g = m.gapOverSeeds();
            double med = g.median();
            double[] v = g.values();
            for (int k = 0; k < v.length; k++) {
                if (v[k] - med > Math.max(1, 4 * Math.abs(med))) {
                    Trained t = m.seeds().get(k);
                    sb.append("With ").append(m.spec().label()).append(", seed ").append(t.seed())
                            .append(" reaches a gap of ").append(number(v[k])).append(" nats although its median ")
                            .append("log p (").append(number(t.scores().median())).append(") is in line with the ")
                            .append("other seeds': a few fresh points fall where that model left almost no mass, ")
                            .append("and they alone move the mean over seeds. ");
                }
            }
        }
        if (sb.length() == 0) {
            return "";
        }
        return sb + "The medians over seeds are not moved by one model: the gap is " + number(cmp.a().gapOverSeeds()
                .median()) + " nats with " + cmp.a().spec().label() + " and " + number(cmp.b().gapOverSeeds()
                .median()) + " with " + cmp.b().spec().label() + ", the paired difference "
                + number(cmp.gapDifference().median()) + " nats. ";
    }

    /** The robust companion of the mean: which model has the higher median log p, by how much, in how many seeds. */
    private static String medianSentence(Comparison cmp) {
        Model a = cmp.a();
        Model b = cmp.b();
        Spread m = cmp.medianDifference();
        int seeds = cmp.seeds();
        boolean bAhead = m.mean() > 0;
        int k = bAhead ? cmp.bAheadOnMedianInSeeds() : seeds - cmp.bAheadOnMedianInSeeds();
        Model ahead = bAhead ? b : a;
        boolean agrees = ahead == cmp.better();
        return "On a typical fresh point " + (cmp.tie() ? "" : agrees ? "the median agrees: " : "the median "
                + "disagrees: ") + ahead.spec().label() + " has the higher median log p (" + number(a.medianOverSeeds()
                .mean()) + " with " + a.spec().label() + ", " + number(b.medianOverSeeds().mean()) + " with "
                + b.spec().label() + "; by " + pm(new Spread(bAhead ? m.values() : negate(m.values()))) + " nats, in " + k + " of " + seeds
                + " seeds). ";
    }

    private static double[] negate(double[] v) {
        double[] r = v.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] = -r[i];
        }
        return r;
    }

    private static int steps(Model m) {
        int train = m.result().trainSize();
        return m.spec().epochs() * ((train + 63) / 64);
    }

    /** Adam steps of a model's headline training. */
    static int adamSteps(Model m) {
        return steps(m);
    }

    static void losses(Run run) {
        Section s = run.sections.lossCurves;
        s.paragraph("The mean training and validation NLL per epoch of every model (the homework keeps these out "
                + "of the main text: a sanity check that nothing diverged or overfitted badly).");
        for (String task : PartTwoSpecs.TASKS) {
            s.figure("p2-losses-" + task + ".png", PartTwoSpecs.title(task) + ": training and validation loss per "
                    + "epoch of the headline seed's training, one panel per model; the dashed line marks the epoch of "
                    + "the smallest validation loss.");
        }
    }
}

package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.ReportDocument.code;
import static org.kdeflow.cli.report.ReportDocument.number;
import static org.kdeflow.cli.report.ReportDocument.strong;

import java.util.ArrayList;
import java.util.List;
import org.kdeflow.cli.homework.PartTwoSpecs.Spec;
import org.kdeflow.cli.homework.PartTwoSpecs.Toy;
import org.kdeflow.cli.plot.ColorCap;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.report.ReportDocument.Section;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Density;
import org.kdeflow.fit.FlowEstimator;
import org.kdeflow.fit.KdeEstimator;
import org.kdeflow.fit.ModelSelection;
import org.kdeflow.flow.Flows;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.nn.Precision;
import org.kdeflow.train.Trainer;

/**
 * "Beyond the homework" ({@code --beyond}): on each Task 9 training set, the homework's flow and the LCV KDE (both from
 * Part II) beside kdeflow's spline flow and the model {@code kdeflow fit} selects, scored on the same fresh points.
 * One job per set trains the spline flow and runs the selection; the finish step reads Part II's numbers from the
 * metrics, loads the homework flow from its model file, and writes the table, the figure and the text.
 *
 * <p>The selection is reduced to fit a report: {@link #FOLDS} folds, the candidates {@code kde-lcv} and the spline flow
 * (3 couplings, 64×64, float32, the robust recipe), the stack of the two, no ensemble; a full default {@code fit}
 * (5 folds, 10 candidates, ensembles) takes 30–60 s per set.
 */
final class BeyondStage implements Stage {

    /** Folds of the reduced selection. */
    static final int FOLDS = 3;

    /** The spline flow: kdeflow's default flow preset. */
    static final Flows.Config NSF = Flows.Config.nsf(3, 64, 64);

    @Override
    public String name() {
        return "beyond";
    }

    /** One set's new models: the spline flow, the selection, their test NLLs and densities on the grid. */
    record Outcome(Spec spec, double nsfNll, double[] nsfDensity, double nsfSeconds, ModelSelection.Result selection,
            double fitNll, double[] fitDensity, double fitSeconds, PartTwoExperiments.KdeFit kde) {
    }

    /** The robust recipe in float32, with the run's epoch scale (200 epochs for the homework). */
    static Trainer.Options recipe(HomeworkConfig c) {
        Trainer.Options r = Trainer.Options.robust().withPrecision(Precision.F32);
        return r.withEpochs(c.epochs(r.epochs()));
    }

    @Override
    public Finish plan(Run run, Run.Jobs jobs) {
        HomeworkConfig c = run.config;
        if (!c.beyond()) {
            return () -> { };
        }
        List<Run.Result<Outcome>> results = new ArrayList<>();
        for (Spec s : PartTwoSpecs.specs(c)) {
            if (s.task().equals("task9")) {
                results.add(jobs.add("beyond " + s.toy().key(), 1.5 * s.n() * 200 * 3 / 1e6, () -> compute(s, c)));
            }
        }
        return () -> finish(run, results);
    }

    static Outcome compute(Spec s, HomeworkConfig c) {
        Dataset data = s.toy().sample(s.n(), c.seed());
        Dataset test = s.toy().sample(c.testN(), c.testSeed());
        Grid grid = PartTwoSpecs.grid(s.toy(), c);
        FlowEstimator nsf = new FlowEstimator("nsf", NSF, recipe(c), c.modelSeed());
        long t0 = System.nanoTime();
        Density flow = nsf.fit(data, null);
        double nsfSeconds = (System.nanoTime() - t0) / 1e9;
        ModelSelection fit = new ModelSelection(List.of(
                KdeEstimator.gaussian("kde-lcv", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR), 2), nsf),
                ModelSelection.Options.defaults().withFolds(FOLDS).withSeed(c.seed()).withThreads(1)
                        .withEnsembleMembers(0).withStack(true).withBudget(600),
                null);
        long t1 = System.nanoTime();
        ModelSelection.Result r = fit.select(data, null);
        double fitSeconds = (System.nanoTime() - t1) / 1e9;
        return new Outcome(s, -flow.meanLogDensity(test), flow.density(grid.points(), grid.size()), nsfSeconds, r,
                -r.model().meanLogDensity(test), r.model().density(grid.points(), grid.size()), fitSeconds,
                PartTwoExperiments.kde(s.toy(), s.n(), c, test)); // the figure's KDE panel, in this job's thread
    }

    /** One row of the comparison: a model's name and test NLL. */
    record Row(String model, double nll) {
    }

    private static void finish(Run run, List<Run.Result<Outcome>> results) throws Exception {
        HomeworkConfig c = run.config;
        Section s = run.sections.beyond;
        s.paragraph("The homework's flow is one small model trained one way. On each Task 9 training set (the same "
                + "samples, the same " + c.testN() + " fresh test points) it stands here beside the LCV KDE of Task 9, "
                + "kdeflow's spline flow (", code(NSF.label()), ": 3 rational-quadratic spline couplings with 64×64 "
                + "conditioners, the robust recipe — cosine schedule, early stopping, the best weights — in float32) "
                + "and the model ", code("kdeflow fit"), " selects. The selection is reduced to fit a report: "
                + FOLDS + " folds, the candidates kde-lcv and the spline flow plus the stack of the two, no "
                + "ensemble, one thread per set (a default fit, 5 folds over 10 candidates with ensembles, takes "
                + "30–60 s per set).");
        List<String> header = List.of("data", "homework flow", "LCV KDE", "spline flow", "fit's choice", "chose",
                "entropy floor", "best gap");
        List<List<Object>> rows = new ArrayList<>();
        List<String> sentences = new ArrayList<>();
        for (Run.Result<Outcome> res : results) {
            Outcome o = res.get();
            Spec sp = o.spec();
            var m = run.metrics.at("part2", "task9", sp.id());
            double floor = run.metrics.at("part2", "entropy_floor").path(sp.toy().key()).asDouble();
            List<Row> models = List.of(new Row("homework flow", m.path("test_nll").asDouble()),
                    new Row("LCV KDE", m.path("kde_test_nll").asDouble()), new Row("spline flow", o.nsfNll()),
                    new Row("fit's choice (" + o.selection().chosen() + ")", o.fitNll()));
            double best = models.stream().mapToDouble(Row::nll).min().orElseThrow();
            rows.add(List.of(sp.toy().label(), models.get(0).nll(), models.get(1).nll(), models.get(2).nll(),
                    models.get(3).nll(), o.selection().chosen(), floor, best - floor));
            sentences.add(sentence(sp.toy().label(), models, floor));
            String p = "beyond";
            run.metrics.put(o.nsfNll(), p, sp.toy().key(), "nsf_test_nll");
            run.metrics.put(o.nsfSeconds(), "timings", "beyond", sp.toy().key(), "nsf_fit_seconds");
            run.metrics.put(o.fitNll(), p, sp.toy().key(), "fit_test_nll");
            run.metrics.putText(o.selection().chosen(), p, sp.toy().key(), "fit_chosen");
            run.metrics.put(o.fitSeconds(), "timings", "beyond", sp.toy().key(), "fit_seconds");
            for (ModelSelection.Score sc : o.selection().ranking()) {
                run.metrics.put(sc.meanLogLikelihood(), p, sp.toy().key(), "fit_cv_log_likelihood", sc.name());
            }
            figure(run, o, sp);
            s.figure("beyond-" + sp.toy().key() + ".png", sp.toy().label() + ": the true density, the homework's "
                    + "flow, the LCV KDE, the spline flow and fit's choice (" + o.selection().chosen() + ") on one "
                    + "colour scale.", 85);
        }
        s.table("Beyond the homework: test NLL in nats per point on the fresh samples, the entropy floor, and the "
                + "smallest gap to it of the four.", header, rows);
        s.paragraph(strong("Reading (generated from the table). "), String.join(" ", sentences));
    }

    private static void figure(Run run, Outcome o, Spec sp) throws Exception {
        HomeworkConfig c = run.config;
        Toy toy = sp.toy();
        Grid grid = PartTwoSpecs.grid(toy, c);
        Density homework = FlowModelFile.load(run.dir.resolve(PartTwoStage.MODELS).resolve(sp.id() + ".safetensors"));
        double[] truth = toy.limit().density(grid.points(), grid.size());
        PartTwoExperiments.KdeFit kde = o.kde();
        List<double[]> values = List.of(truth, homework.density(grid.points(), grid.size()), kde.density(),
                o.nsfDensity(), o.fitDensity());
        List<String> titles = List.of("true density", "homework flow", "KDE, h = " + number(kde.h()) + " (LCV)",
                "spline flow", "fit: " + o.selection().chosen());
        ColorCap cap = ColorCap.of(truth, values);
        Plots.densityPanels(toy.label() + ": beyond the homework", titles, grid, values,
                Plots.columnsFor(values.size()), true, "p(x)", cap.colorMax())
                .save(run.dir.resolve("beyond-" + toy.key() + ".png"));
    }

    /** Test NLLs closer than this (nats) are the same model's: fit refitted the candidate shown beside it. */
    static final double MATCH = 5e-4;

    /** Which model comes closest to the floor on one set, by how much, and whether fit picked it. */
    static String sentence(String data, List<Row> models, double floor) {
        Row best = models.get(0);
        for (Row r : models) {
            if (r.nll() < best.nll()) {
                best = r;
            }
        }
        Row homework = models.get(0);
        Row fit = models.get(models.size() - 1);
        String s = data + ": " + best.model() + " comes closest to the floor (gap " + number(best.nll() - floor)
                + " nats, against " + number(homework.nll() - floor) + " for the homework flow)";
        if (best == fit) {
            s += ", and fit chose it.";
        } else if (fit.nll() - best.nll() < MATCH) {
            s += ", and fit's choice matches it.";
        } else {
            s += "; fit's choice trails it by " + number(fit.nll() - best.nll()) + " nats on the fresh points, a "
                    + "cross-validation estimate on " + FOLDS + " folds of the training set being only an estimate.";
        }
        return s;
    }
}

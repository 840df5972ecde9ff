package org.kdeflow.cli.homework;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.kdeflow.cli.homework.PartTwoExperiments.KdeFit;
import org.kdeflow.cli.homework.PartTwoExperiments.Trained;
import org.kdeflow.cli.homework.PartTwoExperiments.Training;
import org.kdeflow.cli.homework.PartTwoSpecs.Spec;
import org.kdeflow.cli.homework.PartTwoSpecs.Toy;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets.Kind;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.train.TrainingResult;

/**
 * Part II, Tasks 1 and 9–12. The jobs: the toy sets' plots, each distribution's entropy floor, each training set's
 * cross-validated KDE, and every training ({@link PartTwoExperiments}; the headline seed's also save their model and
 * layer figure). Then the metrics, the figures that combine several models ({@link PartTwoFigures}, a second
 * parallel batch) and the text ({@link PartTwoText}).
 */
final class PartTwoStage implements Stage {

    /** Folder (inside the report) with every trained model as safetensors. */
    static final String MODELS = "models";

    @Override
    public String name() {
        return "part2-flows";
    }

    @Override
    public Finish plan(Run run, Run.Jobs jobs) throws Exception {
        HomeworkConfig c = run.config;
        List<Spec> specs = PartTwoSpecs.specs(c);
        Files.createDirectories(run.dir.resolve(MODELS));
        Map<String, Toy> toys = PartTwoSpecs.toys(specs);
        Map<String, Dataset> tests = new LinkedHashMap<>();
        Map<String, Run.Result<Double>> entropy = new LinkedHashMap<>();
        for (Toy t : toys.values()) {
            tests.put(t.key(), t.sample(c.testN(), c.testSeed()));
            entropy.put(t.key(), jobs.add("entropy " + t.key(), 0.3, () -> PartTwoExperiments.entropy(t)));
        }
        for (Kind k : Kind.values()) {
            jobs.add("Task 1 " + k.homeworkName(), 0.1, () -> {
                PartTwoFigures.data(k.homeworkName(), new Toy(k, 5).sample(c.toyN(), c.seed()))
                        .save(run.dir.resolve("p2-data-" + k.homeworkName() + ".png"));
                return null;
            });
        }
        Map<String, Run.Result<KdeFit>> kdes = new LinkedHashMap<>();
        for (Spec s : specs) {
            String key = dataKey(s);
            if (!kdes.containsKey(key)) {
                Dataset test = tests.get(s.toy().key());
                kdes.put(key, jobs.add("KDE " + key, 0.2, () -> PartTwoExperiments.kde(s.toy(), s.n(), c, test)));
            }
        }
        List<Run.Result<List<Trained>>> trained = new ArrayList<>();
        for (Training t : PartTwoExperiments.trainings(specs, c)) {
            Dataset test = tests.get(t.toy().key());
            trained.add(jobs.add(t.name(), t.cost(), () -> PartTwoExperiments.train(t, c, test,
                    t.headline() ? (s, flow, r) -> keep(run, s, flow, r) : (s, flow, r) -> { },
                    run::failed, status -> run.status(t.name(), status))));
        }
        return () -> {
            Map<String, List<Trained>> bySpec = new LinkedHashMap<>();
            for (Run.Result<List<Trained>> r : trained) {
                for (Trained t : r.get()) {
                    bySpec.computeIfAbsent(t.spec().id(), x -> new ArrayList<>()).add(t);
                }
            }
            for (Toy t : toys.values()) {
                run.metrics.put(entropy.get(t.key()).get(), "part2", "entropy_floor", t.key());
            }
            List<Model> models = new ArrayList<>();
            for (Spec s : specs) {
                Model m = new Model(s, bySpec.get(s.id()), kdes.get(dataKey(s)).get(),
                        entropy.get(s.toy().key()).get());
                models.add(m);
                record(run.metrics, m);
            }
            finish(run, models);
        };
    }

    /** A training set: the distribution and the sample size. */
    private static String dataKey(Spec s) {
        return s.toy().key() + " N=" + s.n();
    }

    /** The headline seed's model file and layer figure. */
    private static void keep(Run run, Spec s, org.kdeflow.flow.CouplingFlow flow, TrainingResult r)
            throws Exception {
        HomeworkConfig c = run.config;
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("homework.task", s.task());
        meta.put("homework.data", s.toy().label());
        meta.put("homework.n", Integer.toString(s.n()));
        meta.put("homework.epochs", Integer.toString(s.epochs()));
        meta.put("homework.data_seed", Long.toString(c.seed()));
        meta.put("homework.train_seed", Long.toString(c.modelSeed()));
        meta.put("homework.weights", r.returned().name().toLowerCase(Locale.ROOT));
        FlowModelFile.save(flow, run.dir.resolve(MODELS).resolve(s.id() + ".safetensors"), SafeTensors.DType.F64,
                meta);
        PartTwoFigures.layers(s, flow, c.layerSamples(), c.modelSeed())
                .save(run.dir.resolve("p2-layers-" + s.id() + ".png"));
    }

    private static void finish(Run run, List<Model> models) throws Exception {
        // figures that combine several models: one job each
        Run.Jobs figs = new Run.Jobs();
        Map<String, Run.Result<PartTwoFigures.Drawn>> densities = new LinkedHashMap<>();
        for (String task : PartTwoSpecs.TASKS) {
            List<Model> ms = of(models, task);
            if (task.equals("task9")) {
                for (Model m : ms) {
                    densities.put(m.spec().id(), figs.add("density " + m.spec().id(), () -> saved(run,
                            m.spec().id(), PartTwoFigures.density(m.spec().label(), List.of(m), true, run.config))));
                }
            } else {
                densities.put(task, figs.add("density " + task, () -> saved(run, task,
                        PartTwoFigures.density(PartTwoSpecs.title(task), ms, false, run.config))));
            }
            figs.add("losses " + task, () -> {
                PartTwoFigures.losses(PartTwoSpecs.title(task), ms)
                        .save(run.dir.resolve("p2-losses-" + task + ".png"));
                return null;
            });
        }
        run.parallel("part2-flows-figures", figs.list());
        Map<String, String> notes = new LinkedHashMap<>();
        densities.forEach((k, v) -> notes.put(k, v.get().note()));
        PartTwoText.task1(run);
        PartTwoText.models(run, models);
        PartTwoText.task9(run, of(models, "task9"), notes);
        for (String task : List.of("task10", "task11", "task12")) {
            List<Model> ms = of(models, task);
            Comparison cmp = Comparison.of(ms.get(0), ms.get(1));
            record(run.metrics, task, cmp);
            PartTwoText.comparison(run, section(run, task), task, cmp, notes);
        }
        PartTwoText.losses(run);
    }

    private static PartTwoFigures.Drawn saved(Run run, String file, PartTwoFigures.Drawn d) throws Exception {
        d.figure().save(run.dir.resolve("p2-density-" + file + ".png"));
        return d;
    }

    private static List<Model> of(List<Model> models, String task) {
        return models.stream().filter(m -> m.spec().task().equals(task)).toList();
    }

    private static org.kdeflow.cli.report.ReportDocument.Section section(Run run, String task) {
        return switch (task) {
            case "task10" -> run.sections.p2Task10;
            case "task11" -> run.sections.p2Task11;
            default -> run.sections.p2Task12;
        };
    }

    private static void record(Metrics m, Model md) {
        Spec s = md.spec();
        String[] p = {"part2", s.task(), s.id()};
        TrainingResult r = md.result();
        m.putText(s.toy().label(), cat(p, "data"));
        m.put(s.n(), cat(p, "n"));
        m.put(s.layers(), cat(p, "K"));
        m.put(s.epochs(), cat(p, "epochs"));
        m.put(r.bestEpoch(), cat(p, "best_epoch"));
        m.put(PartTwoText.adamSteps(md), cat(p, "adam_steps"));
        m.putText(r.returned().name().toLowerCase(Locale.ROOT), cat(p, "weights"));
        m.put(r.bestValidLoss(), cat(p, "best_valid_loss"));
        m.put(r.finalValidLoss(), cat(p, "final_valid_loss"));
        m.put(Stats.last(r.trainLosses()), cat(p, "final_train_loss"));
        m.put(md.testNll(), cat(p, "test_nll"));
        m.put(md.scores().standardError(), cat(p, "test_nll_standard_error"));
        m.put(md.entropy(), cat(p, "entropy_floor"));
        m.put(md.gap(), cat(p, "gap"));
        m.put(md.scores().q01(), cat(p, "test_logp_q01"));
        m.put(md.scores().median(), cat(p, "test_logp_median"));
        m.put(md.kde().h(), cat(p, "kde_lcv_h"));
        m.put(md.kde().nll(), cat(p, "kde_test_nll"));
        m.put(md.kdeGap(), cat(p, "kde_gap"));
        m.putArray(r.trainLosses(), cat(p, "train_losses"));
        m.putArray(r.validLosses(), cat(p, "valid_losses"));
        if (md.seeds().size() > 1) {
            String[] q = cat(p, "seeds");
            double[] seeds = new double[md.seeds().size()];
            for (int k = 0; k < seeds.length; k++) {
                seeds[k] = md.seeds().get(k).seed();
            }
            m.putArray(seeds, cat(q, "train_seeds"));
            spread(m, cat(q, "test_nll"), md.nllOverSeeds());
            spread(m, cat(q, "gap"), md.gapOverSeeds());
            spread(m, cat(q, "test_logp_median"), md.medianOverSeeds());
            spread(m, cat(q, "test_logp_q01"), md.q01OverSeeds());
            spread(m, cat(q, "final_train_loss"), md.trainLossOverSeeds());
            for (Trained t : md.seeds().subList(1, md.seeds().size())) {
                m.put(t.result().wallSeconds(), "timings", "trainings", s.id() + " seed " + t.seed());
            }
        }
        m.put(r.wallSeconds(), "timings", "trainings", s.id());
    }

    private static void spread(Metrics m, String[] p, Model.Spread s) {
        m.putArray(s.values(), cat(p, "values"));
        m.put(s.mean(), cat(p, "mean"));
        m.put(s.sd(), cat(p, "sd"));
    }

    private static void record(Metrics m, String task, Comparison cmp) {
        String[] p = {"part2", task, "comparison"};
        m.put(cmp.mean(), cat(p, "gap_difference"));
        m.put(cmp.standardError(), cat(p, "difference_standard_error"));
        m.putText(cmp.paired() ? "paired" : "unpaired", cat(p, "standard_error_kind"));
        if (cmp.seeds() > 1) {
            spread(m, cat(p, "gap_difference_per_seed"), cmp.gapDifference());
            spread(m, cat(p, "median_logp_difference_per_seed"), cmp.medianDifference());
            m.put(cmp.testPointError(), cat(p, "test_point_standard_error"));
            m.put(cmp.threshold(), cat(p, "threshold"));
            m.putText(cmp.tie() ? "tie" : cmp.better().spec().id(), cat(p, "verdict"));
            m.put(cmp.betterInSeeds(), cat(p, "better_in_seeds"));
        }
    }

    private static String[] cat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}

package org.kdeflow.cli.homework;

import java.util.ArrayList;
import java.util.List;

/**
 * Part I, Tasks 1, 3 and 4: one job per density runs {@link PartOne#study} and draws its figures; then the numbers go
 * to the metrics and {@link PartOneText} writes the sections.
 */
final class PartOneStage implements Stage {

    @Override
    public String name() {
        return "part1-kde";
    }

    @Override
    public Finish plan(Run run, Run.Jobs jobs) {
        PartOne.Setting setting = PartOne.Setting.of(run.config);
        List<Run.Result<PartOne.Outcome>> results = new ArrayList<>();
        for (PartOne.Dist d : PartOne.distributions()) {
            run.metrics.at("part1", d.key()); // fixes the order of metrics.json, whatever job finishes first
            // relative cost: about a fifth of the longest training
            results.add(jobs.add("Part I " + d.key(), 2.0, () -> study(run, d, setting)));
        }
        return () -> {
            List<PartOne.Outcome> outcomes = new ArrayList<>();
            for (Run.Result<PartOne.Outcome> r : results) {
                outcomes.add(r.get());
            }
            PartOneText.task1(run, outcomes);
            PartOneText.task3(run, outcomes);
            List<PartOne.Difficulty> difficulty = new ArrayList<>();
            for (PartOne.Outcome o : outcomes) {
                PartOne.Difficulty d = PartOne.difficulty(o);
                run.metrics.put(d.bestShortfall(), "part1", o.dist().key(), "difficulty", "best_kl_shortfall");
                run.metrics.put(d.relativeIse(), "part1", o.dist().key(), "difficulty", "relative_ise_at_best_h");
                difficulty.add(d);
            }
            PartOneText.task4(run, outcomes, difficulty);
        };
    }

    private static PartOne.Outcome study(Run run, PartOne.Dist d, PartOne.Setting setting) throws Exception {
        PartOne.Outcome o = PartOne.study(d, setting);
        PartOne.samples(o).save(run.dir.resolve("p1-samples-" + d.key() + ".png"));
        PartOne.estimates(o).save(run.dir.resolve("p1-kde-" + d.key() + ".png"));
        PartOne.iseCurve(o).save(run.dir.resolve("p1-ise-" + d.key() + ".png"));
        record(run.metrics, o);
        return o;
    }

    private static void record(Metrics m, PartOne.Outcome o) {
        KdeStudy.Result r = o.study();
        String[] base = {"part1", o.dist().key()};
        m.put(o.train().size(), path(base, "n"));
        m.put(r.truthHeldOutLogLikelihood(), path(base, "truth_held_out_loglik"));
        for (KdeStudy.Entry e : r.entries()) {
            String h = key(e.bandwidth().diagonal()[0]);
            m.put(e.ise(), path(base, "h", h, "ise"));
            m.put(e.maxError(), path(base, "h", h, "max_error"));
            m.put(e.heldOutLogLikelihood(), path(base, "h", h, "held_out_loglik"));
        }
        m.put(r.crossValidated().diagonal()[0], path(base, "lcv", "h"));
        m.put(r.crossValidatedIse(), path(base, "lcv", "ise"));
        m.putArray(r.curve().h(), path(base, "curve", "h"));
        m.putArray(r.curve().ise(), path(base, "curve", "ise"));
        int best = Stats.argmin(r.curve().ise());
        m.put(r.curve().h()[best], path(base, "curve", "best_h"));
        m.put(r.curve().ise()[best], path(base, "curve", "best_ise"));
    }

    static String key(double h) {
        return org.kdeflow.cli.report.ReportDocument.number(h);
    }

    private static String[] path(String[] base, String... rest) {
        String[] p = new String[base.length + rest.length];
        System.arraycopy(base, 0, p, 0, base.length);
        System.arraycopy(rest, 0, p, base.length, rest.length);
        return p;
    }
}

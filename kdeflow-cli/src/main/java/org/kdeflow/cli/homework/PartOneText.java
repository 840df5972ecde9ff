package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.MathML.frac;
import static org.kdeflow.cli.report.MathML.hat;
import static org.kdeflow.cli.report.MathML.inline;
import static org.kdeflow.cli.report.MathML.mi;
import static org.kdeflow.cli.report.MathML.mn;
import static org.kdeflow.cli.report.MathML.mo;
import static org.kdeflow.cli.report.MathML.paren;
import static org.kdeflow.cli.report.MathML.row;
import static org.kdeflow.cli.report.MathML.sup;
import static org.kdeflow.cli.report.MathML.upright;
import static org.kdeflow.cli.report.ReportDocument.number;
import static org.kdeflow.cli.report.ReportDocument.strong;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Part I's sections: the samples, the estimates with their table, and the discussion generated from the numbers. */
final class PartOneText {
    /** Text width of a 2 × 2 panel figure: two such figures fit on a page. */
    static final int TWO_BY_TWO = 52;

    private PartOneText() {
    }

    // ---- Task 1 --------------------------------------------------------------------------------------------------

    static void task1(Run run, List<PartOne.Outcome> outcomes) {
        var s = run.sections.p1Task1;
        s.paragraph("N = " + run.config.partOneN() + " samples of each density (data seed " + run.config.seed()
                + "): the mixtures with M = 4 components at (0,0), (0,2), (2,0), (2,2) and σ = ½ or σ = 1; the "
                + "spiral θ ∼ U[0, 4π], r | θ ∼ N(θ/2, 0.25) (variance 0.25, standard deviation ½), "
                + "x = (r cos θ, r sin θ).");
        List<String> files = new ArrayList<>();
        for (PartOne.Outcome o : outcomes) {
            files.add("p1-samples-" + o.dist().key() + ".png");
        }
        s.figures(files, "Samples of the three Part I densities, one plot each.", 33);
        s.paragraph("With σ = ½ the four components are separated (centres 2 apart, 4σ); with σ = 1 they "
                + "overlap into one broad plateau. The spiral's points crowd near the origin, where a small r covers "
                + "little area: its density grows like 1/r there.");
    }

    // ---- Task 3 --------------------------------------------------------------------------------------------------

    static void task3(Run run, List<PartOne.Outcome> outcomes) {
        var s = run.sections.p1Task3;
        HomeworkConfig c = run.config;
        s.paragraph("For each density, the true f beside the estimates with H = hI, h ∈ {0.1, 0.5, 1}, on a "
                + c.grid() + "×" + c.grid() + " grid; the colour scale is shared within a figure. The numbers: "
                + "ISE and max error on the same grid, and the mean log-likelihood of " + c.heldOutN()
                + " held-out samples (seed " + c.testSeed() + "), where the true density's own value is the "
                + "ceiling.");
        for (PartOne.Outcome o : outcomes) {
            s.figure("p1-kde-" + o.dist().key() + ".png", o.dist().name() + ": the true density and the kernel "
                    + "density estimates for h = 0.1, 0.5 and 1 (N = " + c.partOneN() + ")." + o.shadingNote(),
                    TWO_BY_TWO);
        }
        List<List<Object>> rows = new ArrayList<>();
        for (PartOne.Outcome o : outcomes) {
            for (KdeStudy.Entry e : o.study().entries()) {
                rows.add(List.of(o.dist().name(), e.bandwidth().diagonal()[0], e.ise(), e.maxError(),
                        e.heldOutLogLikelihood(), o.study().truthHeldOutLogLikelihood() - e.heldOutLogLikelihood()));
            }
            rows.add(List.of(o.dist().name(), "LCV: " + number(o.study().crossValidated().diagonal()[0]),
                    o.study().crossValidatedIse(), "", "", ""));
        }
        s.table("Quality of each estimate. Held-out log-likelihood in nats per point; its shortfall from the true "
                + "density's held-out log-likelihood estimates KL(f‖f̂). LCV: the bandwidth leave-one-out likelihood "
                + "cross-validation picks, with its ISE.", List.of("distribution", "h", "ISE", "max error",
                        "held-out log-lik.", "shortfall (nats)"), rows);
        List<String> curves = new ArrayList<>();
        for (PartOne.Outcome o : outcomes) {
            curves.add("p1-ise-" + o.dist().key() + ".png");
        }
        s.figures(curves, "The bias–variance trade-off: ISE against h (log axes) for each density, from "
                + c.curveH() + " bandwidths between 0.02 and 2. Left of the minimum the variance term "
                + "(∝ 1/(Nh²)) dominates, right of it the squared bias (∝ h⁴). Marked: the homework's h = 0.1, 0.5, "
                + "1 and (dashed line) the h leave-one-out likelihood cross-validation picks.", 50);
        s.paragraph(strong("Discussion (from the numbers above). "));
        List<Object> items = new ArrayList<>();
        for (PartOne.Outcome o : outcomes) {
            items.add(task3Sentence(o));
        }
        s.bullets(items);
        s.paragraph("The trade-off: f̂ is f smoothed by the kernel plus sampling noise. Its bias is ",
                inline(upright("E"), hat(mi("f")), mo("−"), mi("f"), mo("≈"), frac(1, 2), sup(mi("h"), mn("2")),
                        sup(mo("∇"), mn("2")), mi("f")),
                ", growing with h and with the curvature of f; its variance is about ",
                inline(mi("f"), mo("/"), paren(mn("4"), mi("π"), mi("N"), sup(mi("h"), mn("2")))),
                ", shrinking with h. A small h follows each sample (a spiky, noisy estimate that "
                + "overshoots the peaks: the large max error at h = 0.1), a large h blurs structure away (modes "
                + "merge, the spiral's arms fill in). The best h balances the two and depends on f: sharper "
                + "structure wants a smaller h, and more samples allow a smaller h (",
                inline(sup(mi("h"), mo("*")), mo("∝"), sup(mi("N"), row(mo("−"), mn("1"), mo("/"), mn("6")))),
                " in 2-D). Likelihood cross-validation finds it from the sample alone.");
    }

    /** One generated sentence per distribution: which h wins on each measure, by how much, and where CV lands. */
    static String task3Sentence(PartOne.Outcome o) {
        List<KdeStudy.Entry> es = o.study().entries();
        double[] ise = es.stream().mapToDouble(KdeStudy.Entry::ise).toArray();
        double[] ll = es.stream().mapToDouble(KdeStudy.Entry::heldOutLogLikelihood).toArray();
        double[] mx = es.stream().mapToDouble(KdeStudy.Entry::maxError).toArray();
        int bi = Stats.argmin(ise);
        int bl = Stats.argmax(ll);
        int bm = Stats.argmin(mx);
        double hIse = h(es.get(bi));
        StringBuilder sb = new StringBuilder();
        sb.append(o.dist().name()).append(": of the three, h = ").append(number(hIse))
                .append(" has the smallest ISE (").append(number(ise[bi])).append("; ");
        List<String> others = new ArrayList<>();
        for (int i = 0; i < es.size(); i++) {
            if (i != bi) {
                others.add(String.format(Locale.ROOT, "%s× at h = %s", number(ise[i] / ise[bi]), number(h(es.get(i)))));
            }
        }
        sb.append(String.join(", ", others)).append(")");
        if (bl == bi && bm == bi) {
            sb.append(", and it also wins on the maximum error and the held-out log-likelihood");
        } else {
            sb.append("; the held-out log-likelihood prefers h = ").append(number(h(es.get(bl))))
                    .append(" and the maximum error h = ").append(number(h(es.get(bm))));
        }
        double[] curveIse = o.study().curve().ise();
        int best = Stats.argmin(curveIse);
        double bestH = o.study().curve().h()[best];
        double bestIse = curveIse[best];
        double cv = o.study().crossValidated().diagonal()[0];
        sb.append(". The ISE curve's minimum is at h ≈ ").append(number(bestH)).append(" (ISE ")
                .append(number(bestIse)).append(")");
        double ratio = o.study().crossValidatedIse() / bestIse;
        sb.append("; likelihood cross-validation picks h = ").append(number(cv)).append(", with ISE ")
                .append(number(o.study().crossValidatedIse()))
                .append(ratio <= 1.0 ? " — as good as the best bandwidth sampled on the curve."
                        : ratio < 1.25 ? ", within " + number(100 * (ratio - 1)) + " % of the curve's minimum."
                        : ", " + number(ratio) + "× the curve's minimum: maximising the likelihood is not the "
                                + "same as minimising the squared error.");
        return sb.toString();
    }

    private static double h(KdeStudy.Entry e) {
        return e.bandwidth().diagonal()[0];
    }

    // ---- Task 4 --------------------------------------------------------------------------------------------------

    static void task4(Run run, List<PartOne.Outcome> outcomes, List<PartOne.Difficulty> difficulty) {
        var s = run.sections.p1Task4;
        // difficulty = the smallest KL shortfall any bandwidth on the study reaches; relative ISE as a second view
        double[] kl = new double[outcomes.size()];
        double[] relIse = new double[outcomes.size()];
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            kl[i] = difficulty.get(i).bestShortfall();
            relIse[i] = difficulty.get(i).relativeIse();
            rows.add(List.of(outcomes.get(i).dist().name(), kl[i], relIse[i]));
        }
        s.table("How hard each density is to estimate: the smallest shortfall in held-out log-likelihood over "
                + "h ∈ {0.1, 0.5, 1} (an estimate of KL(f‖f̂), in nats) and the smallest ISE over the whole curve "
                + "relative to ∫f² (scale-free).", List.of("distribution", "best shortfall (nats)",
                        "min ISE / ∫f²"), rows);
        int hard = Stats.argmax(kl);
        int easy = Stats.argmin(kl);
        boolean agree = Stats.argmax(relIse) == hard && Stats.argmin(relIse) == easy;
        StringBuilder sb = new StringBuilder();
        sb.append(agree ? "Both measures agree: the easiest is the " : "By the held-out shortfall (the relative "
                + "ISE orders them differently) the easiest is the ").append(outcomes.get(easy).dist().name())
                .append(" (shortfall ").append(number(kl[easy])).append(" nats), the hardest the ")
                .append(outcomes.get(hard).dist().name()).append(" (").append(number(kl[hard])).append(" nats, ")
                .append(number(kl[hard] / Math.max(kl[easy], 1e-12))).append("× the easiest).");
        for (int i = 0; i < kl.length; i++) {
            if (i != easy && i != hard && kl[i] - kl[easy] < 0.25 * kl[easy]) {
                sb.append(" The ").append(outcomes.get(i).dist().name()).append(" is close behind the easiest (")
                        .append(number(kl[i])).append(" nats, less than a quarter more); by the relative ISE it "
                                + "is ")
                        .append(relIse[i] > relIse[easy] ? "harder (" : "easier (").append(number(relIse[i]))
                        .append(" against ").append(number(relIse[easy])).append(").");
            }
        }
        s.paragraph(sb.toString());
        s.paragraph(why(outcomes.get(easy).dist().key(), true) + " " + why(outcomes.get(hard).dist().key(), false)
                + " A single global h must serve the whole density: the bias grows with the curvature ∇²f, so "
                + "a density whose curvature varies (sharp in places, flat in others) cannot be served well "
                + "everywhere by one h.");
    }

    private static String why(String key, boolean easiest) {
        return switch (key) {
            case "mixture-1" -> easiest
                    ? "The σ = 1 mixture is smooth everywhere: its components overlap into one broad bump with small "
                            + "curvature, so a large h removes the noise while adding little bias."
                    : "The σ = 1 mixture is hard here even though it is smooth: with this sample size the variance "
                            + "term dominates.";
            case "mixture-0.5" -> easiest
                    ? "The σ = ½ mixture has four well-separated round peaks of one common scale, which a single "
                            + "isotropic h matches well."
                    : "The σ = ½ mixture has narrow peaks (σ = ½) separated by near-empty gaps: the h that keeps "
                            + "the peaks sharp leaves the gaps noisy, and one that smooths the gaps flattens the peaks.";
            default -> easiest
                    ? "The spiral is easy here: its arms are wide compared with the chosen h."
                    : "The spiral is curved, thin (radial standard deviation ½) and has an integrable singularity "
                            + "at the origin, where its density grows like 1/r; its arms come within about one "
                            + "standard deviation of each other near the centre. An isotropic h either blurs the "
                            + "arms into each other and flattens the peak at the centre, or is too noisy on the "
                            + "sparse outer turns.";
        };
    }
}

package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.ReportDocument.code;

import org.kdeflow.cli.report.ReportDocument;
import org.kdeflow.cli.report.ReportDocument.Section;

/** The report's outline, in the homework's order; the stages fill the sections in whatever order they run. */
final class HomeworkSections {
    final Section partOne;
    final Section p1Task1;
    final Section p1Task2;
    final Section p1Task3;
    final Section p1Task4;
    final Section partTwo;
    final Section p2Task1;
    final Section p2Task2;
    final Section p2Task3;
    final Section p2Task4;
    final Section p2Task5;
    final Section p2Task6and8;
    final Section p2Task7;
    final Section p2Scoring;
    final Section p2Task9;
    final Section p2Task10;
    final Section p2Task11;
    final Section p2Task12;
    /** Null unless the run adds it ({@link HomeworkConfig#beyond}). */
    final Section beyond;
    final Section lossCurves;
    final Section reproducibility;

    HomeworkSections(ReportDocument doc, HomeworkConfig config) {
        doc.lead("Every task of Homework 1 (Kernel Density Estimation and Normalizing Flows), computed by ",
                code("kdeflow homework" + (config.quick() ? " --quick" : "")),
                ". The numbers, figures and the answers to the discussion questions below are produced by that run: "
                        + "the prose is generated from the measured numbers, so it stays true when they change. "
                        + "Every number is also in metrics.json beside this file.");
        if (config.quick()) {
            doc.lead(ReportDocument.strong("Quick run:"), " smaller samples and a fraction of the epochs; the "
                    + "numbers are not the homework's. Run without --quick for the real report.");
        }
        partOne = doc.section("part1", "Part I — Kernel density estimation");
        partOne.paragraph("Three densities with known formulas are sampled, estimated with a Gaussian kernel for "
                + "three bandwidths, and compared with the truth; the bandwidth's trade-off is measured, not only "
                + "seen.");
        p1Task1 = partOne.subsection("p1-task1", "Task 1 — Samples from three densities");
        p1Task2 = partOne.subsection("p1-task2", "Task 2 — The estimator");
        p1Task3 = partOne.subsection("p1-task3", "Task 3 — True and estimated densities, and the choice of h");
        p1Task4 = partOne.subsection("p1-task4", "Task 4 — The easiest and the hardest distribution");
        partTwo = doc.section("part2", "Part II — Normalizing flows");
        partTwo.paragraph("Affine coupling flows (Real NVP) on the four toy sets: the derivations of Tasks 2–5 and 7, "
                + "then every training the homework asks for, each model scored on fresh samples against the best "
                + "possible score and against a kernel density estimate.");
        p2Task1 = partTwo.subsection("p2-task1", "Task 1 — Four toy data sets");
        p2Task2 = partTwo.subsection("p2-task2", "Task 2 — The inverse coupling layer");
        p2Task3 = partTwo.subsection("p2-task3", "Task 3 — The Jacobian");
        p2Task4 = partTwo.subsection("p2-task4", "Task 4 — Its log-determinant");
        p2Task5 = partTwo.subsection("p2-task5", "Task 5 — The inverse's log-determinant");
        p2Task6and8 = partTwo.subsection("p2-task6-8", "Tasks 6 and 8 — The implementation");
        p2Task7 = partTwo.subsection("p2-task7", "Task 7 — Composing coupling layers");
        p2Scoring = partTwo.subsection("p2-scoring", "How the models are scored");
        p2Task9 = partTwo.subsection("p2-task9", "Task 9 — A flow for each data set");
        p2Task10 = partTwo.subsection("p2-task10", "Task 10 — Depth: K = 2 against K = 4");
        p2Task11 = partTwo.subsection("p2-task11", "Task 11 — Training-set size: N = 1500 against N = 3000");
        p2Task12 = partTwo.subsection("p2-task12", "Task 12 — Data complexity: 3 against 7 Gaussians");
        beyond = config.beyond() ? doc.section("beyond", "Beyond the homework") : null;
        lossCurves = doc.section("appendix-losses", "Appendix A — Loss curves");
        reproducibility = doc.section("appendix-run", "Appendix B — The run: software, seeds, timings");
    }
}

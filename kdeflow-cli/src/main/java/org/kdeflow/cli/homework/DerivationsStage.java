package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.ReportDocument.code;

/** The pen-and-paper tasks: Part I's estimator and Part II Tasks 2–5 and 7, with the inverse layer's graph. */
final class DerivationsStage implements Stage {
    @Override
    public String name() {
        return "derivations";
    }

    @Override
    public Finish plan(Run run, Run.Jobs jobs) {
        return () -> write(run);
    }

    private static void write(Run run) throws java.io.IOException {
        HomeworkSections s = run.sections;
        Derivations.kdeEstimator(s.p1Task2);
        s.p1Task2.paragraph("The implementation is ", code("org.kdeflow.kde.KernelDensity"), " (any dimension; "
                + "scalar, diagonal or full H; log-sum-exp so far-away points stay finite). On a grid with a "
                + "diagonal H it uses the kernel's separability: the 100×100 image costs (100 + 100)·N kernel "
                + "evaluations and one matrix product instead of 10⁴·N. From the command line: ",
                code("kdeflow kde --dist spiral --h 0.1,0.5,1 --out DIR"), ".");
        Derivations.couplingForward(s.p2Task2);
        Derivations.task2(s.p2Task2, run.dir);
        Derivations.task3(s.p2Task3);
        Derivations.task4(s.p2Task4);
        Derivations.task5(s.p2Task5);
        Derivations.task7(s.p2Task7);
        Derivations.entropyFloor(s.p2Scoring);
        s.p2Task6and8.paragraph("The coupling layer and the flow are ", code("org.kdeflow.flow"),
                " (AffineCoupling, CouplingFlow), trained by ", code("org.kdeflow.train.Trainer"),
                " with the notebook's defaults: a random 90/10 split, batches of 64 in fixed order, Adam with "
                        + "learning rate 10⁻³, and the best model by validation loss (the final one when the "
                        + "validation set has fewer than 500 samples). s and t are the notebook's "
                        + "2→32→32→2 networks with LeakyReLU, the scale multiplied by a per-dimension scale_factor "
                        + "initialised to 0; log p(x) runs the inverses from the last layer down (Task 8).");
    }
}

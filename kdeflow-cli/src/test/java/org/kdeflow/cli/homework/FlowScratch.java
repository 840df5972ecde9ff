package org.kdeflow.cli.homework;

import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingResult;

/** Scratch, not a test. */
public final class FlowScratch {
    public static void main(String[] a) throws Exception {
        Dataset data = ToyDatasets.sample2dDatasets(ToyDatasets.Kind.GAUSSIANS_ROT, 1500, 0, 5);
        Dataset test = ToyDatasets.sample2dDatasets(ToyDatasets.Kind.GAUSSIANS_ROT, 20000, 1, 5);
        CouplingFlow flow = CouplingFlow.homework(4, 8);
        long t = System.nanoTime();
        TrainingResult r = new Trainer(Trainer.Options.defaults().withEpochs(Integer.parseInt(a[0])).withSeed(8)).fit(flow, data);
        System.out.printf("train %.2f s final train %.4f valid %.4f%n", (System.nanoTime() - t) / 1e9, r.trainLosses()[r.trainLosses().length - 1], r.finalValidLoss());
        System.out.printf("on train data: %.4f%n", -flow.meanLogDensity(data));
        System.out.printf("on test: %.4f%n", -flow.meanLogDensity(test));
        System.out.printf("on test first 1500: %.4f%n", -flow.meanLogDensity(test.slice(0, 1500)));
        double[] lp = flow.logDensity(test);
        java.util.Arrays.sort(lp);
        System.out.printf("min lp %.3f, 1%% %.3f, median %.3f%n", lp[0], lp[200], lp[10000]);
        double s = 0; for (int i = 0; i < 20000; i += 64) { s += -flow.meanLogDensity(test.slice(i, Math.min(20000, i + 64))) * (Math.min(20000, i + 64) - i); }
        System.out.printf("chunked test: %.4f%n", s / 20000);
    }
}

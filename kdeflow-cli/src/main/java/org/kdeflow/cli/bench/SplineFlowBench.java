package org.kdeflow.cli.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.SplineCoupling;
import org.kdeflow.flow.StandardNormal;
import org.kdeflow.flow.Transform;
import org.kdeflow.nn.Precision;
import org.kdeflow.train.Trainer;

/**
 * The spline-flow speed benchmark, the kdeflow side of {@code bench/nsf_torch.py}: the same flow — three
 * rational-quadratic spline couplings on d = 2 (identity [0] / transformed [1], then [1] / [0], then [0] / [1]),
 * conditioners 1 → 64 → 64 → 23 with LeakyReLU, 8 bins on [−5, 5], minima 1e-3, the standard normal base, no
 * standardisation — trained by Adam (lr 1e-3) in mini-batches of 64 in a fixed order on Moons (N = 1500, seed 0:
 * 1350 training points, 22 steps an epoch). Each epoch here also computes the validation loss on the other 150
 * points, which the PyTorch script does not, so the per-epoch figure is if anything pessimistic for kdeflow. Reports
 * the median thread CPU seconds and wall seconds per epoch over the timed epochs after warm-up epochs.
 */
public final class SplineFlowBench {
    private SplineFlowBench() {
    }

    /** Per-epoch medians (seconds) and the loss at the end. */
    public record Result(Precision precision, int parameters, int steps, double medianCpu, double medianWall,
            double[] cpu, double firstLoss, double lastLoss) {
    }

    /** The benchmark's flow, initialised from seed. */
    public static Flow flow(long seed) {
        int[] h = {64, 64};
        List<Transform.Spec> t = List.of(SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, h),
                SplineCoupling.Spec.of(new int[] {1}, new int[] {0}, h),
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, h));
        return Flow.create(new StandardNormal.Spec(2), t, seed);
    }

    /** Runs warm-up epochs then timed epochs in {@code precision}. */
    public static Result run(Precision precision, int warmup, int epochs) {
        Dataset data = ToyDatasets.sample2dDatasets("Moons", 1500, 0, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
        Flow f = flow(0);
        Trainer.Session s = new Trainer(Trainer.Options.defaults().withEpochs(warmup + epochs).withPrecision(precision)
                .withSelection(Trainer.Selection.FINAL)).start(f, data);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] cpu = new double[epochs];
        double[] wall = new double[epochs];
        double first = Double.NaN;
        for (int e = 0; e < warmup + epochs; e++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            if (!s.runEpoch()) {
                throw new IllegalStateException(s.stopReason());
            }
            if (e >= warmup) {
                cpu[e - warmup] = (threads.getCurrentThreadCpuTime() - c0) * 1e-9;
                wall[e - warmup] = (System.nanoTime() - t0) * 1e-9;
                if (e == warmup) {
                    first = s.state().trainLosses()[e];
                }
            }
        }
        double last = s.state().trainLosses()[warmup + epochs - 1];
        return new Result(precision, f.parameters().size(), (1350 + 63) / 64, median(cpu), median(wall), cpu, first,
                last);
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }
}

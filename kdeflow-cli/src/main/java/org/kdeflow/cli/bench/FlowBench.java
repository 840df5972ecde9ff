package org.kdeflow.cli.bench;

import java.util.Arrays;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.kernels.Kernels;
import org.kdeflow.nn.Dense;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingResult;

/**
 * The flow benchmark: trains the homework's example (by default Moons, N = 1500, K = 4, 1000 epochs, batches of 64)
 * several times from the same seed, and reports the median wall time, the arithmetic rate of the dense products it
 * performed, the rate of one 64×32×32 layer on each dense kernel, and the held-out NLL of the trained flow.
 */
public final class FlowBench {
    private FlowBench() {
    }

    /** What to run. */
    public record Config(String dist, int n, int numGaussians, int layers, int epochs, int batch, int repeats,
            long dataSeed, long initSeed, int testN, long testSeed, Precision precision) {
        /** A configuration training in double precision. */
        public Config(String dist, int n, int numGaussians, int layers, int epochs, int batch, int repeats,
                long dataSeed, long initSeed, int testN, long testSeed) {
            this(dist, n, numGaussians, layers, epochs, batch, repeats, dataSeed, initSeed, testN, testSeed,
                    Precision.F64);
        }

        public Config {
            if (precision == null) {
                throw new IllegalArgumentException("precision must not be null");
            }
        }

        public static Config homework() {
            return new Config("moons", 1500, 5, 4, 1000, 64, 3, 0, 8, 20000, 1);
        }
    }

    /**
     * Measurements (times in seconds, rates in GFLOP/s; {@code layerGflopsVector} is the chosen kernel's, which is
     * the scalar one when the vector module is absent or disabled). The first run includes the JIT's warm-up; the medians are
     * over the later runs when there are any. CPU seconds are the training thread's own, which other processes on a
     * shared machine do not inflate as they do wall time.
     */
    public record Result(Config config, String kernel, double[] seconds, double[] cpuSeconds, double medianSeconds,
            double medianCpuSeconds, double flopsPerRun, double gflops, double layerGflopsVector,
            double layerGflopsScalar, double heldOutNll, double finalValidLoss, int trainSize, int validSize,
            double bytesPerStep, StepProfile step) {
        /** Adam steps in one training run: epochs × ⌈train size / batch⌉. */
        public int stepsPerRun() {
            return config.epochs() * ((trainSize + config.batch() - 1) / config.batch());
        }
    }

    /**
     * Where one training step's time goes, in microseconds (medians of 9 timed blocks after warm-up, on the chosen
     * kernel, a fresh flow and one batch of the training data): the flow's loss and gradient, the Adam update, and
     * for one network the forward and backward (weight and input gradients) of each of its three dense layers (the
     * first two in the configured precision, the layers always on the double kernel).
     * A step runs 2K networks.
     */
    public record StepProfile(int batch, double lossAndGradient, double adam, double firstForward,
            double firstBackward, double hiddenForward, double hiddenBackward, double lastForward,
            double lastBackward) {
    }

    /** Runs the benchmark; {@code progress} receives one line per repeat (may be null). */
    public static Result run(Config c, java.util.function.Consumer<String> progress) {
        return run(c, progress, false);
    }

    /**
     * As {@link #run(Config, java.util.function.Consumer)}; {@code quick} times the step profile and the layer rates
     * with a tenth of the calls (a smoke test, noisier figures).
     */
    public static Result run(Config c, java.util.function.Consumer<String> progress, boolean quick) {
        Dataset data = ToyDatasets.sample2dDatasets(c.dist(), c.n(), c.dataSeed(), c.numGaussians());
        Trainer trainer = new Trainer(Trainer.Options.defaults().withEpochs(c.epochs()).withBatchSize(c.batch())
                .withSeed(c.initSeed()).withPrecision(c.precision()));
        double[] secs = new double[c.repeats()];
        double[] cpu = new double[c.repeats()];
        double[] allocated = new double[c.repeats()];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        CouplingFlow first = null;
        TrainingResult firstResult = null;
        for (int r = 0; r < c.repeats(); r++) {
            CouplingFlow f = CouplingFlow.homework(c.layers(), c.initSeed());
            long a0 = allocatedBytes(threads);
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            TrainingResult res = trainer.fit(f, data);
            secs[r] = (System.nanoTime() - t0) * 1e-9;
            cpu[r] = (threads.getCurrentThreadCpuTime() - c0) * 1e-9;
            allocated[r] = allocatedBytes(threads) - a0;
            if (progress != null) {
                progress.accept(String.format(java.util.Locale.ROOT, "run %d/%d: %.3f s wall, %.3f s CPU%s, final "
                        + "validation loss %.4f", r + 1, c.repeats(), secs[r], cpu[r],
                        r == 0 ? " (includes JIT warm-up)" : "", res.finalValidLoss()));
            }
            if (first == null) {
                first = f;
                firstResult = res;
            }
        }
        double[] warm = c.repeats() > 1 ? Arrays.copyOfRange(secs, 1, secs.length) : secs;
        double[] warmCpu = c.repeats() > 1 ? Arrays.copyOfRange(cpu, 1, cpu.length) : cpu;
        double median = median(warm);
        double medianCpu = median(warmCpu);
        int nTrain = firstResult.trainSize();
        int nValid = firstResult.validSize();
        double flops = trainingFlops(CouplingFlow.Architecture.homework(c.layers()), nTrain, nValid, c.epochs());
        Dataset test = ToyDatasets.sample2dDatasets(c.dist(), c.testN(), c.testSeed(), c.numGaussians());
        double nll = -first.meanLogDensity(test);
        int steps = c.epochs() * ((nTrain + c.batch() - 1) / c.batch());
        double perStep = median(c.repeats() > 1 ? Arrays.copyOfRange(allocated, 1, allocated.length) : allocated)
                / steps;
        boolean f32 = c.precision() == Precision.F32;
        String kernel = f32 ? "float32 " + Kernels.get().denseF32().name() : Kernels.get().dense().name();
        return new Result(c, kernel, secs, cpu, median, medianCpu, flops, flops / medianCpu * 1e-9,
                layerGflops(Kernels.get(), quick), layerGflops(Kernels.scalar(), quick), nll,
                firstResult.finalValidLoss(), nTrain, nValid, perStep, stepProfile(c, data, quick));
    }

    /** Times the parts of one training step (see {@link StepProfile}). */
    public static StepProfile stepProfile(Config c, Dataset data) {
        return stepProfile(c, data, false);
    }

    /** As {@link #stepProfile(Config, Dataset)}, with a tenth of the calls when {@code quick}. */
    static StepProfile stepProfile(Config c, Dataset data, boolean quick) {
        int scale = quick ? 10 : 1;
        int n = Math.min(c.batch(), data.size());
        double[] x = new double[n * data.dim()];
        System.arraycopy(data.toArray(), 0, x, 0, x.length);
        CouplingFlow f = CouplingFlow.homework(c.layers(), c.initSeed());
        Flow.Workspace ws = f.workspace(n, c.precision());
        org.kdeflow.nn.Adam adam = new org.kdeflow.nn.Adam(f.parameters().size(), 1e-3);
        double lg = micros(500 / scale, () -> f.lossAndGradient(x, n, ws));
        double ad = micros(500 / scale, () -> adam.step(f.parameters()));
        double[] layer = new double[6];
        int[][] shapes = {{2, 32}, {32, 32}, {32, 2}};
        for (int k = 0; k < shapes.length; k++) {
            int in = shapes[k][0];
            int out = shapes[k][1];
            Parameters p = new Parameters(Dense.parameterCount(in, out));
            Dense d = new Dense(in, out, 0);
            d.initialize(p, new NumpyRandomState(0));
            double[] xin = new double[n * in];
            new NumpyRandomState(1).fillGauss(xin);
            double[] y = new double[n * out];
            double[] dy = new double[n * out];
            new NumpyRandomState(2).fillGauss(dy);
            double[] dx = new double[n * in];
            boolean hidden = in != 2;
            layer[2 * k] = micros(5000 / scale, () -> d.forward(p, xin, n, y, out != 2));
            layer[2 * k + 1] = micros(5000 / scale, () -> d.backward(p, xin, n, dy, dx, hidden));
        }
        return new StepProfile(n, lg, ad, layer[0], layer[1], layer[2], layer[3], layer[4], layer[5]);
    }

    /** Median over 9 blocks of reps calls (after 3 warm-up blocks) of the time per call, in microseconds. */
    private static double micros(int reps, Runnable r) {
        double[] t = new double[9];
        for (int warm = 0; warm < 3; warm++) {
            for (int k = 0; k < reps; k++) {
                r.run();
            }
        }
        for (int b = 0; b < t.length; b++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < reps; k++) {
                r.run();
            }
            t[b] = (System.nanoTime() - t0) * 1e-3 / reps;
        }
        return median(t);
    }

    /** Bytes this thread has allocated so far (HotSpot's counter), or 0 where the JVM does not count. */
    private static long allocatedBytes(java.lang.management.ThreadMXBean threads) {
        if (threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported()) {
            return t.getCurrentThreadAllocatedBytes();
        }
        return 0;
    }

    /**
     * Floating-point operations of the dense products in a training run (multiply and add counted as two): per
     * training row and network, the forward pass, the weight gradients and the input gradients each cost
     * 2·Σ in·out; validation rows cost one forward pass. Element-wise work (exp, masks, Adam) is not counted.
     */
    public static double trainingFlops(CouplingFlow.Architecture a, int nTrain, int nValid, int epochs) {
        int[] w = new int[a.hidden().length + 2];
        w[0] = a.dim();
        System.arraycopy(a.hidden(), 0, w, 1, a.hidden().length);
        w[w.length - 1] = a.dim();
        double macs = 0;
        for (int l = 0; l + 1 < w.length; l++) {
            macs += (double) w[l] * w[l + 1];
        }
        double perRowForward = 2 * macs * 2 * a.layers(); // two networks per layer
        return epochs * (nTrain * 3 * perRowForward + nValid * perRowForward);
    }

    /** GFLOP/s of one 64×32 by 32×32 layer forward (bias and LeakyReLU fused), median of 9 timed blocks. */
    public static double layerGflops(Kernels kernel) {
        return layerGflops(kernel, false);
    }

    /** As {@link #layerGflops(Kernels)}, with a tenth of the calls when {@code quick}. */
    static double layerGflops(Kernels kernel, boolean quick) {
        int n = 64;
        int in = 32;
        int out = 32;
        Parameters p = new Parameters(Dense.parameterCount(in, out));
        Dense d = new Dense(in, out, 0, kernel);
        d.initialize(p, new NumpyRandomState(0));
        double[] x = new double[n * in];
        new NumpyRandomState(1).fillGauss(x);
        double[] y = new double[n * out];
        int reps = (kernel == Kernels.scalar() ? 2000 : 20000) / (quick ? 10 : 1);
        double[] t = new double[9];
        double sink = 0;
        for (int warm = 0; warm < 3; warm++) {
            for (int k = 0; k < reps; k++) {
                d.forward(p, x, n, y, true);
            }
        }
        for (int b = 0; b < t.length; b++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < reps; k++) {
                d.forward(p, x, n, y, true);
                sink += y[k & 63];
            }
            t[b] = (System.nanoTime() - t0) * 1e-9;
        }
        if (sink == 42.4242) {
            System.out.print("");
        }
        return 2.0 * n * in * out * reps / median(t) * 1e-9;
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        int m = s.length / 2;
        return s.length % 2 == 1 ? s[m] : 0.5 * (s[m - 1] + s[m]);
    }
}

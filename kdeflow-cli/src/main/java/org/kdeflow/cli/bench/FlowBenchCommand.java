package org.kdeflow.cli.bench;

import java.nio.file.Files;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.Distribution;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Limits;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.common.PrecisionConverter;
import org.kdeflow.cli.io.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kdeflow bench flow}: see {@link FlowBench}. */
@Command(name = "flow", mixinStandardHelpOptions = true,
        description = {"Time the homework's flow example (Moons, N = 1500, K = 4, 1000 epochs, batch 64) and report "
                + "the median wall time, GFLOP/s and the held-out NLL.",
            "For a one-core figure run it under 'taskset -c 0'."},
        footer = {"", "Example:", "  taskset -c 0 ./kdeflow bench flow --repeats 3"})
public final class FlowBenchCommand implements Callable<Integer> {
    @Option(names = "--dist", defaultValue = "moons", description = "Toy data set: circles, moons, gaussians-grid or "
            + "gaussians-rot (default ${DEFAULT-VALUE}).")
    String dist;
    @Option(names = "--n", defaultValue = "1500", description = "Number of points (default ${DEFAULT-VALUE}).")
    int n;
    @Option(names = "--layers", defaultValue = "4", description = "Coupling layers K (default ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = "--epochs", defaultValue = "1000", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--repeats", defaultValue = "3", description = "Timed runs; the median is reported "
            + "(default ${DEFAULT-VALUE}).")
    int repeats;
    @Option(names = "--precision", paramLabel = "P", defaultValue = "f64", converter = PrecisionConverter.class,
            description = "Arithmetic of the training steps: f64 (default) or f32 (float32, as PyTorch trains).")
    org.kdeflow.nn.Precision precision;
    @Option(names = "--quick", description = "Time the step profile and the layer rates with a tenth of the calls "
            + "(a smoke test; noisier figures).")
    boolean quick;
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures as JSON.")
    java.nio.file.Path json;
    @Option(names = "--flow", defaultValue = "homework", paramLabel = "KIND",
            description = "homework (default: the homework's example above) or nsf: the spline flow of "
                    + "bench/nsf_torch.py (3 spline couplings, 64x64 conditioners, 8 bins, Moons, batch 64), timed "
                    + "per epoch after 200 warm-up epochs (20 with --quick) over --epochs epochs (use e.g. "
                    + "--epochs 100).")
    String flowKind;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        if (n < 2 || layers < 1 || epochs < 1 || repeats < 1) {
            throw new IllegalArgumentException("--n must be >= 2 and --layers, --epochs, --repeats >= 1");
        }
        if (!Distribution.parse(dist).isToySet()) {
            throw new InputException("--dist " + dist + ": the flow benchmark trains on a toy set (circles, moons, "
                    + "gaussians-grid, gaussians-rot)");
        }
        Limits.checkPoints("--n " + n, n, 2);
        Limits.checkDoubles("--epochs " + epochs, epochs, 2, 4, "epochs");
        Outputs outputs = Outputs.of("kdeflow bench flow");
        Outputs.Output file = outputs.file("--json", json);
        try (Outputs.Staged staged = outputs.begin()) {
            run(staged, file);
            staged.commit();
        }
        return 0;
    }

    private void run(Outputs.Staged staged, Outputs.Output file) throws java.io.IOException {
        var out = spec.commandLine().getOut();
        if (flowKind.equalsIgnoreCase("nsf")) {
            // Until C2 has compiled the vector kernels (3–4 s here) they run interpreted or in C1, where every vector
            // is an object: 200 warm-up epochs get past that; --quick keeps 20 for a smoke test.
            int warmup = quick ? 20 : 200;
            SplineFlowBench.Result r = SplineFlowBench.run(precision, warmup, epochs);
            out.printf(Locale.ROOT, "spline flow training: Moons, 1350 training points (+150 validated each epoch), "
                    + "3 spline couplings 1-64-64-23, 8 bins, batch 64, %d steps per epoch, %d parameters, %s%n",
                    r.steps(), r.parameters(), precision == org.kdeflow.nn.Precision.F32
                            ? "float32 " + org.kdeflow.kernels.Kernels.get().denseF32().name()
                            : org.kdeflow.kernels.Kernels.get().dense().name());
            out.printf(Locale.ROOT, "  per epoch, median of %d after %d warm-up: %.2f ms CPU, %.2f ms wall "
                    + "(CPU:%s)%n", epochs, warmup, r.medianCpu() * 1e3, r.medianWall() * 1e3, fmt(r.cpu()));
            out.printf(Locale.ROOT, "  mean training loss %.4f -> %.4f over the timed epochs%n", r.firstLoss(),
                    r.lastLoss());
            if (file != null) {
                Files.write(staged.path(file), Json.pretty(r));
            }
            return;
        }
        if (!flowKind.equalsIgnoreCase("homework")) {
            throw new InputException("--flow must be homework or nsf, got '" + flowKind + "'");
        }
        FlowBench.Config c = new FlowBench.Config(dist, n, 5, layers, epochs, 64, repeats, 0, 8, 20000, 1,
                precision);
        FlowBench.Result r = FlowBench.run(c, line -> {
            out.println(line);
            out.flush();
        }, quick);
        out.printf(Locale.ROOT, "flow training: %s, N=%d (%d train / %d valid), K=%d, %d epochs, batch 64, kernel %s,"
                + " %d processors%n", dist, n, r.trainSize(), r.validSize(), layers, epochs, r.kernel(),
                Runtime.getRuntime().availableProcessors());
        out.printf(Locale.ROOT, "  first run          %.3f s wall (includes JIT warm-up)%n", r.seconds()[0]);
        out.printf(Locale.ROOT, "  median, warm runs  %.3f s wall, %.3f s CPU  (wall:%s; CPU:%s)%n",
                r.medianSeconds(), r.medianCpuSeconds(), fmt(r.seconds()), fmt(r.cpuSeconds()));
        out.printf(Locale.ROOT, "  dense arithmetic   %.1f GFLOP/s of CPU time  (%.1f GFLOP per run)%n", r.gflops(),
                r.flopsPerRun() * 1e-9);
        out.printf(Locale.ROOT, "  one 64x32x32 layer %.1f GFLOP/s %s kernel, %.1f GFLOP/s scalar kernel (double)%n",
                r.layerGflopsVector(), org.kdeflow.kernels.Kernels.get().dense().name(), r.layerGflopsScalar());
        out.printf(Locale.ROOT, "  allocation         %.0f bytes per training step (warm runs; epochs' summaries "
                + "included)%n", r.bytesPerStep());
        FlowBench.StepProfile sp = r.step();
        out.printf(Locale.ROOT, "  one step (batch %d) %.1f us loss and gradient + %.1f us Adam  (x %d steps = %.2f s)%n",
                sp.batch(), sp.lossAndGradient(), sp.adam(), r.stepsPerRun(),
                (sp.lossAndGradient() + sp.adam()) * 1e-6 * r.stepsPerRun());
        out.printf(Locale.ROOT, "  one network, us    2x32 %.2f + %.2f, 32x32 %.2f + %.2f, 32x2 %.2f + %.2f  (forward + "
                + "backward; %d networks per step)%n", sp.firstForward(), sp.firstBackward(), sp.hiddenForward(),
                sp.hiddenBackward(), sp.lastForward(), sp.lastBackward(), 2 * layers);
        out.printf(Locale.ROOT, "  held-out NLL       %.4f nats (%d fresh points, seed %d)%n", r.heldOutNll(),
                c.testN(), c.testSeed());
        if (file != null) {
            Files.write(staged.path(file), Json.pretty(r));
        }
    }

    private static String fmt(double[] s) {
        StringBuilder b = new StringBuilder();
        for (double v : s) {
            b.append(String.format(Locale.ROOT, " %.3f", v));
        }
        return b.toString();
    }
}

package org.kdeflow.flow;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.nn.Adam;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * Times the rational-quadratic spline coupling. Not a test; run it by hand on a quiet core:
 * <pre>
 * mvn -o -q -pl kdeflow-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * taskset -c 0 java --add-modules jdk.incubator.vector \
 *     -cp kdeflow-core/target/classes:kdeflow-core/target/test-classes:$(cat /tmp/cp.txt) \
 *     org.kdeflow.flow.SplineBench [moons.csv]
 * </pre>
 * Prints medians over rounds of:
 * <ol>
 *   <li>the spline part alone (no network) of one inverse + inverseBackward of a batch of 64, d = 2, one transformed
 *       coordinate, K = 8 (the bin search, softmaxes, g, log g' and the whole backward to ∂L/∂h and ∂L/∂y), and of
 *       the inverse alone;</li>
 *   <li>the whole coupling (64×64 conditioner included), inverse + inverseBackward;</li>
 *   <li>one training epoch of the flow of {@code bench/nsf_torch.py} — three spline couplings (A = [0]/B = [1], [1]/[0],
 *       [0]/[1]), conditioners 1 → 64 → 64 → 23, 8 bins, bound 5, minima 1e-3, N(0, I) — on the first 1350 Moons
 *       points (scikit-learn's, seed 0) in file order, batches of 64, a step = loss and gradient + Adam (lr 1e-3), in
 *       F64 and F32 work buffers, after 15 warm-up epochs.</li>
 * </ol>
 * Each figure is given as the median of the thread's CPU time (what the measured code itself ran, less disturbed
 * when other processes share the core) and of the wall-clock time. With an argument, also writes those 1500 Moons
 * points as {@code x,y} CSV there (for {@code bench/nsf_torch.py}).
 */
public final class SplineBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SplineBench() {
    }

    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    public static void main(String[] args) throws IOException {
        Dataset moons = ToyDatasets.sample2dDatasets("Moons", 1500, 0, 5);
        if (args.length > 0) {
            StringBuilder b = new StringBuilder("x,y\n");
            for (int i = 0; i < moons.size(); i++) {
                b.append(moons.get(i, 0)).append(',').append(moons.get(i, 1)).append('\n');
            }
            Files.writeString(Path.of(args[0]), b);
        }
        splinePart(moons);
        for (Precision precision : Precision.values()) {
            epochs(moons, precision);
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }

    private static void splinePart(Dataset moons) {
        SplineCoupling.Spec spec = SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {64, 64});
        Parameters p = new Parameters(spec.parameterCount());
        SplineCoupling t = (SplineCoupling) spec.create(p, 0);
        NumpyRandomState rng = new NumpyRandomState(1);
        t.initialize(rng);
        // a trained-looking spline: the last layer's weights and biases away from the identity
        for (int k = 0; k < p.size(); k++) {
            p.values()[k] += 0.05 * rng.gauss();
        }
        p.changed();
        int n = 64;
        double[] y = new double[n * 2];
        for (int r = 0; r < n; r++) {
            y[2 * r] = 2 * (moons.get(r, 0) - 0.5);
            y[2 * r + 1] = 4 * (moons.get(r, 1) - 0.25);
        }
        SplineCoupling.Buffers w = (SplineCoupling.Buffers) t.work(n, Precision.F64);
        double[] u = new double[n * 2];
        double[] ld = new double[n];
        double[] gu = new double[n * 2];
        double[] ldw = new double[n];
        double[] gy = new double[n * 2];
        Arrays.fill(ldw, -1.0 / n);
        for (int k = 0; k < gu.length; k++) {
            gu[k] = 0.01 * (k % 7 - 3);
        }
        t.inverse(y, n, u, ld, w);
        double[] h = t.conditioner().forward(p, w.uA, n, w.net).clone();
        double[] gh = new double[h.length];
        int rounds = 25;
        int reps = 20_000;
        double[] both = new double[rounds];
        double[] bothWall = new double[rounds];
        double[] inv = new double[rounds];
        double[] whole = new double[rounds];
        double[] wholeWall = new double[rounds];
        double sink = 0;
        for (int round = 0; round < rounds; round++) {
            long w0 = System.nanoTime();
            long c0 = cpu();
            for (int i = 0; i < reps; i++) {
                t.splineInverse(h, y, n, u, ld, w);
                t.splineBackward(n, gu, ldw, gy, gh, w);
            }
            long c1 = cpu();
            long w1 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
                t.splineInverse(h, y, n, u, ld, w);
            }
            long c2 = cpu();
            long w2 = System.nanoTime();
            for (int i = 0; i < reps / 10; i++) {
                t.inverse(y, n, u, ld, w);
                t.inverseBackward(y, u, n, gu, ldw, gy, w);
            }
            long c3 = cpu();
            long w3 = System.nanoTime();
            sink += gh[5] + ld[3] + gy[1];
            both[round] = (c1 - c0) / 1e3 / reps;
            bothWall[round] = (w1 - w0) / 1e3 / reps;
            inv[round] = (c2 - c1) / 1e3 / reps;
            whole[round] = (c3 - c2) / 1e3 / (reps / 10);
            wholeWall[round] = (w3 - w2) / 1e3 / (reps / 10);
        }
        int inBins = 0;
        for (int r = 0; r < n; r++) {
            inBins += w.bin[r] >= 0 ? 1 : 0;
        }
        System.out.printf("spline part only (no network), batch 64, K = 8, %d of 64 points inside [-5, 5]: "
                + "inverse + inverseBackward median %.2f us CPU (min %.2f, max %.2f over %d rounds of %d; wall "
                + "median %.2f us), inverse alone %.2f us CPU%n", inBins, median(both),
                Arrays.stream(both).min().getAsDouble(), Arrays.stream(both).max().getAsDouble(), rounds, reps,
                median(bothWall), median(inv));
        System.out.printf("whole coupling (64x64 conditioner + spline), batch 64: inverse + inverseBackward median "
                + "%.2f us CPU (wall %.2f us); the spline part is %.0f %% of it   [%s]%n", median(whole),
                median(wholeWall), 100 * median(both) / median(whole), sink == 42 ? "" : "ok");
    }

    private static void epochs(Dataset moons, Precision precision) {
        List<Transform.Spec> specs = List.of(
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {64, 64}),
                SplineCoupling.Spec.of(new int[] {1}, new int[] {0}, new int[] {64, 64}),
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {64, 64}));
        Flow flow = Flow.create(new StandardNormal.Spec(2), specs, 0);
        int nTrain = 1350;
        int batch = 64;
        double[] data = moons.slice(0, nTrain).toArray();
        double[] x = new double[batch * 2];
        Flow.Workspace ws = flow.workspace(batch, precision);
        Adam adam = new Adam(flow.parameters().size(), 1e-3);
        int warm = 15;
        int timed = 20;
        double[] epoch = new double[timed];
        double[] epochCpu = new double[timed];
        double[] step = new double[timed * ((nTrain + batch - 1) / batch)];
        int s = 0;
        double first = 0;
        double last = 0;
        for (int e = 0; e < warm + timed; e++) {
            long t0 = System.nanoTime();
            long c0 = cpu();
            double sum = 0;
            int count = 0;
            for (int from = 0; from < nTrain; from += batch) {
                long s0 = System.nanoTime();
                int m = Math.min(batch, nTrain - from);
                System.arraycopy(data, from * 2, x, 0, m * 2);
                sum += flow.lossAndGradient(x, m, ws);
                adam.step(flow.parameters());
                count++;
                if (e >= warm) {
                    step[s++] = (System.nanoTime() - s0) / 1e6;
                }
            }
            if (e >= warm) {
                epoch[e - warm] = (System.nanoTime() - t0) / 1e9;
                epochCpu[e - warm] = (cpu() - c0) / 1e9;
                if (e == warm) {
                    first = sum / count;
                }
                last = sum / count;
            }
        }
        System.out.printf("epoch of the nsf_torch.py flow (%d parameters), %s work buffers, %d warm-up + %d timed "
                + "epochs: median %.4f s/epoch (min %.4f, max %.4f), median %.3f ms/step, median CPU %.4f s/epoch; "
                + "mean loss %.4f -> %.4f%n", flow.parameters().size(), precision, warm, timed, median(epoch),
                Arrays.stream(epoch).min().getAsDouble(), Arrays.stream(epoch).max().getAsDouble(), median(step),
                median(epochCpu), first, last);
    }
}

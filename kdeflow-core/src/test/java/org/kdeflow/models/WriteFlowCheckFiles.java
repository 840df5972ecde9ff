package org.kdeflow.models;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.flow.DiagonalNormal;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.GaussianMixtureBase;
import org.kdeflow.flow.SplineCoupling;
import org.kdeflow.flow.StandardNormal;
import org.kdeflow.flow.Standardize;
import org.kdeflow.flow.Transform;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;

/**
 * Writes flow files made by kdeflow and kdeflow's log p at points, for the PyTorch reference to check the
 * kdeflow → PyTorch direction ({@code torch-nsf/check_kdeflow_file.py}). Not a test; run it by hand:
 * <pre>
 * mvn -o -q -pl kdeflow-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp kdeflow-core/target/classes:kdeflow-core/target/test-classes:$(cat /tmp/cp.txt) \
 *     org.kdeflow.models.WriteFlowCheckFiles OUT_DIR
 * for m in OUT_DIR/*.safetensors; do python3 kdeflow-core/src/test/resources/torch-nsf/check_kdeflow_file.py \
 *     $m ${m%.safetensors}.csv; done
 * </pre>
 * Models: a spline flow trained on Moons (standardize from the data, three 64×64 spline couplings, 30 epochs of the
 * robust recipe), saved F64 and F32; every transform over a mixture base and over a diagonal normal (weights
 * perturbed by N(0, 0.3²)). Points: 300 of the model's own samples, a grid over [−6, 6]², points beyond the spline
 * bounds and up to |x| = 1e3.
 */
public final class WriteFlowCheckFiles {
    private WriteFlowCheckFiles() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        Dataset moons = ToyDatasets.sample2dDatasets("Moons", 1500, 0, 5);
        List<Transform.Spec> nsf = List.of(
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {64, 64}),
                SplineCoupling.Spec.of(new int[] {1}, new int[] {0}, new int[] {64, 64}),
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {64, 64}),
                Standardize.Spec.of(moons));
        Flow trained = Flow.create(new StandardNormal.Spec(2), nsf, 8);
        new Trainer(Trainer.Options.robust().withEpochs(30)).fit(trained, moons);
        write(trained, out.resolve("nsf_moons.safetensors"), DType.F64);
        write(trained, out.resolve("nsf_moons_f32.safetensors"), DType.F32);
        write(FlowCodecTest.everyPart(new GaussianMixtureBase.Spec(3, 3), 11), out.resolve("every_part.safetensors"),
                DType.F64);
        write(FlowCodecTest.everyPart(new DiagonalNormal.Spec(3), 12), out.resolve("every_part_diag.safetensors"),
                DType.F64);
    }

    /** Saves the model as {@code dtype}, loads it back, and writes the loaded model's log p at the points. */
    static void write(Flow flow, Path file, DType dtype) throws IOException {
        ModelFile.save(flow, file, dtype, null);
        Flow loaded = (Flow) ModelFile.load(file);
        int d = flow.dim();
        double[] samples = flow.sample(300, new NumpyRandomState(1)).toArray();
        int grid = 25;
        int far = 4 * d + 40;
        int n = 300 + grid * grid + far;
        double[] x = new double[n * d];
        System.arraycopy(samples, 0, x, 0, samples.length);
        int r = 300;
        for (int i = 0; i < grid; i++) {
            for (int j = 0; j < grid; j++) {
                x[r * d] = -6 + 12.0 * i / (grid - 1);
                x[r * d + 1] = -6 + 12.0 * j / (grid - 1);
                r++;
            }
        }
        for (int j = 0; j < d; j++) {
            for (double v : new double[] {1e3, -1e3, 7, -30}) {
                x[r * d + j] = v;
                r++;
            }
        }
        NumpyRandomState rng = new NumpyRandomState(2);
        for (int k = 0; k < 40; k++) {
            double radius = 50 * Math.pow(20, k / 39.0);
            double norm = 0;
            double[] dir = new double[d];
            for (int j = 0; j < d; j++) {
                dir[j] = rng.gauss();
                norm += dir[j] * dir[j];
            }
            for (int j = 0; j < d; j++) {
                x[r * d + j] = radius * dir[j] / Math.sqrt(norm);
            }
            r++;
        }
        double[] lp = new double[n];
        loaded.logDensity(x, n, lp);
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < d; j++) {
            csv.append('x').append(j).append(',');
        }
        csv.append("log_prob\n");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                csv.append(x[i * d + j]).append(',');
            }
            csv.append(lp[i]).append('\n');
        }
        String name = file.getFileName().toString().replace(".safetensors", ".csv");
        Files.writeString(file.resolveSibling(name), csv, StandardCharsets.UTF_8);
    }
}

package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.cli.Run;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.density.MixtureDensity;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.Flows;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.Bounds;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.models.ModelFile;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.Tensor;
import org.kdeflow.random.NumpyRandomState;
import org.kdeflow.train.Trainer;
import org.kdeflow.models.TrainingCheckpoint;

/** {@code score}, {@code sample --model} and their handling of bad model files. */
class ModelCommandsTest {
    @TempDir
    Path dir;

    CouplingFlow flow;
    Path model;

    static Run run(String... args) {
        return Run.of(args);
    }

    /** A flow with non-zero scale factors (as after training), saved as F64. */
    @BeforeEach
    void saveModel() throws IOException {
        flow = CouplingFlow.homework(4, 7);
        for (int i = 0; i < 4; i++) {
            flow.copyIn("layers." + i + ".scale_factor", Tensor.of(new double[] {0.4, -0.3 * i}, new int[] {2}));
        }
        model = dir.resolve("flow.safetensors");
        FlowModelFile.save(flow, model, SafeTensors.DType.F64, Map.of());
    }

    void assertOneLineError(Run r, String fragment) {
        assertEquals(2, r.code(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("kdeflow: error: ") || r.err().startsWith("kdeflow: "), r.err());
        assertTrue(r.err().contains(fragment), r.err());
    }

    @Test
    void scoreWritesTheInputColumnsAndLogProb() throws IOException {
        Path data = dir.resolve("points.csv");
        Files.writeString(data, "a,b\n0.5,-1\n2,3.25\n-0.125,0\n");
        Path out = dir.resolve("scored.csv");
        Run r = run("score", "--model", model.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        CsvData c = CsvData.read(out);
        assertEquals(List.of("a", "b", "log_prob"), c.columns());
        double[] x = {0.5, -1, 2, 3.25, -0.125, 0};
        double[] expected = new double[3];
        flow.logDensity(x, 3, expected);
        for (int i = 0; i < 3; i++) {
            assertEquals(x[2 * i], c.data().get(i, 0), 0.0);
            assertEquals(x[2 * i + 1], c.data().get(i, 1), 0.0);
            assertEquals(expected[i], c.data().get(i, 2), 0.0, "written as the shortest exact decimal");
        }
        // Without a header: x, y.
        Files.writeString(data, "0.5,-1\n");
        assertEquals(0, run("score", "--model", model.toString(), "--data", data.toString(), "--out",
                out.toString()).code());
        assertEquals(List.of("x", "y", "log_prob"), CsvData.read(out).columns());
    }

    /** The files PyTorch wrote for the core module's tests (the notebook's CouplingFlow(4), see its README). */
    static Path torchFlow(String name) {
        Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path p = root.resolveSibling("kdeflow-core").resolve("src/test/resources/torch-flow").resolve(name);
        assertTrue(Files.isRegularFile(p), "reference file " + p);
        return p;
    }

    @Test
    void scoresAFileWrittenByPyTorchLikePyTorch() throws IOException {
        List<String> rows = Files.readAllLines(torchFlow("log_prob.csv"));
        StringBuilder points = new StringBuilder("x0,x1\n");
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            points.append(f[0]).append(',').append(f[1]).append('\n');
        }
        Path data = dir.resolve("points.csv");
        Files.writeString(data, points);
        for (String model : new String[] {"notebook_flow_f32.safetensors", "notebook_flow_f64.safetensors"}) {
            Path out = dir.resolve("scored-" + model + ".csv");
            Run r = run("score", "--model", torchFlow(model).toString(), "--data", data.toString(), "--out",
                    out.toString());
            assertEquals(0, r.code(), r.err());
            CsvData c = CsvData.read(out);
            assertEquals(List.of("x0", "x1", "log_prob"), c.columns());
            for (int i = 1; i < rows.size(); i++) {
                String[] f = rows.get(i).split(",");
                double lp = c.data().get(i - 1, 2);
                // PyTorch float64 on the same weights: summation order only; float32: float precision.
                assertEquals(Double.parseDouble(f[3]), lp, 1e-12, model + " row " + i);
                assertEquals(Double.parseDouble(f[2]), lp, 1e-5, model + " row " + i);
            }
        }
    }

    @Test
    void pointsWhereTheFlowOverflowsScoreMinusInfinity() throws IOException {
        Path data = dir.resolve("far.csv");
        Files.writeString(data, "x,y\n0,0\n1e300,-1e300\n");
        Path out = dir.resolve("far-scored.csv");
        Run r = run("score", "--model", model.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("1 of 2 points"), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("1.0E300,-1.0E300,-inf", lines.get(2));
        double[] lp = new double[1];
        flow.logDensity(new double[] {0, 0}, 1, lp);
        assertEquals("0.0,0.0," + lp[0], lines.get(1));
    }

    @Test
    void scoreRefusesBadInputWithOneLineAndNoOutput() throws IOException {
        Path out = dir.resolve("scored.csv");
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "x,y\n1,2\n3,nan\n");
        assertOneLineError(run("score", "--model", model.toString(), "--data", nan.toString(), "--out",
                out.toString()), "line 3");
        Path three = dir.resolve("three.csv");
        Files.writeString(three, "1,2,3\n");
        assertOneLineError(run("score", "--model", model.toString(), "--data", three.toString(), "--out",
                out.toString()), "has 3 columns but the model");
        Path good = dir.resolve("good.csv");
        Files.writeString(good, "1,2\n");
        assertOneLineError(run("score", "--model", dir.resolve("nope.safetensors").toString(), "--data",
                good.toString(), "--out", out.toString()), "no such model file");
        assertOneLineError(run("score", "--model", dir.toString(), "--data", good.toString(), "--out",
                out.toString()), "is a folder");
        byte[] bytes = Files.readAllBytes(model);
        Path truncated = dir.resolve("truncated.safetensors");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 5));
        assertOneLineError(run("score", "--model", truncated.toString(), "--data", good.toString(), "--out",
                out.toString()), truncated.toString());
        assertOneLineError(run("score", "--model", good.toString(), "--data", good.toString(), "--out",
                out.toString()), "header length");
        assertFalse(Files.exists(out), "no output file after an error");
    }

    @Test
    void scoreKeepsAnExistingOutputOnError() throws IOException {
        Path out = dir.resolve("keep.csv");
        Files.writeString(out, "precious\n");
        Path three = dir.resolve("three.csv");
        Files.writeString(three, "1,2,3\n");
        assertOneLineError(run("score", "--model", model.toString(), "--data", three.toString(), "--out",
                out.toString()), "dimension 2");
        assertEquals("precious\n", Files.readString(out));
    }

    @Test
    void sampleFromAModelWithLogProb() throws IOException {
        Path out = dir.resolve("s.csv");
        Path png = dir.resolve("s.png");
        Run r = run("sample", "--model", model.toString(), "--n", "300", "--seed", "3", "--with-log-prob",
                "--out", out.toString(), "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        CsvData c = CsvData.read(out);
        assertEquals(List.of("x", "y", "log_prob"), c.columns());
        org.kdeflow.flow.Flow.Sample expected = flow.sampleWithLogProbability(300, new NumpyRandomState(3));
        for (int i = 0; i < 300; i++) {
            assertEquals(expected.x().get(i, 0), c.data().get(i, 0), 0.0);
            assertEquals(expected.x().get(i, 1), c.data().get(i, 1), 0.0);
            assertEquals(expected.logProb()[i], c.data().get(i, 2), 0.0);
        }
        // The written log_prob is the model's log-density at the written point.
        double[] lp = new double[1];
        flow.logDensity(new double[] {c.data().get(5, 0), c.data().get(5, 1)}, 1, lp);
        assertEquals(lp[0], c.data().get(5, 2), 1e-9);
        assertTrue(Files.size(png) > 1000);
        // Without --with-log-prob: the coordinates only; --n defaults to 1000.
        assertEquals(0, run("sample", "--model", model.toString(), "--out", out.toString()).code());
        assertEquals(List.of("x", "y"), CsvData.read(out).columns());
        assertEquals(1000, CsvData.read(out).data().size());
    }

    @Test
    void sampleOptionsThatDoNotFit() {
        Path out = dir.resolve("s.csv");
        assertEquals(2, run("sample", "--dist", "moons", "--with-log-prob", "--out", out.toString()).code());
        assertEquals(2, run("sample", "--dist", "moons", "--model", model.toString(), "--out", out.toString())
                .code());
        assertOneLineError(run("sample", "--model", dir.resolve("missing").toString(), "--out", out.toString()),
                "no such model file");
        assertFalse(Files.exists(out));
    }

    // ------------------------------------------------------------------ every kind of model

    /** One model of each kind {@code ModelFile} reads: its name, the model, and whether it is a flow. */
    record Kind(String name, Density model, boolean flow) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Kind> kinds() {
        Dataset moons = ToyDatasets.sample2dDatasets("Moons", 80, 2, 5);
        KernelDensity kde = KernelDensity.of(moons, Bandwidth.diagonal(0.2, 0.15));
        KernelDensity bounded = KernelDensity.of(moons, Bandwidth.scalar(0.3, 2))
                .withBounds(Bounds.parse("-2:3,-1:inf"));
        Flow nsf = Flows.create(Flows.Config.nsf(2, 8), moons, 3); // untrained: a valid flow file all the same
        CouplingFlow homework = CouplingFlow.homework(2, 4);
        return Stream.of(new Kind("kde", kde, false), new Kind("bounded kde", bounded, false),
                new Kind("nsf flow", nsf, true), new Kind("homework CouplingFlow", homework, true),
                new Kind("mixture of a kde and a flow", MixtureDensity.of(List.of(kde, nsf), new double[] {3, 1}),
                        false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void scoreSampleAndDensityReadEveryKindOfModel(Kind k) throws IOException {
        Path file = dir.resolve("model.safetensors");
        ModelFile.save(k.model(), file);
        Density m = k.model();
        // score: the model's log-density at the points
        Path data = dir.resolve("points.csv");
        Files.writeString(data, "x,y\n0.5,0.25\n-0.75,0.5\n1.5,-0.25\n");
        Path scored = dir.resolve("scored.csv");
        Run r = run("score", "--model", file.toString(), "--data", data.toString(), "--out", scored.toString());
        assertEquals(0, r.code(), r.err());
        double[] expected = m.logDensity(Dataset.of(new double[] {0.5, 0.25, -0.75, 0.5, 1.5, -0.25}, 3, 2));
        CsvData c = CsvData.read(scored);
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], c.data().get(i, 2), 0.0, k + " row " + i);
        }
        // sample --with-log-prob: the model's draws with --seed, and log p of each draw
        Path drawn = dir.resolve("drawn.csv");
        r = run("sample", "--model", file.toString(), "--n", "200", "--seed", "9", "--with-log-prob", "--out",
                drawn.toString());
        assertEquals(0, r.code(), r.err());
        Dataset x = m.sample(200, new NumpyRandomState(9));
        double[] lp = m.logDensity(x);
        c = CsvData.read(drawn);
        for (int i = 0; i < 200; i++) {
            assertEquals(x.get(i, 0), c.data().get(i, 0), 0.0, k + " draw " + i);
            assertEquals(x.get(i, 1), c.data().get(i, 1), 0.0, k + " draw " + i);
            // a flow's log p comes from the sampling pass (z → x), the others' from evaluating at x: equal to
            // round-off of the inverse pass
            assertEquals(lp[i], c.data().get(i, 2), k.flow() ? 1e-9 : 0.0, k + " log p " + i);
        }
        // density: the image for every model, the layer panels for flows only
        Path figs = dir.resolve("figs");
        r = run("density", "--model", file.toString(), "--grid", "16", "--out", figs.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(figs.resolve("density.png")) > 1000, k.toString());
        assertEquals(k.flow(), Files.exists(figs.resolve("layers.png")), k + ": " + r.out());
    }

    @Test
    void densityRefusesAThreeDimensionalKdeAndScoreItsOtherDimension() throws IOException {
        Path file = dir.resolve("k3.safetensors");
        ModelFile.save(KernelDensity.of(Dataset.of(new double[] {0, 0, 0, 1, 2, 3}, 2, 3), Bandwidth.scalar(1, 3)),
                file);
        assertOneLineError(run("density", "--model", file.toString(), "--out", dir.resolve("o").toString()),
                "the figures need a 2-D model; this one (KDE of 2 samples, d = 3, gaussian kernel) has dimension 3");
        Path two = dir.resolve("two.csv");
        Files.writeString(two, "1,2\n");
        assertOneLineError(run("score", "--model", file.toString(), "--data", two.toString(), "--out",
                dir.resolve("s.csv").toString()), "has 2 columns but the model " + file + " has dimension 3");
        assertFalse(Files.exists(dir.resolve("o")));
    }

    @Test
    void aCheckpointOfAnyFlowIsNotAModel() throws IOException {
        Dataset moons = ToyDatasets.sample2dDatasets("Moons", 40, 2, 5);
        Flow nsf = Flows.create(Flows.Config.nsf(1, 4), moons, 3);
        Trainer t = Trainer.notebook(1);
        Path ckpt = dir.resolve("run.ckpt");
        TrainingCheckpoint.save(ckpt, nsf, t.options(), t.start(nsf, moons), Map.of());
        assertOneLineError(run("sample", "--model", ckpt.toString(), "--out", dir.resolve("s.csv").toString()),
                ckpt + ": is a training checkpoint, not a model file");
    }
}

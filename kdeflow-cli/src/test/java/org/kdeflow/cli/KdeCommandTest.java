package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelector;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.Bounds;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.ModelFile;
import org.kdeflow.random.NumpyRandomState;

class KdeCommandTest {
    @TempDir
    Path dir;

    static Run run(String... args) {
        return Run.of(args);
    }

    List<Path> files() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void distributionStudyWritesFiguresAndMetrics() throws IOException {
        Path out = dir.resolve("study");
        Run r = run("kde", "--dist", "mixture", "--n", "400", "--grid", "30", "--h", "0.2,0.6", "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("mixture-sigma0.5-kde.png", "mixture-sigma0.5-kde.svg", "mixture-sigma0.5-ise.png",
                "metrics.json")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        JsonNode m = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
        JsonNode d = m.get("distributions").get("mixture-sigma0.5");
        assertEquals(2, d.get("estimates").size());
        assertEquals("h=0.2", d.get("estimates").get(0).get("label").asText());
        double ise02 = d.get("estimates").get(0).get("ise").asDouble();
        assertTrue(ise02 > 0 && ise02 < 0.05, "ISE " + ise02);
        assertTrue(Double.isFinite(d.get("estimates").get(1).get("heldout_mean_loglik").asDouble()));
        assertTrue(d.get("lcv_h").asDouble() > 0.05 && d.get("lcv_h").asDouble() < 1);
        assertEquals(30, d.get("ise_curve").get("h").size());
    }

    @Test
    void densitiesAtQueryPoints() throws IOException {
        Path data = write("data.csv", "x,y\n0,0\n1,0.5\n-1,2\n0.3,0.3\n");
        Path query = write("q.csv", "a,b\n0,0\n50,-40\n");
        Path out = dir.resolve("values.csv");
        Run r = run("kde", "--data", data.toString(), "--H", "0.3,0.1;-0.05,0.2", "--at", query.toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("a,b,density,log_density", lines.get(0));
        assertEquals(3, lines.size());
        KernelDensity kde = KernelDensity.of(Dataset.of(new double[] {0, 0, 1, 0.5, -1, 2, 0.3, 0.3}, 4, 2),
                Bandwidth.full(new double[] {0.3, 0.1, -0.05, 0.2}, 2));
        String[] row = lines.get(1).split(",");
        assertEquals(kde.density(0, 0), Double.parseDouble(row[2]), 1e-15);
        assertEquals(kde.logDensity(0, 0), Double.parseDouble(row[3]), 1e-15);
        String[] far = lines.get(2).split(",");
        double lp = Double.parseDouble(far[3]);
        assertTrue(Double.isFinite(lp) && lp < -1000, "far log-density is finite: " + lp);
        assertEquals(kde.logDensity(50, -40), lp, 1e-12 * Math.abs(lp));
    }

    @Test
    void scottBandwidthInThreeDimensions() throws IOException {
        Path data = write("d3.csv", "1,2,3\n2,1,0\n0,0,1\n3,1,2\n1,1,1\n");
        Path query = write("q3.csv", "1,1,1\n");
        Path out = dir.resolve("v3.csv");
        Run r = run("kde", "--data", data.toString(), "--bandwidth", "scott", "--form", "diagonal", "--at",
                query.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("x1,x2,x3,density,log_density", Files.readAllLines(out).get(0));
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                Arguments.of(List.of("--H", "1,2;2,4"), "singular"),
                Arguments.of(List.of("--h", "0"), "h must be a finite number > 0"),
                Arguments.of(List.of("--h", "-0.5"), "h must be a finite number > 0"),
                Arguments.of(List.of("--H", "1,0,0;0,1,0;0,0,1"), "--H has 3 rows but the data have dimension 2"),
                Arguments.of(List.of("--H", "1,x;0,1"), "'x' is not a number"),
                Arguments.of(List.of("--bandwidth", "magic"), "unknown bandwidth rule 'magic'"),
                Arguments.of(List.of("--kernel", "box", "--h", "1"), "unknown kernel 'box'"));
    }

    @ParameterizedTest
    @MethodSource("badInputs")
    void badBandwidthsExitTwoWithOneLineAndNoOutput(List<String> extra, String message) throws IOException {
        Path data = write("data.csv", "x,y\n0,0\n1,0.5\n-1,2\n");
        Path query = write("q.csv", "0,0\n");
        Path out = dir.resolve("values.csv");
        List<String> args = new java.util.ArrayList<>(List.of("kde", "--data", data.toString(), "--at",
                query.toString(), "--out", out.toString()));
        args.addAll(extra);
        Run r = run(args.toArray(String[]::new));
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out));
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
                Arguments.of("x,y\n0,0\n1,nan\n", "not finite"),
                Arguments.of("x,y\n0,0\n1,2,3\n", "has 3 values, expected 2"),
                Arguments.of("x,y\n0,0\n1,abc\n", "'abc' is not a number"));
    }

    @ParameterizedTest
    @MethodSource("badFiles")
    void badCsvExitsTwo(String content, String message) throws IOException {
        Path data = write("bad.csv", content);
        Path outDir = dir.resolve("figs");
        Run r = run("kde", "--data", data.toString(), "--h", "0.5", "--out", outDir.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains(message), r.err());
        assertTrue(r.err().contains("bad.csv"), r.err());
        assertFalse(Files.exists(outDir));
    }

    @Test
    void missingFileAndDimensionMismatch() throws IOException {
        Path out = dir.resolve("v.csv");
        Run r = run("kde", "--data", dir.resolve("nope.csv").toString(), "--h", "1", "--at",
                dir.resolve("q.csv").toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
        Path data = write("data.csv", "0,0\n1,1\n");
        Path query = write("q.csv", "0,0,0\n");
        r = run("kde", "--data", data.toString(), "--h", "1", "--at", query.toString(), "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("has 3 columns but"), r.err());
        assertFalse(Files.exists(out));
        r = run("kde", "--dist", "mixture", "--data", data.toString(), "--out", dir.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("exactly one of"), r.err());
    }

    @Test
    void existingOutputSurvivesAFailure() throws IOException {
        Path outDir = Files.createDirectories(dir.resolve("keep"));
        Files.writeString(outDir.resolve("mine.txt"), "precious");
        Path data = write("data.csv", "0,0\n1,1\n2,0.5\n");
        Run r = run("kde", "--data", data.toString(), "--H", "1,1;1,1", "--out", outDir.toString());
        assertEquals(2, r.code());
        assertEquals("precious", Files.readString(outDir.resolve("mine.txt")));
    }

    // ------------------------------------------------------------------ --data: weights, bounds, rules, files

    /** n points in [0, ∞) × [0, 1] (exponential × uniform) and a weight column, seed 11; written exactly. */
    static double[][] boundedSample(int n) {
        NumpyRandomState rng = new NumpyRandomState(11);
        double[] x = new double[2 * n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = -Math.log(1 - rng.randomSample());
            x[2 * i + 1] = rng.randomSample();
            w[i] = 0.25 + rng.randomSample();
        }
        return new double[][] {x, w};
    }

    Path weightedCsv(String name, double[] x, double[] w) throws IOException {
        StringBuilder b = new StringBuilder("x,w,y\n");
        for (int i = 0; i < w.length; i++) {
            b.append(x[2 * i]).append(',').append(w[i]).append(',').append(x[2 * i + 1]).append('\n');
        }
        return write(name, b.toString());
    }

    @Test
    void savedEstimateHoldsWeightsBoundsAndFactorsAndScoresLikeTheLibrary() throws IOException {
        double[][] s = boundedSample(60);
        Dataset x = Dataset.of(s[0], 60, 2);
        Path data = weightedCsv("w.csv", s[0], s[1]);
        Path model = dir.resolve("kde.safetensors");
        Run r = run("kde", "--data", data.toString(), "--weights", "w", "--bandwidth", "adaptive", "--bounds",
                "0:inf,0:1", "--save", model.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("saved f̂(x, y) (KDE of 60 samples, d = 2, gaussian kernel, adaptive, bounds "),
                r.out());
        // the library's estimate from the same points, weights, rule and bounds
        KernelDensity expected = KernelDensity.of(x, s[1], BandwidthSelectors.adaptive(Bandwidth.Kind.FULL)
                .select(x, s[1]), Kernel.GAUSSIAN).withBounds(Bounds.parse("0:inf,0:1"));
        KernelDensity loaded = (KernelDensity) ModelFile.load(model);
        assertArrayEquals(expected.samples().toArray(), loaded.samples().toArray(), 0.0);
        assertArrayEquals(expected.weights(), loaded.weights(), 0.0);
        assertArrayEquals(expected.bandwidth().matrix(), loaded.bandwidth().matrix(), 0.0);
        assertArrayEquals(expected.factors(), loaded.factors(), 0.0);
        assertEquals(expected.bounds(), loaded.bounds());
        // score --model: the library's log-density, to the bit (F64 file, shortest round-trip decimals)
        Path q = write("q.csv", "x,y\n0.5,0.25\n0.01,0.99\n3,0.5\n-0.5,0.5\n");
        Path scored = dir.resolve("scored.csv");
        r = run("score", "--model", model.toString(), "--data", q.toString(), "--out", scored.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("1 of 4 points have p(x) = 0"), "the point outside the bounds: " + r.err());
        List<String> lines = Files.readAllLines(scored);
        assertEquals("x,y,log_prob", lines.get(0));
        double[] lp = expected.logDensity(Dataset.of(new double[] {0.5, 0.25, 0.01, 0.99, 3, 0.5, -0.5, 0.5}, 4, 2));
        for (int i = 0; i < 3; i++) {
            assertEquals(lp[i], Double.parseDouble(lines.get(i + 1).split(",")[2]), 0.0, "row " + i);
        }
        assertEquals(Double.NEGATIVE_INFINITY, lp[3]);
        assertEquals("-0.5,0.5,-inf", lines.get(4));
    }

    @Test
    void sampleFromASavedKdeStaysInsideItsBoundsAndIsTheLibrarysDraw() throws IOException {
        double[][] s = boundedSample(40);
        Path data = weightedCsv("w.csv", s[0], s[1]);
        Path model = dir.resolve("kde.safetensors");
        // a wide kernel, so that most raw draws would leave [0, ∞) × [0, 1] and are folded back
        assertEquals(0, run("kde", "--data", data.toString(), "--weights", "w", "--h", "0.8", "--bounds",
                "0:inf,0:1", "--save", model.toString()).code());
        Path drawn = dir.resolve("draws.csv");
        Run r = run("sample", "--model", model.toString(), "--n", "3000", "--seed", "5", "--with-log-prob", "--out",
                drawn.toString());
        assertEquals(0, r.code(), r.err());
        CsvData c = CsvData.read(drawn);
        assertEquals(List.of("x", "y", "log_prob"), c.columns());
        Density kde = ModelFile.load(model);
        Dataset expected = kde.sample(3000, new NumpyRandomState(5));
        double[] lp = kde.logDensity(expected);
        for (int i = 0; i < 3000; i++) {
            double px = c.data().get(i, 0);
            double py = c.data().get(i, 1);
            assertTrue(px >= 0 && py >= 0 && py <= 1, "draw " + i + " (" + px + ", " + py + ") is inside the bounds");
            assertEquals(expected.get(i, 0), px, 0.0);
            assertEquals(expected.get(i, 1), py, 0.0);
            assertEquals(lp[i], c.data().get(i, 2), 0.0);
            assertTrue(Double.isFinite(lp[i]));
        }
    }

    @Test
    void weightsChangeTheEstimateAndAreNoCoordinate() throws IOException {
        double[][] s = boundedSample(30);
        Path data = weightedCsv("w.csv", s[0], s[1]);
        Path q = write("q.csv", "0.5,0.5\n2,0.1\n");
        Path out = dir.resolve("v.csv");
        Run r = run("kde", "--data", data.toString(), "--weights", "2", "--at", q.toString(), "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("x,y,density,log_density", lines.get(0), "named after the data's coordinates");
        Dataset x = Dataset.of(s[0], 30, 2);
        KernelDensity weighted = KernelDensity.of(x, s[1], BandwidthSelectors.scott(Bandwidth.Kind.FULL)
                .select(x, s[1]), Kernel.GAUSSIAN);
        KernelDensity equal = KernelDensity.of(x, BandwidthSelectors.scott(Bandwidth.Kind.FULL));
        double lp = Double.parseDouble(lines.get(1).split(",")[3]);
        assertEquals(weighted.logDensity(0.5, 0.5), lp, 0.0);
        assertTrue(Math.abs(equal.logDensity(0.5, 0.5) - lp) > 1e-3, "the weights matter");
    }

    static Stream<String> rules() {
        return Stream.of("scott", "silverman", "lcv", "ucv", "adaptive", "hpi", "hscv");
    }

    @ParameterizedTest
    @MethodSource("rules")
    void everyRuleIsTheLibrarysSelector(String rule) throws IOException {
        double[][] s = boundedSample(40);
        Dataset x = Dataset.of(s[0], 40, 2);
        Path data = weightedCsv("w.csv", s[0], s[1]);
        Path q = write("q.csv", "0.5,0.5\n2,0.1\n");
        Path out = dir.resolve("v.csv");
        Run r = run("kde", "--data", data.toString(), "--columns", "x,y", "--bandwidth", rule, "--form", "diagonal",
                "--at", q.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        KernelDensity kde = KernelDensity.of(x, null, BandwidthSelector.parse(rule, Bandwidth.Kind.DIAGONAL)
                .select(x, null), Kernel.GAUSSIAN);
        List<String> lines = Files.readAllLines(out);
        assertEquals(kde.logDensity(0.5, 0.5), Double.parseDouble(lines.get(1).split(",")[3]), 0.0, rule);
        assertEquals(kde.logDensity(2, 0.1), Double.parseDouble(lines.get(2).split(",")[3]), 0.0, rule);
    }

    /** Points in 3-D (a correlated Gaussian sample, seed 4), no header: coordinates x1, x2, x3. */
    Path threeD(String name, int n) throws IOException {
        NumpyRandomState rng = new NumpyRandomState(4);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double a = rng.gauss();
            double c = rng.gauss();
            double e = rng.gauss();
            b.append(a).append(',').append(0.6 * a + 0.8 * c).append(',').append(0.3 * c + e).append('\n');
        }
        return write(name, b.toString());
    }

    @Test
    void conditionalThenMarginalThenBoxAreTheLibrarys() throws IOException {
        Path data = threeD("d3.csv", 50);
        Dataset x = CsvData.read(data).data();
        KernelDensity kde = KernelDensity.of(x, Bandwidth.scalar(0.5, 3));
        // p(x2 | x3 = 0.3): condition on coordinate 3, then keep x2 (the second of the remaining x1, x2)
        KernelDensity expected = kde.conditional(new int[] {2}, new double[] {0.3}).marginal(1);
        Path q = write("q.csv", "-1\n0\n0.7\n");
        Path out = dir.resolve("v.csv");
        Run r = run("kde", "--data", data.toString(), "--h", "0.5", "--given", "x3=0.3", "--marginal", "x2", "--at",
                q.toString(), "--out", out.toString(), "--box", "-1:0.5", "--box", "-inf:inf");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("x2,density,log_density", lines.get(0));
        double[] at = {-1, 0, 0.7};
        for (int i = 0; i < 3; i++) {
            assertEquals(expected.logDensity(at[i]), Double.parseDouble(lines.get(i + 1).split(",")[2]), 0.0);
        }
        List<String> printed = r.out().lines().toList();
        assertEquals("P(x2 in [-1.0, 0.5]) = " + expected.integrateBox(new double[] {-1}, new double[] {0.5}),
                printed.get(0));
        assertEquals(1.0, Double.parseDouble(printed.get(1).substring(printed.get(1).indexOf('=') + 1)), 1e-12,
                "a conditional density integrates to 1");
        assertTrue(printed.get(2).startsWith("wrote 3 densities of f̂(x2 | x3 = 0.3) to "), printed.get(2));
        // numbers name coordinates too, and the 2-D box of the 2-D conditional is exact
        r = run("kde", "--data", data.toString(), "--h", "0.5", "--given", "1=-0.5", "--box", "0:1,-inf:0");
        assertEquals(0, r.code(), r.err());
        KernelDensity c2 = kde.conditional(new int[] {0}, new double[] {-0.5});
        assertEquals("P(x2 in [0.0, 1.0], x3 in [-inf, 0.0]) = " + c2.integrateBox(new double[] {0,
            Double.NEGATIVE_INFINITY}, new double[] {1, 0}), r.out().strip());
    }

    @Test
    void figuresOfAConditionalAndTheirMetrics() throws IOException {
        Path data = threeD("d3.csv", 40);
        Path figs = dir.resolve("figs");
        Run r = run("kde", "--data", data.toString(), "--h", "0.4,0.8", "--given", "x1=0", "--grid", "12", "--out",
                figs.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(figs.resolve("kde.png")) > 1000);
        JsonNode m = new ObjectMapper().readTree(figs.resolve("metrics.json").toFile());
        assertEquals("f̂(x2, x3 | x1 = 0.0)", m.get("estimate").asText());
        assertEquals(2, m.get("estimates").size());
        assertEquals("x2", m.get("coordinates").get(0).asText());
        // 3 coordinates left: no figure, a clear line instead
        r = run("kde", "--data", data.toString(), "--h", "0.4", "--out", dir.resolve("f3").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("the estimate has 3 coordinates (x1, x2, x3); figures need 2"), r.err());
    }
}

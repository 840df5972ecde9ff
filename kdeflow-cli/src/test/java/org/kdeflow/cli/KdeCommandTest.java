package org.kdeflow.cli;

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
import org.kdeflow.data.Dataset;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.KernelDensity;

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
}

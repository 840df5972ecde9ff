package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.kdeflow.cli.common.ExitCodes;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.Spiral;
import org.kdeflow.random.NumpyRandomState;

class SampleCommandTest {
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

    @ParameterizedTest
    @ValueSource(strings = {"moons", "Moons", "CIRCLES", "gaussians-grid", "GaussiansGrid", "gaussians-rot",
        "GaussiansRot"})
    void toySetsWriteTheScikitLearnPoints(String name) {
        Path csv = dir.resolve("out.csv");
        Run r = run("sample", "--dist", name, "--n", "37", "--seed", "4", "--num-gaussians", "3",
                "--out", csv.toString());
        assertEquals(0, r.code(), r.err());
        CsvData c = CsvData.read(csv);
        assertEquals(List.of("x", "y"), c.columns());
        Dataset expected = ToyDatasets.sample2dDatasets(name, 37, 4, 3);
        assertArrayEquals(expected.toArray(), c.data().toArray(), 0.0);
    }

    @Test
    void defaultsAreTheHomeworks() {
        Path csv = dir.resolve("m.csv");
        assertEquals(0, run("sample", "--dist", "mixture", "--out", csv.toString()).code());
        Dataset mix = CsvData.read(csv).data();
        assertArrayEquals(GaussianMixture.homework(0.5).sample(10000, new NumpyRandomState(0)).toArray(),
                mix.toArray(), 0.0);
        assertEquals(0, run("sample", "--dist", "spiral", "--sigma", "0.3", "--out", csv.toString()).code());
        assertArrayEquals(new Spiral(0.3).sample(10000, new NumpyRandomState(0)).toArray(),
                CsvData.read(csv).data().toArray(), 0.0);
        assertEquals(0, run("sample", "--dist", "circles", "--out", csv.toString()).code());
        assertEquals(1000, CsvData.read(csv).data().size());
    }

    @Test
    void plotsPngAndSvg() throws IOException {
        Path png = dir.resolve("p.png");
        Path svg = dir.resolve("p.svg");
        assertEquals(0, run("sample", "--dist", "moons", "--out", dir.resolve("a.csv").toString(),
                "--plot", png.toString()).code());
        assertEquals(0, run("sample", "--dist", "moons", "--out", dir.resolve("b.csv").toString(),
                "--plot", svg.toString()).code());
        byte[] head = Head.of(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
        assertTrue(Files.readString(svg).contains("<svg"));
    }

    static final class Head {
        static byte[] of(Path p) throws IOException {
            try (var in = Files.newInputStream(p)) {
                return in.readNBytes(8);
            }
        }
    }

    @Test
    void allWritesTheTaskOneFigures() throws IOException {
        Path out = dir.resolve("task1");
        Run r = run("sample", "--all", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(0, run("sample", "--all", "--out", out.toString()).code(), "its own earlier output is replaced");
        // a folder with the user's files is replaced as a whole by nothing: refused, the files kept
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "mine");
        Run refused = run("sample", "--all", "--out", mine.toString());
        assertEquals(2, refused.code(), refused.err());
        assertTrue(refused.err().contains("notes.txt"), refused.err());
        try (Stream<Path> left = Files.list(mine)) {
            assertEquals(List.of(mine.resolve("notes.txt")), left.toList());
        }
        for (String name : List.of("mixture-sigma0.5", "mixture-sigma1", "spiral", "circles", "moons",
                "gaussians-grid", "gaussians-rot")) {
            for (String ext : List.of(".csv", ".png", ".svg")) {
                assertTrue(Files.size(out.resolve(name + ext)) > 0, name + ext);
            }
        }
        assertEquals(10000, CsvData.read(out.resolve("spiral.csv")).data().size());
        assertEquals(1000, CsvData.read(out.resolve("moons.csv")).data().size());
        assertTrue(Files.exists(out.resolve("task1-part1.png")) && Files.exists(out.resolve("task1-part2.svg")));
    }

    static Stream<List<String>> badArguments() {
        return Stream.of(
                List.of("--dist", "swissroll"),
                List.of("--dist", "moons", "--n", "0"),
                List.of("--dist", "moons", "--n", "-5"),
                List.of("--dist", "moons", "--n", "ten"),
                List.of("--dist", "gaussians-rot", "--num-gaussians", "0"),
                List.of("--dist", "moons", "--seed", "-1"),
                List.of("--dist", "moons", "--seed", "4294967296"),
                List.of("--dist", "mixture", "--sigma", "0"),
                List.of("--dist", "moons", "--sigma", "0.2"),
                List.of("--dist", "moons", "--plot", "x.pdf"),
                List.of("--n", "10"),
                List.of("--all", "--dist", "moons"));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("badArguments")
    void badInputExitsTwoWithOneLineAndNoFile(List<String> args) throws IOException {
        String[] full = Stream.concat(Stream.of("sample"),
                Stream.concat(args.stream().map(a -> a.equals("x.pdf") ? dir.resolve(a).toString() : a),
                        Stream.of("--out", dir.resolve("out.csv").toString()))).toArray(String[]::new);
        Run r = run(full);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().startsWith("kdeflow: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals(List.of(), files(), "no output written");
    }

    @Test
    void unknownNameListsTheValidOnes() {
        Run r = run("sample", "--dist", "swissroll", "--out", dir.resolve("o.csv").toString());
        assertEquals(2, r.code());
        for (String name : List.of("circles", "moons", "gaussians-grid", "gaussians-rot", "mixture", "spiral")) {
            assertTrue(r.err().contains(name), r.err());
        }
    }

    @Test
    void allIntoAnExistingFileIsAUsageError() throws IOException {
        Path f = dir.resolve("file.txt");
        Files.writeString(f, "mine");
        Run r = run("sample", "--all", "--out", f.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("is a file"), r.err());
        assertEquals("mine", Files.readString(f));
    }

    @Test
    void missingOutIsAUsageError() {
        assertEquals(2, run("sample", "--dist", "moons").code());
    }

    @Test
    void anExistingOutputSurvivesAFailedRun() throws IOException {
        Path csv = dir.resolve("keep.csv");
        Files.writeString(csv, "precious");
        assertEquals(2, run("sample", "--dist", "moons", "--n", "0", "--out", csv.toString()).code());
        assertEquals("precious", Files.readString(csv));
    }
}

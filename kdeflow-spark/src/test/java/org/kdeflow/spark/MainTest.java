package org.kdeflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.density.Density;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.BinnedGrid;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.ModelFile;

/** The kdeflow-spark command end to end, in the shared session (a running session is reused, not stopped). */
class MainTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        SparkTests.spark();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path samples(double[] x, int n) {
        Path p = dir.resolve("samples.parquet");
        SparkTests.table(x, 2, null, 3).write().parquet(p.toString());
        return p;
    }

    @Test
    void kdeAtQueryPointsAndOnAGrid() throws IOException {
        int n = 2000;
        double[] x = SparkTests.points(n, 2, 100);
        Path input = samples(x, n);
        Path queries = dir.resolve("q.csv");
        Files.writeString(queries, "y,x\n0.5,0.25\n-0.3,1.5\n");
        Path out = dir.resolve("f.csv");
        Run r = run("kde", "--input", input.toString(), "--cols", "x,y", "--bandwidth", "scott", "--at",
                queries.toString(), "--output", out.toString());
        assertEquals(0, r.code(), r.err());
        KernelDensity kde = KernelDensity.of(org.kdeflow.data.Dataset.of(x, n, 2),
                BandwidthSelectors.scott(Bandwidth.Kind.FULL));
        List<String> lines = Files.readAllLines(out);
        assertEquals("x,y,density,log_density", lines.get(0));
        String[] f = lines.get(1).split(",");
        assertEquals(0.25, Double.parseDouble(f[0]));
        assertEquals(0.5, Double.parseDouble(f[1]));
        assertEquals(kde.logDensity(0.25, 0.5), Double.parseDouble(f[3]), 1e-12);
        assertEquals(3, lines.size());

        Path grid = dir.resolve("grid.csv");
        r = run("kde", "--input", input.toString(), "--cols", "x,y", "--h", "0.3", "--grid", "-2:3:21,-1:2:11",
                "--output", grid.toString());
        assertEquals(0, r.code(), r.err());
        lines = Files.readAllLines(grid);
        assertEquals("x,y,density", lines.get(0));
        assertEquals(1 + 21 * 11, lines.size());
        BinnedGrid g = BinnedGrid.of(Bandwidth.scalar(0.3, 2), new double[] {-2, -1}, new double[] {3, 2},
                new int[] {21, 11});
        double[] c = new double[g.cells()];
        g.bin(x, null, n, c);
        double[] expected = g.convolve(c, n);
        double peak = java.util.Arrays.stream(expected).max().orElseThrow();
        for (int k = 0; k < expected.length; k++) {
            String[] v = lines.get(1 + k).split(",");
            assertEquals(g.nodes()[2 * k], Double.parseDouble(v[0]));
            assertEquals(expected[k], Double.parseDouble(v[2]), 1e-12 * peak);
        }
    }

    @Test
    void trainSavesAModelAndScoresTheTable() throws IOException {
        int n = 1500;
        Path input = samples(SparkTests.points(n, 2, 101), n);
        Path model = dir.resolve("flow.safetensors");
        Path scored = dir.resolve("scored.parquet");
        Run r = run("train", "--input", input.toString(), "--cols", "x,y", "--sample", "300", "--epochs", "2",
                "--layers", "2", "--save", model.toString(), "--score-output", scored.toString());
        assertEquals(0, r.code(), r.err());
        Density flow = ModelFile.load(model);
        List<Row> rows = SparkTests.spark().read().parquet(scored.toString()).collectAsList();
        assertEquals(n, rows.size());
        Row first = rows.get(0);
        assertEquals(flow.logDensity(first.getDouble(1), first.getDouble(2)), first.getDouble(3), 1e-12);
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() throws IOException {
        Path input = samples(SparkTests.points(50, 2, 102), 50);
        Run r = run("kde", "--input", input.toString(), "--cols", "x,z", "--at", "q.csv", "--output",
                dir.resolve("o.csv").toString());
        assertEquals(2, r.code());
        assertEquals("kdeflow-spark: error: no column 'z' in the data (columns: id, x, y)", r.err().strip());
        r = run("score", "--model", dir.resolve("none.safetensors").toString(), "--input", input.toString(),
                "--cols", "x,y", "--output", dir.resolve("s").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("kdeflow-spark: error: no such model file"), r.err());
        r = run("kde", "--input", input.toString(), "--cols", "x,y", "--output", "o.csv");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("give exactly one of --at PATH and --grid"), r.err());
        r = run("score", "--bogus");
        assertEquals(2, r.code());
        r = run("kde", "--input", dir.resolve("missing.parquet").toString(), "--cols", "x,y", "--grid",
                "0:1:5,0:1:5", "--output", dir.resolve("o.csv").toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("missing.parquet"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(Kernel.parse("gaussian") == Kernel.GAUSSIAN);
    }
}

package org.kdeflow.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.models.ModelFile;
import org.kdeflow.train.Trainer;

/**
 * Scoring on Spark against the same model scored in this process. The Spark path calls the same batch
 * {@code logDensity} on the same rows, only in other batches and on other threads; each row's arithmetic does not
 * depend on its batch neighbours beyond the vector kernels' tail handling, so 1e−12 relative (on log p, or
 * absolute below |log p| = 1) allows for that and nothing else.
 */
class ScoringTest {
    @TempDir
    static Path dir;

    /** One model to score: its name, the model in memory, and the source Spark scores it from. */
    record Case(String name, Density reference, ModelSource source) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Every kind of model: flows from files, and KDEs from files as soon as the model files hold them (until then
     * carried in memory by {@link ModelSource#of}). A new kind is one more line here.
     */
    static Stream<Case> models() throws IOException {
        org.kdeflow.data.Dataset moons = ToyDatasets.sample2dDatasets("Moons", 400, 0, 5);
        CouplingFlow homework = CouplingFlow.homework(4, 8);
        Trainer.notebook(10).fit(homework, moons);
        CouplingFlow flow3 = CouplingFlow.create(new CouplingFlow.Architecture(3, 3, new int[] {16, 16}), 3);
        double[] w = new double[400];
        for (int i = 0; i < w.length; i++) {
            w[i] = 1 + i % 3;
        }
        KernelDensity kde2 = KernelDensity.of(moons, w, Bandwidth.full(new double[] {0.2, 0.05, 0, 0.15}, 2),
                Kernel.GAUSSIAN);
        KernelDensity kde3 = KernelDensity.of(org.kdeflow.data.Dataset.of(SparkTests.points(300, 3, 4), 300, 3),
                null, Bandwidth.diagonal(0.5, 0.4, 0.6), Kernel.EPANECHNIKOV);
        org.kdeflow.flow.Flow nsf = org.kdeflow.flow.Flows.create(org.kdeflow.flow.Flows.Config.nsf(2, 8), moons, 1);
        Density mixture = org.kdeflow.density.MixtureDensity.equal(List.of(nsf, kde2));
        return Stream.of(viaFile("homework flow (trained)", homework), viaFile("3-D coupling flow", flow3),
                viaFile("KDE, weighted, full H", kde2), viaFile("KDE, 3-D, epanechnikov", kde3),
                viaFile("spline flow", nsf), viaFile("mixture of a spline flow and a KDE", mixture));
    }

    /** The model saved to a file and read back (every kind has a model file). */
    static Case viaFile(String name, Density model) throws IOException {
        Path file = dir.resolve(name.replaceAll("[^A-Za-z0-9]+", "_") + ".safetensors");
        ModelFile.save(model, file);
        return new Case(name, ModelFile.load(file), ModelSource.file(file));
    }

    /** Rows near the data, far away (where flows overflow) and with a null coordinate, in 5 partitions. */
    static Dataset<Row> queries(int d, int n) {
        double[] x = SparkTests.points(n, d, 11);
        for (int i = 0; i < n; i += 97) {
            x[i * d] = (i % 2 == 0 ? 1 : -1) * 1e3;
        }
        Dataset<Row> t = SparkTests.table(x, d, null, 5).withColumn("tag", concat(lit("r"), col("id")));
        String c = SparkTests.columns(d).get(d - 1);
        return t.withColumn(c, when(col("id").mod(601).equalTo(5), lit(null)).otherwise(col(c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void sparkScoresEqualTheInProcessScores(Case c) {
        int d = c.reference().dim();
        int n = 1500;
        List<String> cols = SparkTests.columns(d);
        Dataset<Row> data = queries(d, n);
        List<Row> rows = byId(Scoring.withLogProb(data, c.source(), cols));
        assertEquals(n, rows.size());
        assertEquals(List.of(data.columns()), List.of(rows.get(0).schema().fieldNames()).subList(0, d + 2));
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = rows.get(i).isNullAt(1 + j) ? 0 : rows.get(i).getDouble(1 + j);
            }
        }
        double[] expected = new double[n];
        c.reference().logDensity(x, n, expected);
        int nulls = 0;
        int infinite = 0;
        for (int i = 0; i < n; i++) {
            Row r = rows.get(i);
            assertEquals("r" + i, r.getString(d + 1));
            if (r.isNullAt(d)) {
                assertNull(r.get(d + 2), "row " + i + " has a null coordinate");
                nulls++;
                continue;
            }
            double e = Double.isFinite(expected[i]) ? expected[i] : Double.NEGATIVE_INFINITY;
            double a = r.getDouble(d + 2);
            assertTrue(SparkTests.close(e, a, 1e-12), c + ": row " + i + " expected " + e + " got " + a);
            infinite += Double.isInfinite(e) ? 1 : 0;
        }
        assertEquals(3, nulls);
        assertTrue(infinite < n / 10, "most rows have a finite log p (" + infinite + " are -inf)");
    }

    /** The rows collected and put in id order (without a Spark sort, which would rerun the scoring). */
    static List<Row> byId(Dataset<Row> scored) {
        List<Row> rows = new ArrayList<>(scored.collectAsList());
        rows.sort(java.util.Comparator.comparingLong(r -> r.getLong(0)));
        return rows;
    }

    @Test
    void theBatchSizeDoesNotChangeTheScores() {
        Case c = new Case("flow", null, ModelSource.of(CouplingFlow.homework(2, 5)));
        Dataset<Row> data = queries(2, 700);
        List<Row> big = byId(Scoring.withLogProb(data, c.source(), List.of("x", "y")));
        List<Row> small = byId(Scoring.withLogProb(data, c.source(), List.of("x", "y"), "lp", 7));
        for (int i = 0; i < big.size(); i++) {
            if (!big.get(i).isNullAt(4)) {
                assertTrue(SparkTests.close(big.get(i).getDouble(4), small.get(i).getDouble(4), 1e-12), "row " + i);
            }
        }
    }

    /** The internal-row path (the default here) and the public Row path read and write the same values. */
    @Test
    void bothRowPathsGiveTheSameScoresForEveryNumericType() {
        ModelSource flow = ModelSource.of(CouplingFlow.homework(2, 9));
        Dataset<Row> data = queries(2, 600)
                .withColumn("xi", col("x").multiply(100).cast("int"))
                .withColumn("yd", col("y").cast("decimal(12,6)"))
                .withColumn("xf", col("x").cast("float"))
                .withColumn("yl", col("y").multiply(1000).cast("long"));
        for (List<String> cols : List.of(List.of("xi", "yd"), List.of("xf", "yl"), List.of("x", "y"))) {
            List<Row> internal = byId(Scoring.withLogProb(data, flow, cols));
            Scoring.publicPathOnly = true;
            List<Row> rows;
            try {
                rows = byId(Scoring.withLogProb(data, flow, cols));
            } finally {
                Scoring.publicPathOnly = false;
            }
            int last = data.columns().length;
            int nulls = 0;
            for (int i = 0; i < internal.size(); i++) {
                assertEquals(rows.get(i).get(last), internal.get(i).get(last), cols + " row " + i);
                for (int k = 0; k < last; k++) {
                    assertEquals(rows.get(i).get(k), internal.get(i).get(k), "column " + k + " is passed through");
                }
                nulls += internal.get(i).isNullAt(last) ? 1 : 0;
            }
            assertEquals(cols.contains("yd") || cols.contains("yl") || cols.contains("y") ? 1 : 0, nulls);
        }
    }

    @Test
    void eachJvmBuildsTheModelOnce() {
        ModelSource fresh = ModelSource.of(CouplingFlow.homework(2, 1234));
        long before = Models.loads();
        Dataset<Row> scored = Scoring.withLogProb(queries(2, 2000), fresh, List.of("x", "y"));
        scored.write().format("noop").mode("overwrite").save();
        scored.write().format("noop").mode("overwrite").save();
        // local[2]: the driver and both executor threads are this JVM; 5 tasks twice, one build
        assertEquals(before + 1, Models.loads());
    }

    @Test
    void badArgumentsAreNamed() {
        Dataset<Row> data = queries(2, 10);
        ModelSource flow = ModelSource.of(CouplingFlow.homework(2, 5));
        assertMessage("no column 'z' in the data (columns: id, x, y, tag)",
                () -> Scoring.withLogProb(data, flow, List.of("x", "z")));
        assertMessage("column 'tag' holds string, expected numbers",
                () -> Scoring.withLogProb(data, flow, List.of("x", "tag")));
        assertMessage("1 columns given (x) but the model", () -> Scoring.withLogProb(data, flow, List.of("x")));
        assertMessage("already have a column 'tag'",
                () -> Scoring.withLogProb(data, flow, List.of("x", "y"), "tag", 10));
        assertMessage("column 'x' is named twice", () -> Scoring.withLogProb(data, flow, List.of("x", "x")));
        assertMessage("batch size must be >= 1, got 0",
                () -> Scoring.withLogProb(data, flow, List.of("x", "y"), "lp", 0));
        assertMessage("broken.safetensors: not a safetensors file",
                () -> ModelSource.bytes(new byte[] {1, 2, 3}, "broken.safetensors"));
        assertMessage("no such model file", () -> ModelSource.file(dir.resolve("missing.safetensors")));
    }

    static void assertMessage(String part, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
    }

    /** The two commands end to end on one CSV file: kdeflow score and kdeflow-spark score write the same numbers. */
    @Test
    void sparkScoreCommandEqualsKdeflowScore() throws IOException {
        CouplingFlow flow = CouplingFlow.homework(4, 8);
        Trainer.notebook(5).fit(flow, ToyDatasets.sample2dDatasets("Moons", 300, 0, 5));
        Path model = dir.resolve("cli-flow.safetensors");
        FlowModelFile.save(flow, model);
        int n = 800;
        double[] x = SparkTests.points(n, 2, 12);
        x[0] = 5e3; // overflows: both write -inf
        StringBuilder csv = new StringBuilder("x,y\n");
        for (int i = 0; i < n; i++) {
            csv.append(x[2 * i]).append(',').append(x[2 * i + 1]).append('\n');
        }
        Path points = dir.resolve("points.csv");
        Files.writeString(points, csv);
        Path single = dir.resolve("scored-single.csv");
        assertEquals(0, org.kdeflow.cli.Main.execute(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), "score", "--model", model.toString(), "--data",
                points.toString(), "--out", single.toString()));
        Path spark = dir.resolve("scored-spark");
        StringWriter err = new StringWriter();
        int code = org.kdeflow.spark.Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err),
                "score", "--model", model.toString(), "--input", points.toString(), "--cols", "x,y", "--output",
                spark.toString(), "--output-format", "csv");
        assertEquals(0, code, err.toString());
        Map<String, Double> expected = new HashMap<>();
        for (String line : Files.readAllLines(single).subList(1, n + 1)) {
            int cut = line.lastIndexOf(',');
            String v = line.substring(cut + 1);
            expected.put(line.substring(0, cut), v.equals("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v));
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> parts = Files.list(spark)) {
            for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                List<String> l = Files.readAllLines(p, StandardCharsets.UTF_8);
                lines.addAll(l.subList(1, l.size()));
            }
        }
        assertEquals(n, lines.size());
        for (String line : lines) {
            String[] f = line.split(",");
            String key = Double.parseDouble(f[0]) + "," + Double.parseDouble(f[1]);
            Double e = expected.get(key);
            assertTrue(e != null, "kdeflow score has no row " + key);
            double a = Double.parseDouble(f[2]);
            assertTrue(SparkTests.close(e, a, 1e-12), key + ": kdeflow score " + e + ", kdeflow-spark " + a);
        }
        assertEquals(Double.NEGATIVE_INFINITY, expected.get(5e3 + "," + x[1]));
    }
}

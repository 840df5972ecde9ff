package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.models.ModelFile;

/** {@code kdeflow fit}: the selection runs, the chosen model is saved and readable, the report is written. */
class FitCommandTest {
    @TempDir
    Path dir;

    private Path moons(int n) throws Exception {
        Path csv = dir.resolve("moons.csv");
        Dataset d = ToyDatasets.sample2dDatasets("Moons", n, 0, 5);
        StringBuilder b = new StringBuilder("x,y,label\n");
        for (int i = 0; i < d.size(); i++) {
            b.append(d.get(i, 0)).append(',').append(d.get(i, 1)).append(",a\n");
        }
        Files.writeString(csv, b);
        return csv;
    }

    @Test
    void choosesSavesAndReportsTheSameWayTwice() throws Exception {
        Path csv = moons(160);
        Path m1 = dir.resolve("m1.safetensors");
        Path m2 = dir.resolve("m2.safetensors");
        Path rep = dir.resolve("report");
        Run r = Run.of("fit", "--data", csv.toString(), "--columns", "x,y", "--out", m1.toString(), "--budget", "4",
                "--threads", "2", "--test-n", "40", "--report", rep.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("chosen: "), r.out());
        assertTrue(r.out().contains("held-out NLL"), r.out());
        JsonNode j = new ObjectMapper().readTree(rep.resolve("ranking.json").toFile());
        String chosen = j.get("chosen").asText();
        assertTrue(j.get("ranking").size() >= 9, "every KDE at least: " + j.get("ranking"));
        assertEquals(chosen, j.get("ranking").get(0).get("note").asText().equals("chosen")
                ? j.get("ranking").get(0).get("name").asText() : chosen);
        assertEquals(120, j.get("source").get("n").asInt(), "the 40 held-out rows are not seen");
        for (String f : new String[] {"index.html", "density.png", "data.png"}) {
            assertTrue(Files.size(rep.resolve(f)) > 100, f);
        }
        Density model = ModelFile.load(m1);
        assertEquals(2, model.dim());
        double nll = -model.meanLogDensity(ToyDatasets.sample2dDatasets("Moons", 500, 1, 5));
        assertTrue(nll < 1.6, "a reasonable model of the moons: " + nll);
        Run again = Run.of("fit", "--data", csv.toString(), "--columns", "x,y", "--out", m2.toString(), "--budget",
                "4", "--threads", "2", "--test-n", "40", "--quiet");
        assertEquals(0, again.code(), again.err());
        assertEquals("", again.out());
        assertArrayEquals(Files.readAllBytes(m1), Files.readAllBytes(m2), "same data, budget and threads (the plan's inputs), same model file bytes");
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws Exception {
        Path csv = moons(30);
        Path out = dir.resolve("m.safetensors");
        Run noData = Run.of("fit", "--out", out.toString());
        assertEquals(2, noData.code());
        assertTrue(noData.err().contains("missing the data"), noData.err());
        Run budget = Run.of("fit", "--data", csv.toString(), "--columns", "x,y", "--out", out.toString(),
                "--budget", "-1");
        assertEquals(2, budget.code());
        assertTrue(budget.err().contains("--budget must be a positive number"), budget.err());
        Run few = Run.of("fit", "--data", csv.toString(), "--columns", "x,y", "--out", out.toString(), "--folds",
                "20");
        assertEquals(2, few.code());
        assertTrue(few.err().contains("too few for 20-fold cross-validation"), few.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void weightsColumnShapesTheModelAndIsNeverACoordinate() throws Exception {
        Dataset d = ToyDatasets.sample2dDatasets("Moons", 200, 0, 5);
        StringBuilder b = new StringBuilder("x,y,w\n");
        for (int i = 0; i < d.size(); i++) {
            b.append(d.get(i, 0)).append(',').append(d.get(i, 1)).append(',').append(d.get(i, 1) > 0.25 ? 1 : 0)
                    .append('\n');
        }
        Path csv = dir.resolve("weighted.csv");
        Files.writeString(csv, b);
        Path out = dir.resolve("w.safetensors");
        Run r = Run.of("fit", "--data", csv.toString(), "--weights", "w", "--out", out.toString(), "--budget", "2",
                "--quiet");
        assertEquals(0, r.code(), r.err());
        Density model = ModelFile.load(out);
        assertEquals(2, model.dim(), "the weights column is not a coordinate");
        // The upper moon (y > 0.25) has all the weight: the model puts far more mass on it than on the lower one.
        assertTrue(model.logDensity(Dataset.of(new double[] {0.0, 1.0}, 1, 2))[0]
                > model.logDensity(Dataset.of(new double[] {1.0, -0.5}, 1, 2))[0] + 3, "weighted towards y > 0.25");
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "x,y,w\n0,0,1\n1,1,-2\n");
        Run neg = Run.of("fit", "--data", bad.toString(), "--weights", "w", "--out", out.toString());
        assertEquals(2, neg.code());
        assertTrue(neg.err().contains("bad.csv") && neg.err().contains("-2"), neg.err());
    }
}

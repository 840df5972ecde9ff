package org.kdeflow.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Against scikit-learn 1.2.1 / numpy 1.24.2: every {@code sample_2d_datasets} file named in
 * numpy-legacy/README.json of the test resources. The tolerance 1e-12 per coordinate allows for an ulp of difference
 * between the C library's and Java's log, sqrt, cos and sin; a wrong permutation or draw order would give O(0.1–1)
 * errors.
 */
class ToyDatasetsTest {
    private static final Pattern FILE = Pattern.compile("(\\w+?)_n(\\d+)_seed(\\d+)(?:_g(\\d+))?\\.csv");

    static JsonNode readme() throws IOException {
        try (InputStream in = ToyDatasetsTest.class.getResourceAsStream("/numpy-legacy/README.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<String> referenceFiles() throws IOException {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = readme().get("files").fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!name.startsWith("*")) {
                names.add(name);
            }
        }
        return names.stream();
    }

    static double[][] readCsv(String resource) throws IOException {
        try (InputStream in = ToyDatasetsTest.class.getResourceAsStream("/numpy-legacy/" + resource)) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\R");
            double[][] rows = new double[lines.length][];
            for (int i = 0; i < lines.length; i++) {
                String[] f = lines[i].split(",");
                rows[i] = new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1])};
            }
            return rows;
        }
    }

    @Test
    void readmeNamesFifteenDatasetFiles() throws IOException {
        assertEquals(15, referenceFiles().count());
    }

    @ParameterizedTest
    @MethodSource("referenceFiles")
    void matchesScikitLearn(String file) throws IOException {
        Matcher m = FILE.matcher(file);
        assertTrue(m.matches(), file);
        int n = Integer.parseInt(m.group(2));
        long seed = Long.parseLong(m.group(3));
        int g = m.group(4) == null ? ToyDatasets.DEFAULT_NUM_GAUSSIANS : Integer.parseInt(m.group(4));
        double[][] expected = readCsv(file);
        assertEquals(n, expected.length);
        Dataset actual = ToyDatasets.sample2dDatasets(m.group(1), n, seed, g);
        assertEquals(n, actual.size());
        assertEquals(2, actual.dim());
        double maxErr = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 2; j++) {
                maxErr = Math.max(maxErr, Math.abs(expected[i][j] - actual.get(i, j)));
            }
        }
        assertTrue(maxErr <= 1e-12, file + ": max abs error " + maxErr);
    }

    @Test
    void parsesNamesCaseInsensitively() {
        assertEquals(ToyDatasets.Kind.GAUSSIANS_GRID, ToyDatasets.Kind.parse("gaussians-grid"));
        assertEquals(ToyDatasets.Kind.GAUSSIANS_GRID, ToyDatasets.Kind.parse("GaussiansGrid"));
        assertEquals(ToyDatasets.Kind.GAUSSIANS_ROT, ToyDatasets.Kind.parse("GAUSSIANS_ROT"));
        assertEquals(ToyDatasets.Kind.MOONS, ToyDatasets.Kind.parse("moons"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ToyDatasets.Kind.parse("swissroll"));
        assertTrue(e.getMessage().contains("swissroll") && e.getMessage().contains("GaussiansRot"), e.getMessage());
    }

    @Test
    void unshuffledNoiselessMoonsAreTheCurvePoints() {
        Dataset d = ToyDatasets.makeMoons(5, 0.0, 0, false);
        // n_out = 2: t = 0, π → (1, 0), (−1, 0); n_in = 3: t = 0, π/2, π → (0, 0.5), (1, −0.5), (2, 0.5)
        double[] expected = {1, 0, -1, 0, 0, 0.5, 1, -0.5, 2, 0.5};
        assertArrayEquals(expected, d.toArray(), 1e-15);
    }

    @Test
    void blobCountsGiveTheFirstCentersOneMore() {
        double[][] centers = {{0, 0}, {100, 0}, {200, 0}};
        Dataset d = ToyDatasets.makeBlobs(8, centers, 0.0, 1, false);
        double[] xs = new double[8];
        for (int i = 0; i < 8; i++) {
            xs[i] = d.get(i, 0);
        }
        assertArrayEquals(new double[] {0, 0, 0, 100, 100, 100, 200, 200}, xs, 0.0);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> ToyDatasets.makeMoons(0, 0.1, 0, true));
        assertThrows(IllegalArgumentException.class, () -> ToyDatasets.makeCircles(10, 0.1, 1.0, 0, true));
        assertThrows(IllegalArgumentException.class, () -> ToyDatasets.makeCircles(10, -0.1, 0.5, 0, true));
        assertThrows(IllegalArgumentException.class, () -> ToyDatasets.rotCenters(0));
        assertThrows(IllegalArgumentException.class,
                () -> ToyDatasets.makeBlobs(10, new double[][] {{0, 0}, {1}}, 1.0, 0, true));
    }

    @Test
    void doesNotMutateCenters() {
        double[][] centers = {{1, 2}, {3, 4}};
        ToyDatasets.makeBlobs(10, centers, 0.5, 0, true);
        assertArrayEquals(new double[] {1, 2}, centers[0]);
        assertArrayEquals(new double[] {3, 4}, centers[1]);
    }
}

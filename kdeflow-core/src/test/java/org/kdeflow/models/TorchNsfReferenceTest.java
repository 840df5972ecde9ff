package org.kdeflow.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.kdeflow.density.Density;
import org.kdeflow.flow.Flow;
import org.kdeflow.formats.SafeTensors;

/**
 * kdeflow against the independent PyTorch implementation of the flow-file specification in
 * {@code src/test/resources/torch-nsf/} ({@code reference_flows.py}, PyTorch 2.13.0+cpu, float64; the files made by
 * {@code make_reference.py}, see its README): each file loads, and kdeflow's log p at the CSV's points — bulk, box,
 * the linear tails, exactly ±bound and one ulp either side, exactly on knots, far away — and its sampling direction
 * x = T(z) agree with PyTorch's.
 */
class TorchNsfReferenceTest {
    /**
     * The required 1e-10 on log p, growing as 1e-14·|log p| far from the data where |log p| reaches 1e6–1e8 and one
     * ulp of it is already 1e-10 or more (the reference's own check uses the same bound). Both implementations are
     * within 4e-12 of the README's 40-digit values near the data, so 1e-10 has room.
     */
    static double logProbTolerance(double logP) {
        return 1e-10 + 1e-14 * Math.abs(logP);
    }

    /** x = T(z): the same operations in float64 on both sides; the README puts PyTorch within 1.4e-14 of 40 digits. */
    static final double X_TOLERANCE = 1e-10;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nsf2d", "nsf5d", "affine3d", "small2d", "nsf2d_f32"})
    void logProbMatchesPyTorch(String name) throws Exception {
        Flow flow = load(name);
        Csv csv = Csv.read(name + "_log_prob.csv");
        int d = flow.dim();
        assertEquals("x0", csv.header.get(0));
        assertEquals("log_prob", csv.header.get(d));
        int n = csv.rows.size();
        double[] x = csv.columns(0, d);
        double[] lp = new double[n];
        flow.logDensity(x, n, lp);
        List<String> kinds = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            double want = csv.value(r, d);
            String kind = csv.text(r, csv.header.size() - 1);
            if (!kinds.contains(kind)) {
                kinds.add(kind);
            }
            assertTrue(Double.isFinite(lp[r]), name + " line " + (r + 2) + " (" + kind + "): log p = " + lp[r]);
            assertEquals(want, lp[r], logProbTolerance(want), name + " line " + (r + 2) + " (" + kind + ")");
        }
        if (!name.startsWith("affine")) {
            assertTrue(kinds.containsAll(List.of("bulk", "tail", "bound", "knot", "far")), "kinds " + kinds);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nsf2d", "nsf5d", "affine3d", "small2d"})
    void samplingDirectionMatchesPyTorch(String name) throws Exception {
        Flow flow = load(name);
        Csv csv = Csv.read(name + "_forward.csv");
        int d = flow.dim();
        assertEquals("z0", csv.header.get(0));
        assertEquals("x0", csv.header.get(d));
        int n = csv.rows.size();
        double[] z = csv.columns(0, d);
        double[] x = new double[n * d];
        double[] logDet = new double[n];
        flow.forward(z, n, x, logDet);
        double[] lb = new double[n];
        flow.base().logDensity(z, n, lb);
        for (int r = 0; r < n; r++) {
            String where = name + " line " + (r + 2) + " (" + csv.text(r, csv.header.size() - 1) + ")";
            for (int j = 0; j < d; j++) {
                double want = csv.value(r, d + j);
                assertEquals(want, x[r * d + j], X_TOLERANCE * Math.max(1, Math.abs(want)), where + ", x" + j);
            }
            double want = csv.value(r, 2 * d);
            assertEquals(want, lb[r] - logDet[r], logProbTolerance(want), where + ", log p of the forward pass");
        }
    }

    static Flow load(String name) throws Exception {
        SafeTensors st = SafeTensors.parse(resource(name + ".safetensors"), name + ".safetensors");
        Density m = ModelFile.fromSafeTensors(st, name + ".safetensors");
        return assertInstanceOf(Flow.class, m);
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = TorchNsfReferenceTest.class.getResourceAsStream("/torch-nsf/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /torch-nsf/" + name);
            }
            return in.readAllBytes();
        }
    }

    /** A CSV with a header row; numbers as Python's repr writes them ({@code inf}, {@code -inf} included). */
    record Csv(List<String> header, List<String[]> rows) {
        static Csv read(String name) throws Exception {
            String[] lines = new String(resource(name), StandardCharsets.UTF_8).trim().split("\r?\n");
            List<String[]> rows = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                rows.add(lines[i].split(","));
            }
            return new Csv(Arrays.asList(lines[0].split(",")), rows);
        }

        double value(int r, int c) {
            String s = rows.get(r)[c];
            return switch (s) {
                case "inf" -> Double.POSITIVE_INFINITY;
                case "-inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(s);
            };
        }

        /** Columns from … from+d−1 of every row, row-major. */
        double[] columns(int from, int d) {
            double[] v = new double[rows.size() * d];
            for (int r = 0; r < rows.size(); r++) {
                for (int j = 0; j < d; j++) {
                    v[r * d + j] = value(r, from + j);
                }
            }
            return v;
        }

        String text(int r, int c) {
            return rows.get(r)[c];
        }
    }
}

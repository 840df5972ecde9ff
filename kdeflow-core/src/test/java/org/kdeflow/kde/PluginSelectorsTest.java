package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.data.Dataset;

/**
 * Hpi and Hscv against R's ks 1.14 ({@code ks-reference/make_reference.R}, binned = FALSE): the six homework sets
 * and four of the script's own (heavy-tailed, skewed, 3-D, 5-D).
 *
 * <p>Matrices are compared by the relative Frobenius error ‖Σ − Σ_ks‖/‖Σ_ks‖ (Σ = H·Hᵀ): an off-diagonal entry near
 * 0 has no meaningful relative error of its own. The pilot bandwidths and kernel functionals are checked to 1e−12
 * relative (ks's values are printed with 15 digits). Hpi follows ks's optimiser path and lands within 1e−8 in 2-D;
 * Hpi.diag is closed-form in 2-D, within 1e−10. Hscv in 2-D differs from ks by up to ~3e−4 because ks bins its
 * internal one-stage Hpi pilot whatever {@code binned} says; Hscv.diag (ks's Nelder–Mead, reproduced) by up to
 * ~1e−3 on the n = 1500 sets, where the last digits of the criterion steer the simplex. Gauss5's full Hscv (15
 * parameters) stops 2.7e−3 away from ks's, with a criterion no larger than at ks's matrix; it is held to 5e−3 and
 * that comparison.
 */
class PluginSelectorsTest {
    static final JsonNode REF = load();

    private static JsonNode load() {
        try (InputStream in = PluginSelectorsTest.class.getResourceAsStream("/ks-reference/reference.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Dataset data(String name) {
        JsonNode set = REF.get("sets").get(name);
        String file = set.get("file").asText().replace("../", "/").replace("Heavy.csv", "/ks-reference/Heavy.csv")
                .replace("Skewed.csv", "/ks-reference/Skewed.csv").replace("Gauss3.csv", "/ks-reference/Gauss3.csv")
                .replace("Gauss5.csv", "/ks-reference/Gauss5.csv");
        int n = set.get("n").asInt();
        int d = set.get("d").asInt();
        double[] x = new double[n * d];
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                PluginSelectorsTest.class.getResourceAsStream(file), StandardCharsets.UTF_8))) {
            for (int i = 0; i < n; i++) {
                String[] t = r.readLine().split(",");
                for (int j = 0; j < d; j++) {
                    x[i * d + j] = Double.parseDouble(t[j].trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Dataset.of(x, n, d);
    }

    static double[] matrix(JsonNode m) {
        int d = m.size();
        double[] out = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                out[i * d + j] = m.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    static double[] array(JsonNode a) {
        double[] out = new double[a.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = a.get(k).asDouble();
        }
        return out;
    }

    static double frobeniusRelative(double[] expected, double[] actual) {
        double num = 0;
        double den = 0;
        for (int k = 0; k < expected.length; k++) {
            num += (actual[k] - expected[k]) * (actual[k] - expected[k]);
            den += expected[k] * expected[k];
        }
        return Math.sqrt(num / den);
    }

    static Stream<String> sets() {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = REF.get("sets").fieldNames(); it.hasNext();) {
            names.add(it.next());
        }
        return names.stream();
    }

    static void assertRelative(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], tol * scale, what + " " + k);
        }
    }

    @Test
    void samsePilotsAndFunctionalsAreKs() {
        JsonNode m = REF.get("moons_samse");
        Dataset moons = data("Moons");
        double[] g = PluginSelectors.samsePilots(moons);
        assertEquals(m.get("g6").asDouble(), g[0], 1e-12 * g[0], "g6");
        // g4 uses ks's reading of ψ̂₆ (see PluginSelectors); the corrected reading would give another value
        assertEquals(m.get("g4").asDouble(), g[1], 1e-12 * g[1], "g4, two stages");
        assertEquals(m.get("g4_stage1").asDouble(), g[2], 1e-12 * g[2], "g4, one stage");
        assertRelative(array(m.get("psi6")), PluginSelectors.vectorised(moons, g[0], 6), 1e-12, "ψ̂6");
        assertRelative(array(m.get("psi4")), PluginSelectors.vectorised(moons, g[1], 4), 1e-12, "ψ̂4");
    }

    @Test
    void dscalarPilotsAndFunctionalsAreKs() {
        JsonNode m = REF.get("gauss3_dscalar");
        Dataset x = data("Gauss3");
        double[] g = PluginSelectors.dscalarPilots(x);
        assertEquals(m.get("g4").asDouble(), g[0], 1e-12 * g[0], "g4 (AMISE form)");
        assertEquals(m.get("g4_scv").asDouble(), g[1], 1e-12 * g[1], "g4 (SCV form)");
        double eta = m.get("eta6").asDouble();
        assertEquals(eta, PluginSelectors.laplacianCubed(x, 0.7), 1e-12 * Math.abs(eta), "η6 = Qr(x*, 6, 0.49 I)");
        assertRelative(array(m.get("psi4")), PluginSelectors.vectorised(x, 0.5, 4), 1e-12, "ψ̂4(0.25 I)");
    }

    @ParameterizedTest
    @MethodSource("sets")
    void matricesMatchKs(String name) {
        Dataset x = data(name);
        JsonNode set = REF.get("sets").get(name);
        int d = x.dim();
        double[] hpi = BandwidthSelectors.pluginHpi(Bandwidth.Kind.FULL).select(x, null).covariance();
        double[] hpiDiag = BandwidthSelectors.pluginHpi(Bandwidth.Kind.DIAGONAL).select(x, null).covariance();
        double[] hscv = BandwidthSelectors.smoothedCV(Bandwidth.Kind.FULL).select(x, null).covariance();
        double[] hscvDiag = BandwidthSelectors.smoothedCV(Bandwidth.Kind.DIAGONAL).select(x, null).covariance();
        double eHpi = frobeniusRelative(matrix(set.get("hpi")), hpi);
        double eHpiDiag = frobeniusRelative(matrix(set.get("hpi_diag")), hpiDiag);
        double eHscv = frobeniusRelative(matrix(set.get("hscv")), hscv);
        double eHscvDiag = frobeniusRelative(matrix(set.get("hscv_diag")), hscvDiag);
        System.out.printf("%s: Hpi %.1e, Hpi.diag %.1e, Hscv %.1e, Hscv.diag %.1e%n", name, eHpi, eHpiDiag, eHscv,
                eHscvDiag);
        assertTrue(eHpi <= (d == 2 ? 1e-8 : 1e-3), "Hpi " + eHpi);
        assertTrue(eHpiDiag <= (d == 2 ? 1e-10 : 1e-3), "Hpi.diag " + eHpiDiag);
        assertTrue(eHscvDiag <= 1e-3, "Hscv.diag " + eHscvDiag);
        if (name.equals("Gauss5")) {
            assertTrue(eHscv <= 5e-3, "Hscv " + eHscv);
            double[] crit = PluginSelectors.scvAt(x, null, true, matrix(set.get("hscv")), hscv);
            assertTrue(crit[1] <= crit[0], "SCV at kdeflow's " + crit[1] + " vs at ks's " + crit[0]);
        } else {
            assertTrue(eHscv <= 1e-3, "Hscv " + eHscv);
        }
        // the diagonal forms are diagonal, the full ones symmetric positive definite
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                if (i != j) {
                    assertEquals(0.0, hpiDiag[i * d + j]);
                    assertEquals(hpi[i * d + j], hpi[j * d + i], 1e-15 * hpi[i * d + i]);
                }
            }
        }
    }

    @Test
    void unitWeightsAreNoWeightsAndTheScalarFormIsRefused() {
        Dataset x = data("Skewed");
        double[] ones = new double[x.size()];
        java.util.Arrays.fill(ones, 1.0);
        assertArrayEquals(BandwidthSelectors.pluginHpi(Bandwidth.Kind.FULL).select(x, null).matrix(),
                BandwidthSelectors.pluginHpi(Bandwidth.Kind.FULL).select(x, ones).matrix(), 0.0);
        KernelDensityTest.assertMessage("there is no scalar form",
                () -> BandwidthSelectors.pluginHpi(Bandwidth.Kind.SCALAR));
        KernelDensityTest.assertMessage("hscv needs at least 3 samples",
                () -> BandwidthSelectors.smoothedCV(Bandwidth.Kind.FULL).select(Dataset.of(new double[] {0, 1, 2, 3},
                        2, 2), null));
    }
}

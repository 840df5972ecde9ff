package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.formats.Tensor;
import org.kdeflow.random.NumpyRandomState;

class CouplingFlowTest {

    @Test
    void masksAlternateAsTheHomeworkOneHot() {
        CouplingFlow f = CouplingFlow.homework(4, 0);
        assertArrayEquals(new double[] {1, 0}, f.layer(0).mask());
        assertArrayEquals(new double[] {0, 1}, f.layer(1).mask());
        assertArrayEquals(new double[] {1, 0}, f.layer(2).mask());
        assertArrayEquals(new double[] {0, 1}, f.layer(3).mask());
        assertArrayEquals(new double[] {1, 1, 1, 0, 0}, CouplingFlow.defaultMask(5, 0), 0.0,
                "odd d: the first ⌈d/2⌉ coordinates");
        assertArrayEquals(new double[] {0, 0, 0, 1, 1}, CouplingFlow.defaultMask(5, 1));
    }

    @Test
    void stateDictHasTheHomeworkNamesShapesAndOrder() {
        CouplingFlow f = CouplingFlow.homework(2, 0);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            expected.add("layers." + i + ".mask");
            expected.add("layers." + i + ".scale_factor");
            for (String net : new String[] {"s_func", "t_func"}) {
                for (int l : new int[] {0, 2, 4}) {
                    expected.add("layers." + i + "." + net + "." + l + ".weight");
                    expected.add("layers." + i + "." + net + "." + l + ".bias");
                }
            }
        }
        Map<String, Tensor> sd = f.stateDict();
        assertEquals(expected, new ArrayList<>(sd.keySet()));
        assertArrayEquals(new int[] {32, 2}, sd.get("layers.1.s_func.0.weight").shape());
        assertArrayEquals(new int[] {32, 32}, sd.get("layers.1.t_func.2.weight").shape());
        assertArrayEquals(new int[] {2, 32}, sd.get("layers.0.t_func.4.weight").shape());
        assertArrayEquals(new int[] {2}, sd.get("layers.0.s_func.4.bias").shape());
        assertArrayEquals(new double[] {0, 0}, sd.get("layers.0.scale_factor").values(), "σ starts at 0");
        // PyTorch's initial bound 1/√fan_in
        for (double w : sd.get("layers.0.s_func.2.weight").values()) {
            assertTrue(Math.abs(w) <= 1 / Math.sqrt(32));
        }
        for (double w : sd.get("layers.0.s_func.0.weight").values()) {
            assertTrue(Math.abs(w) <= 1 / Math.sqrt(2));
        }
        // offsets tile the flat buffer without gaps, in order
        int next = 0;
        for (Slot s : f.parameterLayout().values()) {
            assertEquals(next, s.offset());
            next += s.size();
        }
        assertEquals(f.parameters().size(), next);
        assertEquals(2 * (2 + 2 * (2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2)), next);
    }

    @Test
    void stateDictRoundTripsAndRejectsBadInput() {
        CouplingFlow a = FlowFixtures.randomFlow(CouplingFlow.Architecture.homework(3), 1);
        CouplingFlow b = CouplingFlow.homework(3, 2);
        b.loadStateDict(a.stateDict());
        assertArrayEquals(a.parameters().values(), b.parameters().values(), 0.0);
        double[] x = FlowFixtures.gaussian(10, 2, 3);
        double[] la = new double[10];
        double[] lb = new double[10];
        a.logDensity(x, 10, la);
        b.logDensity(x, 10, lb);
        assertArrayEquals(la, lb, 0.0);

        Map<String, Tensor> bad = new LinkedHashMap<>(a.stateDict());
        bad.put("layers.0.s_func.0.weight", Tensor.of(new double[64], new int[] {2, 32}));
        double[] before = b.parameters().copyValues();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(bad));
        assertTrue(e.getMessage().contains("layers.0.s_func.0.weight") && e.getMessage().contains("[32, 2]"),
                e.getMessage());
        assertArrayEquals(before, b.parameters().values(), 0.0, "nothing changed");
        Map<String, Tensor> missing = new LinkedHashMap<>(a.stateDict());
        missing.remove("layers.2.mask");
        assertThrows(IllegalArgumentException.class, () -> b.loadStateDict(missing));
        assertThrows(IllegalArgumentException.class,
                () -> b.copyIn("layers.7.scale_factor", Tensor.of(new double[2], new int[] {2})));
        assertThrows(IllegalArgumentException.class,
                () -> b.copyIn("layers.0.mask", Tensor.of(new double[] {0.5, 1}, new int[] {2})));
    }

    /** ∫ p(x) dx = 1: a Riemann sum on [−10, 10]² with 401² points (errors: grid 1e-4, tails below 1e-6). */
    @Test
    void densityIntegratesToOne() {
        CouplingFlow f = FlowFixtures.randomFlow(CouplingFlow.Architecture.homework(4), 9);
        Grid g = Grid.square(-10, 10, -10, 10, 401);
        double[] p = f.density(g.points(), g.size());
        assertEquals(1.0, g.integrate(p), 2e-3);
    }

    @Test
    void samplesCarryTheirLogDensityAndStepsStartAtThePrior() {
        CouplingFlow f = FlowFixtures.randomFlow(CouplingFlow.Architecture.homework(4), 10);
        Flow.Sample s = f.sampleWithLogProbability(700, new NumpyRandomState(4));
        assertArrayEquals(f.logProbability(s.x()), s.logProb(), 1e-10);

        List<Dataset> steps = f.sampleEachStep(700, new NumpyRandomState(4));
        assertEquals(5, steps.size());
        double[] z = new double[1400];
        new NumpyRandomState(4).fillGauss(z);
        assertArrayEquals(z, steps.get(0).toArray(), 0.0, "prior draws first, row-major");
        assertArrayEquals(s.x().toArray(), steps.get(4).toArray(), 0.0, "x last");
        assertNotEquals(steps.get(0).get(0, 1), steps.get(4).get(0, 1));
        assertArrayEquals(z, f.toNoise(steps.get(4)).toArray(), 1e-10, "toNoise inverts sampling");

        Flow.Trace t = f.trace(steps.get(4));
        for (int k = 0; k <= 4; k++) {
            assertArrayEquals(steps.get(k).toArray(), t.steps().get(k).toArray(), 1e-10, "step " + k);
        }
        // per-layer forward log-dets: log p(x) = log N(z) − Σ_k logDet_k
        double[] lp = t.logProb();
        double[][] ld = t.logDet();
        for (int r = 0; r < 5; r++) {
            double z0 = z[2 * r];
            double z1 = z[2 * r + 1];
            double v = -0.5 * (z0 * z0 + z1 * z1) - Math.log(2 * Math.PI);
            for (int k = 0; k < 4; k++) {
                v -= ld[k][r];
            }
            assertEquals(v, lp[r], 1e-10);
        }
        // the first layer has mask [1,0]: coordinate 0 of z passes through it unchanged
        assertEquals(steps.get(0).get(3, 0), steps.get(1).get(3, 0), 0.0);
    }

    @Test
    void untrainedFlowIsTheStandardNormalUpToTheShift() {
        // σ = 0: every layer only shifts, so log|det J| = 0 and log p(x) = log N(f⁻¹(x))
        CouplingFlow f = CouplingFlow.homework(2, 3);
        Flow.Trace t = f.trace(Dataset.ofRows(new double[][] {{0.3, -1}, {2, 1}}));
        for (double[] ld : t.logDet()) {
            assertArrayEquals(new double[] {0, 0}, ld, 0.0);
        }
    }

    @Test
    void sameSeedSameWeights() {
        assertArrayEquals(CouplingFlow.homework(4, 8).parameters().values(),
                CouplingFlow.homework(4, 8).parameters().values(), 0.0);
        assertNotEquals(CouplingFlow.homework(4, 8).parameters().get(5), CouplingFlow.homework(4, 9).parameters().get(5));
    }

    /** Evaluation keeps its state per call: threads scoring one flow at once get the sequential answers. */
    @Test
    void concurrentEvaluationMatchesSequential() throws Exception {
        CouplingFlow f = FlowFixtures.randomFlow(CouplingFlow.Architecture.homework(4), 12);
        f.parameters().set(0, f.parameters().get(0) + 1e-3); // fresh version: the threads race to refresh Wᵀ
        double[] x = FlowFixtures.gaussian(3000, 2, 13);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<double[]>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                futures.add(pool.submit(() -> {
                    double[] out = new double[3000];
                    f.logDensity(x, 3000, out);
                    return out;
                }));
            }
            double[] expected = new double[3000];
            f.logDensity(x, 3000, expected);
            for (var fu : futures) {
                assertArrayEquals(expected, fu.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void rejectsBadArchitectures() {
        assertThrows(IllegalArgumentException.class, () -> new CouplingFlow.Architecture(1, 4, new int[] {32}));
        assertThrows(IllegalArgumentException.class, () -> new CouplingFlow.Architecture(2, 0, new int[] {32}));
        assertThrows(IllegalArgumentException.class, () -> new CouplingFlow.Architecture(2, 4, new int[] {0}));
    }

    /**
     * Far from the data exp(∓s) overflows, and without care inf − inf or 0·inf turned log p into NaN. Every point
     * must get a number or −∞, never NaN or +∞; −∞ is the honest answer where the transformation overflows double
     * precision (the density there is far below the smallest double). The scale factors are set large, as training
     * leaves them, so that the overflow happens within the range tested.
     */
    @Test
    void logDensityFarFromTheDataIsMinusInfinityNeverNaN() {
        CouplingFlow f = CouplingFlow.homework(4, 8);
        for (int k = 0; k < 4; k++) {
            f.copyIn("layers." + k + ".scale_factor", Tensor.of(new double[] {40, -40}, new int[] {2}));
        }
        double[] far = {30, 30, -30, 30, 1e3, -1e3, 1e8, 1e8, -1e300, 1e300, Double.MAX_VALUE, -Double.MAX_VALUE,
            1e154, 1e154, 0.5, 0.25};
        double[] lp = f.logProbability(Dataset.of(far, far.length / 2, 2));
        int minusInf = 0;
        for (int r = 0; r < lp.length; r++) {
            assertTrue(!Double.isNaN(lp[r]) && lp[r] != Double.POSITIVE_INFINITY,
                    "log p at (" + far[2 * r] + ", " + far[2 * r + 1] + ") = " + lp[r]);
            if (lp[r] == Double.NEGATIVE_INFINITY) {
                minusInf++;
            }
        }
        assertTrue(minusInf >= 3, "the overflowing points give -inf: " + java.util.Arrays.toString(lp));
        assertTrue(Double.isFinite(lp[lp.length - 1]), "a point near the origin keeps its finite log p");
        double[] one = new double[1];
        f.logDensity(new double[] {1e300, -1e300}, 1, one);
        assertEquals(Double.NEGATIVE_INFINITY, one[0]);
    }
}

package org.kdeflow.models;

import org.kdeflow.formats.SafeTensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FlowStateDictTest {

    static final int K = 4;
    static final int D = 2;
    static final int[] HIDDEN = {32, 32};

    static Map<String, double[]> known() {
        return NotebookFlowReference.weights(K, D, HIDDEN, 11);
    }

    static FlowStateDict load(Map<String, double[]> w, boolean f32) {
        byte[] bytes = NotebookFlowReference.torchFile(w, D, f32, Map.of("format", "pt"));
        return FlowStateDict.of(SafeTensors.parse(bytes, "torch.safetensors"), "torch.safetensors");
    }

    @Test
    void infersTheNotebookArchitecture() {
        Map<String, double[]> w = known();
        for (boolean f32 : new boolean[] {false, true}) {
            FlowStateDict s = load(w, f32);
            assertEquals(D, s.dim());
            assertEquals(K, s.layers());
            assertArrayEquals(HIDDEN, s.hidden());
            assertArrayEquals(new double[] {1, 0}, s.mask(0));
            assertArrayEquals(new double[] {0, 1}, s.mask(1));
            assertEquals(FlowStateDict.expectedNames(K, 3), s.names());
            assertEquals(2 + 2 + 2 * (2 * 32 + 32 + 32 * 32 + 32 + 32 * 2 + 2),
                    FlowStateDict.expectedNames(1, 3).stream().mapToInt(n -> s.values(n).length).sum(),
                    "parameters of one CouplingLayer (masks included)");
            assertArrayEquals(new int[] {32, 2}, s.shape("layers.3.t_func.0.weight"));
            double[] expected = w.get("layers.2.s_func.2.weight");
            double[] got = s.values("layers.2.s_func.2.weight");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(f32 ? (float) expected[i] : expected[i], got[i], 0.0);
            }
        }
    }

    @Test
    void otherArchitecturesToo() {
        Map<String, double[]> w = NotebookFlowReference.weights(3, 5, new int[] {7, 4, 6}, 3);
        byte[] bytes = NotebookFlowReference.torchFile(w, 5, false, null);
        FlowStateDict s = FlowStateDict.of(SafeTensors.parse(bytes, "x"), "x");
        assertEquals(5, s.dim());
        assertEquals(3, s.layers());
        assertArrayEquals(new int[] {7, 4, 6}, s.hidden());
        assertArrayEquals(new double[] {0, 0, 1, 1, 1}, s.mask(1));
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = FlowStateDictTest.class.getResourceAsStream("/torch-flow/" + name)) {
            return in.readAllBytes();
        }
    }

    static Map<String, double[]> valuesOf(FlowStateDict s) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (String n : s.names()) {
            m.put(n, s.values(n));
        }
        return m;
    }

    /** Rows of log_prob.csv: x0, x1, PyTorch's float32 log p, PyTorch's float64 log p. */
    static double[][] torchLogProb() throws Exception {
        String[] lines = new String(resource("log_prob.csv"), StandardCharsets.US_ASCII).trim().split("\n");
        double[][] rows = new double[lines.length - 1][];
        for (int i = 1; i < lines.length; i++) {
            rows[i - 1] = Arrays.stream(lines[i].split(",")).mapToDouble(Double::parseDouble).toArray();
        }
        return rows;
    }

    @Test
    void filesWrittenByPyTorchLoadAndTheWriterReproducesThem() throws Exception {
        for (String f : new String[] {"notebook_flow_f32.safetensors", "notebook_flow_f64.safetensors"}) {
            byte[] bytes = resource(f);
            SafeTensors st = SafeTensors.parse(bytes, f);
            FlowStateDict s = FlowStateDict.of(st, f);
            assertEquals(2, s.dim());
            assertEquals(4, s.layers());
            assertArrayEquals(HIDDEN, s.hidden());
            assertArrayEquals(new double[] {0, 1}, s.mask(3));
            boolean f32 = f.contains("f32");
            // The hand-written layout of NotebookFlowReference and kdeflow's own writer give PyTorch's bytes exactly.
            assertArrayEquals(bytes, NotebookFlowReference.torchFile(valuesOf(s), 2, f32, null), f);
            assertArrayEquals(bytes, st.toBytes(f32 ? SafeTensors.DType.F32 : SafeTensors.DType.F64), f);
            // The independent plain-Java flow on the loaded weights reproduces PyTorch's log-probabilities:
            // in double to 1e-12 of PyTorch's float64 run (same weights, same formulas; only summation order
            // differs), in float arithmetic to 1e-5 of PyTorch's float32 run (a few float ulps of |log p| ≈ 5).
            for (double[] row : torchLogProb()) {
                double[] x = {row[0], row[1]};
                assertEquals(row[3], NotebookFlowReference.logProb(valuesOf(s), 4, x), 1e-12);
                assertEquals(row[2], NotebookFlowReference.logProbFloat(valuesOf(s), 4, x), 1e-5);
            }
        }
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                edit("missing tensor", "'layers.1.t_func.2.weight' is missing", w -> w.remove("layers.1.t_func.2.weight")),
                edit("missing layer", "coupling layer 2 is missing", w -> w.keySet().removeIf(n -> n.startsWith("layers.2."))),
                edit("extra tensor", "unexpected tensor 'prior.loc'", w -> w.put("prior.loc", new double[2])),
                edit("extra Linear", "unexpected tensor 'layers.1.t_func.6.bias'", w -> {
                    w.put("layers.1.t_func.6.weight", new double[4]);
                    w.put("layers.1.t_func.6.bias", new double[2]);
                }),
                edit("Linear at odd position", "positions 0, 2, 4", w -> w.put("layers.0.s_func.1.bias", new double[2])),
                edit("wrong width in another layer", "'layers.3.t_func.0.weight' has shape [16, 2], expected [32, 2]", w -> {
                    w.put("layers.3.t_func.0.weight", new double[32]);
                    w.put("layers.3.t_func.0.bias", new double[16]);
                }),
                edit("wrong mask length", "'layers.1.mask' has shape [3], expected [2]", w -> w.put("layers.1.mask", new double[3])),
                edit("mask not 0/1", "'layers.2.mask' must hold only 0 and 1, found 0.5", w -> w.put("layers.2.mask", new double[] {0.5, 0.5})),
                edit("NaN weight", "'layers.1.s_func.2.weight' holds the non-finite value NaN at index 5",
                        w -> w.get("layers.1.s_func.2.weight")[5] = Double.NaN),
                edit("infinite scale", "'layers.0.scale_factor' holds the non-finite value Infinity",
                        w -> w.get("layers.0.scale_factor")[1] = Double.POSITIVE_INFINITY),
                edit("no tensors", "holds no tensors", Map::clear));
    }

    static Arguments edit(String what, String fragment, Consumer<Map<String, double[]>> change) {
        return Arguments.of(what, fragment, change);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void rejectsWhatIsNotACouplingFlow(String what, String fragment, Consumer<Map<String, double[]>> change) {
        Map<String, double[]> w = new LinkedHashMap<>();
        known().forEach((k, v) -> w.put(k, v.clone()));
        change.accept(w);
        SafeTensors st = SafeTensors.parse(NotebookFlowReference.torchFile(w, D, false, null), "m.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlowStateDict.of(st, "m.safetensors"));
        assertTrue(e.getMessage().startsWith("m.safetensors: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), what + ": " + e.getMessage());
    }
}

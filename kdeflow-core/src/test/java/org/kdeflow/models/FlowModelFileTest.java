package org.kdeflow.models;

import org.kdeflow.formats.SafeTensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.formats.Tensor;

class FlowModelFileTest {

    @TempDir
    Path tmp;

    static double[] logDensity(CouplingFlow f, double[][] points) {
        double[] x = new double[points.length * f.dim()];
        for (int i = 0; i < points.length; i++) {
            System.arraycopy(points[i], 0, x, i * f.dim(), f.dim());
        }
        double[] out = new double[points.length];
        f.logDensity(x, points.length, out);
        return out;
    }

    @Test
    void loadsFilesWrittenByPyTorchAndScoresLikeIt() throws Exception {
        double[][] rows = FlowStateDictTest.torchLogProb();
        double[][] x = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            x[i] = new double[] {rows[i][0], rows[i][1]};
        }
        for (String name : new String[] {"notebook_flow_f32.safetensors", "notebook_flow_f64.safetensors"}) {
            Path p = tmp.resolve(name);
            Files.write(p, FlowStateDictTest.resource(name));
            FlowModelFile.Loaded loaded = FlowModelFile.read(p);
            CouplingFlow f = loaded.flow();
            assertEquals(CouplingFlow.Architecture.homework(4), f.architecture());
            assertEquals(name.contains("f32") ? DType.F32 : DType.F64, loaded.dtype());
            assertTrue(loaded.metadata().isEmpty(), "save_file writes no metadata unless asked");
            double[] lp = logDensity(f, x);
            for (int i = 0; i < rows.length; i++) {
                // PyTorch float64 on the same weights: equal up to summation order (1e-12 of |log p| ≈ 5).
                assertEquals(rows[i][3], lp[i], 1e-12, name + " row " + i);
                // PyTorch float32: float precision (a few ulps of 5 ≈ 5e-7 each, accumulated over 4 layers).
                assertEquals(rows[i][2], lp[i], 1e-5, name + " row " + i);
            }
        }
    }

    @Test
    void handBuiltTorchFilesMatchTheIndependentComputation() throws Exception {
        int k = 6;
        Map<String, double[]> w = NotebookFlowReference.weights(k, 2, new int[] {32, 32}, 5);
        java.util.Random r = new java.util.Random(1);
        double[][] x = new double[50][];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {2 * r.nextGaussian(), 2 * r.nextGaussian()};
        }
        for (boolean f32 : new boolean[] {false, true}) {
            Path p = tmp.resolve("hand" + f32 + ".safetensors");
            Files.write(p, NotebookFlowReference.torchFile(w, 2, f32, Map.of("format", "pt")));
            CouplingFlow f = FlowModelFile.load(p);
            Map<String, double[]> stored = f32 ? NotebookFlowReference.roundedToFloat(w) : w;
            double[] lp = logDensity(f, x);
            for (int i = 0; i < x.length; i++) {
                // The same weights in double: only the order of floating-point sums differs.
                assertEquals(NotebookFlowReference.logProb(stored, k, x[i]), lp[i], 1e-10);
                // What PyTorch's float32 forward would give: float precision.
                assertEquals(NotebookFlowReference.logProbFloat(stored, k, x[i]), lp[i], 2e-4 * Math.max(1, Math.abs(lp[i])));
            }
        }
    }

    @Test
    void roundTripF64IsBitIdentical() throws Exception {
        CouplingFlow f = CouplingFlow.create(new CouplingFlow.Architecture(3, 5, new int[] {8, 16, 8}), 42);
        // non-zero scale factors, as after training
        for (int i = 0; i < 5; i++) {
            f.copyIn("layers." + i + ".scale_factor", Tensor.of(new double[] {0.1 * i, -0.3, 1e-17}, new int[] {3}));
        }
        Path p = tmp.resolve("m.safetensors");
        FlowModelFile.save(f, p, DType.F64, Map.of("kdeflow.training", "{\"epochs\":3}"));
        FlowModelFile.Loaded g = FlowModelFile.read(p);
        assertEquals(f.architecture(), g.flow().architecture());
        assertArrayEquals(f.parameters().values(), g.flow().parameters().values(), 0.0);
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(f.layer(i).mask(), g.flow().layer(i).mask(), 0.0);
        }
        assertEquals("{\"epochs\":3}", g.metadata().get("kdeflow.training"));
        assertEquals("8,16,8", g.metadata().get(FlowModelFile.KEY_HIDDEN));
        assertEquals("pt", g.metadata().get("format"));
        double[][] x = {{0.1, -2, 3}, {1, 1, 1}};
        assertArrayEquals(logDensity(f, x), logDensity(g.flow(), x), 0.0);
    }

    @Test
    void roundTripF32IsFloatRounding() throws Exception {
        CouplingFlow f = CouplingFlow.homework(4, 3);
        Path p = tmp.resolve("m32.safetensors");
        FlowModelFile.save(f, p, DType.F32, null);
        CouplingFlow g = FlowModelFile.load(p);
        double[] a = f.parameters().values();
        double[] b = g.parameters().values();
        for (int i = 0; i < a.length; i++) {
            assertEquals((float) a[i], b[i], 0.0);
        }
        // The stored tensors are exactly those of PyTorch's state_dict of the same model.
        SafeTensors st = SafeTensors.read(p);
        assertEquals(f.stateDict().keySet(), st.tensors().keySet().stream().collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void metadataMustAgreeWithTheTensors() throws Exception {
        CouplingFlow f = CouplingFlow.homework(2, 1);
        SafeTensors good = FlowModelFile.toSafeTensors(f, null);
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put(FlowModelFile.KEY_LAYERS, new String[] {"3", "disagrees with the tensors (2)"});
        cases.put(FlowModelFile.KEY_HIDDEN, new String[] {"64,64", "disagrees"});
        cases.put(FlowModelFile.KEY_SLOPE, new String[] {"0.2", "LeakyReLU slope 0.2"});
        cases.put(FlowModelFile.KEY_VERSION, new String[] {"2", "newer kdeflow"});
        cases.put(FlowModelFile.KEY_MODEL, new String[] {"KernelDensity", "not a CouplingFlow"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Map<String, String> meta = new HashMap<>(good.metadata());
            meta.put(c.getKey(), c.getValue()[0]);
            SafeTensors st = SafeTensors.parse(SafeTensors.of(good.tensors(), meta).toBytes(DType.F64), "f");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FlowModelFile.fromSafeTensors(st, "f"));
            assertTrue(e.getMessage().contains(c.getValue()[1]), e.getMessage());
        }
        // extra keys of the caller cannot shadow kdeflow's own
        assertThrows(IllegalArgumentException.class,
                () -> FlowModelFile.toSafeTensors(f, Map.of(FlowModelFile.KEY_DIM, "3")));
    }

    @Test
    void oneDimensionalFilesAreRejectedClearly() {
        Map<String, double[]> w = NotebookFlowReference.weights(2, 1, new int[] {4}, 0);
        SafeTensors st = SafeTensors.parse(NotebookFlowReference.torchFile(w, 1, false, null), "d1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FlowModelFile.fromSafeTensors(st, "d1"));
        assertTrue(e.getMessage().startsWith("d1: ") && e.getMessage().contains("dimension"), e.getMessage());
    }
}

package org.kdeflow.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.Tensor;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.Bounds;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.random.NumpyRandomState;

/** KDE model files: exact round trips, and every hostile field refused with the file and the field named. */
class KdeCodecTest {

    @TempDir
    Path tmp;

    static Dataset positive(int n, int d, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = -Math.log(1 - r.nextDouble()) * (i % d == 1 ? 0.3 : 1);
        }
        return Dataset.of(x, n, d);
    }

    static final List<KernelDensity> MODELS = build();

    static List<KernelDensity> models() {
        return MODELS;
    }

    private static List<KernelDensity> build() {
        Dataset x = positive(300, 2, 1);
        double[] w = new double[300];
        double[] lambda = new double[300];
        Random r = new Random(2);
        for (int i = 0; i < 300; i++) {
            w[i] = 0.1 + r.nextDouble();
            lambda[i] = Math.exp(0.5 * r.nextGaussian());
        }
        KernelDensity full = KernelDensity.of(x, w, Bandwidth.full(new double[] {0.3, 0.1, -0.05, 0.2}, 2),
                Kernel.GAUSSIAN);
        KernelDensity adaptive = KernelDensity.of(x, null, Bandwidth.diagonal(0.2, 0.1).withFactors(lambda),
                Kernel.GAUSSIAN).withBounds(Bounds.parse("0:inf,0:inf"));
        KernelDensity epa = KernelDensity.of(x, w, Bandwidth.scalar(0.4, 2), Kernel.EPANECHNIKOV)
                .withBounds(Bounds.parse("0:8,-inf:inf"));
        Dataset x3 = positive(200, 3, 3);
        KernelDensity cond = KernelDensity.of(x3, null, Bandwidth.full(new double[] {0.4, 0, 0, 0.1, 0.3, 0, 0.05,
            -0.1, 0.35}, 3), Kernel.GAUSSIAN).withBounds(Bounds.parse("0:inf,0:10,0:inf"))
                .conditional(new int[] {0}, new double[] {0.7}); // re-weighted samples, means outside the domain
        return List.of(full, adaptive, epa, cond);
    }

    @Test
    void roundTripGivesTheSameLogDensitiesBitForBit() throws Exception {
        int k = 0;
        for (KernelDensity kde : models()) {
            Path p = tmp.resolve("kde" + (k++) + ".safetensors");
            ModelFile.save(kde, p);
            Density back = ModelFile.load(p);
            assertTrue(back instanceof KernelDensity, back.toString());
            KernelDensity b = (KernelDensity) back;
            assertEquals(kde.bounds(), b.bounds());
            assertEquals(kde.kernel(), b.kernel());
            assertEquals(kde.bandwidth().kind(), b.bandwidth().kind());
            assertArrayEquals(kde.weights(), b.weights(), 0.0);
            int d = kde.dim();
            double[] q = kde.sample(500, new NumpyRandomState(4)).toArray();
            q[0] = -1; // outside the domain where there is one
            double[] a = new double[500];
            double[] c = new double[500];
            kde.logDensity(q, 500, a);
            b.logDensity(q, 500, c);
            assertArrayEquals(a, c, 0.0, "model " + kde);
            assertArrayEquals(kde.sample(50, new NumpyRandomState(5)).toArray(),
                    b.sample(50, new NumpyRandomState(5)).toArray(), 0.0);
            assertEquals(d, b.dim());
        }
    }

    @Test
    void theFileSaysWhatItHolds() {
        KernelDensity adaptive = models().get(1);
        SafeTensors st = ModelFile.toSafeTensors(adaptive, Map.of("note", "x"));
        assertEquals("kde", st.metadata().get(ModelFile.KEY_MODEL));
        assertEquals("{\"kernel\":\"gaussian\",\"form\":\"diagonal\",\"dim\":2,\"samples\":300,"
                + "\"bounds\":{\"lower\":[0.0,0.0],\"upper\":[null,null]}}", st.metadata().get(ModelFile.KEY_SPEC));
        assertTrue(st.tensor("samples").hasShape(300, 2));
        assertTrue(st.tensor("weights").hasShape(300));
        assertTrue(st.tensor("bandwidth").hasShape(2, 2));
        assertTrue(st.tensor("factors").hasShape(300));
        assertEquals(null, ModelFile.toSafeTensors(models().get(0), null).tensor("factors"));
    }

    /** Applies a change to the tensors or the spec of a good file and expects one message naming the field. */
    private void assertRefused(String expected, Consumer<Map<String, Tensor>> tensors, Consumer<ObjectNode> spec) {
        SafeTensors good = ModelFile.toSafeTensors(models().get(1), null);
        Map<String, Tensor> t = new LinkedHashMap<>(good.tensors());
        tensors.accept(t);
        ObjectNode s = ModelFile.parseSpec(good.metadata().get(ModelFile.KEY_SPEC), "x");
        spec.accept(s);
        Map<String, String> meta = new LinkedHashMap<>(good.metadata());
        meta.put(ModelFile.KEY_SPEC, ModelFile.json(s));
        SafeTensors bad = SafeTensors.parse(SafeTensors.of(t, meta).toBytes(SafeTensors.DType.F64), "bad.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.fromSafeTensors(bad, "bad.safetensors"));
        assertTrue(e.getMessage().startsWith("bad.safetensors: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should contain '" + expected + "'");
    }

    private static Consumer<ObjectNode> same() {
        return s -> { };
    }

    private static Consumer<Map<String, Tensor>> keep() {
        return t -> { };
    }

    private static Consumer<Map<String, Tensor>> put(String name, double[] v, int... shape) {
        return t -> t.put(name, Tensor.of(v, shape));
    }

    @Test
    void hostileFilesAreRefusedNamingTheField() {
        double[] w300 = new double[300];
        java.util.Arrays.fill(w300, 1.0 / 300);
        assertRefused("tensor 'samples' is missing", t -> t.remove("samples"), same());
        assertRefused("tensor 'weights' is missing", t -> t.remove("weights"), same());
        assertRefused("tensor 'bandwidth' is missing", t -> t.remove("bandwidth"), same());
        assertRefused("tensor 'samples' has shape [300, 3], expected [300, 2]", put("samples", new double[900], 300, 3),
                same());
        assertRefused("tensor 'weights' has shape [299], expected [300]", put("weights", new double[299], 299), same());
        assertRefused("tensor 'factors' has shape [2], expected [300]", put("factors", new double[] {1, 1}, 2), same());
        double[] nan = models().get(1).samples().toArray();
        nan[7] = Double.NaN;
        assertRefused("tensor 'samples' holds NaN at element 7", put("samples", nan, 300, 2), same());
        double[] neg = w300.clone();
        neg[3] = -0.5;
        neg[4] += 0.5 + 1.0 / 300;
        assertRefused("tensor 'weights' holds the negative weight -0.5 at [3]", put("weights", neg, 300), same());
        double[] sum2 = w300.clone();
        sum2[0] += 1;
        assertRefused("tensor 'weights': normalised weights must sum to 1", put("weights", sum2, 300), same());
        double[] zeroFactor = new double[300];
        java.util.Arrays.fill(zeroFactor, 1);
        zeroFactor[9] = 0;
        assertRefused("tensor 'factors' holds the factor 0.0 at [9]", put("factors", zeroFactor, 300), same());
        assertRefused("tensor 'bandwidth': bandwidth matrix is singular", put("bandwidth", new double[] {1, 2, 2, 4},
                2, 2), s -> s.put("form", "full"));
        assertRefused("tensor 'bandwidth': the form is diagonal but entry (1,2) is 0.5",
                put("bandwidth", new double[] {1, 0.5, 0, 1}, 2, 2), same());
        assertRefused("spec field 'kernel' names an unknown kernel 'triweight'", keep(),
                s -> s.put("kernel", "triweight"));
        assertRefused("spec field 'kernel' is missing", keep(), s -> s.remove("kernel"));
        assertRefused("spec field 'form' is 'round'", keep(), s -> s.put("form", "round"));
        assertRefused("spec field 'dim' must be an integer >= 1, got 0", keep(), s -> s.put("dim", 0));
        assertRefused("spec field 'samples' must be an integer >= 1, got \"many\"", keep(),
                s -> s.put("samples", "many"));
        assertRefused("spec field 'bounds' must be null or", keep(), s -> s.putObject("bounds").putArray("lower"));
        assertRefused("spec field 'bounds': bounds: dimension 1 needs lower < upper", keep(), s -> {
            ObjectNode b = s.putObject("bounds");
            b.putArray("lower").add(1).add(0);
            b.putArray("upper").add(0).addNull();
        });
        assertRefused("spec field 'bounds' holds '\"zero\"'", keep(), s -> {
            ObjectNode b = s.putObject("bounds");
            b.putArray("lower").add("zero").add(0);
            b.putArray("upper").addNull().addNull();
        });
    }
}

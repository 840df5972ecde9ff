package org.kdeflow.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.density.Density;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.MixtureDensity;
import org.kdeflow.flow.ActNorm;
import org.kdeflow.flow.AffineCouplingBounded;
import org.kdeflow.flow.Base;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.DiagonalNormal;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.GaussianMixtureBase;
import org.kdeflow.flow.LuLinear;
import org.kdeflow.flow.Permutation;
import org.kdeflow.flow.SplineCoupling;
import org.kdeflow.flow.StandardNormal;
import org.kdeflow.flow.Standardize;
import org.kdeflow.flow.Transform;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.formats.Tensor;
import org.kdeflow.nn.Parameters;
import org.kdeflow.random.NumpyRandomState;

/** Flow (v2) and mixture model files: bit-exact round trips, float32 files, nesting, and hostile files. */
class FlowCodecTest {
    private static final String LABEL = "m.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Every transform of the format, over the given base, every parameter perturbed away from its initialisation. */
    static Flow everyPart(Base.Spec base, long seed) {
        int d = base.dim();
        List<Transform.Spec> specs = List.of(
                new ActNorm.Spec(d),
                SplineCoupling.Spec.of(new int[] {0}, new int[] {2, 1}, new int[] {8, 6}),
                Permutation.Spec.random(d, seed),
                new LuLinear.Spec(new int[] {2, 0, 1}),
                new AffineCouplingBounded.Spec(new int[] {2, 1}, new int[] {0}, new int[] {5}, 2.5),
                new SplineCoupling.Spec(new int[] {1}, new int[] {0, 2}, new int[] {}, 3, 2.0, 0.01, 0.02, 0.05),
                // awkward decimals: the JSON must carry every bit
                new Standardize.Spec(new double[] {1.0 / 3, -0.0, 1e-300}, new double[] {0.1, 7.0 / 3, 123456.789e10}));
        Flow f = Flow.create(base, specs, seed);
        Parameters p = f.parameters();
        NumpyRandomState rng = new NumpyRandomState(seed + 1);
        for (int k = 0; k < p.size(); k++) {
            p.values()[k] += 0.3 * rng.gauss();
        }
        p.changed();
        return f;
    }

    static Stream<Arguments> bases() {
        return Stream.of(Arguments.of(Named.of("normal", new StandardNormal.Spec(3))),
                Arguments.of(Named.of("diag_normal", new DiagonalNormal.Spec(3))),
                Arguments.of(Named.of("mixture", new GaussianMixtureBase.Spec(3, 4))));
    }

    static double[] points(int n, int d) {
        double[] x = new double[n * d];
        new NumpyRandomState(5).fillGauss(x);
        return x;
    }

    static void assertSameBits(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        for (int k = 0; k < want.length; k++) {
            assertEquals(Double.doubleToRawLongBits(want[k]), Double.doubleToRawLongBits(got[k]),
                    what + " entry " + k + ": " + want[k] + " vs " + got[k]);
        }
    }

    /** log p of both models at the points x (row-major), bit for bit. */
    static void assertSameLogDensity(Density want, Density got, double[] x) {
        int n = x.length / want.dim();
        double[] a = new double[n];
        double[] b = new double[n];
        want.logDensity(x, n, a);
        got.logDensity(x, n, b);
        assertSameBits(a, b, "log p");
    }

    static Density roundTrip(Density model, DType dtype) {
        byte[] bytes = ModelFile.toSafeTensors(model, null).toBytes(dtype);
        return ModelFile.fromSafeTensors(SafeTensors.parse(bytes, LABEL), LABEL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bases")
    void aFlowRoundTripsBitExactly(Base.Spec base) throws Exception {
        Flow f = everyPart(base, 7);
        Path file = tmp.resolve("flow.safetensors");
        ModelFile.save(f, file);
        Flow g = assertInstanceOf(Flow.class, ModelFile.load(file));
        assertEquals(f.transformSpecs(), g.transformSpecs());
        assertEquals(f.base().spec(), g.base().spec());
        assertSameBits(f.parameters().values(), g.parameters().values(), "parameters");
        assertSameLogDensity(f, g, points(50, 3));
        // the same bytes when saved again
        Path again = tmp.resolve("again.safetensors");
        ModelFile.save(g, again);
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(again), "file bytes");
        Map<String, String> meta = SafeTensors.read(file).metadata();
        assertEquals("pt", meta.get("format"));
        assertEquals("2", meta.get("kdeflow.format_version"));
        assertEquals("flow", meta.get("kdeflow.model"));
        assertTrue(meta.get("kdeflow.spec").startsWith("{\"dim\":3,\"base\":{\"type\":\""), meta.get("kdeflow.spec"));
    }

    @Test
    void theSpecIsCompactJsonInTheFormatsKeyOrder() {
        Flow f = Flow.create(new GaussianMixtureBase.Spec(2, 3), List.of(
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {4}),
                new Standardize.Spec(new double[] {0.5, 0.25}, new double[] {0.875, 0.5})), 0);
        assertEquals("{\"dim\":2,\"base\":{\"type\":\"mixture\",\"components\":3},\"transforms\":[{\"type\":"
                + "\"rq_coupling\",\"identity\":[0],\"transformed\":[1],\"hidden\":[4],\"bins\":8,\"bound\":5.0,"
                + "\"min_width\":0.001,\"min_height\":0.001,\"min_derivative\":0.001},{\"type\":\"standardize\","
                + "\"shift\":[0.5,0.25],\"scale\":[0.875,0.5]}]}",
                ModelFile.toSafeTensors(f, null).metadata().get("kdeflow.spec"));
    }

    @Test
    void aFloat32FileHoldsTheWeightsRoundedToFloat() {
        Flow f = everyPart(new GaussianMixtureBase.Spec(3, 2), 8);
        Flow g = assertInstanceOf(Flow.class, roundTrip(f, DType.F32));
        double[] want = f.parameters().values().clone();
        for (int k = 0; k < want.length; k++) {
            want[k] = (float) want[k];
        }
        assertSameBits(want, g.parameters().values(), "parameters");
    }

    /** ActNorm's data-dependent values are ordinary parameters: saved right after the initialisation, they load. */
    @Test
    void actNormSavedRightAfterItsDataInitialisationLoadsAsTheSameFlow() {
        Flow f = Flow.create(new StandardNormal.Spec(2), List.of(new ActNorm.Spec(2),
                AffineCouplingBounded.Spec.of(new int[] {0}, new int[] {1}, new int[] {4}), new ActNorm.Spec(2)), 1);
        double[] x = points(64, 2);
        for (int k = 0; k < x.length; k++) {
            x[k] = 10 + 3 * x[k];
        }
        f.initializeFromData(x, 64);
        Flow g = assertInstanceOf(Flow.class, roundTrip(f, DType.F64));
        assertSameBits(f.parameters().values(), g.parameters().values(), "parameters");
        assertTrue(g.parameters().get(f.parameterLayout().get("transforms.2.shift").offset()) > 5,
                "the initialised shift is in the file");
        assertSameLogDensity(f, g, x);
    }

    @Test
    void nestedMixturesRoundTripBitExactly() {
        Flow f1 = everyPart(new DiagonalNormal.Spec(3), 2);
        Flow f2 = everyPart(new GaussianMixtureBase.Spec(3, 2), 3);
        GaussianMixture gm = GaussianMixture.isotropic(new double[][] {{0, 0, 0}}, 1);
        assertThrows(IllegalArgumentException.class, () -> ModelFile.toSafeTensors(gm, null),
                "a GaussianMixture has no codec (yet)");
        MixtureDensity inner = MixtureDensity.of(List.of(f2, f1), new double[] {0.3, 1.0 / 3});
        MixtureDensity outer = MixtureDensity.of(List.of(f1, inner), new double[] {2, 0.1});
        MixtureDensity back = assertInstanceOf(MixtureDensity.class, roundTrip(outer, DType.F64));
        assertSameBits(outer.weights(), back.weights(), "weights");
        MixtureDensity innerBack = assertInstanceOf(MixtureDensity.class, back.component(1));
        assertSameBits(inner.weights(), innerBack.weights(), "inner weights");
        assertSameLogDensity(outer, back, points(40, 3));
        Map<String, Tensor> t = ModelFile.toSafeTensors(outer, null).tensors();
        assertTrue(t.containsKey("components.1.components.0.base.logits"), t.keySet().toString());
        assertTrue(t.containsKey("components.0.transforms.1.net.0.weight"), t.keySet().toString());
    }

    @Test
    void aMixtureCanHoldTheHomeworksCouplingFlow() {
        CouplingFlow cf = CouplingFlow.homework(2, 3);
        Flow f = Flow.create(new StandardNormal.Spec(2), List.of(SplineCoupling.Spec.of(new int[] {1},
                new int[] {0}, new int[] {8})), 4);
        MixtureDensity m = MixtureDensity.of(List.of(cf, f), new double[] {1, 1});
        MixtureDensity back = assertInstanceOf(MixtureDensity.class, roundTrip(m, DType.F64));
        assertInstanceOf(CouplingFlow.class, back.component(0));
        assertSameLogDensity(m, back, points(10, 2));
    }

    @Test
    void theHomeworksMaskedLayersHaveNoFlowFile() {
        Flow f = CouplingFlow.homework(2, 0).asFlow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.toSafeTensors(f, null));
        assertTrue(e.getMessage().contains("masked AffineCoupling"), e.getMessage());
    }

    // ------------------------------------------------------------------ hostile files

    /** A file to corrupt: the spec as a JSON tree and the tensors, from a valid model. */
    record Parts(ObjectNode spec, Map<String, Tensor> tensors, Map<String, String> meta) {
        static Parts of(Density model) throws Exception {
            SafeTensors st = ModelFile.toSafeTensors(model, null);
            return new Parts((ObjectNode) JSON.readTree(st.metadata().get("kdeflow.spec")),
                    new LinkedHashMap<>(st.tensors()), new LinkedHashMap<>(st.metadata()));
        }

        SafeTensors file() throws Exception {
            meta.put("kdeflow.spec", JSON.writeValueAsString(spec));
            return SafeTensors.of(tensors, meta);
        }

        ObjectNode transform(int k) {
            return (ObjectNode) spec.get("transforms").get(k);
        }
    }

    record Hostile(String name, Consumer<Parts> corrupt, String message) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Flow hostileBase() {
        return Flow.create(new GaussianMixtureBase.Spec(2, 2), List.of(
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {4}),
                new Permutation.Spec(new int[] {1, 0}),
                new Standardize.Spec(new double[] {0, 1}, new double[] {1, 2}),
                new LuLinear.Spec(new int[] {0, 1})), 0);
    }

    static Stream<Hostile> hostileFlows() {
        double[] nan = {1, Double.NaN, 0, 0};
        return Stream.of(
                new Hostile("unknown transform type", p -> p.transform(1).put("type", "glow"),
                        "kdeflow.spec.transforms[1].type: unknown transform type 'glow'"),
                new Hostile("unknown base type", p -> ((ObjectNode) p.spec.get("base")).put("type", "student"),
                        "kdeflow.spec.base.type: unknown base type 'student'"),
                new Hostile("missing tensor", p -> p.tensors.remove("transforms.0.net.0.weight"),
                        "tensor 'transforms.0.net.0.weight' is missing (transform 0, SplineCoupling)"),
                new Hostile("mis-shaped tensor", p -> p.tensors.put("base.loc", Tensor.of(new double[6], 3, 2)),
                        "tensor 'base.loc' has shape [3, 2], expected [2, 2]"),
                new Hostile("non-finite tensor", p -> p.tensors.put("transforms.3.lower", Tensor.of(nan, 2, 2)),
                        "tensor 'transforms.3.lower' holds the non-finite value NaN at index 1"),
                new Hostile("unexpected tensor", p -> p.tensors.put("transforms.1.net.0.weight",
                        Tensor.of(new double[1], 1)), "tensor 'transforms.1.net.0.weight' is not a tensor of this flow"),
                new Hostile("dimension mismatch", p -> p.spec.put("dim", 3),
                        "kdeflow.spec.transforms[0]: rq_coupling of dimension 2 in a flow of dimension 3"),
                new Hostile("bad permutation", p -> ((ArrayNode) p.transform(1).get("perm")).set(1, 1),
                        "kdeflow.spec.transforms[1]: permutation [1, 1]: index 1 appears twice"),
                new Hostile("permutation of another length", p -> ((ArrayNode) p.transform(1).get("perm")).add(2),
                        "kdeflow.spec.transforms[1]: permutation of dimension 3 in a flow of dimension 2"),
                new Hostile("unknown key", p -> p.transform(0).put("bins ", 8),
                        "kdeflow.spec.transforms[0]: unknown key 'bins '"),
                new Hostile("missing field", p -> p.transform(0).remove("bound"),
                        "kdeflow.spec.transforms[0].bound: is missing"),
                new Hostile("string for a number", p -> p.transform(0).put("bins", "8"),
                        "kdeflow.spec.transforms[0].bins: must be an integer, got string \"8\""),
                new Hostile("fractional bins", p -> p.transform(0).put("bins", 2.5),
                        "kdeflow.spec.transforms[0].bins: must be an integer"),
                new Hostile("zero bins", p -> p.transform(0).put("bins", 0),
                        "kdeflow.spec.transforms[0].bins: must be in 1..65536, got 0"),
                new Hostile("min_width too large", p -> p.transform(0).put("min_width", 0.2),
                        "kdeflow.spec.transforms[0]: min_width must be >= 0 and below 1/bins = 0.125, got 0.2"),
                new Hostile("negative hidden width", p -> ((ArrayNode) p.transform(0).get("hidden")).set(0, -4),
                        "kdeflow.spec.transforms[0]: hidden widths must be >= 1, got [-4]"),
                new Hostile("overlapping coordinates", p -> ((ArrayNode) p.transform(0).get("transformed")).set(0, 0),
                        "kdeflow.spec.transforms[0]: coordinate 0 appears twice"),
                new Hostile("zero scale", p -> ((ArrayNode) p.transform(2).get("scale")).set(0, 0.0),
                        "kdeflow.spec.transforms[2]: standardize scale 0 must be finite and > 0, got 0.0"),
                new Hostile("dimension 0", p -> p.spec.put("dim", 0), "kdeflow.spec.dim: must be in 1..1048576, got 0"),
                new Hostile("no components", p -> ((ObjectNode) p.spec.get("base")).put("components", 0),
                        "kdeflow.spec.base.components: must be in 1..1048576, got 0"),
                new Hostile("transforms not an array", p -> p.spec.put("transforms", "none"),
                        "kdeflow.spec.transforms: must be a JSON array, got string"),
                // widths [1, 40000, 40000, 23]: 1,601,040,023 conditioner values, +12 (LU) +10 (mixture base)
                new Hostile("a huge network claimed", p -> ((ArrayNode) p.transform(0).get("hidden")).set(0, 40000)
                        .add(40000), "kdeflow.spec: describes 1601040045 parameter values, but the file's tensors "
                        + "hold only 145"),
                new Hostile("a number that is not finite", p -> p.transform(0).put("bound", Double.POSITIVE_INFINITY),
                        "kdeflow.spec.transforms[0].bound: must be a number"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileFlows")
    void hostileFlowFilesFailWithOneClearMessage(Hostile h) throws Exception {
        assertRefused(Parts.of(hostileBase()), h);
    }

    /** The corrupted file fails with one message that names the file and contains the hostile case's text. */
    static void assertRefused(Parts parts, Hostile h) throws Exception {
        h.corrupt.accept(parts);
        SafeTensors st = parts.file();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.fromSafeTensors(st, LABEL));
        assertTrue(e.getMessage().startsWith(LABEL + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(h.message), "expected '" + h.message + "' in: " + e.getMessage());
    }

    static Stream<Hostile> hostileMixtures() {
        return Stream.of(
                new Hostile("negative weight", p -> ((ArrayNode) p.spec.get("weights")).set(1, -0.5),
                        "kdeflow.spec: mixture weight 1 must be finite and >= 0, got -0.5"),
                new Hostile("all weights 0", p -> ((ArrayNode) p.spec.get("weights")).set(0, 0).set(1, 0),
                        "kdeflow.spec: mixture weights must sum to a finite positive number"),
                new Hostile("weight count", p -> ((ArrayNode) p.spec.get("weights")).add(1),
                        "kdeflow.spec: 2 components but 3 weights"),
                new Hostile("unknown component model", p -> ((ObjectNode) p.spec.get("components").get(1))
                        .put("model", "gp"), "kdeflow.spec.components[1].model: unknown model type 'gp'"),
                new Hostile("error inside a nested flow", p -> ((ObjectNode) p.spec.get("components").get(0)
                        .get("spec").get("transforms").get(0)).put("type", "x"),
                        "kdeflow.spec.components[0].spec.transforms[0].type: unknown transform type 'x'"),
                new Hostile("tensor of no component", p -> p.tensors.put("components.2.base.loc",
                        Tensor.of(new double[2], 2)), "tensor 'components.2.base.loc' belongs to no component"),
                new Hostile("missing nested tensor", p -> p.tensors.remove("components.1.transforms.0.net.0.bias"),
                        "tensor 'components.1.transforms.0.net.0.bias' is missing"),
                new Hostile("components of different dimensions", p -> {
                    ObjectNode s = (ObjectNode) p.spec.get("components").get(1).get("spec");
                    s.put("dim", 3);
                    s.set("transforms", JSON.createArrayNode());
                    p.tensors.keySet().removeIf(n -> n.startsWith("components.1."));
                }, "kdeflow.spec: mixture component 1 has dimension 3, component 0 has dimension 2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileMixtures")
    void hostileMixtureFilesFailWithOneClearMessage(Hostile h) throws Exception {
        Flow f = Flow.create(new StandardNormal.Spec(2), List.of(AffineCouplingBounded.Spec.of(new int[] {0},
                new int[] {1}, new int[] {3})), 0);
        assertRefused(Parts.of(MixtureDensity.of(List.of(hostileBase(), f), new double[] {1, 2})), h);
    }

    @Test
    void aHostileFileOnDiskIsNamedByItsPath() throws Exception {
        Parts parts = Parts.of(hostileBase());
        parts.transform(1).put("type", "glow");
        Path file = tmp.resolve("bad.safetensors");
        parts.file().write(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().startsWith(file + ": kdeflow.spec.transforms[1].type"), e.getMessage());
    }
}

package org.kdeflow.models;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.kdeflow.density.Density;
import org.kdeflow.density.MixtureDensity;
import org.kdeflow.flow.AffineCouplingBounded;
import org.kdeflow.flow.DiagonalNormal;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.GaussianMixtureBase;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.SafeTensors.DType;

/**
 * {@link SafeTensorsFuzzTest}'s corruptions (byte flips, truncations, header lengths, edits of numbers, dtypes, names
 * and punctuation — which reach the spec JSON inside the metadata too) of a flow file with every transform and of a
 * mixture file, through {@link ModelFile}: each either loads (and then evaluates without throwing) or fails with one
 * {@link IllegalArgumentException} naming the file.
 */
class FlowFileFuzzTest {
    private static final byte[] FLOW = ModelFile.toSafeTensors(FlowCodecTest.everyPart(
            new GaussianMixtureBase.Spec(3, 2), 1), null).toBytes(DType.F32);
    private static final byte[] MIXTURE = ModelFile.toSafeTensors(MixtureDensity.of(List.of(
            FlowCodecTest.hostileBase(), Flow.create(new DiagonalNormal.Spec(2), List.of(AffineCouplingBounded.Spec.of(
                    new int[] {1}, new int[] {0}, new int[] {3})), 2)), new double[] {1, 2}), null).toBytes(DType.F64);

    @Property(tries = 400)
    void corruptedFlowFilesLoadOrFailCleanly(@ForAll SafeTensorsFuzzTest.Kind kind, @ForAll long seed,
                                             @ForAll @IntRange(min = 1, max = 2) int rounds,
                                             @ForAll boolean mixture) {
        byte[] bytes = mixture ? MIXTURE : FLOW;
        Random r = new Random(seed);
        for (int i = 0; i < rounds; i++) {
            bytes = SafeTensorsFuzzTest.corrupt(bytes, i == 0 ? kind
                    : SafeTensorsFuzzTest.Kind.values()[r.nextInt(SafeTensorsFuzzTest.Kind.values().length)], r);
        }
        try {
            Density m = ModelFile.fromSafeTensors(SafeTensors.parse(bytes, "f.safetensors"), "f.safetensors");
            double[] x = new double[4 * m.dim()];
            double[] lp = new double[4];
            m.logDensity(x, 4, lp);
            Statistics.collect(kind, "loaded");
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().startsWith("f.safetensors"), e.getMessage());
            Statistics.collect(kind, "rejected");
        } catch (Throwable e) {
            fail(kind + " gave " + e, e);
        }
    }
}

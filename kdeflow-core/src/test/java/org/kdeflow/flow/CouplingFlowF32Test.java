package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.kernels.FloatDenseKernel;

/** The float32 training mirror against the double flow on the same weights and batch. */
class CouplingFlowF32Test {

    /**
     * Float has a 24-bit significand (relative rounding 6e-8); a step chains K = 4 layers of three dense products each
     * (sums of up to 64 terms) and an exp, so errors of a few 1e-6 relative are expected. 1e-4 relative — to the
     * largest gradient of each tensor, since single entries near zero have no meaningful relative error — leaves
     * margin while any formula error (a missing term, a wrong sign) would show at order 1.
     */
    private static final double REL = 1e-4;

    private static Dataset moons(int n) {
        return ToyDatasets.sample2dDatasets("Moons", n, 0, ToyDatasets.DEFAULT_NUM_GAUSSIANS);
    }

    @Test
    void lossAndEveryGradientAgreeWithDouble() {
        for (FloatDenseKernel kernel : new FloatDenseKernel[] {FloatDenseKernel.get(), FloatDenseKernel.scalar()}) {
            CouplingFlow f = CouplingFlow.homework(4, 3);
            // non-zero scale factors so that the s-networks matter
            double[] v = f.parameters().values();
            for (int k = 0; k < f.numLayers(); k++) {
                int off = f.layer(k).scaleFactorOffset();
                v[off] = 0.3 + 0.1 * k;
                v[off + 1] = -0.2 + 0.15 * k;
            }
            // weights that are exact floats, so both paths start from the same numbers
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) v[i];
            }
            f.parameters().changed();
            int n = 64;
            double[] x = moons(n).toArray();
            CouplingFlowF32 f32 = new CouplingFlowF32(f, n, kernel);
            double loss32 = f32.lossAndGradient(x, n);
            double loss64 = f.lossAndGradient(x, n, f.workspace(n));
            assertEquals(loss64, loss32, REL * Math.abs(loss64), kernel.name() + " loss");
            assertEquals(loss64, f32.meanNegLogLikelihood(x, n), REL * Math.abs(loss64));
            double[] g64 = f.parameters().gradients();
            float[] g32 = f32.gradients();
            for (Map.Entry<String, CouplingFlow.Slot> e : f.parameterLayout().entrySet()) {
                CouplingFlow.Slot s = e.getValue();
                double max = 0;
                for (int i = s.offset(); i < s.offset() + s.size(); i++) {
                    max = Math.max(max, Math.abs(g64[i]));
                }
                assertTrue(max > 0, e.getKey() + " has a gradient");
                for (int i = s.offset(); i < s.offset() + s.size(); i++) {
                    assertEquals(g64[i], g32[i], REL * max, kernel.name() + " " + e.getKey() + " entry "
                            + (i - s.offset()));
                }
            }
        }
    }

    @Test
    void loadAndStoreRoundToFloatAndBack() {
        CouplingFlow f = CouplingFlow.homework(2, 5);
        double[] before = f.parameters().copyValues();
        CouplingFlowF32 f32 = new CouplingFlowF32(f, 8);
        for (int i = 0; i < before.length; i++) {
            assertEquals((float) before[i], f32.values()[i], 0.0f);
        }
        f32.values()[0] = 0.125f;
        f32.changed();
        f32.store();
        assertEquals(0.125, f.parameters().get(0), 0.0);
        for (int i = 1; i < before.length; i++) {
            assertEquals((double) (float) before[i], f.parameters().get(i), 0.0);
        }
        assertThrows(IllegalArgumentException.class, () -> f32.lossAndGradient(new double[18], 9));
        assertThrows(IllegalArgumentException.class, () -> f32.lossAndGradient(new double[3], 2));
        assertThrows(IllegalArgumentException.class, () -> new CouplingFlowF32(f, 0));
    }
}

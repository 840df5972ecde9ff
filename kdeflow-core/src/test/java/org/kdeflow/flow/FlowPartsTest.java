package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/** Flows assembled from the v2 parts: precision of the work buffers, data-dependent initialisation, sampling. */
class FlowPartsTest {

    /**
     * The loss and every gradient with the networks' products in float32 against float64, on a flow of spline and
     * bounded-affine couplings (the only transforms with networks). Float32 rounds each product and activation to
     * 6e-8 relative, and sums of 16–32 terms over three layers grow that to ~1e-7: measured, the loss moved by 7.3e-8
     * of its size and the gradients by 1.6e-7 of the largest. The bounds 1e-6 and 1e-5 leave a factor 14 and 60 for
     * other seeds and kernels, and a wrong float path (a missing term, a stale float copy of the weights) moves them
     * by far more.
     */
    @Test
    void float32WorkBuffersGiveTheSameLossAndGradientsToFloatTolerance() {
        List<Transform.Spec> specs = List.of(
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1, 2}, new int[] {32, 32}),
                AffineCouplingBounded.Spec.of(new int[] {2, 1}, new int[] {0}, new int[] {16}),
                Permutation.Spec.reverse(3),
                new SplineCoupling.Spec(new int[] {1}, new int[] {0, 2}, new int[] {16}, 6, 3.0, 1e-3, 1e-3, 1e-3),
                new ActNorm.Spec(3));
        Flow flow = Flow.create(new GaussianMixtureBase.Spec(3, 2), specs, 4);
        SplineCouplingTest.perturb(flow, 0.3, 4);
        int n = 64;
        double[] x = FlowFixtures.gaussian(n, 3, 5);
        Parameters p = flow.parameters();
        double loss64 = flow.lossAndGradient(x, n, flow.workspace(n, Precision.F64));
        double[] g64 = p.gradients().clone();
        double loss32 = flow.lossAndGradient(x, n, flow.workspace(n, Precision.F32));
        double[] g32 = p.gradients().clone();
        assertEquals(loss64, loss32, 1e-6 * Math.abs(loss64), "loss");
        double scale = 0;
        for (double v : g64) {
            scale = Math.max(scale, Math.abs(v));
        }
        double worst = 0;
        for (int k = 0; k < g64.length; k++) {
            worst = Math.max(worst, Math.abs(g64[k] - g32[k]));
        }
        assertTrue(worst <= 1e-5 * scale, "largest gradient difference " + worst + " against the largest gradient "
                + scale);
        assertTrue(worst > 0, "float32 products should round somewhere");
    }

    @Test
    void actNormInitialisesFromDataToStandardisedOutputs() {
        Flow flow = Flow.create(new StandardNormal.Spec(2), List.of(new ActNorm.Spec(2)), 0);
        int n = 200;
        double[] x = FlowFixtures.gaussian(n, 2, 1);
        for (int r = 0; r < n; r++) {
            x[2 * r] = 3 + 4 * x[2 * r];
            x[2 * r + 1] = -1 + 0.5 * x[2 * r + 1];
        }
        flow.initializeFromData(x, n);
        Dataset z = flow.toNoise(Dataset.of(x, n, 2));
        for (int j = 0; j < 2; j++) {
            double m = 0;
            double v = 0;
            for (int r = 0; r < n; r++) {
                m += z.get(r, j);
            }
            m /= n;
            for (int r = 0; r < n; r++) {
                v += (z.get(r, j) - m) * (z.get(r, j) - m);
            }
            assertEquals(0.0, m, 1e-14, "mean of coordinate " + j);
            assertEquals(1.0, v / n, 1e-14, "variance (divisor n) of coordinate " + j);
        }
        // one point or constant values: the scale stays 1 rather than becoming log 0
        Flow one = Flow.create(new StandardNormal.Spec(2), List.of(new ActNorm.Spec(2)), 0);
        one.initializeFromData(new double[] {5, 5, 5, 5}, 2);
        assertArrayEquals(new double[] {5, 5, 0, 0}, one.parameters().values(), 0.0);
    }

    @Test
    void standardizeFromADataset() {
        Dataset data = Dataset.of(new double[] {1, 10, 3, 10, 5, 40}, 3, 2);
        Standardize.Spec s = Standardize.Spec.of(data);
        assertArrayEquals(new double[] {3, 20}, s.shift(), 1e-15);
        assertArrayEquals(new double[] {Math.sqrt(8.0 / 3), Math.sqrt(600.0 / 3)}, s.scale(), 1e-13);
        Dataset constant = Dataset.of(new double[] {1, 7, 2, 7}, 2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Standardize.Spec.of(constant));
        assertTrue(e.getMessage().contains("coordinate 1") && e.getMessage().contains("standard deviation 0"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Standardize.Spec(new double[] {0, 0}, new double[] {1, -1}));
        assertTrue(e.getMessage().contains("scale 1"), e.getMessage());
    }

    @Test
    void permutationsAreValidatedAndReproducible() {
        assertArrayEquals(new int[] {2, 1, 0}, Permutation.Spec.reverse(3).perm());
        assertArrayEquals(new NumpyRandomState(9).permutation(5), Permutation.Spec.random(5, 9).perm());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Permutation.Spec(new int[] {0, 0, 2}));
        assertTrue(e.getMessage().contains("appears twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new LuLinear.Spec(new int[] {0, 3}));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    }

    /**
     * Sampling returns log p from the forward pass; it must equal log p evaluated in the density direction. The
     * flow's parameters are perturbed by N(0, 0.15²): much sharper splines (densities of e^9) make the two passes
     * differ by 1e-8 from conditioning alone (log g' changes by ~1e7 per unit of v in a narrow steep bin).
     */
    @Test
    void samplesCarryTheirLogDensity() {
        Flow flow = SplineCouplingTest.randomSplineFlow(3, 0.15);
        Flow.Sample s = flow.sampleWithLogDensity(300, new NumpyRandomState(4));
        double[] lp = flow.logDensity(s.x());
        double[] want = s.logProb();
        for (int r = 0; r < lp.length; r++) {
            // the forward and inverse passes round differently; both are exact inverses of each other to ~1e-12
            assertEquals(want[r], lp[r], 1e-9 * Math.max(1, Math.abs(want[r])), "sample " + r);
        }
        assertArrayEquals(s.x().toArray(), flow.sample(300, new NumpyRandomState(4)).toArray(), "same seed");
    }
}

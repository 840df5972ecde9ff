package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;

/**
 * Conditionals against their definition p(x_B | x_A = a) = f̂(a, x_B) / f̂_A(a), with f̂ and the marginal f̂_A
 * evaluated by the estimate itself (whose marginal is checked against scipy in {@link ScipyParityTest}). The
 * conditional is computed differently (re-weighted samples, regression means, the conditional covariance), so
 * agreement to 1e−11 in log space checks it; scipy has no conditional.
 */
class MarginalConditionalTest {

    private static void assertDefinition(KernelDensity kde, int[] given, double[] a, double[][] xb) {
        KernelDensity cond = kde.conditional(given, a);
        KernelDensity marg = kde.marginal(given);
        int d = kde.dim();
        double logMarg = marg.logDensity(a);
        for (double[] b : xb) {
            double[] full = new double[d];
            boolean[] isGiven = new boolean[d];
            for (int t = 0; t < given.length; t++) {
                full[given[t]] = a[t];
                isGiven[given[t]] = true;
            }
            for (int j = 0, t = 0; j < d; j++) {
                if (!isGiven[j]) {
                    full[j] = b[t++];
                }
            }
            double expected = kde.logDensity(full) - logMarg;
            assertEquals(expected, cond.logDensity(b), 1e-11 * Math.max(1, Math.abs(expected)),
                    "p(" + java.util.Arrays.toString(b) + " | " + java.util.Arrays.toString(a) + ")");
        }
    }

    @Test
    void gaussianConditionalIsTheRatioOfJointAndMarginal() {
        int n = 400;
        double[] x3 = KernelDensityTest.randomData(n, 3, 21);
        KernelDensity k3 = KernelDensity.of(Dataset.of(x3, n, 3), Bandwidth.full(KernelDensityTest.H3, 3));
        assertDefinition(k3, new int[] {1}, new double[] {0.4}, new double[][] {{0, 0}, {1.5, -0.3}, {-2, 1}});
        assertDefinition(k3, new int[] {2, 0}, new double[] {-0.5, 2.1}, new double[][] {{0}, {0.7}, {-1.9}});
        KernelDensity adaptive = KernelDensity.of(Dataset.of(x3, n, 3),
                Bandwidth.full(KernelDensityTest.H3, 3).withFactors(PerSampleBandwidthTest.factors(n, 22)));
        assertDefinition(adaptive, new int[] {0}, new double[] {1.1}, new double[][] {{0, 0}, {0.3, 1.2}});
        // far from the data the joint underflows in plain arithmetic; both sides stay exact in log space
        assertDefinition(k3, new int[] {0}, new double[] {40}, new double[][] {{0, 0}, {2, -1}});
        // a conditional is a density: it integrates to 1
        KernelDensity c = k3.conditional(new int[] {1}, new double[] {0.4});
        assertEquals(1.0, c.integrateBox(new double[] {-50, -50}, new double[] {50, 50}), 1e-12);
    }

    @Test
    void weightedAndBoundedConditionals() {
        int n = 300;
        double[] x = BoundsTest.positive(n, 2, 23);
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 1 + (i % 3);
        }
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), w, Bandwidth.full(new double[] {0.3, 0.0, 0.05,
            0.1}, 2), Kernel.GAUSSIAN).withBounds(Bounds.parse("0:inf,0:1"));
        assertDefinition(kde, new int[] {1}, new double[] {0.05}, new double[][] {{0}, {0.2}, {3}});
        assertDefinition(kde, new int[] {0}, new double[] {0.5}, new double[][] {{0}, {0.5}, {1}});
        KernelDensity c = kde.conditional(new int[] {0}, new double[] {0.5});
        assertEquals(Bounds.parse("0:1"), c.bounds());
        assertEquals(1.0, c.integrateBox(new double[] {0}, new double[] {1}), 1e-12);
        KernelDensityTest.assertMessage("lies outside the domain",
                () -> kde.conditional(new int[] {1}, new double[] {1.5}));
    }

    @Test
    void epanechnikovNeedsABandwidthThatDoesNotCouple() {
        int n = 500;
        double[] x = KernelDensityTest.randomData(n, 3, 24);
        KernelDensity diag = KernelDensity.of(Dataset.of(x, n, 3), null, Bandwidth.diagonal(0.8, 0.6, 0.9),
                Kernel.EPANECHNIKOV);
        assertDefinition(diag, new int[] {0}, new double[] {0.3}, new double[][] {{0, 0}, {0.5, -0.5}});
        KernelDensity m = diag.marginal(2, 0);
        double[] q = {0.1, 0.2, -0.4, 1.0};
        double[] ref = KdeReference.density(project(x, n, 3, 2, 0), n, 2, null, new double[] {0.9, 0, 0, 0.8},
                Kernel.EPANECHNIKOV, q, 2);
        KernelDensityTest.assertRelative(ref, m.density(q, 2), 1e-12, "epanechnikov marginal");
        KernelDensity full = KernelDensity.of(Dataset.of(x, n, 3), null, Bandwidth.full(KernelDensityTest.H3, 3),
                Kernel.EPANECHNIKOV);
        KernelDensityTest.assertMessage("does not couple", () -> full.marginal(0));
        KernelDensityTest.assertMessage("does not couple", () -> full.conditional(new int[] {2}, new double[] {0}));
        KernelDensityTest.assertMessage("diagonal bandwidth",
                () -> full.integrateBox(new double[] {0, 0, 0}, new double[] {1, 1, 1}));
        KernelDensityTest.assertMessage("the estimate is 0 at",
                () -> diag.conditional(new int[] {0}, new double[] {100}));
    }

    @Test
    void badArgumentsAreNamed() {
        KernelDensity kde = KernelDensity.of(Dataset.of(KernelDensityTest.randomData(20, 2, 25), 20, 2),
                Bandwidth.scalar(0.5, 2));
        KernelDensityTest.assertMessage("marginal: coordinate 2 is not in [0, 2)", () -> kde.marginal(2));
        KernelDensityTest.assertMessage("marginal: coordinate 0 is listed twice", () -> kde.marginal(0, 0));
        KernelDensityTest.assertMessage("marginal: no coordinates", () -> kde.marginal());
        KernelDensityTest.assertMessage("every coordinate is given",
                () -> kde.conditional(new int[] {0, 1}, new double[] {0, 0}));
        KernelDensityTest.assertMessage("1 given coordinates but 2 values",
                () -> kde.conditional(new int[] {0}, new double[] {0, 0}));
        KernelDensityTest.assertMessage("is not finite",
                () -> kde.conditional(new int[] {0}, new double[] {Double.NaN}));
        KernelDensityTest.assertMessage("need lo <= hi",
                () -> kde.integrateBox(new double[] {1, 0}, new double[] {0, 1}));
        KernelDensityTest.assertMessage("lo has 1 and hi 2 values",
                () -> kde.integrateBox(new double[] {1}, new double[] {0, 1}));
        assertEquals(Bandwidth.Kind.SCALAR, kde.marginal(1).bandwidth().kind());
    }

    static double[] project(double[] x, int n, int d, int... dims) {
        double[] out = new double[n * dims.length];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < dims.length; t++) {
                out[i * dims.length + t] = x[i * d + dims[t]];
            }
        }
        return out;
    }
}

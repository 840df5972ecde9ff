package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.random.NumpyRandomState;

/**
 * KernelDensity against scipy 1.17's {@code gaussian_kde} on the same data ({@code scipy-kde/make_reference.py}):
 * Scott's bandwidth in the full form is scipy's kernel covariance, so densities agree to rounding. Tolerances:
 * densities and marginals 1e−12 relative (sums of positive terms, each within a few ulp); box probabilities 1e−10
 * absolute against scipy's exact formulas (d = 1: {@code integrate_box_1d}; d = 2: Owen's T per kernel and scipy's
 * own {@code integrate_box}, which is exact in 2-D too; d = 3: quad over the exact bivariate conditional, good to
 * ~1e−13, against Genz's method at its stated tolerance); the resampled points (d = 1) to 1e−12 and, in d = 2, the
 * samples picked exactly.
 */
class ScipyParityTest {

    private static KernelDensity scott(String key, boolean weighted) {
        double[] x = ScipyReference.array(key + ".data");
        int d = ScipyReference.cols(key + ".data");
        int n = x.length / d;
        double[] w = weighted ? ScipyReference.array(key + ".weights") : null;
        Dataset data = Dataset.of(x, n, d);
        return KernelDensity.of(data, w, BandwidthSelectors.scott(Bandwidth.Kind.FULL).select(data, w),
                Kernel.GAUSSIAN);
    }

    private static void assertRelative(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], tol * Math.abs(expected[k]) + 1e-300, what + " " + k);
        }
    }

    @Test
    void densitiesMatchGaussianKde() {
        for (String key : new String[] {"d1", "d2", "d3"}) {
            KernelDensity kde = scott(key, !key.equals("d3"));
            double[] q = ScipyReference.array(key + ".queries");
            assertRelative(ScipyReference.array(key + ".pdf"), kde.density(q, q.length / kde.dim()), 1e-12, key);
        }
    }

    @Test
    void marginalsMatchGaussianKdeMarginal() {
        KernelDensity k2 = scott("d2", true);
        double[] q1 = ScipyReference.array("d2.marginal1_queries");
        assertRelative(ScipyReference.array("d2.marginal1_pdf"), k2.marginal(1).density(q1, q1.length), 1e-12,
                "marginal([1])");
        double[] q10 = ScipyReference.array("d2.marginal10_queries");
        assertRelative(ScipyReference.array("d2.marginal10_pdf"), k2.marginal(1, 0).density(q10, q10.length / 2),
                1e-12, "marginal([1, 0])");
        KernelDensity k3 = scott("d3", false);
        double[] q02 = ScipyReference.array("d3.marginal02_queries");
        assertRelative(ScipyReference.array("d3.marginal02_pdf"), k3.marginal(0, 2).density(q02, q02.length / 2),
                1e-12, "marginal([0, 2])");
    }

    @Test
    void boxProbabilitiesMatchScipy() {
        KernelDensity k1 = scott("d1", true);
        double[] b1 = ScipyReference.array("d1.boxes");
        double[] r1 = ScipyReference.array("d1.box");
        for (int t = 0; t < r1.length; t++) {
            assertEquals(r1[t], k1.integrateBox(new double[] {b1[2 * t]}, new double[] {b1[2 * t + 1]}), 1e-10,
                    "integrate_box_1d " + t);
        }
        KernelDensity k2 = scott("d2", true);
        double[] lo = ScipyReference.array("d2.box_lo");
        double[] hi = ScipyReference.array("d2.box_hi");
        double[] exact = ScipyReference.array("d2.box_exact");
        double[] qmc = ScipyReference.array("d2.box_scipy_qmc");
        for (int t = 0; t < exact.length; t++) {
            double got = k2.integrateBox(new double[] {lo[2 * t], lo[2 * t + 1]}, new double[] {hi[2 * t],
                hi[2 * t + 1]});
            assertEquals(exact[t], got, 1e-10, "2-D box " + t);
            if (t < qmc.length) {
                assertEquals(qmc[t], got, 1e-10, "scipy's integrate_box " + t);
            }
        }
        KernelDensity k3 = scott("d3", false);
        double[] lo3 = ScipyReference.array("d3.box_lo");
        double[] hi3 = ScipyReference.array("d3.box_hi");
        double[] r3 = ScipyReference.array("d3.box");
        for (int t = 0; t < r3.length; t++) {
            double[] a = {lo3[3 * t], lo3[3 * t + 1], lo3[3 * t + 2]};
            double[] b = {hi3[3 * t], hi3[3 * t + 1], hi3[3 * t + 2]};
            // Genz's method to the default 1e-5 (3.5 standard errors, scipy's abseps); a tighter request gets closer
            assertEquals(r3[t], k3.integrateBox(a, b), 1e-5, "3-D box " + t);
            if (t == 0) {
                assertEquals(r3[t], k3.integrateBox(a, b, 3e-6, 3), 3e-6, "3-D box " + t + " at 3e-6");
            }
        }
    }

    @Test
    void resampleFollowsScipysStream() {
        KernelDensity k1 = scott("d1", true);
        int seed = ScipyReference.node("d1.resample_seed").asInt();
        double[] ref = ScipyReference.array("d1.resample");
        double[] got = k1.sample(ref.length, new NumpyRandomState(seed)).toArray();
        assertRelative(ref, got, 1e-12, "resample 1-D");

        // 2-D: the noise is H·ε (scipy: an SVD square root of HHᵀ), so compare the samples picked
        KernelDensity k2 = scott("d2", true);
        int seed2 = ScipyReference.node("d2.resample_seed").asInt();
        double[] picks = ScipyReference.array("d2.resample_picks");
        int m = picks.length;
        double[] draws = k2.sample(m, new NumpyRandomState(seed2)).toArray();
        NumpyRandomState rng = new NumpyRandomState(seed2);
        double[] h = k2.bandwidth().matrix();
        double[] x = k2.samples().toArray();
        for (int s = 0; s < m; s++) {
            double e0 = rng.gauss();
            double e1 = rng.gauss();
            double[] mean = {draws[2 * s] - (h[0] * e0 + h[1] * e1), draws[2 * s + 1] - (h[2] * e0 + h[3] * e1)};
            int i = (int) picks[s];
            assertArrayEquals(new double[] {x[2 * i], x[2 * i + 1]}, mean, 1e-12, "draw " + s + " picks sample " + i);
        }
    }
}

package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.random.NumpyRandomState;

/**
 * Reflection at the bounds: the estimate integrates to 1 over the domain, is −∞ (log) outside, and sampling stays
 * inside with the estimate's distribution. Integrals are checked twice: by the trapezoidal rule on a fine grid (the
 * reflected Gaussian estimate is smooth inside the domain, so 1e−6 is loose for spacing ≤ 0.01 against bandwidths
 * ≥ 0.1) and exactly by {@link KernelDensity#integrateBox} (Φ and Φ₂, 1e−12).
 */
class BoundsTest {

    static double[] positive(int n, int d, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % d == 0 ? -Math.log(1 - r.nextDouble()) : r.nextDouble(); // Exp(1) × Uniform(0, 1)
        }
        return x;
    }

    /** ∫ f by the trapezoidal rule over the nodes g. */
    static double trapezoid(double[] g, double[] f) {
        double s = 0;
        for (int k = 1; k < g.length; k++) {
            s += 0.5 * (f[k] + f[k - 1]) * (g[k] - g[k - 1]);
        }
        return s;
    }

    @Test
    void oneSidedReflectionIsTheMirroredSum() {
        int n = 200;
        double[] x = positive(n, 1, 1);
        KernelDensity free = KernelDensity.of(Dataset.of(x, n, 1), Bandwidth.scalar(0.3, 1));
        KernelDensity kde = free.withBounds(Bounds.parse("0:inf"));
        for (double q : new double[] {0, 0.01, 0.5, 2, 7}) {
            assertEquals(free.density(q) + free.density(-q), kde.density(q), 1e-15);
        }
        assertEquals(Double.NEGATIVE_INFINITY, kde.logDensity(-1e-9));
        assertEquals(0.0, kde.density(-3), 0.0);
        assertEquals(1.0, kde.integrateBox(new double[] {Double.NEGATIVE_INFINITY},
                new double[] {Double.POSITIVE_INFINITY}), 1e-14);
        int m = 20_001;
        double[] g = Grid.linspace(0, 12, m);
        assertEquals(1.0, trapezoid(g, kde.density(g, m)), 1e-6);
    }

    @Test
    void twoDimensionalBoxIntegratesToOne() {
        int n = 150;
        double[] x = positive(n, 2, 2);
        for (Kernel kernel : Kernel.values()) {
            KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), null,
                    Bandwidth.full(new double[] {0.25, 0.05, -0.04, 0.12}, 2), kernel).withBounds(
                    Bounds.parse("0:inf,0:1"));
            // the reflected estimate has zero normal derivative at the bounds, so the trapezoidal rule's
            // O(δ²) boundary term vanishes for the Gaussian; Epanechnikov's kinks cost it O(δ²) ≈ 1e−3
            Grid grid = new Grid(0, 9, 0, 1, 721, 161);
            double integral = grid.integrate(kde.densityOnGrid(grid));
            assertEquals(1.0, integral, kernel == Kernel.GAUSSIAN ? 1e-5 : 3e-3, kernel.toString());
            if (kernel == Kernel.GAUSSIAN) {
                assertEquals(1.0, kde.integrateBox(new double[] {-1, -1}, new double[] {50, 50}), 1e-12);
                double part = kde.integrateBox(new double[] {0.5, 0.2}, new double[] {1.5, 0.7});
                Grid sub = new Grid(0.5, 1.5, 0.2, 0.7, 401, 201);
                assertEquals(sub.integrate(kde.densityOnGrid(sub)), part, 1e-6);
            }
            assertEquals(Double.NEGATIVE_INFINITY, kde.logDensity(0.5, 1.0001));
            assertEquals(Double.NEGATIVE_INFINITY, kde.logDensity(-0.1, 0.5));
            assertTrue(Double.isFinite(kde.logDensity(0.0, 1.0)), "the boundary belongs to the domain");
        }
    }

    @Test
    void narrowIntervalUsesManyImages() {
        // bandwidth 0.3 on [0, 0.5]: kernels reach over several periods, so the dihedral images matter
        int n = 50;
        Random r = new Random(3);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 0.5 * r.nextDouble();
        }
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 1), Bandwidth.scalar(0.3, 1))
                .withBounds(Bounds.parse("0:0.5"));
        int m = 5001;
        double[] g = Grid.linspace(0, 0.5, m);
        double[] f = kde.density(g, m);
        assertEquals(1.0, trapezoid(g, f), 1e-7);
        assertEquals(1.0, kde.integrateBox(new double[] {0}, new double[] {0.5}), 1e-12);
        assertEquals(0.5, kde.integrateBox(new double[] {0}, new double[] {0.25}) / 1.0, 0.2);
        // with a kernel much wider than the interval the reflected estimate is nearly uniform: f ≈ 2
        for (double v : f) {
            assertEquals(2.0, v, 0.2);
        }
    }

    @Test
    void samplingStaysInsideWithTheEstimatesDistribution() {
        int n = 400;
        double[] x = positive(n, 2, 4);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), Bandwidth.diagonal(0.4, 0.3))
                .withBounds(Bounds.parse("0:inf,0:1"));
        int m = 40_000;
        Dataset s = kde.sample(m, new NumpyRandomState(5));
        int inBox = 0;
        for (int k = 0; k < m; k++) {
            double a = s.get(k, 0);
            double b = s.get(k, 1);
            assertTrue(a >= 0 && b >= 0 && b <= 1, "draw " + k + " = (" + a + ", " + b + ")");
            if (a <= 1 && b <= 0.3) {
                inBox++;
            }
        }
        double p = kde.integrateBox(new double[] {0, 0}, new double[] {1, 0.3});
        // binomial: standard error √(p(1−p)/m) ≈ 0.0023 at p ≈ 0.25; 5 standard errors
        assertEquals(p, (double) inBox / m, 5 * Math.sqrt(p * (1 - p) / m));
    }

    @Test
    void marginalKeepsTheBoundsAndIntegratesTheOtherCoordinate() {
        int n = 100;
        double[] x = positive(n, 2, 6);
        KernelDensity kde = KernelDensity.of(Dataset.of(x, n, 2), Bandwidth.full(new double[] {0.3, 0.0, 0.06, 0.1},
                2)).withBounds(Bounds.parse("0:inf,0:1"));
        KernelDensity m1 = kde.marginal(1);
        assertEquals(Bounds.parse("0:1"), m1.bounds());
        int k = 2401;
        double[] g = Grid.linspace(0, 12, k);
        for (double y : new double[] {0, 0.2, 0.77, 1}) {
            double[] q = new double[2 * k];
            for (int t = 0; t < k; t++) {
                q[2 * t] = g[t];
                q[2 * t + 1] = y;
            }
            assertEquals(trapezoid(g, kde.density(q, k)), m1.density(y), 1e-6, "marginal at " + y);
        }
    }

    @Test
    void badBoundsAndSamplesOutsideAreRefused() {
        KernelDensityTest.assertMessage("needs lower < upper", () -> Bounds.parse("1:0"));
        KernelDensityTest.assertMessage("'abc'", () -> Bounds.parse("0:abc"));
        KernelDensityTest.assertMessage("not of the form lower:upper", () -> Bounds.parse("0"));
        assertEquals(Bounds.of(new double[] {Double.NEGATIVE_INFINITY, 0}, new double[] {1, Double.POSITIVE_INFINITY}),
                Bounds.parse(":1, 0:Infinity"));
        assertEquals("0.0:inf,-inf:1.0", Bounds.parse("0:inf,-inf:1").toString());
        KernelDensity kde = KernelDensity.of(Dataset.of(new double[] {0.5, -0.1}, 2, 1), Bandwidth.scalar(0.1, 1));
        KernelDensityTest.assertMessage("sample 1 [-0.1] lies outside the domain 0.0:inf",
                () -> kde.withBounds(Bounds.parse("0:inf")));
        KernelDensityTest.assertMessage("bounds have dimension 2",
                () -> kde.withBounds(Bounds.parse("0:inf,0:1")));
        KernelDensityTest.assertMessage("more than 4096 images",
                () -> KernelDensity.of(Dataset.of(new double[] {0.5, 0.5}, 1, 2), Bandwidth.scalar(100, 2))
                        .withBounds(Bounds.parse("0:1,0:1")));
        KernelDensityTest.assertMessage("does not reflect at the bounds",
                () -> KernelDensity.of(Dataset.of(new double[] {0.5, 0.5}, 1, 2), Bandwidth.scalar(0.1, 2))
                        .withBounds(Bounds.parse("0:1,0:1")).densityOnGrid(Grid.square(0, 1, 0, 1, 5),
                                KernelDensity.GridMethod.SEPARABLE));
    }
}

package org.kdeflow.density;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.random.NumpyRandomState;

/** The Part I densities and the toy sets' limit densities: normalisation, closed forms, agreement with samples. */
class DensitiesTest {

    /**
     * Each density integrates to 1 over a grid wide enough that the tails lost are below 1e-6. Smooth densities on
     * a fine trapezoid grid are accurate to ~1e-10; the spiral's 1/ρ singularity at the origin makes the trapezoid
     * error O(h) (8e-4 at h = 0.02, 4e-4 at h = 0.01, measured), hence its finer grid. Bound 1e-3 as the issue asks.
     */
    static Stream<Arguments> densities() {
        return Stream.of(
                Arguments.of("mixture sigma 0.5", GaussianMixture.homework(0.5), Grid.square(-4, 6, -4, 6, 301)),
                Arguments.of("mixture sigma 1", GaussianMixture.homework(1.0), Grid.square(-7, 9, -7, 9, 301)),
                Arguments.of("spiral", new Spiral(), Grid.square(-10, 10, -10, 10, 1600)),
                Arguments.of("circles", NoisyCurves.circles(), Grid.square(-2, 2, -2, 2, 201)),
                Arguments.of("moons", NoisyCurves.moons(), Grid.square(-2, 3, -2, 2.5, 201)),
                Arguments.of("gaussians-grid", ToyDensities.of(ToyDatasets.Kind.GAUSSIANS_GRID, 5),
                        Grid.square(-4, 6, -4, 6, 301)),
                Arguments.of("gaussians-rot", ToyDensities.of(ToyDatasets.Kind.GAUSSIANS_ROT, 5),
                        Grid.square(-5, 5, -5, 5, 301)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("densities")
    void integratesToOne(String name, Density f, Grid grid) {
        double integral = grid.integrate(f.density(grid.points(), grid.size()));
        assertEquals(1.0, integral, 1e-3, name);
    }

    @Test
    void mixtureMatchesClosedForm() {
        // f(x) = (1/2πσ²) Σ (1/4) exp(−‖x − μ‖²/2σ²), μ ∈ {(0,0), (0,2), (2,0), (2,2)}
        double[][] mu = {{0, 0}, {0, 2}, {2, 0}, {2, 2}};
        double[][] points = {{0, 0}, {1, 1}, {-0.3, 2.7}, {5, -1}};
        for (double sigma : new double[] {0.5, 1.0}) {
            GaussianMixture f = GaussianMixture.homework(sigma);
            for (double[] x : points) {
                double expected = 0;
                for (double[] m : mu) {
                    double r2 = (x[0] - m[0]) * (x[0] - m[0]) + (x[1] - m[1]) * (x[1] - m[1]);
                    expected += 0.25 * Math.exp(-r2 / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma);
                }
                assertEquals(expected, f.density(x), 1e-15 + 1e-13 * expected, "sigma " + sigma);
            }
        }
    }

    @Test
    void mixtureLogDensityStaysFiniteFarAway() {
        // log f far from all centers is dominated by the nearest one: log(1/4) − log(2πσ²) − r²/2σ², r² = 98²·2.
        GaussianMixture f = GaussianMixture.homework(0.5);
        double expected = Math.log(0.25) - Math.log(2 * Math.PI * 0.25) - (2 * 98.0 * 98.0) / (2 * 0.25);
        assertEquals(expected, f.logDensity(100, 100), 1e-9);
    }

    @Test
    void mixtureSamplesComponentsFirstThenGaussians() {
        GaussianMixture f = new GaussianMixture(new double[][] {{0, 0}, {10, 10}}, new double[] {1, 3},
                new double[] {0.5, 2.0});
        Dataset x = f.sample(50, new NumpyRandomState(11));
        NumpyRandomState rng = new NumpyRandomState(11);
        int[] comp = new int[50];
        for (int i = 0; i < 50; i++) {
            comp[i] = rng.randomSample() < 0.25 ? 0 : 1;
        }
        for (int i = 0; i < 50; i++) {
            double m = comp[i] == 0 ? 0 : 10;
            double s = comp[i] == 0 ? 0.5 : 2.0;
            assertEquals(m + s * rng.gauss(), x.get(i, 0), 0.0);
            assertEquals(m + s * rng.gauss(), x.get(i, 1), 0.0);
        }
    }

    @Test
    void mixtureRejectsBadParameters() {
        double[][] c = {{0, 0}};
        assertThrows(IllegalArgumentException.class, () -> new GaussianMixture(c, new double[] {1}, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new GaussianMixture(c, new double[] {-1},
                new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new GaussianMixture(c, new double[] {1, 1},
                new double[] {1}));
    }

    @Test
    void spiralSamplesAllAnglesThenAllRadii() {
        Dataset x = new Spiral(0.3).sample(20, new NumpyRandomState(5));
        NumpyRandomState rng = new NumpyRandomState(5);
        double[] theta = new double[20];
        for (int i = 0; i < 20; i++) {
            theta[i] = 4 * Math.PI * rng.randomSample();
        }
        for (int i = 0; i < 20; i++) {
            double r = theta[i] / 2 + 0.3 * rng.gauss();
            assertEquals(r * Math.cos(theta[i]), x.get(i, 0), 1e-15);
            assertEquals(r * Math.sin(theta[i]), x.get(i, 1), 1e-15);
        }
    }

    @Test
    void spiralDensityByHandAtOnePoint() {
        // x = (0, 1): ρ = 1, φ = π/2. Pre-images: r = 1 at θ = π/2, 5π/2; r = −1 at θ = 3π/2, 7π/2.
        double s = 0.5;
        double expected = 0;
        for (double[] rt : new double[][] {{1, Math.PI / 2}, {1, 2.5 * Math.PI}, {-1, 1.5 * Math.PI},
            {-1, 3.5 * Math.PI}}) {
            double z = (rt[0] - rt[1] / 2) / s;
            expected += Math.exp(-z * z / 2) / (Math.sqrt(2 * Math.PI) * s) / (4 * Math.PI);
        }
        assertEquals(expected, new Spiral().density(0, 1), 1e-15);
        assertEquals(Double.POSITIVE_INFINITY, new Spiral().logDensity(0, 0));
    }

    /**
     * 10⁶ samples in 32 × 32 bins of width 0.5 over [−8, 8]². Expected bin probabilities p<sub>b</sub> by a 10 × 10
     * midpoint rule (400 × 400 in the four bins touching the origin, where f ~ 1/ρ). Over the K bins with
     * N·p<sub>b</sub> ≥ 5, Pearson's X² = Σ (c<sub>b</sub> − N p<sub>b</sub>)² / N p<sub>b</sub> must lie below
     * K + 6√(2K) (six standard deviations of a χ²<sub>K</sub>), and every |z<sub>b</sub>| below 6. Measured:
     * X² = 553 over K = 549 bins (bound 748); the same samples scored with the density of std 0.55 instead of 0.5
     * give X² = 1.3e4, with std 0.25 2.7e6, so the test separates even small errors.
     */
    @Test
    void spiralDensityAgreesWithHistogramOfSamples() {
        Spiral f = new Spiral();
        int n = 1_000_000;
        int nb = 32;
        double lo = -8;
        double w = 0.5;
        Dataset x = f.sample(n, new NumpyRandomState(7));
        long[] count = new long[nb * nb];
        for (int i = 0; i < n; i++) {
            int bx = (int) Math.floor((x.get(i, 0) - lo) / w);
            int by = (int) Math.floor((x.get(i, 1) - lo) / w);
            if (bx >= 0 && by >= 0 && bx < nb && by < nb) {
                count[by * nb + bx]++;
            }
        }
        double chi2 = 0;
        int bins = 0;
        double maxZ = 0;
        for (int by = 0; by < nb; by++) {
            for (int bx = 0; bx < nb; bx++) {
                boolean origin = (bx == nb / 2 || bx == nb / 2 - 1) && (by == nb / 2 || by == nb / 2 - 1);
                int sub = origin ? 400 : 10;
                double[] pts = new double[2 * sub * sub];
                int k = 0;
                for (int j = 0; j < sub; j++) {
                    for (int i = 0; i < sub; i++) {
                        pts[k++] = lo + bx * w + (i + 0.5) * w / sub;
                        pts[k++] = lo + by * w + (j + 0.5) * w / sub;
                    }
                }
                double p = 0;
                for (double v : f.density(pts, sub * sub)) {
                    p += v;
                }
                double expected = n * p * w * w / (sub * sub);
                if (expected < 5) {
                    continue;
                }
                double z = (count[by * nb + bx] - expected) / Math.sqrt(expected);
                chi2 += z * z;
                bins++;
                maxZ = Math.max(maxZ, Math.abs(z));
            }
        }
        assertTrue(bins > 300, "bins " + bins);
        assertTrue(chi2 < bins + 6 * Math.sqrt(2.0 * bins), "X² = " + chi2 + " over " + bins + " bins");
        assertTrue(maxZ < 6, "max |z| = " + maxZ);
    }

    @Test
    void curveQuadratureHasConverged() {
        // The default rule (32 panels × 8 nodes) against a much finer one (128 × 16) on a grid over the support.
        Grid g = Grid.square(-2, 3, -2, 2.5, 101);
        double[] p = g.points();
        Density[][] pairs = {
            {NoisyCurves.moons(), NoisyCurves.moons(0.1, 128, 16)},
            {NoisyCurves.circles(), NoisyCurves.circles(0.1, 0.8, 128, 16)}};
        for (Density[] pair : pairs) {
            double[] a = pair[0].density(p, g.size());
            double[] b = pair[1].density(p, g.size());
            for (int i = 0; i < a.length; i++) {
                assertEquals(b[i], a[i], 1e-12, pair[0] + " at point " + i);
            }
        }
        // and a coarse rule is measurably worse, so the comparison can fail
        double[] coarse = NoisyCurves.moons(0.1, 4, 2).density(p, g.size());
        double[] fine = NoisyCurves.moons(0.1, 128, 16).density(p, g.size());
        double worst = 0;
        for (int i = 0; i < coarse.length; i++) {
            worst = Math.max(worst, Math.abs(coarse[i] - fine[i]));
        }
        assertTrue(worst > 1e-4, "coarse rule error " + worst);
    }

    @Test
    void circlesDensityAtTheCenterIsClosedForm() {
        // At x = 0 every curve point is at distance R: f(0) = ½ Σ_R exp(−R²/2σ²)/2πσ², R ∈ {1, 0.8}.
        double s2 = 0.01;
        double expected = 0.5 * (Math.exp(-1 / (2 * s2)) + Math.exp(-0.64 / (2 * s2))) / (2 * Math.PI * s2);
        assertEquals(expected, NoisyCurves.circles().density(0, 0), 1e-14 * expected + 1e-300);
    }

    @Test
    void curveSamplesMatchTheirDensity() {
        // Mean log-density of samples equals −H; compare the Monte Carlo entropy with the grid entropy.
        NoisyCurves moons = NoisyCurves.moons();
        Entropy.Estimate mc = Entropy.monteCarlo(moons, 20000, 3);
        double grid = Entropy.onGrid(moons, Grid.square(-2, 3, -2, 2.5, 251));
        assertEquals(grid, mc.value(), 5 * mc.standardError());
        Dataset x = moons.sample(20000, new NumpyRandomState(4));
        double meanY = 0;
        for (int i = 0; i < x.size(); i++) {
            meanY += x.get(i, 1);
        }
        // E[y] = ½·(2/π) + ½·(½ − 2/π) = 1/4
        assertEquals(0.25, meanY / x.size(), 0.02);
    }

    @Test
    void entropyOfGaussianIsClosedForm() {
        // H(N(0, σ²I₂)) = log(2πeσ²) = 1 + log(2πσ²)
        double sigma = 0.7;
        GaussianMixture f = GaussianMixture.isotropic(new double[][] {{0.3, -0.2}}, sigma);
        double exact = 1 + Math.log(2 * Math.PI * sigma * sigma);
        assertEquals(exact, Entropy.onGrid(f, Grid.square(-6, 6, -6, 6, 241)), 1e-8);
        Entropy.Estimate mc = Entropy.monteCarlo(f, 20000, 9);
        assertEquals(exact, mc.value(), 5 * mc.standardError());
    }

    @Test
    void entropyOnGridRejectsSingularPoints() {
        assertThrows(IllegalArgumentException.class,
                () -> Entropy.onGrid(new Spiral(), Grid.square(-10, 10, -10, 10, 101)));
    }

    @Test
    void rotLimitIsTheMixtureOfItsCenters() {
        GaussianMixture f = GaussianMixture.gaussiansRot(3);
        assertEquals(3, f.components());
        assertArrayEquals(new double[] {2.5, 0}, f.center(0), 1e-15);
        assertEquals(Math.sqrt(0.1), f.sigmas()[2], 0.0);
    }
}

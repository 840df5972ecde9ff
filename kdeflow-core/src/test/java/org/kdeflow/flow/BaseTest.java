package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.nn.Parameters;
import org.kdeflow.random.NumpyRandomState;

/**
 * The learnable bases: log-density against the direct formula (a product of normal pdfs, a weighted sum of them),
 * the hand-written gradients against central differences, sampling moments, and far-away points.
 */
class BaseTest {
    private static final double FD_STEP = 1e-5;

    static Stream<Arguments> bases() {
        return Stream.of(
                Arguments.of(Named.of("diag_normal d=3", new DiagonalNormal.Spec(3))),
                Arguments.of(Named.of("mixture d=2 M=3", new GaussianMixtureBase.Spec(2, 3))),
                Arguments.of(Named.of("mixture d=3 M=1", new GaussianMixtureBase.Spec(3, 1))),
                Arguments.of(Named.of("normal d=2", new StandardNormal.Spec(2))));
    }

    /** A base and the parameters it views. */
    record Built(Base base, Parameters p) {
    }

    /** The base's initialisation from {@code seed}, then N(0, 0.4²) added to every parameter. */
    static Built build(Base.Spec spec, long seed) {
        Parameters p = new Parameters(spec.parameterCount());
        Base b = spec.create(p, 0);
        NumpyRandomState rng = new NumpyRandomState(seed);
        b.initialize(rng);
        for (int k = 0; k < p.size(); k++) {
            p.values()[k] += 0.4 * rng.gauss();
        }
        p.changed();
        return new Built(b, p);
    }

    /** The base's parameters as (weights π [M], means μ [M×d], scales σ [M×d]); one component for a single normal. */
    static double[][] mixtureOf(Built built) {
        Base b = built.base();
        int d = b.dim();
        double[] v = built.p().values();
        if (b instanceof StandardNormal) {
            return new double[][] {{1}, new double[d], filled(d, 1)};
        }
        if (b instanceof DiagonalNormal) {
            double[] mu = new double[d];
            double[] sigma = new double[d];
            for (int j = 0; j < d; j++) {
                mu[j] = v[j];
                sigma[j] = Math.exp(v[d + j]);
            }
            return new double[][] {{1}, mu, sigma};
        }
        int m = ((GaussianMixtureBase.Spec) b.spec()).components();
        double[] pi = new double[m];
        double s = 0;
        for (int c = 0; c < m; c++) {
            pi[c] = Math.exp(v[c]);
            s += pi[c];
        }
        for (int c = 0; c < m; c++) {
            pi[c] /= s;
        }
        double[] mu = new double[m * d];
        double[] sigma = new double[m * d];
        for (int k = 0; k < m * d; k++) {
            mu[k] = v[m + k];
            sigma[k] = Math.exp(v[m + m * d + k]);
        }
        return new double[][] {pi, mu, sigma};
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    /** log Σ_m π_m Π_j φ((z_j − μ_mj)/σ_mj)/σ_mj, summed directly (no log-sum-exp). */
    static double direct(double[][] mix, double[] z, int r, int d) {
        double f = 0;
        for (int c = 0; c < mix[0].length; c++) {
            double prod = mix[0][c];
            for (int j = 0; j < d; j++) {
                double t = (z[r * d + j] - mix[1][c * d + j]) / mix[2][c * d + j];
                prod *= Math.exp(-0.5 * t * t) / (mix[2][c * d + j] * Math.sqrt(2 * Math.PI));
            }
            f += prod;
        }
        return Math.log(f);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bases")
    void logDensityMatchesTheDirectFormula(Base.Spec spec) {
        Built built = build(spec, 1);
        Base b = built.base();
        int d = b.dim();
        int n = 50;
        double[] z = FlowFixtures.gaussian(n, d, 2);
        double[] lp = new double[n];
        b.logDensity(z, n, lp);
        double[][] mix = mixtureOf(built);
        for (int r = 0; r < n; r++) {
            // the direct sum of pdfs rounds each factor: a few ulps of log p ≈ O(10)
            assertEquals(direct(mix, z, r, d), lp[r], 1e-13, "row " + r);
        }
    }

    /**
     * ∂/∂z and ∂/∂θ of L = Σ_r ω_r log p(z_r) from {@link Base#backward} against central differences, relative
     * to max(1, |gradient|) (L is O(10): rounding ε·|L|/h ≈ 1e-10).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bases")
    void gradientsMatchCentralDifferences(Base.Spec spec) {
        Built built = build(spec, 3);
        Base b = built.base();
        Parameters p = built.p();
        int d = b.dim();
        int n = 5;
        double[] z = FlowFixtures.gaussian(n, d, 4);
        double[] omega = FlowFixtures.gaussian(n, 1, 5);
        double[] gz = new double[n * d];
        p.zeroGradients();
        b.backward(z, n, omega, gz);
        for (int k = 0; k < n * d; k++) {
            double v = z[k];
            z[k] = v + FD_STEP;
            double lp = objective(b, z, n, omega);
            z[k] = v - FD_STEP;
            double lm = objective(b, z, n, omega);
            z[k] = v;
            double fd = (lp - lm) / (2 * FD_STEP);
            assertEquals(fd, gz[k], 1e-6 * Math.max(1, Math.abs(fd)), "∂L/∂z entry " + k);
        }
        double[] g = p.gradients().clone();
        int nonTrivial = 0;
        for (int k = 0; k < p.size(); k++) {
            double v = p.get(k);
            p.set(k, v + FD_STEP);
            double lp = objective(b, z, n, omega);
            p.set(k, v - FD_STEP);
            double lm = objective(b, z, n, omega);
            p.set(k, v);
            double fd = (lp - lm) / (2 * FD_STEP);
            assertEquals(fd, g[k], 1e-6 * Math.max(1, Math.abs(fd)), "∂L/∂θ_" + k);
            nonTrivial += Math.abs(g[k]) > 1e-3 ? 1 : 0;
        }
        // every parameter but a one-component mixture's logit (γ = π = 1: gradient 0) moves the loss
        assertTrue(nonTrivial >= p.size() - 1, nonTrivial + " of " + p.size() + " gradients are non-trivial");
    }

    private static double objective(Base b, double[] z, int n, double[] omega) {
        double[] lp = new double[n];
        b.logDensity(z, n, lp);
        double s = 0;
        for (int r = 0; r < n; r++) {
            s += omega[r] * lp[r];
        }
        return s;
    }

    /**
     * Per coordinate, the sample mean against Σ π_m μ_m and the sample variance against Σ π_m (σ_m² + μ_m²) − mean²,
     * from 20,000 draws: within 5 standard errors (√(var/n) for the mean, √((m₄ − var²)/n) with the sample's own
     * fourth central moment for the variance).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bases")
    void samplingMoments(Base.Spec spec) {
        Built built = build(spec, 7);
        Base b = built.base();
        int d = b.dim();
        int n = 20_000;
        double[] z = new double[n * d];
        b.sample(n, new NumpyRandomState(8), z);
        double[][] mix = mixtureOf(built);
        for (int j = 0; j < d; j++) {
            double mean = 0;
            double second = 0;
            for (int c = 0; c < mix[0].length; c++) {
                double mu = mix[1][c * d + j];
                double s = mix[2][c * d + j];
                mean += mix[0][c] * mu;
                second += mix[0][c] * (s * s + mu * mu);
            }
            double var = second - mean * mean;
            double m1 = 0;
            for (int r = 0; r < n; r++) {
                m1 += z[r * d + j];
            }
            m1 /= n;
            double m2 = 0;
            double m4 = 0;
            for (int r = 0; r < n; r++) {
                double t = z[r * d + j] - m1;
                m2 += t * t;
                m4 += t * t * t * t;
            }
            m2 /= n;
            m4 /= n;
            assertEquals(mean, m1, 5 * Math.sqrt(var / n), "mean of coordinate " + j);
            assertEquals(var, m2, 5 * Math.sqrt((m4 - m2 * m2) / n), "variance of coordinate " + j);
        }
        double[] again = new double[n * d];
        b.sample(n, new NumpyRandomState(8), again);
        assertArrayEquals(z, again, "same seed, same bits");
    }

    @Test
    void theMixtureStaysFiniteFarFromEveryComponent() {
        Built built = build(new GaussianMixtureBase.Spec(2, 3), 9);
        Base b = built.base();
        double[][] mix = mixtureOf(built);
        double[] z = {1e4, -1e4, 3e5, 2e5, -1e3, 50};
        double[] lp = new double[3];
        b.logDensity(z, 3, lp);
        for (int r = 0; r < 3; r++) {
            assertEquals(Double.NEGATIVE_INFINITY, direct(mix, z, r, 2), "the direct sum underflows at row " + r);
            // log p = max_m a_m + log(1 + Σ e^{a_m − max}): the other terms are e^{−thousands}, so log p = max_m a_m
            double best = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 3; c++) {
                double a = Math.log(mix[0][c]);
                for (int j = 0; j < 2; j++) {
                    double s = mix[2][c * 2 + j];
                    double t = (z[r * 2 + j] - mix[1][c * 2 + j]) / s;
                    a += -0.5 * t * t - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
                }
                best = Math.max(best, a);
            }
            assertTrue(Double.isFinite(lp[r]), "row " + r);
            assertEquals(best, lp[r], 1e-14 * Math.abs(best), "row " + r);
        }
    }

    @Test
    void theMixtureStartsWithDistinctComponents() {
        Parameters p = new Parameters(new GaussianMixtureBase.Spec(2, 4).parameterCount());
        Base b = new GaussianMixtureBase.Spec(2, 4).create(p, 0);
        b.initialize(new NumpyRandomState(0));
        double[] v = p.values();
        for (int c = 0; c < 4; c++) {
            assertEquals(0.0, v[c], 0.0, "logit " + c);
            for (int e = c + 1; e < 4; e++) {
                assertNotEquals(v[4 + 2 * c], v[4 + 2 * e], "means of components " + c + " and " + e);
            }
        }
        for (int k = 12; k < 20; k++) {
            assertEquals(0.0, v[k], 0.0, "log-scale " + k);
        }
    }
}

package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * The rational-quadratic spline's numerics where peers have had bugs: exactly on knots and at ±B, a batch entirely in
 * the tails, far-away inputs, extreme logits (softmax and softplus), the quadratic root's discriminant, the identity
 * at initialisation; and one spline worked by hand.
 */
class SplineCouplingTest {

    /** A d = 2 spline coupling A = [0], B = [1] with its initialisation from seed 3 plus N(0, noise²) noise. */
    static Transform spline(SplineCoupling.Spec spec, double noise, Parameters[] out) {
        Parameters p = new Parameters(spec.parameterCount());
        TransformTest.Case c = new TransformTest.Case(spec, noise, 1, spec.bound());
        out[0] = p;
        return TransformTest.build(c, p, 0, 3);
    }

    /** g(v) for one point (u0, v) through T⁻¹, with log g'. */
    static double[] inverseAt(Transform t, Transform.Work w, double u0, double v) {
        double[] u = new double[2];
        double[] ld = new double[1];
        t.inverse(new double[] {u0, v}, 1, u, ld, w);
        assertEquals(u0, u[0], 0.0, "identity coordinate");
        return new double[] {u[1], ld[0]};
    }

    static double[] forwardAt(Transform t, Transform.Work w, double u0, double v) {
        double[] y = new double[2];
        double[] ld = new double[1];
        t.forward(new double[] {u0, v}, 1, y, ld, w);
        return new double[] {y[1], ld[0]};
    }

    @Test
    void startsAsTheIdentity() {
        List<Transform.Spec> specs = List.of(
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {16, 16}),
                new SplineCoupling.Spec(new int[] {1}, new int[] {0}, new int[] {8}, 5, 2.0, 1e-2, 1e-2, 0.3));
        Flow flow = Flow.create(new StandardNormal.Spec(2), specs, 1);
        int n = 30;
        double[] x = FlowFixtures.gaussian(n, 2, 4);
        for (int k = 0; k < x.length; k++) {
            x[k] *= 3;
        }
        double[] z = new double[n * 2];
        double[] ld = new double[n];
        flow.inverse(x, n, z, ld);
        for (int k = 0; k < n * 2; k++) {
            // s_k = 1 exactly, δ_k = 1 up to the rounding of softplus(softplus⁻¹(1 − m_δ)) + m_δ
            assertEquals(x[k], z[k], 1e-14 * Math.max(1, Math.abs(x[k])), "entry " + k);
        }
        for (int r = 0; r < n; r++) {
            assertEquals(0.0, ld[r], 1e-14, "log det, row " + r);
        }
    }

    /**
     * K = 2 on [−1, 1] with no hidden layer, the weights 0 and the biases a = (0, 0), b = (log 3, 0), c_1 =
     * log(e − 1), minima 0: widths ½, ½ (knots −1, 0, 1), heights ¾, ¼ (knots −1, ½, 1), s = (1.5, 0.5), δ = (1, 1, 1).
     * At v = −½ (bin 0, ξ = ½, ξ(1−ξ) = ¼): den = 1.5 − ¼ = 1.25, g = −1 + 1.5·(1.5/4 + 1/4)/1.25 = −¼,
     * g' = 2.25·(¼ + ¾ + ¼)/1.25² = 1.8. At v = ½ (bin 1): den = 0.5 + ¼ = 0.75, g = ½ + 0.5·(0.5/4 + ¼)/0.75 = ¾,
     * g' = 0.25·(¼ + ¼ + ¼)/0.75² = ⅓. On the knot v = 0: g = ½, g' = δ_1 = 1; at ±1: ±1, g' = 1.
     */
    @Test
    void aSplineWorkedByHand() {
        SplineCoupling.Spec spec = new SplineCoupling.Spec(new int[] {0}, new int[] {1}, new int[] {}, 2, 1.0, 0, 0,
                0);
        Parameters[] pp = new Parameters[1];
        Transform t = spline(spec, 0, pp);
        double[] v = pp[0].values();
        Slot bias = t.parameterLayout().get("net.0.bias");
        double[] b = {0, 0, Math.log(3), 0, Math.log(Math.E - 1)};
        System.arraycopy(b, 0, v, bias.offset(), 5);
        pp[0].changed();
        Transform.Work w = t.work(1, Precision.F64);
        double[][] cases = {{-0.5, -0.25, Math.log(1.8)}, {0.5, 0.75, Math.log(1.0 / 3)}, {0, 0.5, 0}, {1, 1, 0},
            {-1, -1, 0}, {2, 2, 0}, {-7, -7, 0}};
        for (double[] c : cases) {
            double[] g = inverseAt(t, w, 0.3, c[0]);
            assertEquals(c[1], g[0], 1e-15, "g(" + c[0] + ")");
            assertEquals(c[2], g[1], 1e-15, "log g'(" + c[0] + ")");
            double[] back = forwardAt(t, w, 0.3, c[1]);
            assertEquals(c[0], back[0], 1e-15, "g⁻¹(" + c[1] + ")");
            assertEquals(-c[2], back[1], 1e-15, "forward log det at " + c[1]);
        }
    }

    @Test
    void exactlyOnKnotsAndAtTheBound() {
        SplineCoupling.Spec spec = SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {16});
        Parameters[] pp = new Parameters[1];
        SplineCoupling t = (SplineCoupling) spline(spec, 0.6, pp);
        Transform.Work w = t.work(1, Precision.F64);
        int kk = spec.bins();
        double[] xs = new double[kk + 1];
        double[] ys = new double[kk + 1];
        double[] delta = new double[kk + 1];
        for (double u0 : new double[] {-2.0, 0.1, 1.7, 4.0}) {
            t.knots(new double[] {u0}, 0, xs, ys, delta);
            assertEquals(-5.0, xs[0], 0.0);
            assertEquals(5.0, xs[kk], 0.0);
            for (int k = 0; k <= kk; k++) {
                // on a knot ξ = 0 (or ξ = 1 at +B): g = y_k and g' = δ_k exactly up to rounding of the knots
                double[] g = inverseAt(t, w, u0, xs[k]);
                assertEquals(ys[k], g[0], 1e-12, "g(x_" + k + ") at u0 = " + u0);
                assertEquals(Math.log(delta[k]), g[1], 1e-12, "log g'(x_" + k + ")");
                double[] back = forwardAt(t, w, u0, ys[k]);
                assertEquals(xs[k], back[0], 1e-12, "g⁻¹(y_" + k + ")");
                assertEquals(-Math.log(delta[k]), back[1], 1e-12, "forward log det at y_" + k);
                // one ulp either side: the same value and slope (g is C¹ at its knots). log g' is continuous, but
                // its derivative at a knot is about 2s/(δ W): for u0 = 4 bin 2 has W = 0.0126, s = 774, δ_2 = 0.0215,
                // so 5.7e6, and one ulp of x_2 ≈ 4.2 (8.9e-16) moves log g' by 5e-9
                for (double v : new double[] {Math.nextDown(xs[k]), Math.nextUp(xs[k])}) {
                    double[] gv = inverseAt(t, w, u0, v);
                    assertEquals(g[0], gv[0], 1e-12, "g next to x_" + k);
                    assertEquals(g[1], gv[1], 1e-7, "log g' next to x_" + k);
                }
                for (double y : new double[] {Math.nextDown(ys[k]), Math.nextUp(ys[k])}) {
                    double[] gv = forwardAt(t, w, u0, y);
                    assertTrue(Double.isFinite(gv[0]) && Double.isFinite(gv[1]), "g⁻¹ next to y_" + k);
                    assertEquals(xs[k], gv[0], 1e-12, "g⁻¹ next to y_" + k);
                }
            }
        }
    }

    @Test
    void aBatchEntirelyInTheTailsIsTheIdentityWithZeroSplineGradients() {
        Flow flow = Flow.create(new StandardNormal.Spec(2), List.of(SplineCoupling.Spec.of(new int[] {0},
                new int[] {1}, new int[] {8})), 2);
        Parameters p = flow.parameters();
        NumpyRandomState rng = new NumpyRandomState(3);
        for (int k = 0; k < p.size(); k++) {
            p.values()[k] += 0.5 * rng.gauss();
        }
        p.changed();
        double[] x = {0.3, 5.5, -1, -6, 2, 1e3, 0, -5.000000000000001};
        int n = 4;
        Flow.Workspace ws = flow.workspace(n);
        double loss = flow.lossAndGradient(x, n, ws);
        double direct = 0;
        for (double v : x) {
            direct += 0.5 * v * v + 0.5 * Math.log(2 * Math.PI);
        }
        assertEquals(direct / n, loss, 1e-12 * direct / n, "the standard normal's NLL: the spline is the identity");
        for (int k = 0; k < p.size(); k++) {
            assertEquals(0.0, p.gradients()[k], 0.0, "gradient " + k);
        }
    }

    /** A flow of three spline couplings with permutations, every parameter perturbed by N(0, noise²). */
    static Flow randomSplineFlow(long seed, double noise) {
        List<Transform.Spec> specs = List.of(
                new ActNorm.Spec(3),
                SplineCoupling.Spec.of(new int[] {0}, new int[] {1, 2}, new int[] {16, 16}),
                Permutation.Spec.random(3, seed),
                SplineCoupling.Spec.of(new int[] {2, 1}, new int[] {0}, new int[] {16}),
                new LuLinear.Spec(new int[] {1, 2, 0}),
                new SplineCoupling.Spec(new int[] {1}, new int[] {0, 2}, new int[] {16}, 6, 3.0, 1e-3, 1e-3, 1e-3));
        Flow flow = Flow.create(new GaussianMixtureBase.Spec(3, 2), specs, seed);
        perturb(flow, noise, seed);
        return flow;
    }

    static Flow randomAffineFlow(long seed) {
        List<Transform.Spec> specs = List.of(
                AffineCouplingBounded.Spec.of(new int[] {0}, new int[] {1, 2}, new int[] {16, 16}),
                Permutation.Spec.reverse(3),
                AffineCouplingBounded.Spec.of(new int[] {2, 1}, new int[] {0}, new int[] {16}),
                AffineCouplingBounded.Spec.of(new int[] {1}, new int[] {0, 2}, new int[] {16}));
        Flow flow = Flow.create(new DiagonalNormal.Spec(3), specs, seed);
        perturb(flow, 0.5, seed);
        return flow;
    }

    static void perturb(Flow flow, double noise, long seed) {
        Parameters p = flow.parameters();
        NumpyRandomState rng = new NumpyRandomState(seed + 100);
        for (int k = 0; k < p.size(); k++) {
            p.values()[k] += noise * rng.gauss();
        }
        p.changed();
    }

    /** Every combination of 0, ±50, ±1e3 per coordinate (125 points in d = 3), some one ulp off the bound too. */
    static double[] farPoints() {
        double[] v = {0, 50, -50, 1e3, -1e3};
        double[] x = new double[125 * 3];
        int r = 0;
        for (double a : v) {
            for (double b : v) {
                for (double c : v) {
                    x[3 * r] = a;
                    x[3 * r + 1] = b;
                    x[3 * r + 2] = c;
                    r++;
                }
            }
        }
        return x;
    }

    @Test
    void farFromTheDataLogPIsFinite() {
        double[] x = farPoints();
        int n = x.length / 3;
        for (Flow flow : new Flow[] {randomSplineFlow(7, 0.5), randomAffineFlow(8)}) {
            double[] lp = new double[n];
            flow.logDensity(x, n, lp);
            for (int r = 0; r < n; r++) {
                assertTrue(Double.isFinite(lp[r]), flow + ": log p(" + x[3 * r] + ", " + x[3 * r + 1] + ", "
                        + x[3 * r + 2] + ") = " + lp[r]);
            }
            // and the sampling direction from far noise
            double[] y = new double[n * 3];
            double[] ld = new double[n];
            flow.forward(x, n, y, ld);
            for (int k = 0; k < n * 3; k++) {
                assertTrue(Double.isFinite(y[k]), "T(z) entry " + k);
            }
        }
    }

    @Test
    void softplusAndSoftmaxStayFiniteForExtremeLogits() {
        assertEquals(1000.0, SplineCoupling.softplus(1000), 0.0);
        assertEquals(0.0, SplineCoupling.softplus(-1000), 0.0);
        assertEquals(40 + Math.exp(-40), SplineCoupling.softplus(40), 1e-15);
        assertEquals(Math.log(2), SplineCoupling.softplus(0), 1e-16);
        assertEquals(0.3, SplineCoupling.softplus(SplineCoupling.inverseSoftplus(0.3)), 1e-16);
        // a spline whose logits are ±1e3: widths and heights at their minima but one, derivatives m_δ or 1e3
        SplineCoupling.Spec spec = SplineCoupling.Spec.of(new int[] {0}, new int[] {1}, new int[] {});
        Parameters[] pp = new Parameters[1];
        Transform t = spline(spec, 0, pp);
        Slot bias = t.parameterLayout().get("net.0.bias");
        double[] v = pp[0].values();
        for (int i = 0; i < spec.perCoordinate(); i++) {
            v[bias.offset() + i] = (i % 3 == 0 ? 1e3 : -1e3) * (i % 2 == 0 ? 1 : -1);
        }
        pp[0].changed();
        Transform.Work w = t.work(1, Precision.F64);
        for (double y = -5; y <= 5; y += 0.125) {
            double[] g = inverseAt(t, w, 0.5, y);
            assertTrue(Double.isFinite(g[0]) && Double.isFinite(g[1]), "g(" + y + ") = " + g[0] + ", log g' " + g[1]);
            double[] back = forwardAt(t, w, 0.5, g[0]);
            assertTrue(Double.isFinite(back[0]) && Double.isFinite(back[1]), "g⁻¹(" + g[0] + ")");
        }
    }

    @Test
    void theQuadraticRootClampsANegativeDiscriminant() {
        // b² − 4ac = 4 − 4·nextUp(1) < 0 by one ulp: unclamped √ would give NaN; the double root is ξ = 1
        assertEquals(1.0, SplineCoupling.quadraticRoot(1, -2, Math.nextUp(1.0)), 0.0);
        // 0/0 at w = y_k when δ_k underflowed to 0 (b = c = 0): the root is 0
        assertEquals(0.0, SplineCoupling.quadraticRoot(0.7, 0.0, -0.0), 0.0);
        // with m_δ = 0 and inner derivative logits of −800, δ_k = 0 exactly at every inner knot
        SplineCoupling.Spec spec = new SplineCoupling.Spec(new int[] {0}, new int[] {1}, new int[] {}, 4, 2.0, 1e-2,
                1e-2, 0.0);
        Parameters[] pp = new Parameters[1];
        SplineCoupling t = (SplineCoupling) spline(spec, 0, pp);
        Slot bias = t.parameterLayout().get("net.0.bias");
        double[] v = pp[0].values();
        double[] logits = {0.3, -0.2, 1.0, 0.1, -0.5, 0.4, 0.0, 0.9, -800, -800, -800};
        System.arraycopy(logits, 0, v, bias.offset(), logits.length);
        pp[0].changed();
        Transform.Work w = t.work(1, Precision.F64);
        double[] xs = new double[5];
        double[] ys = new double[5];
        double[] delta = new double[5];
        t.knots(new double[] {0.0}, 0, xs, ys, delta);
        assertEquals(0.0, delta[2], 0.0);
        for (int k = 0; k <= 4; k++) {
            double[] back = forwardAt(t, w, 0.0, ys[k]);
            assertEquals(xs[k], back[0], 1e-12, "g⁻¹(y_" + k + ")");
        }
    }

    @Test
    void specsAreValidated() {
        int[] a = {0};
        int[] b = {1};
        int[] h = {4};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SplineCoupling.Spec(a, b, h, 0, 5, 1e-3, 1e-3, 1e-3));
        assertTrue(e.getMessage().contains("bins"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SplineCoupling.Spec(a, b, h, 8, 0, 1e-3, 1e-3,
                1e-3));
        assertTrue(e.getMessage().contains("bound"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SplineCoupling.Spec(a, b, h, 8, 5, 0.125, 1e-3,
                1e-3));
        assertTrue(e.getMessage().contains("min_width"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SplineCoupling.Spec(a, b, h, 8, 5, 1e-3, 1e-3,
                Double.NaN));
        assertTrue(e.getMessage().contains("min_derivative"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SplineCoupling.Spec.of(new int[] {0, 1},
                new int[] {1}, h));
        assertTrue(e.getMessage().contains("twice") || e.getMessage().contains("range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SplineCoupling.Spec.of(new int[] {}, new int[] {0},
                h));
        assertTrue(e.getMessage().contains("at least one identity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AffineCouplingBounded.Spec.of(a, new int[] {2}, h));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AffineCouplingBounded.Spec(a, b, h, 0));
        assertTrue(e.getMessage().contains("clamp"), e.getMessage());
    }
}

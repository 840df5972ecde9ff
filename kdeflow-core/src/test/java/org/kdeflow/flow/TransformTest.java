package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * Every {@link Transform} of the flow-file format through the same checks (a new transform is one more entry of
 * {@link #transforms()}): the round trip inside and outside a spline's bound, log|det| against a finite-difference
 * Jacobian in both directions, forward and inverse log-dets summing to 0, ∂L/∂y of the hand-written backward pass
 * against central differences, and every parameter's gradient of the mean NLL of a small {@link Flow} containing the
 * transform against central differences.
 */
class TransformTest {
    /** Round trip: exact algebra (the spline's quadratic root is the exact inverse), rounding of a few steps. */
    static final double ROUND_TRIP = 1e-10;
    /** forward log-det at u plus inverse log-det at T(u): the same terms (or g' at the same ξ) with opposite signs. */
    static final double LOG_DET_SUM = 1e-10;
    /**
     * log|det J| against central differences with step 1e-5: truncation O(h²)·f''' ≈ 1e-10 for slopes and curvatures
     * of O(10), rounding ε/h ≈ 1e-11 per entry; 1e-6 leaves margin for the steeper spline bins.
     */
    static final double JACOBIAN = 1e-6;
    static final double FD_STEP = 1e-5;

    /** One transform under test: its spec, the noise added to its initial parameters, the spread of the points. */
    record Case(Transform.Spec spec, double noise, double spread, double bound) {
    }

    static Stream<Arguments> transforms() {
        return Stream.of(
                entry("rq_coupling d=2 A=[0] B=[1] hidden [8] K=4 B=2",
                        new SplineCoupling.Spec(new int[] {0}, new int[] {1}, new int[] {8}, 4, 2.0, 1e-3, 1e-3, 1e-3),
                        0.4, 1.0, 2.0),
                entry("rq_coupling d=3 A=[2] B=[0,1] hidden [6,5] K=3 B=1.5 minima 1e-2",
                        new SplineCoupling.Spec(new int[] {2}, new int[] {0, 1}, new int[] {6, 5}, 3, 1.5, 1e-2, 1e-2,
                                1e-2), 0.5, 0.8, 1.5),
                entry("rq_coupling d=4 A=[3,0] B=[2,1] hidden [] K=8 B=3",
                        new SplineCoupling.Spec(new int[] {3, 0}, new int[] {2, 1}, new int[] {}, 8, 3.0, 1e-3, 1e-3,
                                1e-3), 0.5, 1.5, 3.0),
                entry("affine_coupling d=2 A=[1] B=[0] hidden [8] clamp 3",
                        AffineCouplingBounded.Spec.of(new int[] {1}, new int[] {0}, new int[] {8}), 0.5, 1.0, 0),
                entry("affine_coupling d=3 A=[0,2] B=[1] hidden [6,4] clamp 0.5",
                        new AffineCouplingBounded.Spec(new int[] {0, 2}, new int[] {1}, new int[] {6, 4}, 0.5), 1.0,
                        1.0, 0),
                entry("permutation d=3 random", Permutation.Spec.random(3, 5), 0, 1.0, 0),
                entry("permutation d=2 reverse", Permutation.Spec.reverse(2), 0, 1.0, 0),
                entry("lu_linear d=3 perm [2,0,1]", new LuLinear.Spec(new int[] {2, 0, 1}), 0.4, 1.0, 0),
                entry("lu_linear d=1", LuLinear.Spec.identity(1), 0.4, 1.0, 0),
                entry("actnorm d=3", new ActNorm.Spec(3), 0.5, 1.0, 0),
                entry("standardize d=2", new Standardize.Spec(new double[] {0.5, -1}, new double[] {2.0, 0.25}), 0,
                        1.0, 0));
    }

    private static Arguments entry(String name, Transform.Spec spec, double noise, double spread, double bound) {
        return Arguments.of(Named.of(name, new Case(spec, noise, spread, bound)));
    }

    /** A stand-alone transform: its documented initialisation from seed 3, then N(0, noise²) added to every parameter. */
    static Transform build(Case c, Parameters p, int offset, long seed) {
        Transform t = c.spec.create(p, offset);
        NumpyRandomState rng = new NumpyRandomState(seed);
        t.initialize(rng);
        double[] v = p.values();
        for (int k = offset; k < offset + c.spec.parameterCount(); k++) {
            v[k] += c.noise * rng.gauss();
        }
        p.changed();
        return t;
    }

    static Transform build(Case c) {
        return build(c, new Parameters(c.spec.parameterCount()), 0, 3);
    }

    /**
     * n rows of N(0, spread²) points, then for a spline rows with one coordinate at ±1.2·bound, ±3·bound (the linear
     * tails) and one with every coordinate beyond the bound.
     */
    static double[] points(Case c, int n) {
        int d = c.spec.dim();
        double[] x = new double[n * d];
        NumpyRandomState rng = new NumpyRandomState(11);
        for (int k = 0; k < x.length; k++) {
            x[k] = c.spread * rng.gauss();
        }
        if (c.bound > 0) {
            double[] tail = {1.2, -1.2, 3, -3};
            for (int i = 0; i < tail.length && i < n - 1; i++) {
                x[i * d + i % d] = tail[i] * c.bound;
            }
            for (int j = 0; j < d; j++) {
                x[(n - 1) * d + j] = (j % 2 == 0 ? 1.5 : -2.5) * c.bound;
            }
        }
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void roundTripAndLogDetsSumToZero(Case c) {
        Transform t = build(c);
        int d = t.dim();
        int n = 40;
        double[] u = points(c, n);
        Transform.Work w = t.work(n, Precision.F64);
        double[] y = new double[n * d];
        double[] ldF = new double[n];
        t.forward(u, n, y, ldF, w);
        double[] back = new double[n * d];
        double[] ldI = new double[n];
        t.inverse(y, n, back, ldI, w);
        for (int k = 0; k < n * d; k++) {
            assertEquals(u[k], back[k], ROUND_TRIP * Math.max(1, Math.abs(u[k])), "u → T(u) → u, entry " + k);
        }
        // and the other way: y → T⁻¹(y) → y from points of the output space
        double[] u2 = new double[n * d];
        double[] y2 = new double[n * d];
        t.inverse(u, n, u2, ldI, w);
        t.forward(u2, n, y2, ldF, w);
        for (int k = 0; k < n * d; k++) {
            assertEquals(u[k], y2[k], ROUND_TRIP * Math.max(1, Math.abs(u[k])), "y → T⁻¹(y) → y, entry " + k);
        }
        for (int r = 0; r < n; r++) {
            assertEquals(0.0, ldF[r] + ldI[r], LOG_DET_SUM, "forward + inverse log-det, row " + r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void logDetsMatchFiniteDifferenceJacobians(Case c) {
        Transform t = build(c);
        int d = t.dim();
        int n = 8;
        double[] x = points(c, n);
        Transform.Work w = t.work(1, Precision.F64);
        double[] ld = new double[1];
        for (int r = 0; r < n; r++) {
            double[] x0 = new double[d];
            System.arraycopy(x, r * d, x0, 0, d);
            for (boolean forward : new boolean[] {true, false}) {
                Bijection f = direction(t, w, forward);
                f.forward(x0, 1, new double[d], ld);
                double fd = Math.log(Math.abs(BijectionTest.det(BijectionTest.jacobian(f, x0))));
                assertEquals(fd, ld[0], JACOBIAN, (forward ? "forward" : "inverse") + " log|det J|, row " + r);
            }
        }
    }

    /** T (forward) or T⁻¹ as a one-work {@link Bijection}. */
    static Bijection direction(Transform t, Transform.Work w, boolean forward) {
        return new Bijection() {
            @Override
            public int dim() {
                return t.dim();
            }

            @Override
            public void forward(double[] x, int n, double[] y, double[] logDet) {
                if (forward) {
                    t.forward(x, n, y, logDet, w);
                } else {
                    t.inverse(x, n, y, logDet, w);
                }
            }

            @Override
            public void inverse(double[] y, int n, double[] x, double[] logDet) {
                if (forward) {
                    t.inverse(y, n, x, logDet, w);
                } else {
                    t.forward(y, n, x, logDet, w);
                }
            }
        };
    }

    /**
     * ∂L/∂y of {@link Transform#inverseBackward} for L(y) = Σ_r Σ_j c_rj u_rj(y) + Σ_r ω_r logDet_r(y) with fixed
     * random c and ω, against central differences of L. Relative to max(|∂L/∂y|, 1): L is O(10), so central
     * differences carry ε·|L|/h ≈ 1e-10 of rounding.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void inputGradientMatchesCentralDifferences(Case c) {
        Parameters p = new Parameters(c.spec.parameterCount());
        Transform t = build(c, p, 0, 3);
        int d = t.dim();
        int n = 7;
        double[] y = points(c, n);
        double[] cu = FlowFixtures.gaussian(n, d, 31);
        double[] omega = FlowFixtures.gaussian(n, 1, 32);
        Transform.Work w = t.work(n, Precision.F64);
        double[] u = new double[n * d];
        double[] ld = new double[n];
        t.inverse(y, n, u, ld, w);
        double[] gy = new double[n * d];
        p.zeroGradients();
        t.inverseBackward(y, u, n, cu, omega, gy, w);
        for (int k = 0; k < n * d; k++) {
            double v = y[k];
            y[k] = v + FD_STEP;
            double lp = objective(t, y, n, cu, omega, w);
            y[k] = v - FD_STEP;
            double lm = objective(t, y, n, cu, omega, w);
            y[k] = v;
            double fd = (lp - lm) / (2 * FD_STEP);
            assertEquals(fd, gy[k], GradientCheckTest.RELATIVE_TOLERANCE * Math.max(1, Math.abs(fd)),
                    "∂L/∂y, entry " + k);
        }
    }

    private static double objective(Transform t, double[] y, int n, double[] cu, double[] omega, Transform.Work w) {
        int d = t.dim();
        double[] u = new double[n * d];
        double[] ld = new double[n];
        t.inverse(y, n, u, ld, w);
        double s = 0;
        for (int k = 0; k < n * d; k++) {
            s += cu[k] * u[k];
        }
        for (int r = 0; r < n; r++) {
            s += omega[r] * ld[r];
        }
        return s;
    }

    /**
     * The mean NLL of a flow [T, ActNorm] over a randomised diagonal normal base: every parameter's gradient (T's,
     * ActNorm's — which sees ∂L/∂y of T through the chain — and the base's) against central differences, within
     * {@link GradientCheckTest#RELATIVE_TOLERANCE} on the scale {@link GradientCheckTest#SCALE_FLOOR}.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transforms")
    void everyParameterGradientOfAFlowMatchesCentralDifferences(Case c) {
        int d = c.spec.dim();
        Flow flow = Flow.create(new DiagonalNormal.Spec(d), List.of(c.spec, new ActNorm.Spec(d)), 5);
        Parameters p = flow.parameters();
        NumpyRandomState rng = new NumpyRandomState(6);
        Transform t = flow.transform(0);
        double[] v = p.values();
        for (int k = 0; k < p.size(); k++) {
            boolean own = k >= t.offset() && k < t.offset() + t.parameterCount();
            v[k] += (own ? c.noise : 0.3) * rng.gauss();
        }
        p.changed();
        int n = 6;
        double[] x = points(c, n);
        Flow.Workspace ws = flow.workspace(n);
        double loss = flow.lossAndGradient(x, n, ws);
        assertTrue(Double.isFinite(loss), "loss " + loss);
        GradientCheckTest.Check check = GradientCheckTest.check(flow, x, n, ws, p.gradients().clone(), t.offset(),
                t.offset() + t.parameterCount());
        assertTrue(check.worst() <= GradientCheckTest.RELATIVE_TOLERANCE, "worst relative error " + check.worst()
                + " at " + check.at());
        if (t.parameterCount() > 0) {
            assertTrue(check.nonZero() > t.parameterCount() / 4, "the transform's gradients should be non-trivial, got "
                    + check.nonZero() + " of " + t.parameterCount());
        }
    }
}

package org.kdeflow.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bijection of the library through the same three checks (a new bijection is added to {@link #bijections()},
 * not given new tests).
 */
class BijectionTest {
    /** Round trip x → f⁻¹(f(x)): exact algebra, so only rounding of a few exp/multiply steps per layer remains. */
    private static final double ROUND_TRIP = 1e-10;
    /**
     * log|det J| against central differences with step 1e-5: truncation O(h²) ≈ 1e-10 times third derivatives of
     * O(10), rounding ≈ 1e-16/1e-5 per entry; 1e-6 leaves margin for the larger entries of deep flows.
     */
    private static final double JACOBIAN = 1e-6;
    private static final double FD_STEP = 1e-5;
    /** forward log-det at x plus inverse log-det at f(x): both are sums of the same s values with opposite signs. */
    private static final double LOG_DET_SUM = 1e-10;

    static Stream<Arguments> bijections() {
        int[] h = {32, 32};
        return Stream.of(
                Arguments.of(Named.of("coupling d=2 mask [1,0]", FlowFixtures.randomCoupling(new double[] {1, 0}, h, 1))),
                Arguments.of(Named.of("coupling d=2 mask [0,1]", FlowFixtures.randomCoupling(new double[] {0, 1}, h, 2))),
                Arguments.of(Named.of("coupling d=4 mask [1,1,0,0]",
                        FlowFixtures.randomCoupling(new double[] {1, 1, 0, 0}, new int[] {16, 8}, 3))),
                Arguments.of(Named.of("coupling d=4 mask [0,1,0,1]",
                        FlowFixtures.randomCoupling(new double[] {0, 1, 0, 1}, new int[] {8}, 4))),
                Arguments.of(Named.of("flow d=2 K=4 (homework)",
                        FlowFixtures.randomFlow(CouplingFlow.Architecture.homework(4), 5))),
                Arguments.of(Named.of("flow d=4 K=3 hidden [16,8,8]",
                        FlowFixtures.randomFlow(new CouplingFlow.Architecture(4, 3, new int[] {16, 8, 8}), 6))),
                Arguments.of(Named.of("flow d=3 K=2 hidden [12]",
                        FlowFixtures.randomFlow(new CouplingFlow.Architecture(3, 2, new int[] {12}), 7))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bijections")
    void roundTripLogDetAndJacobian(Bijection f) {
        int d = f.dim();
        int n = 25;
        double[] x = FlowFixtures.gaussian(n, d, 11);
        double[] y = new double[n * d];
        double[] ldF = new double[n];
        f.forward(x, n, y, ldF);
        double[] back = new double[n * d];
        double[] ldI = new double[n];
        f.inverse(y, n, back, ldI);
        for (int k = 0; k < n * d; k++) {
            assertEquals(x[k], back[k], ROUND_TRIP, "round trip, entry " + k);
        }
        for (int r = 0; r < n; r++) {
            assertEquals(0.0, ldF[r] + ldI[r], LOG_DET_SUM, "forward + inverse log-det, row " + r);
            double[] xr = new double[d];
            System.arraycopy(x, r * d, xr, 0, d);
            assertEquals(Math.log(Math.abs(det(jacobian(f, xr)))), ldF[r], JACOBIAN, "log|det J|, row " + r);
        }
        // the inverse's own Jacobian at y
        double[] y0 = new double[d];
        System.arraycopy(y, 0, y0, 0, d);
        assertEquals(Math.log(Math.abs(det(jacobian(inverseOf(f), y0)))), ldI[0], JACOBIAN, "log|det J⁻¹|");
    }

    private static Bijection inverseOf(Bijection f) {
        return new Bijection() {
            @Override
            public int dim() {
                return f.dim();
            }

            @Override
            public void forward(double[] x, int n, double[] y, double[] logDet) {
                f.inverse(x, n, y, logDet);
            }

            @Override
            public void inverse(double[] y, int n, double[] x, double[] logDet) {
                f.forward(y, n, x, logDet);
            }
        };
    }

    /** Central-difference Jacobian J[j][i] = ∂f_j/∂x_i at one point. */
    static double[][] jacobian(Bijection f, double[] x0) {
        int d = x0.length;
        double[][] jac = new double[d][d];
        double[] ld = new double[1];
        double[] yp = new double[d];
        double[] ym = new double[d];
        for (int i = 0; i < d; i++) {
            double[] xp = x0.clone();
            double[] xm = x0.clone();
            xp[i] += FD_STEP;
            xm[i] -= FD_STEP;
            f.forward(xp, 1, yp, ld);
            f.forward(xm, 1, ym, ld);
            for (int j = 0; j < d; j++) {
                jac[j][i] = (yp[j] - ym[j]) / (2 * FD_STEP);
            }
        }
        return jac;
    }

    /** Determinant by Gaussian elimination with partial pivoting. */
    static double det(double[][] a0) {
        int d = a0.length;
        double[][] a = new double[d][];
        for (int i = 0; i < d; i++) {
            a[i] = a0[i].clone();
        }
        double det = 1;
        for (int c = 0; c < d; c++) {
            int piv = c;
            for (int r = c + 1; r < d; r++) {
                if (Math.abs(a[r][c]) > Math.abs(a[piv][c])) {
                    piv = r;
                }
            }
            if (piv != c) {
                double[] t = a[piv];
                a[piv] = a[c];
                a[c] = t;
                det = -det;
            }
            det *= a[c][c];
            for (int r = c + 1; r < d; r++) {
                double fct = a[r][c] / a[c][c];
                for (int k = c; k < d; k++) {
                    a[r][k] -= fct * a[c][k];
                }
            }
        }
        return det;
    }
}

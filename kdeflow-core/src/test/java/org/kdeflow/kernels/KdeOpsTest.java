package org.kdeflow.kernels;

import org.kdeflow.nn.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector implementation agrees with the plain-Java one (and exp with {@link Math#exp}). */
class KdeOpsTest {

    @Test
    void theVectorImplementationIsChosenWhenTheModuleIsPresent() {
        // the build runs tests with --add-modules jdk.incubator.vector
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assertTrue(KdeOps.best().name().startsWith("vector"), KdeOps.best().name());
    }

    @Test
    void vectorExpIsAccurateToAFewUlps() {
        Random r = new Random(1);
        int n = 100_003;
        double[] x = new double[n];
        for (int k = 0; k < n; k++) {
            x[k] = k < 20 ? -k * 0.5 : -708 * r.nextDouble() * (r.nextBoolean() ? 1 : 0.01);
        }
        x[n - 1] = -708.0;
        double[] y = x.clone();
        KdeOps.best().exp(y, 0, n);
        double worst = 0;
        for (int k = 0; k < n; k++) {
            double e = Math.exp(x[k]);
            worst = Math.max(worst, Math.abs(y[k] - e) / e);
        }
        // Taylor truncation ≤ 1.7e-16 plus Horner and reduction round-off: a few ulp (1 ulp ≈ 1.1e-16 relative)
        assertTrue(worst < 1e-15, "worst relative error " + worst);
        assertEquals(1.0, y[0]);
    }

    @Test
    void expUnderflowsToZeroBelowTheThreshold() {
        double[] x = {-708.5, -745, -1e6, Double.NEGATIVE_INFINITY, -707.9, -1, -2, -3, -4};
        KdeOps.best().exp(x, 0, x.length);
        for (int k = 0; k < 4; k++) {
            assertEquals(0.0, x[k]);
        }
        assertEquals(Math.exp(-707.9), x[4], 1e-15 * Math.exp(-707.9));
    }

    @Test
    void gaussianSumsAgree() {
        Random r = new Random(2);
        for (int d = 1; d <= 4; d++) {
            int stride = 1024;
            double[] zT = new double[d * stride];
            double[] w = new double[stride];
            for (int k = 0; k < zT.length; k++) {
                zT[k] = 3 * r.nextGaussian();
            }
            for (int i = 0; i < 1000; i++) {
                w[i] = r.nextDouble();
            }
            int m = 37;
            double[] y = new double[m * d];
            for (int k = 0; k < y.length; k++) {
                y[k] = 4 * r.nextGaussian();
            }
            double[] a = new double[m];
            double[] b = new double[m];
            KdeOps.best().gaussianSums(zT, stride, w, 0, 512, d, y, m, a);
            KdeOps.best().gaussianSums(zT, stride, w, 512, stride, d, y, m, a);
            KdeOps.scalar().gaussianSums(zT, stride, w, 0, stride, d, y, m, b);
            for (int q = 0; q < m; q++) {
                assertEquals(b[q], a[q], 1e-13 * b[q], "d=" + d + " q=" + q);
            }
            // per-sample factors in the exponent: both implementations, and against the plain sum
            double[] c = new double[stride];
            for (int i = 0; i < stride; i++) {
                double lambda = Math.exp(0.7 * r.nextGaussian());
                c[i] = -0.5 / (lambda * lambda);
            }
            double[] sa = new double[m];
            double[] sb = new double[m];
            KdeOps.best().gaussianSumsScaled(zT, stride, w, c, 0, 512, d, y, m, sa);
            KdeOps.best().gaussianSumsScaled(zT, stride, w, c, 512, stride, d, y, m, sa);
            KdeOps.scalar().gaussianSumsScaled(zT, stride, w, c, 0, stride, d, y, m, sb);
            for (int q = 0; q < m; q++) {
                double ref = 0;
                for (int i = 0; i < stride; i++) {
                    double r2 = 0;
                    for (int j = 0; j < d; j++) {
                        double diff = zT[j * stride + i] - y[q * d + j];
                        r2 += diff * diff;
                    }
                    ref += c[i] * r2 < KdeOps.EXP_MIN ? 0 : w[i] * Math.exp(c[i] * r2);
                }
                assertEquals(ref, sa[q], 1e-13 * ref, "scaled vector d=" + d + " q=" + q);
                assertEquals(ref, sb[q], 1e-13 * ref, "scaled scalar d=" + d + " q=" + q);
            }
        }
    }

    @Test
    void productAccumulateAgrees() {
        Random r = new Random(3);
        int g1p = 32;
        int g2 = 7; // one 4-row block and a 3-row tail
        int nc = 40;
        double[] at = new double[nc * g1p];
        double[] b = new double[g2 * nc];
        for (int k = 0; k < at.length; k++) {
            at[k] = r.nextDouble();
        }
        for (int k = 0; k < b.length; k++) {
            b[k] = r.nextDouble();
        }
        double[] f1 = new double[g1p * g2];
        double[] f2 = new double[g1p * g2];
        f1[3] = f2[3] = 1.5;
        KdeOps.best().productAccumulate(at, g1p, b, g2, nc, f1);
        KdeOps.scalar().productAccumulate(at, g1p, b, g2, nc, f2);
        for (int k = 0; k < f1.length; k++) {
            double ref = k == 3 ? 1.5 : 0;
            int bb = k / g1p;
            int a = k % g1p;
            for (int i = 0; i < nc; i++) {
                ref += b[bb * nc + i] * at[i * g1p + a];
            }
            assertEquals(ref, f1[k], 1e-13 * ref);
            assertEquals(ref, f2[k], 1e-13 * ref);
        }
    }
}

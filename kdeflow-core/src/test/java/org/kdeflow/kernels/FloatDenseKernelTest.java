package org.kdeflow.kernels;

import org.kdeflow.nn.*;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The float32 kernels: the start-up (vector) kernel against the plain-Java one on every shape the coupling networks
 * use and on awkward ones (tails of lanes and rows), and both against a double-precision reference.
 */
class FloatDenseKernelTest {
    /**
     * Tolerance relative to Σ|terms| of each output: the two kernels sum up to 64 float products in different orders
     * and with or without fused multiply-adds, so each result may differ by a few units of float rounding
     * (2⁻²⁴ ≈ 6e-8) per term; 1e-5 of the absolute sum leaves a wide margin yet catches any wrong or missing term.
     */
    private static final double TOL = 1e-5;

    private static float[] gauss(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static void close(float[] ref, float[] got, double[] scale, String what) {
        for (int k = 0; k < ref.length; k++) {
            assertEquals(ref[k], got[k], TOL * (1 + scale[k]), what + " at " + k);
        }
    }

    @ParameterizedTest
    @CsvSource({"64,2,32", "64,32,32", "64,32,2", "7,32,32", "13,3,17", "5,33,5", "66,16,48", "3,1,1"})
    void vectorAgreesWithScalarAndWithDouble(int n, int in, int out) {
        FloatDenseKernel vec = FloatDenseKernel.get();
        FloatDenseKernel sca = FloatDenseKernel.scalar();
        Random rnd = new Random(n * 1000 + in * 10 + out);
        int wOff = 3;
        float[] w = gauss(rnd, wOff + in * out + out);
        int bOff = wOff + in * out;
        float[] wt = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = w[wOff + o * in + i];
            }
        }
        float[] x = gauss(rnd, n * in);
        float[] dy = gauss(rnd, n * out);
        // double references and the absolute sums that scale the tolerance
        double[] yRef = new double[n * out];
        double[] yAbs = new double[n * out];
        double[] dxAbs = new double[n * in];
        double[] gAbs = new double[w.length];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double z = w[bOff + o];
                double a = Math.abs(z);
                for (int i = 0; i < in; i++) {
                    z += (double) x[r * in + i] * w[wOff + o * in + i];
                    a += Math.abs((double) x[r * in + i] * w[wOff + o * in + i]);
                    dxAbs[r * in + i] += Math.abs((double) dy[r * out + o] * w[wOff + o * in + i]);
                    gAbs[wOff + o * in + i] += Math.abs((double) dy[r * out + o] * x[r * in + i]);
                }
                gAbs[bOff + o] += Math.abs(dy[r * out + o]);
                yRef[r * out + o] = z > 0 ? z : LeakyReLU.SLOPE * z;
                yAbs[r * out + o] = a;
            }
        }
        for (boolean leaky : new boolean[] {false, true}) {
            float[] ys = new float[n * out];
            float[] yv = new float[n * out];
            sca.forward(x, n, in, out, w, wOff, wt, w, bOff, ys, leaky);
            vec.forward(x, n, in, out, w, wOff, wt, w, bOff, yv, leaky);
            close(ys, yv, yAbs, "forward leaky=" + leaky);
            if (leaky) {
                for (int k = 0; k < ys.length; k++) {
                    assertEquals(yRef[k], ys[k], TOL * (1 + yAbs[k]), "scalar forward vs double at " + k);
                }
            }
        }
        float[] h = gauss(rnd, n * in);
        for (float[] hPrev : new float[][] {null, h}) {
            float[] ds = new float[n * in];
            float[] dv = new float[n * in];
            sca.backwardInput(dy, n, in, out, w, wOff, wt, ds, hPrev);
            vec.backwardInput(dy, n, in, out, w, wOff, wt, dv, hPrev);
            close(ds, dv, dxAbs, "backwardInput hPrev=" + (hPrev != null));
            for (int k = 0; k < ds.length; k++) {
                double ref = 0;
                int r = k / in;
                int i = k % in;
                for (int o = 0; o < out; o++) {
                    ref += (double) dy[r * out + o] * w[wOff + o * in + i];
                }
                if (hPrev != null && !(hPrev[k] > 0)) {
                    ref *= LeakyReLU.SLOPE;
                }
                assertEquals(ref, ds[k], TOL * (1 + dxAbs[k]), "scalar backwardInput vs double at " + k);
            }
        }
        float[] g0 = gauss(rnd, w.length);
        float[] gs = g0.clone();
        float[] gv = g0.clone();
        sca.accumulateGradients(dy, x, n, in, out, gs, wOff, bOff);
        vec.accumulateGradients(dy, x, n, in, out, gv, wOff, bOff);
        close(gs, gv, gAbs, "accumulateGradients");
        for (int k = 0; k < wOff; k++) {
            assertEquals(g0[k], gv[k], 0.0, "entries before wOff untouched");
        }
        for (int o = 0; o < out; o++) {
            double b = g0[bOff + o];
            for (int r = 0; r < n; r++) {
                b += dy[r * out + o];
            }
            assertEquals(b, gs[bOff + o], TOL * (1 + gAbs[bOff + o]), "bias gradient " + o);
            for (int i = 0; i < in; i++) {
                double ref = g0[wOff + o * in + i];
                for (int r = 0; r < n; r++) {
                    ref += (double) dy[r * out + o] * x[r * in + i];
                }
                assertEquals(ref, gs[wOff + o * in + i], TOL * (1 + gAbs[wOff + o * in + i]), "weight gradient");
            }
        }
    }

    /**
     * The ranged products (zero input columns outside [iLo, iHi), zero dY columns outside [oLo, oHi), only some outputs
     * needed) skip only terms that are exactly zero, so on every needed entry they give the same bits as the full
     * products on the same zero-padded operands, on both kernels; gradient entries outside the box stay as they were.
     */
    @ParameterizedTest
    @CsvSource({"64,2,32,1,2,0,32", "64,2,32,0,1,0,32", "64,32,2,0,32,0,1", "64,32,2,0,32,1,2", "7,32,32,0,32,3,9",
        "13,3,17,1,2,2,16", "5,33,5,4,30,1,4", "66,16,48,0,16,20,21", "3,1,1,0,1,0,1"})
    void rangedProductsSkipOnlyZeroTerms(int n, int in, int out, int iLo, int iHi, int oLo, int oHi) {
        Random rnd = new Random(n * 7 + in * 3 + out + iLo + oLo);
        int wOff = 5;
        float[] w = gauss(rnd, wOff + in * out + out);
        int bOff = wOff + in * out;
        float[] wt = new float[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = w[wOff + o * in + i];
            }
        }
        float[] x = gauss(rnd, n * in);
        float[] dy = gauss(rnd, n * out);
        float[] h = gauss(rnd, n * in);
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < in; i++) {
                if (i < iLo || i >= iHi) {
                    x[r * in + i] = 0f;
                }
            }
            for (int o = 0; o < out; o++) {
                if (o < oLo || o >= oHi) {
                    dy[r * out + o] = 0f;
                }
            }
        }
        for (FloatDenseKernel k : new FloatDenseKernel[] {FloatDenseKernel.get(), FloatDenseKernel.scalar()}) {
            for (boolean leaky : new boolean[] {false, true}) {
                float[] full = new float[n * out];
                float[] part = new float[n * out];
                k.forward(x, n, in, out, w, wOff, wt, w, bOff, full, leaky);
                k.forward(x, n, in, out, w, wOff, wt, w, bOff, part, leaky, iLo, iHi, oLo, oHi);
                for (int r = 0; r < n; r++) {
                    for (int o = oLo; o < oHi; o++) {
                        assertEquals(full[r * out + o], part[r * out + o], 0f, k.name() + " forward " + r + "," + o);
                    }
                }
            }
            for (float[] hPrev : new float[][] {null, h}) {
                float[] full = new float[n * in];
                float[] part = new float[n * in];
                k.backwardInput(dy, n, in, out, w, wOff, wt, full, hPrev);
                k.backwardInput(dy, n, in, out, w, wOff, wt, part, hPrev, iLo, iHi, oLo, oHi);
                for (int r = 0; r < n; r++) {
                    for (int i = iLo; i < iHi; i++) {
                        assertEquals(full[r * in + i], part[r * in + i], 0f, k.name() + " backwardInput " + r + "," + i);
                    }
                }
            }
            float[] g0 = gauss(rnd, w.length);
            float[] full = g0.clone();
            float[] part = g0.clone();
            k.accumulateGradients(dy, x, n, in, out, full, wOff, bOff);
            k.accumulateGradients(dy, x, n, in, out, part, wOff, bOff, iLo, iHi, oLo, oHi);
            assertArrayEquals(full, part, k.name() + " accumulateGradients");
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    if (o < oLo || o >= oHi || i < iLo || i >= iHi) {
                        assertEquals(g0[wOff + o * in + i], part[wOff + o * in + i], 0f, "outside the box");
                    }
                }
            }
        }
    }

    /** The transpose is a copy: exactly the same floats on both kernels, for gathered and plain shapes. */
    @ParameterizedTest
    @CsvSource({"2,32", "32,32", "32,2", "3,17", "64,16", "65,32", "1,1"})
    void transposeIsExact(int in, int out) {
        Random rnd = new Random(in * 100 + out);
        int wOff = 7;
        float[] w = gauss(rnd, wOff + in * out + 3);
        for (FloatDenseKernel k : new FloatDenseKernel[] {FloatDenseKernel.get(), FloatDenseKernel.scalar()}) {
            float[] wt = new float[in * out];
            k.transpose(w, wOff, in, out, wt);
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < in; i++) {
                    assertEquals(w[wOff + o * in + i], wt[i * out + o], 0f, k.name() + " at " + o + "," + i);
                }
            }
        }
    }

    @Test
    void adamIsBitIdenticalOnBothKernelsAndMatchesDoubleAdam() {
        Random rnd = new Random(5);
        int size = 1000 + 7;
        float[] x0 = gauss(rnd, size);
        AdamF32 a = new AdamF32(size, 1e-3, FloatDenseKernel.get());
        AdamF32 b = new AdamF32(size, 1e-3, FloatDenseKernel.scalar());
        Adam ref = new Adam(size, 1e-3);
        float[] xa = x0.clone();
        float[] xb = x0.clone();
        Parameters p = new Parameters(size);
        for (int k = 0; k < size; k++) {
            p.values()[k] = x0[k];
        }
        for (int step = 0; step < 5; step++) {
            float[] g = gauss(rnd, size);
            assertTrue(a.step(xa, g));
            assertTrue(b.step(xb, g));
            for (int k = 0; k < size; k++) {
                p.gradients()[k] = g[k];
            }
            ref.step(p);
        }
        assertArrayEquals(xb, xa, "same IEEE float operations in the same order");
        assertEquals(5, a.steps());
        for (int k = 0; k < size; k++) {
            // five steps of at most lr = 1e-3 each; float rounding of x (|x| ≲ 4, ulp ≤ 5e-7) dominates the difference
            assertEquals(p.values()[k], xa[k], 2e-6, "parameter " + k);
        }
        float[] bad = new float[size];
        bad[3] = Float.NaN;
        assertTrue(!a.step(xa, bad), "a NaN gradient is reported");
    }
}

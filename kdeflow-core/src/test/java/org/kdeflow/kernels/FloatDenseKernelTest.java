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
 * The float32 kernels (generated at build time from the double sources): the start-up (vector) kernel against the
 * plain-Java one on every shape the coupling networks use and on awkward ones (tails of lanes and rows), and both
 * against a double-precision reference.
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
    @CsvSource({"64,2,32", "64,32,32", "64,32,2", "7,32,32", "13,3,17", "5,33,5", "66,16,48", "3,1,1", "64,1,64",
        "64,64,64", "63,64,23", "64,2,64", "9,64,1"})
    void vectorAgreesWithScalarAndWithDouble(int n, int in, int out) {
        FloatDenseKernel vec = Kernels.get().denseF32();
        FloatDenseKernel sca = Kernels.scalar().denseF32();
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
        sca.accumulateGradients(dy, x, n, in, out, gs, wOff, bOff, new float[FloatDenseKernel.SCRATCH]);
        vec.accumulateGradients(dy, x, n, in, out, gv, wOff, bOff, new float[FloatDenseKernel.SCRATCH]);
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
}

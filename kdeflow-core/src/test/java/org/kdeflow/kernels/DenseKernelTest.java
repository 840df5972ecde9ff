package org.kdeflow.kernels;

import org.kdeflow.nn.*;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DenseKernelTest {
    /**
     * The two kernels differ only in rounding: fused multiply-adds and summation order over at most a few dozen
     * terms of size O(1), so their results agree to a few hundred ulps of the largest term.
     */
    private static final double AGREEMENT = 1e-12;

    static Stream<Arguments> shapes() {
        // widths around the lane count (8) and the homework's 2 and 32, plus odd tails
        int[][] s = {{2, 32, 64}, {32, 32, 64}, {32, 2, 64}, {2, 32, 6}, {1, 1, 1}, {3, 7, 5}, {7, 9, 13},
            {8, 8, 8}, {9, 33, 17}, {33, 40, 3}, {40, 16, 11}, {16, 5, 2}};
        return Stream.of(s).map(a -> Arguments.of(a[0], a[1], a[2]));
    }

    @Test
    void vectorKernelIsChosenWhenTheModuleIsPresent() {
        // the build runs tests with --add-modules jdk.incubator.vector
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assertTrue(Kernels.get().dense().name().startsWith("vector"), Kernels.get().dense().name());
        assertEquals("scalar", Kernels.scalar().dense().name());
    }

    @ParameterizedTest(name = "in={0} out={1} n={2}")
    @MethodSource("shapes")
    void vectorAndScalarKernelsAgree(int in, int out, int n) {
        DenseKernel vec = Kernels.get().dense();
        DenseKernel sca = Kernels.scalar().dense();
        SplittableRandom rnd = new SplittableRandom(in * 1000 + out * 10 + n);
        int wOff = 3;
        double[] w = random(rnd, wOff + in * out + out + 2);
        int bOff = wOff + in * out;
        double[] wt = new double[in * out];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = w[wOff + o * in + i];
            }
        }
        double[] x = random(rnd, n * in);
        for (boolean leaky : new boolean[] {false, true}) {
            double[] y1 = new double[n * out];
            double[] y2 = new double[n * out];
            vec.forward(x, n, in, out, w, wOff, wt, w, bOff, y1, leaky);
            sca.forward(x, n, in, out, w, wOff, wt, w, bOff, y2, leaky);
            assertArrayEquals(y2, y1, AGREEMENT, "forward, leaky=" + leaky);
        }
        double[] dy = random(rnd, n * out);
        double[] hPrev = random(rnd, n * in);
        for (double[] h : new double[][] {null, hPrev}) {
            double[] dx1 = random(rnd, n * in);
            double[] dx2 = random(rnd, n * in);
            vec.backwardInput(dy, n, in, out, w, wOff, wt, dx1, h);
            sca.backwardInput(dy, n, in, out, w, wOff, wt, dx2, h);
            assertArrayEquals(dx2, dx1, AGREEMENT, "backwardInput, hPrev=" + (h != null));
        }
        double[] g1 = random(new SplittableRandom(7), wOff + in * out + out + 2);
        double[] g2 = g1.clone();
        vec.accumulateGradients(dy, x, n, in, out, g1, wOff, bOff, new double[DenseKernel.SCRATCH]);
        sca.accumulateGradients(dy, x, n, in, out, g2, wOff, bOff, new double[DenseKernel.SCRATCH]);
        assertArrayEquals(g2, g1, AGREEMENT, "accumulateGradients");
    }

    /**
     * The 4 × 4 and the 4 × 2 register blocks compute every element as the same ordered sum: equal bits, in double
     * and in float, on shapes wide enough for the 4 × 4 blocks (the spline flow's 64-wide layers) and with tails.
     */
    @ParameterizedTest(name = "in={0} out={1} n={2}")
    @MethodSource("wideShapes")
    void blockShapesGiveTheSameBits(int in, int out, int n) {
        DenseKernel wide = new VectorDenseKernel(true);
        DenseKernel narrow = new VectorDenseKernel(false);
        FloatDenseKernel wide32 = new VectorFloatDenseKernel(true);
        FloatDenseKernel narrow32 = new VectorFloatDenseKernel(false);
        SplittableRandom rnd = new SplittableRandom(in * 7919L + out * 31L + n);
        double[] w = random(rnd, in * out + out);
        double[] wt = new double[in * out];
        DenseKernel.transpose(w, 0, in, out, wt);
        double[] x = random(rnd, n * in);
        double[] dy = random(rnd, n * out);
        float[] w32 = floats(w);
        float[] wt32 = floats(wt);
        float[] x32 = floats(x);
        float[] dy32 = floats(dy);
        double[][] a = new double[2][];
        float[][] f = new float[2][];
        for (int k = 0; k < 2; k++) {
            DenseKernel d = k == 0 ? wide : narrow;
            double[] y = new double[n * out];
            double[] dx = new double[n * in];
            double[] g = new double[in * out + out];
            d.forward(x, n, in, out, w, 0, wt, w, in * out, y, true);
            d.backwardInput(dy, n, in, out, w, 0, wt, dx, x);
            d.accumulateGradients(dy, x, n, in, out, g, 0, in * out, new double[DenseKernel.SCRATCH]);
            a[k] = concat(y, dx, g);
            FloatDenseKernel d32 = k == 0 ? wide32 : narrow32;
            float[] y32 = new float[n * out];
            float[] dx32 = new float[n * in];
            float[] g32 = new float[in * out + out];
            d32.forward(x32, n, in, out, w32, 0, wt32, w32, in * out, y32, false);
            d32.backwardInput(dy32, n, in, out, w32, 0, wt32, dx32, null);
            d32.accumulateGradients(dy32, x32, n, in, out, g32, 0, in * out, new float[FloatDenseKernel.SCRATCH]);
            f[k] = concat(y32, dx32, g32);
        }
        assertArrayEquals(a[0], a[1], "double");
        assertArrayEquals(f[0], f[1], "float");
    }

    static Stream<Arguments> wideShapes() {
        int[][] s = {{64, 64, 64}, {1, 64, 64}, {64, 23, 64}, {64, 64, 7}, {40, 72, 13}, {33, 96, 9}};
        return Stream.of(s).map(a -> Arguments.of(a[0], a[1], a[2]));
    }

    private static double[] concat(double[]... parts) {
        return Stream.of(parts).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static float[] concat(float[]... parts) {
        int len = 0;
        for (float[] p : parts) {
            len += p.length;
        }
        float[] out = new float[len];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static float[] floats(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    /** The Adam update performs the same IEEE operations on both kernels: equal bits, tails included. */
    @ParameterizedTest(name = "len={0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 7, 8, 9, 64, 1219})
    void adamUpdatesAgreeBitForBit(int len) {
        SplittableRandom rnd = new SplittableRandom(len);
        double[] x = random(rnd, len);
        double[] g = random(rnd, len);
        double[] m = random(rnd, len);
        double[] v = random(rnd, len);
        for (int k = 0; k < len; k++) {
            v[k] = Math.abs(v[k]);
        }
        double[][] a = {x.clone(), m.clone(), v.clone()};
        double[][] b = {x.clone(), m.clone(), v.clone()};
        assertTrue(Kernels.get().adam().update(a[0], g, a[1], a[2], len, 0.9, 0.999, 0.1, 1e-3, 0.01, 0.3, 1e-8));
        assertTrue(Kernels.scalar().adam().update(b[0], g, b[1], b[2], len, 0.9, 0.999, 0.1, 1e-3, 0.01, 0.3,
                1e-8));
        for (int q = 0; q < 3; q++) {
            assertArrayEquals(b[q], a[q]);
        }
        g[len / 2] = Double.NaN;
        assertTrue(!Kernels.get().adam().update(a[0], g, a[1], a[2], len, 0.9, 0.999, 0.1, 1e-3, 0.01, 0.3, 1e-8));
        assertTrue(!Kernels.scalar().adam().update(b[0], g, b[1], b[2], len, 0.9, 0.999, 0.1, 1e-3, 0.01, 0.3,
                1e-8));
    }

    /** A 2→2 layer worked by hand: W = [[1, 2], [3, 4]], b = [0.5, −10], x = [1, −1]. */
    @Test
    void smallLayerByHand() {
        for (Kernels k : new Kernels[] {Kernels.get(), Kernels.scalar()}) {
            Parameters p = new Parameters(6);
            p.copyFrom(new double[] {1, 2, 3, 4, 0.5, -10});
            Dense d = new Dense(2, 2, 0, k);
            double[] y = new double[2];
            d.forward(p, new double[] {1, -1}, 1, y, false);
            // z = [1−2+0.5, 3−4−10] = [−0.5, −11]
            assertArrayEquals(new double[] {-0.5, -11}, y, 0.0, k.name());
            d.forward(p, new double[] {1, -1}, 1, y, true);
            assertArrayEquals(new double[] {-0.005, -0.11}, y, 1e-17, k.name());
            // dL/dy = [1, 2]: dW = dyᵀx = [[1, −1], [2, −2]], db = [1, 2], dx = dy·W = [1+6, 2+8]
            double[] dx = new double[2];
            d.backward(p, new double[] {1, -1}, 1, new double[] {1, 2}, dx, false);
            assertArrayEquals(new double[] {1, -1, 2, -2, 1, 2}, p.gradients(), 0.0, k.name());
            assertArrayEquals(new double[] {7, 10}, dx, 0.0, k.name());
            p.zeroGradients();
        }
    }

    @Test
    void transposedCopyFollowsParameterChanges() {
        Parameters p = new Parameters(6);
        p.copyFrom(new double[] {1, 2, 3, 4, 0, 0});
        Dense d = new Dense(2, 2, 0);
        double[] y = new double[2];
        d.forward(p, new double[] {1, 0}, 1, y, false);
        assertArrayEquals(new double[] {1, 3}, y, 0.0);
        p.set(2, 5);
        d.forward(p, new double[] {1, 0}, 1, y, false);
        assertArrayEquals(new double[] {1, 5}, y, 0.0);
    }

    static double[] random(SplittableRandom rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextDouble(-1, 1);
        }
        return a;
    }
}

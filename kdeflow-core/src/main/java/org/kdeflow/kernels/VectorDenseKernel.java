package org.kdeflow.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link DenseKernel} on {@code jdk.incubator.vector} (loaded only when that module is present). Lanes run over
 * the contiguous dimension of each product — the outputs of a row for Y = X·Wᵀ (reading the transposed copy Wᵀ), the
 * inputs for dY·W and dYᵀ·X — with up to four independent accumulators per row so that one broadcast feeds four
 * fused multiply-adds. A 32-wide layer is then four 8-lane registers. Narrow sides (fewer columns than lanes, such as
 * the 2-wide input and output of the coupling networks) use lane-wise dot products over the other side instead.
 */
final class VectorDenseKernel implements DenseKernel {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final double SLOPE = DenseKernel.LEAKY_SLOPE;

    @Override
    public void forward(double[] x, int n, int in, int out, double[] w, int wOff, double[] wt, double[] b, int bOff,
            double[] y, boolean leaky) {
        if (out < L) {
            if (in >= L) {
                narrowDots(x, n, in, w, wOff, out, b, bOff, y, leaky, null);
            } else {
                forwardNarrow(x, n, in, out, w, wOff, b, bOff, y, leaky);
            }
            return;
        }
        int r = 0;
        if (out == 4 * L) {
            for (; r + 2 <= n; r += 2) {
                forwardTwoRows(x, r, in, out, wt, b, bOff, y, leaky);
            }
        }
        for (; r < n; r++) {
            int xr = r * in;
            int yr = r * out;
            int o = 0;
            for (; o + 4 * L <= out; o += 4 * L) {
                DoubleVector a0 = DoubleVector.fromArray(S, b, bOff + o);
                DoubleVector a1 = DoubleVector.fromArray(S, b, bOff + o + L);
                DoubleVector a2 = DoubleVector.fromArray(S, b, bOff + o + 2 * L);
                DoubleVector a3 = DoubleVector.fromArray(S, b, bOff + o + 3 * L);
                for (int i = 0; i < in; i++) {
                    DoubleVector xi = DoubleVector.broadcast(S, x[xr + i]);
                    int wr = i * out + o;
                    a0 = DoubleVector.fromArray(S, wt, wr).fma(xi, a0);
                    a1 = DoubleVector.fromArray(S, wt, wr + L).fma(xi, a1);
                    a2 = DoubleVector.fromArray(S, wt, wr + 2 * L).fma(xi, a2);
                    a3 = DoubleVector.fromArray(S, wt, wr + 3 * L).fma(xi, a3);
                }
                if (leaky) {
                    a0 = a0.max(a0.mul(SLOPE));
                    a1 = a1.max(a1.mul(SLOPE));
                    a2 = a2.max(a2.mul(SLOPE));
                    a3 = a3.max(a3.mul(SLOPE));
                }
                a0.intoArray(y, yr + o);
                a1.intoArray(y, yr + o + L);
                a2.intoArray(y, yr + o + 2 * L);
                a3.intoArray(y, yr + o + 3 * L);
            }
            for (; o + L <= out; o += L) {
                DoubleVector a = DoubleVector.fromArray(S, b, bOff + o);
                for (int i = 0; i < in; i++) {
                    a = DoubleVector.fromArray(S, wt, i * out + o).fma(DoubleVector.broadcast(S, x[xr + i]), a);
                }
                if (leaky) {
                    a = a.max(a.mul(SLOPE));
                }
                a.intoArray(y, yr + o);
            }
            for (; o < out; o++) {
                double z = b[bOff + o];
                for (int i = 0; i < in; i++) {
                    z = Math.fma(x[xr + i], wt[i * out + o], z);
                }
                y[yr + o] = leaky ? (z > 0 ? z : SLOPE * z) : z;
            }
        }
    }

    /** Rows r and r+1 of a layer with exactly 4L outputs: eight accumulators share each load of Wᵀ. */
    private static void forwardTwoRows(double[] x, int r, int in, int out, double[] wt, double[] b, int bOff,
            double[] y, boolean leaky) {
        int xr = r * in;
        int xs = xr + in;
        DoubleVector a0 = DoubleVector.fromArray(S, b, bOff);
        DoubleVector a1 = DoubleVector.fromArray(S, b, bOff + L);
        DoubleVector a2 = DoubleVector.fromArray(S, b, bOff + 2 * L);
        DoubleVector a3 = DoubleVector.fromArray(S, b, bOff + 3 * L);
        DoubleVector c0 = a0;
        DoubleVector c1 = a1;
        DoubleVector c2 = a2;
        DoubleVector c3 = a3;
        for (int i = 0; i < in; i++) {
            DoubleVector xi = DoubleVector.broadcast(S, x[xr + i]);
            DoubleVector xj = DoubleVector.broadcast(S, x[xs + i]);
            int wr = i * out;
            DoubleVector w0 = DoubleVector.fromArray(S, wt, wr);
            DoubleVector w1 = DoubleVector.fromArray(S, wt, wr + L);
            DoubleVector w2 = DoubleVector.fromArray(S, wt, wr + 2 * L);
            DoubleVector w3 = DoubleVector.fromArray(S, wt, wr + 3 * L);
            a0 = w0.fma(xi, a0);
            a1 = w1.fma(xi, a1);
            a2 = w2.fma(xi, a2);
            a3 = w3.fma(xi, a3);
            c0 = w0.fma(xj, c0);
            c1 = w1.fma(xj, c1);
            c2 = w2.fma(xj, c2);
            c3 = w3.fma(xj, c3);
        }
        if (leaky) {
            a0 = a0.max(a0.mul(SLOPE));
            a1 = a1.max(a1.mul(SLOPE));
            a2 = a2.max(a2.mul(SLOPE));
            a3 = a3.max(a3.mul(SLOPE));
            c0 = c0.max(c0.mul(SLOPE));
            c1 = c1.max(c1.mul(SLOPE));
            c2 = c2.max(c2.mul(SLOPE));
            c3 = c3.max(c3.mul(SLOPE));
        }
        int yr = r * out;
        a0.intoArray(y, yr);
        a1.intoArray(y, yr + L);
        a2.intoArray(y, yr + 2 * L);
        a3.intoArray(y, yr + 3 * L);
        c0.intoArray(y, yr + out);
        c1.intoArray(y, yr + out + L);
        c2.intoArray(y, yr + out + 2 * L);
        c3.intoArray(y, yr + out + 3 * L);
    }

    /**
     * Few outputs and few inputs: each output a dot product of an input row with a weight row, in plain code with
     * independent partial sums.
     * (Only one vector shape is used in this class: mixing shapes at the same call sites of the vector API defeats
     * its intrinsics.)
     */
    private static void forwardNarrow(double[] x, int n, int in, int out, double[] w, int wOff, double[] b, int bOff,
            double[] y, boolean leaky) {
        int r = 0;
        for (; r + 2 <= n; r += 2) {
            int xr = r * in;
            for (int o = 0; o < out; o++) {
                double bo = b[bOff + o];
                dot2x4(x, xr, xr + in, w, wOff + o * in, in, y, r * out + o, (r + 1) * out + o, bo, leaky, null);
            }
        }
        for (; r < n; r++) {
            int xr = r * in;
            for (int o = 0; o < out; o++) {
                double z = b[bOff + o] + dot4(x, xr, w, wOff + o * in, in);
                y[r * out + o] = leaky ? (z > 0 ? z : SLOPE * z) : z;
            }
        }
    }

    /**
     * z[r, c] = bias[c] + Σ_j a[r, j]·m[mOff + c·k + j] for c &lt; cols (few columns, k &gt;= L): per row, two
     * columns at a time share each load of the row of a, lanes over j, one horizontal sum per result. Then
     * LeakyReLU ({@code leaky}) or the leaky-ReLU derivative read from {@code h} (when not null).
     */
    private static void narrowDots(double[] a, int n, int k, double[] m, int mOff, int cols, double[] bias, int bOff,
            double[] z, boolean leaky, double[] h) {
        int kv = k - k % L;
        for (int r = 0; r < n; r++) {
            int ar = r * k;
            int c = 0;
            for (; c + 2 <= cols; c += 2) {
                int m0 = mOff + c * k;
                int m1 = m0 + k;
                DoubleVector s0 = DoubleVector.zero(S);
                DoubleVector s1 = s0;
                for (int j = 0; j < kv; j += L) {
                    DoubleVector av = DoubleVector.fromArray(S, a, ar + j);
                    s0 = av.fma(DoubleVector.fromArray(S, m, m0 + j), s0);
                    s1 = av.fma(DoubleVector.fromArray(S, m, m1 + j), s1);
                }
                double u = s0.reduceLanes(VectorOperators.ADD);
                double v = s1.reduceLanes(VectorOperators.ADD);
                for (int j = kv; j < k; j++) {
                    u = Math.fma(a[ar + j], m[m0 + j], u);
                    v = Math.fma(a[ar + j], m[m1 + j], v);
                }
                if (bias != null) {
                    u += bias[bOff + c];
                    v += bias[bOff + c + 1];
                }
                z[r * cols + c] = u;
                z[r * cols + c + 1] = v;
            }
            for (; c < cols; c++) {
                int m0 = mOff + c * k;
                DoubleVector s0 = DoubleVector.zero(S);
                for (int j = 0; j < kv; j += L) {
                    s0 = DoubleVector.fromArray(S, a, ar + j).fma(DoubleVector.fromArray(S, m, m0 + j), s0);
                }
                double u = s0.reduceLanes(VectorOperators.ADD);
                for (int j = kv; j < k; j++) {
                    u = Math.fma(a[ar + j], m[m0 + j], u);
                }
                z[r * cols + c] = bias != null ? u + bias[bOff + c] : u;
            }
        }
        if (leaky) {
            for (int q = 0; q < n * cols; q++) {
                double v = z[q];
                z[q] = v > 0 ? v : SLOPE * v;
            }
        } else if (h != null) {
            for (int q = 0; q < n * cols; q++) {
                if (!(h[q] > 0)) {
                    z[q] *= SLOPE;
                }
            }
        }
    }

    /**
     * Two dot products sharing c: z[zA] = act(bias + Σ a[aA+k]·c[cOff+k]), z[zB] likewise from aB; eight independent
     * partial sums. act is LeakyReLU when {@code leaky}, else the leaky-ReLU derivative read from h[zA], h[zB] when
     * h is not null, else the identity.
     */
    private static void dot2x4(double[] a, int aA, int aB, double[] c, int cOff, int len, double[] z, int zA, int zB,
            double bias, boolean leaky, double[] h) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        double t3 = 0;
        int k = 0;
        for (; k + 4 <= len; k += 4) {
            double c0 = c[cOff + k];
            double c1 = c[cOff + k + 1];
            double c2 = c[cOff + k + 2];
            double c3 = c[cOff + k + 3];
            s0 = Math.fma(a[aA + k], c0, s0);
            s1 = Math.fma(a[aA + k + 1], c1, s1);
            s2 = Math.fma(a[aA + k + 2], c2, s2);
            s3 = Math.fma(a[aA + k + 3], c3, s3);
            t0 = Math.fma(a[aB + k], c0, t0);
            t1 = Math.fma(a[aB + k + 1], c1, t1);
            t2 = Math.fma(a[aB + k + 2], c2, t2);
            t3 = Math.fma(a[aB + k + 3], c3, t3);
        }
        for (; k < len; k++) {
            s0 = Math.fma(a[aA + k], c[cOff + k], s0);
            t0 = Math.fma(a[aB + k], c[cOff + k], t0);
        }
        double u = bias + ((s0 + s1) + (s2 + s3));
        double v = bias + ((t0 + t1) + (t2 + t3));
        if (leaky) {
            u = u > 0 ? u : SLOPE * u;
            v = v > 0 ? v : SLOPE * v;
        } else if (h != null) {
            if (!(h[zA] > 0)) {
                u *= SLOPE;
            }
            if (!(h[zB] > 0)) {
                v *= SLOPE;
            }
        }
        z[zA] = u;
        z[zB] = v;
    }

    /** Σ a[aOff+k]·c[cOff+k] for k &lt; len, with four independent partial sums. */
    private static double dot4(double[] a, int aOff, double[] c, int cOff, int len) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (; k + 4 <= len; k += 4) {
            s0 = Math.fma(a[aOff + k], c[cOff + k], s0);
            s1 = Math.fma(a[aOff + k + 1], c[cOff + k + 1], s1);
            s2 = Math.fma(a[aOff + k + 2], c[cOff + k + 2], s2);
            s3 = Math.fma(a[aOff + k + 3], c[cOff + k + 3], s3);
        }
        for (; k < len; k++) {
            s0 = Math.fma(a[aOff + k], c[cOff + k], s0);
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void backwardInput(double[] dy, int n, int in, int out, double[] w, int wOff, double[] wt, double[] dx,
            double[] hPrev) {
        if (in < L && out >= L) {
            narrowDots(dy, n, out, wt, 0, in, null, 0, dx, false, hPrev);
            return;
        }
        if (in < L) {
            int r = 0;
            for (; r + 2 <= n; r += 2) {
                for (int i = 0; i < in; i++) {
                    dot2x4(dy, r * out, (r + 1) * out, wt, i * out, out, dx, r * in + i, (r + 1) * in + i, 0.0, false,
                            hPrev);
                }
            }
            for (; r < n; r++) {
                int xr = r * in;
                for (int i = 0; i < in; i++) {
                    double g = dot4(dy, r * out, wt, i * out, out);
                    if (hPrev != null && !(hPrev[xr + i] > 0)) {
                        g *= SLOPE;
                    }
                    dx[xr + i] = g;
                }
            }
            return;
        }
        int r = 0;
        if (in == 4 * L) {
            for (; r + 2 <= n; r += 2) {
                backwardInputTwoRows(dy, r, in, out, w, wOff, dx, hPrev);
            }
        }
        for (; r < n; r++) {
            int xr = r * in;
            int yr = r * out;
            int i = 0;
            for (; i + 4 * L <= in; i += 4 * L) {
                DoubleVector a0 = DoubleVector.zero(S);
                DoubleVector a1 = DoubleVector.zero(S);
                DoubleVector a2 = DoubleVector.zero(S);
                DoubleVector a3 = DoubleVector.zero(S);
                for (int o = 0; o < out; o++) {
                    DoubleVector g = DoubleVector.broadcast(S, dy[yr + o]);
                    int wr = wOff + o * in + i;
                    a0 = DoubleVector.fromArray(S, w, wr).fma(g, a0);
                    a1 = DoubleVector.fromArray(S, w, wr + L).fma(g, a1);
                    a2 = DoubleVector.fromArray(S, w, wr + 2 * L).fma(g, a2);
                    a3 = DoubleVector.fromArray(S, w, wr + 3 * L).fma(g, a3);
                }
                if (hPrev != null) {
                    a0 = leakyGrad(a0, hPrev, xr + i);
                    a1 = leakyGrad(a1, hPrev, xr + i + L);
                    a2 = leakyGrad(a2, hPrev, xr + i + 2 * L);
                    a3 = leakyGrad(a3, hPrev, xr + i + 3 * L);
                }
                a0.intoArray(dx, xr + i);
                a1.intoArray(dx, xr + i + L);
                a2.intoArray(dx, xr + i + 2 * L);
                a3.intoArray(dx, xr + i + 3 * L);
            }
            for (; i + L <= in; i += L) {
                DoubleVector a = DoubleVector.zero(S);
                for (int o = 0; o < out; o++) {
                    a = DoubleVector.fromArray(S, w, wOff + o * in + i).fma(DoubleVector.broadcast(S, dy[yr + o]), a);
                }
                if (hPrev != null) {
                    a = leakyGrad(a, hPrev, xr + i);
                }
                a.intoArray(dx, xr + i);
            }
            for (; i < in; i++) {
                double g = 0;
                for (int o = 0; o < out; o++) {
                    g = Math.fma(dy[yr + o], w[wOff + o * in + i], g);
                }
                if (hPrev != null && !(hPrev[xr + i] > 0)) {
                    g *= SLOPE;
                }
                dx[xr + i] = g;
            }
        }
    }

    /** Rows r and r+1 of dY·W for exactly 4L inputs: eight accumulators share each load of W. */
    private static void backwardInputTwoRows(double[] dy, int r, int in, int out, double[] w, int wOff, double[] dx,
            double[] hPrev) {
        int yr = r * out;
        int ys = yr + out;
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        DoubleVector c0 = a0;
        DoubleVector c1 = a0;
        DoubleVector c2 = a0;
        DoubleVector c3 = a0;
        for (int o = 0; o < out; o++) {
            DoubleVector g = DoubleVector.broadcast(S, dy[yr + o]);
            DoubleVector h = DoubleVector.broadcast(S, dy[ys + o]);
            int wr = wOff + o * in;
            DoubleVector w0 = DoubleVector.fromArray(S, w, wr);
            DoubleVector w1 = DoubleVector.fromArray(S, w, wr + L);
            DoubleVector w2 = DoubleVector.fromArray(S, w, wr + 2 * L);
            DoubleVector w3 = DoubleVector.fromArray(S, w, wr + 3 * L);
            a0 = w0.fma(g, a0);
            a1 = w1.fma(g, a1);
            a2 = w2.fma(g, a2);
            a3 = w3.fma(g, a3);
            c0 = w0.fma(h, c0);
            c1 = w1.fma(h, c1);
            c2 = w2.fma(h, c2);
            c3 = w3.fma(h, c3);
        }
        int xr = r * in;
        int xs = xr + in;
        if (hPrev != null) {
            a0 = leakyGrad(a0, hPrev, xr);
            a1 = leakyGrad(a1, hPrev, xr + L);
            a2 = leakyGrad(a2, hPrev, xr + 2 * L);
            a3 = leakyGrad(a3, hPrev, xr + 3 * L);
            c0 = leakyGrad(c0, hPrev, xs);
            c1 = leakyGrad(c1, hPrev, xs + L);
            c2 = leakyGrad(c2, hPrev, xs + 2 * L);
            c3 = leakyGrad(c3, hPrev, xs + 3 * L);
        }
        a0.intoArray(dx, xr);
        a1.intoArray(dx, xr + L);
        a2.intoArray(dx, xr + 2 * L);
        a3.intoArray(dx, xr + 3 * L);
        c0.intoArray(dx, xs);
        c1.intoArray(dx, xs + L);
        c2.intoArray(dx, xs + 2 * L);
        c3.intoArray(dx, xs + 3 * L);
    }

    /** a ⊙ (h &gt; 0 ? 1 : α). */
    private static DoubleVector leakyGrad(DoubleVector a, double[] h, int off) {
        VectorMask<Double> positive = DoubleVector.fromArray(S, h, off).compare(VectorOperators.GT, 0.0);
        return a.mul(SLOPE).blend(a, positive);
    }

    @Override
    public void accumulateGradients(double[] dy, double[] x, int n, int in, int out, double[] g, int wOff,
            int bOff, double[] scratch) {
        // bias: column sums of dY, lanes over the outputs. Each sum runs over r in order from zero, so the result
        // is the same whichever way the outputs are grouped; grouping four registers (or two scalars) per pass over
        // the rows runs four (two) dependency chains at once instead of one after the other.
        int o0 = 0;
        for (; o0 + 4 * L <= out; o0 += 4 * L) {
            DoubleVector a0 = DoubleVector.zero(S);
            DoubleVector a1 = a0;
            DoubleVector a2 = a0;
            DoubleVector a3 = a0;
            for (int r = 0, yr = o0; r < n; r++, yr += out) {
                a0 = a0.add(DoubleVector.fromArray(S, dy, yr));
                a1 = a1.add(DoubleVector.fromArray(S, dy, yr + L));
                a2 = a2.add(DoubleVector.fromArray(S, dy, yr + 2 * L));
                a3 = a3.add(DoubleVector.fromArray(S, dy, yr + 3 * L));
            }
            a0.add(DoubleVector.fromArray(S, g, bOff + o0)).intoArray(g, bOff + o0);
            a1.add(DoubleVector.fromArray(S, g, bOff + o0 + L)).intoArray(g, bOff + o0 + L);
            a2.add(DoubleVector.fromArray(S, g, bOff + o0 + 2 * L)).intoArray(g, bOff + o0 + 2 * L);
            a3.add(DoubleVector.fromArray(S, g, bOff + o0 + 3 * L)).intoArray(g, bOff + o0 + 3 * L);
        }
        for (; o0 + L <= out; o0 += L) {
            DoubleVector a = DoubleVector.zero(S);
            for (int r = 0; r < n; r++) {
                a = a.add(DoubleVector.fromArray(S, dy, r * out + o0));
            }
            a.add(DoubleVector.fromArray(S, g, bOff + o0)).intoArray(g, bOff + o0);
        }
        for (; o0 + 2 <= out; o0 += 2) {
            double s0 = 0;
            double s1 = 0;
            for (int r = 0, yr = o0; r < n; r++, yr += out) {
                s0 += dy[yr];
                s1 += dy[yr + 1];
            }
            g[bOff + o0] += s0;
            g[bOff + o0 + 1] += s1;
        }
        for (; o0 < out; o0++) {
            double s = 0;
            for (int r = 0; r < n; r++) {
                s += dy[r * out + o0];
            }
            g[bOff + o0] += s;
        }
        if (in == 2 && out == 4 * L && scratch.length >= 8 * L) {
            accumulateTwoInputs(dy, x, n, out, g, wOff, scratch);
            return;
        }
        if (in < L) {
            accumulateNarrowInput(dy, x, n, in, out, g, wOff, scratch);
            return;
        }
        // weights: row o of dW is Σ_r dy[r,o]·x[r,:], lanes over the inputs
        int o = 0;
        if (in == 4 * L) {
            for (; o + 2 <= out; o += 2) {
                accumulateTwoOutputs(dy, x, n, in, out, g, wOff, o);
            }
        }
        for (; o < out; o++) {
            int gr = wOff + o * in;
            int i = 0;
            for (; i + 4 * L <= in; i += 4 * L) {
                DoubleVector a0 = DoubleVector.zero(S);
                DoubleVector a1 = DoubleVector.zero(S);
                DoubleVector a2 = DoubleVector.zero(S);
                DoubleVector a3 = DoubleVector.zero(S);
                for (int r = 0; r < n; r++) {
                    DoubleVector d = DoubleVector.broadcast(S, dy[r * out + o]);
                    int xr = r * in + i;
                    a0 = DoubleVector.fromArray(S, x, xr).fma(d, a0);
                    a1 = DoubleVector.fromArray(S, x, xr + L).fma(d, a1);
                    a2 = DoubleVector.fromArray(S, x, xr + 2 * L).fma(d, a2);
                    a3 = DoubleVector.fromArray(S, x, xr + 3 * L).fma(d, a3);
                }
                a0.add(DoubleVector.fromArray(S, g, gr + i)).intoArray(g, gr + i);
                a1.add(DoubleVector.fromArray(S, g, gr + i + L)).intoArray(g, gr + i + L);
                a2.add(DoubleVector.fromArray(S, g, gr + i + 2 * L)).intoArray(g, gr + i + 2 * L);
                a3.add(DoubleVector.fromArray(S, g, gr + i + 3 * L)).intoArray(g, gr + i + 3 * L);
            }
            for (; i + L <= in; i += L) {
                DoubleVector a = DoubleVector.zero(S);
                for (int r = 0; r < n; r++) {
                    a = DoubleVector.fromArray(S, x, r * in + i).fma(DoubleVector.broadcast(S, dy[r * out + o]), a);
                }
                a.add(DoubleVector.fromArray(S, g, gr + i)).intoArray(g, gr + i);
            }
            for (; i < in; i++) {
                double s = 0;
                for (int r = 0; r < n; r++) {
                    s = Math.fma(dy[r * out + o], x[r * in + i], s);
                }
                g[gr + i] += s;
            }
        }
    }

    /** Rows o and o+1 of dW for exactly 4L inputs: eight accumulators share each load of X. */
    private static void accumulateTwoOutputs(double[] dy, double[] x, int n, int in, int out, double[] g, int wOff,
            int o) {
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        DoubleVector c0 = a0;
        DoubleVector c1 = a0;
        DoubleVector c2 = a0;
        DoubleVector c3 = a0;
        for (int r = 0; r < n; r++) {
            DoubleVector d = DoubleVector.broadcast(S, dy[r * out + o]);
            DoubleVector e = DoubleVector.broadcast(S, dy[r * out + o + 1]);
            int xr = r * in;
            DoubleVector x0 = DoubleVector.fromArray(S, x, xr);
            DoubleVector x1 = DoubleVector.fromArray(S, x, xr + L);
            DoubleVector x2 = DoubleVector.fromArray(S, x, xr + 2 * L);
            DoubleVector x3 = DoubleVector.fromArray(S, x, xr + 3 * L);
            a0 = x0.fma(d, a0);
            a1 = x1.fma(d, a1);
            a2 = x2.fma(d, a2);
            a3 = x3.fma(d, a3);
            c0 = x0.fma(e, c0);
            c1 = x1.fma(e, c1);
            c2 = x2.fma(e, c2);
            c3 = x3.fma(e, c3);
        }
        int gr = wOff + o * in;
        int gs = gr + in;
        a0.add(DoubleVector.fromArray(S, g, gr)).intoArray(g, gr);
        a1.add(DoubleVector.fromArray(S, g, gr + L)).intoArray(g, gr + L);
        a2.add(DoubleVector.fromArray(S, g, gr + 2 * L)).intoArray(g, gr + 2 * L);
        a3.add(DoubleVector.fromArray(S, g, gr + 3 * L)).intoArray(g, gr + 3 * L);
        c0.add(DoubleVector.fromArray(S, g, gs)).intoArray(g, gs);
        c1.add(DoubleVector.fromArray(S, g, gs + L)).intoArray(g, gs + L);
        c2.add(DoubleVector.fromArray(S, g, gs + 2 * L)).intoArray(g, gs + 2 * L);
        c3.add(DoubleVector.fromArray(S, g, gs + 3 * L)).intoArray(g, gs + 3 * L);
    }

    /**
     * Two inputs and 4L outputs (the coupling networks' first layer): both columns of dW, all four output registers
     * in one pass over the rows (eight independent fused multiply-add chains). Each entry is the same ordered sum as
     * in {@link #accumulateNarrowInput}, so the results are identical.
     */
    private static void accumulateTwoInputs(double[] dy, double[] x, int n, int out, double[] g, int wOff,
            double[] scratch) {
        DoubleVector a0 = DoubleVector.zero(S);
        DoubleVector a1 = a0;
        DoubleVector a2 = a0;
        DoubleVector a3 = a0;
        DoubleVector c0 = a0;
        DoubleVector c1 = a0;
        DoubleVector c2 = a0;
        DoubleVector c3 = a0;
        for (int r = 0, yr = 0; r < n; r++, yr += out) {
            DoubleVector u = DoubleVector.broadcast(S, x[2 * r]);
            DoubleVector v = DoubleVector.broadcast(S, x[2 * r + 1]);
            DoubleVector d0 = DoubleVector.fromArray(S, dy, yr);
            DoubleVector d1 = DoubleVector.fromArray(S, dy, yr + L);
            DoubleVector d2 = DoubleVector.fromArray(S, dy, yr + 2 * L);
            DoubleVector d3 = DoubleVector.fromArray(S, dy, yr + 3 * L);
            a0 = d0.fma(u, a0);
            a1 = d1.fma(u, a1);
            a2 = d2.fma(u, a2);
            a3 = d3.fma(u, a3);
            c0 = d0.fma(v, c0);
            c1 = d1.fma(v, c1);
            c2 = d2.fma(v, c2);
            c3 = d3.fma(v, c3);
        }
        a0.intoArray(scratch, 0);
        a1.intoArray(scratch, L);
        a2.intoArray(scratch, 2 * L);
        a3.intoArray(scratch, 3 * L);
        c0.intoArray(scratch, 4 * L);
        c1.intoArray(scratch, 5 * L);
        c2.intoArray(scratch, 6 * L);
        c3.intoArray(scratch, 7 * L);
        for (int o = 0; o < out; o++) {
            g[wOff + 2 * o] += scratch[o];
            g[wOff + 2 * o + 1] += scratch[4 * L + o];
        }
    }

    /**
     * Few inputs: column i of dW is Σ_r x[r,i]·dy[r,:], lanes over the outputs (up to 4 chunks of L at a time, all
     * inputs at once when in ≤ 2), staged in {@code scratch} and added to g with stride in.
     */
    private static void accumulateNarrowInput(double[] dy, double[] x, int n, int in, int out, double[] g,
            int wOff, double[] scratch) {
        int o = 0;
        for (; o + L <= out; o += L) {
            int i = 0;
            for (; i + 2 <= in; i += 2) {
                DoubleVector a = DoubleVector.zero(S);
                DoubleVector c = a;
                for (int r = 0; r < n; r++) {
                    DoubleVector d = DoubleVector.fromArray(S, dy, r * out + o);
                    a = d.fma(DoubleVector.broadcast(S, x[r * in + i]), a);
                    c = d.fma(DoubleVector.broadcast(S, x[r * in + i + 1]), c);
                }
                a.intoArray(scratch, 0);
                c.intoArray(scratch, L);
                for (int l = 0; l < L; l++) {
                    g[wOff + (o + l) * in + i] += scratch[l];
                    g[wOff + (o + l) * in + i + 1] += scratch[L + l];
                }
            }
            for (; i < in; i++) {
                DoubleVector a = DoubleVector.zero(S);
                for (int r = 0; r < n; r++) {
                    a = DoubleVector.fromArray(S, dy, r * out + o).fma(DoubleVector.broadcast(S, x[r * in + i]), a);
                }
                a.intoArray(scratch, 0);
                for (int l = 0; l < L; l++) {
                    g[wOff + (o + l) * in + i] += scratch[l];
                }
            }
        }
        for (; o < out; o++) {
            for (int i = 0; i < in; i++) {
                double s0 = 0;
                for (int r = 0; r < n; r++) {
                    s0 = Math.fma(dy[r * out + o], x[r * in + i], s0);
                }
                g[wOff + o * in + i] += s0;
            }
        }
    }

    @Override
    public String name() {
        return "vector(" + L + " lanes)";
    }
}

package org.kdeflow.nn;

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
    private static final double SLOPE = LeakyReLU.SLOPE;

    @Override
    public void forward(double[] x, int n, int in, int out, double[] w, int wOff, double[] wt, double[] b, int bOff,
            double[] y, boolean leaky) {
        if (out < L) {
            forwardNarrow(x, n, in, out, w, wOff, b, bOff, y, leaky);
            return;
        }
        for (int r = 0; r < n; r++) {
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

    /** Few outputs: each is a dot product of an input row with a weight row, lanes over the inputs. */
    private static void forwardNarrow(double[] x, int n, int in, int out, double[] w, int wOff, double[] b, int bOff,
            double[] y, boolean leaky) {
        for (int r = 0; r < n; r++) {
            int xr = r * in;
            for (int o = 0; o < out; o++) {
                double z = b[bOff + o] + dot(x, xr, w, wOff + o * in, in);
                y[r * out + o] = leaky ? (z > 0 ? z : SLOPE * z) : z;
            }
        }
    }

    /** Σ a[aOff+k]·c[cOff+k] for k &lt; len. */
    private static double dot(double[] a, int aOff, double[] c, int cOff, int len) {
        int k = 0;
        double s = 0;
        if (len >= L) {
            DoubleVector acc = DoubleVector.zero(S);
            for (; k + L <= len; k += L) {
                acc = DoubleVector.fromArray(S, a, aOff + k).fma(DoubleVector.fromArray(S, c, cOff + k), acc);
            }
            s = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; k < len; k++) {
            s = Math.fma(a[aOff + k], c[cOff + k], s);
        }
        return s;
    }

    @Override
    public void backwardInput(double[] dy, int n, int in, int out, double[] w, int wOff, double[] wt, double[] dx,
            double[] hPrev) {
        if (in < L) {
            for (int r = 0; r < n; r++) {
                int xr = r * in;
                for (int i = 0; i < in; i++) {
                    double g = dot(dy, r * out, wt, i * out, out);
                    if (hPrev != null && !(hPrev[xr + i] > 0)) {
                        g *= SLOPE;
                    }
                    dx[xr + i] = g;
                }
            }
            return;
        }
        for (int r = 0; r < n; r++) {
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

    /** a ⊙ (h &gt; 0 ? 1 : α). */
    private static DoubleVector leakyGrad(DoubleVector a, double[] h, int off) {
        VectorMask<Double> positive = DoubleVector.fromArray(S, h, off).compare(VectorOperators.GT, 0.0);
        return a.mul(SLOPE).blend(a, positive);
    }

    @Override
    public void accumulateGradients(double[] dy, double[] x, int n, int in, int out, double[] g, int wOff,
            int bOff) {
        // bias: column sums of dY, lanes over the outputs
        int o0 = 0;
        for (; o0 + L <= out; o0 += L) {
            DoubleVector a = DoubleVector.zero(S);
            for (int r = 0; r < n; r++) {
                a = a.add(DoubleVector.fromArray(S, dy, r * out + o0));
            }
            a.add(DoubleVector.fromArray(S, g, bOff + o0)).intoArray(g, bOff + o0);
        }
        for (; o0 < out; o0++) {
            double s = 0;
            for (int r = 0; r < n; r++) {
                s += dy[r * out + o0];
            }
            g[bOff + o0] += s;
        }
        if (in < L) {
            accumulateNarrowInput(dy, x, n, in, out, g, wOff);
            return;
        }
        // weights: row o of dW is Σ_r dy[r,o]·x[r,:], lanes over the inputs
        for (int o = 0; o < out; o++) {
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

    /** Few inputs: column i of dW is Σ_r x[r,i]·dy[r,:], lanes over the outputs, written back with stride in. */
    private static void accumulateNarrowInput(double[] dy, double[] x, int n, int in, int out, double[] g,
            int wOff) {
        for (int i = 0; i < in; i++) {
            int o = 0;
            for (; o + L <= out; o += L) {
                DoubleVector a = DoubleVector.zero(S);
                for (int r = 0; r < n; r++) {
                    a = DoubleVector.fromArray(S, dy, r * out + o).fma(DoubleVector.broadcast(S, x[r * in + i]), a);
                }
                for (int l = 0; l < L; l++) {
                    g[wOff + (o + l) * in + i] += a.lane(l);
                }
            }
            for (; o < out; o++) {
                double s = 0;
                for (int r = 0; r < n; r++) {
                    s = Math.fma(dy[r * out + o], x[r * in + i], s);
                }
                g[wOff + o * in + i] += s;
            }
        }
    }

    @Override
    public String name() {
        return "vector(" + L + " lanes)";
    }
}

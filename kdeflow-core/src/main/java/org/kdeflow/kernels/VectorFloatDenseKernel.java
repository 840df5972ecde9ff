package org.kdeflow.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link FloatDenseKernel} on {@code jdk.incubator.vector} (loaded only when that module is present): 16 float
 * lanes per 512-bit register. Lanes run over the contiguous dimension of each product — the outputs of a row for
 * Y = X·Wᵀ (reading Wᵀ), the inputs for dY·W and dYᵀ·X; a side narrower than a register (the 2-wide input and
 * output of the coupling networks) uses lane-wise dot products over the other side, or plain loops.
 */
final class VectorFloatDenseKernel implements FloatDenseKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final float SLOPE = (float) DenseKernel.LEAKY_SLOPE;

    @Override
    public void forward(float[] x, int n, int in, int out, float[] w, int wOff, float[] wt, float[] b, int bOff,
            float[] y, boolean leaky) {
        forward(x, n, in, out, w, wOff, wt, b, bOff, y, leaky, 0, in, 0, out);
    }

    @Override
    public void forward(float[] x, int n, int in, int out, float[] w, int wOff, float[] wt, float[] b, int bOff,
            float[] y, boolean leaky, int iLo, int iHi, int oLo, int oHi) {
        int ov = out - out % L;
        int iv = in - in % L;
        int r = 0;
        if (out == 2 * L) {
            for (; r + 4 <= n; r += 4) {
                forwardFourRows(x, r, in, out, wt, b, bOff, y, leaky, iLo, iHi);
            }
        }
        for (; r < n; r++) {
            int xr = r * in;
            int yr = r * out;
            int o = 0;
            for (; o + 2 * L <= ov; o += 2 * L) {
                FloatVector a0 = FloatVector.fromArray(S, b, bOff + o);
                FloatVector a1 = FloatVector.fromArray(S, b, bOff + o + L);
                for (int i = iLo; i < iHi; i++) {
                    FloatVector xi = FloatVector.broadcast(S, x[xr + i]);
                    int wr = i * out + o;
                    a0 = FloatVector.fromArray(S, wt, wr).fma(xi, a0);
                    a1 = FloatVector.fromArray(S, wt, wr + L).fma(xi, a1);
                }
                if (leaky) {
                    a0 = a0.max(a0.mul(SLOPE));
                    a1 = a1.max(a1.mul(SLOPE));
                }
                a0.intoArray(y, yr + o);
                a1.intoArray(y, yr + o + L);
            }
            for (; o < ov; o += L) {
                FloatVector a = FloatVector.fromArray(S, b, bOff + o);
                for (int i = iLo; i < iHi; i++) {
                    a = FloatVector.fromArray(S, wt, i * out + o).fma(FloatVector.broadcast(S, x[xr + i]), a);
                }
                if (leaky) {
                    a = a.max(a.mul(SLOPE));
                }
                a.intoArray(y, yr + o);
            }
            for (o = Math.max(o, oLo); o < oHi; o++) {
                int wr = wOff + o * in;
                float z;
                int i = 0;
                if (iv > 0) {
                    FloatVector s = FloatVector.zero(S);
                    for (; i < iv; i += L) {
                        s = FloatVector.fromArray(S, x, xr + i).fma(FloatVector.fromArray(S, w, wr + i), s);
                    }
                    z = s.reduceLanes(VectorOperators.ADD);
                } else {
                    z = 0f;
                }
                for (; i < in; i++) {
                    z = Math.fma(x[xr + i], w[wr + i], z);
                }
                z += b[bOff + o];
                y[yr + o] = leaky ? (z > 0 ? z : SLOPE * z) : z;
            }
        }
    }

    /**
     * Rows r … r+3 of a layer with exactly 2L outputs: eight independent accumulators share each load of Wᵀ (one
     * chain of fused multiply-adds per row would wait on the FMA latency).
     */
    private static void forwardFourRows(float[] x, int r, int in, int out, float[] wt, float[] b, int bOff, float[] y,
            boolean leaky, int iLo, int iHi) {
        int x0 = r * in;
        FloatVector b0 = FloatVector.fromArray(S, b, bOff);
        FloatVector b1 = FloatVector.fromArray(S, b, bOff + L);
        FloatVector a0 = b0;
        FloatVector a1 = b1;
        FloatVector c0 = b0;
        FloatVector c1 = b1;
        FloatVector d0 = b0;
        FloatVector d1 = b1;
        FloatVector e0 = b0;
        FloatVector e1 = b1;
        for (int i = iLo; i < iHi; i++) {
            FloatVector w0 = FloatVector.fromArray(S, wt, i * out);
            FloatVector w1 = FloatVector.fromArray(S, wt, i * out + L);
            FloatVector xa = FloatVector.broadcast(S, x[x0 + i]);
            FloatVector xc = FloatVector.broadcast(S, x[x0 + in + i]);
            FloatVector xd = FloatVector.broadcast(S, x[x0 + 2 * in + i]);
            FloatVector xe = FloatVector.broadcast(S, x[x0 + 3 * in + i]);
            a0 = w0.fma(xa, a0);
            a1 = w1.fma(xa, a1);
            c0 = w0.fma(xc, c0);
            c1 = w1.fma(xc, c1);
            d0 = w0.fma(xd, d0);
            d1 = w1.fma(xd, d1);
            e0 = w0.fma(xe, e0);
            e1 = w1.fma(xe, e1);
        }
        int y0 = r * out;
        store(a0, y, y0, leaky);
        store(a1, y, y0 + L, leaky);
        store(c0, y, y0 + out, leaky);
        store(c1, y, y0 + out + L, leaky);
        store(d0, y, y0 + 2 * out, leaky);
        store(d1, y, y0 + 2 * out + L, leaky);
        store(e0, y, y0 + 3 * out, leaky);
        store(e1, y, y0 + 3 * out + L, leaky);
    }

    private static void store(FloatVector a, float[] y, int off, boolean leaky) {
        (leaky ? a.max(a.mul(SLOPE)) : a).intoArray(y, off);
    }

    /**
     * dx for rows r … r+3 of a layer with exactly 2L inputs: eight independent accumulators over the outputs, then the
     * leaky-ReLU derivative when hPrev is not null.
     */
    private static void backwardFourRows(float[] dy, int r, int in, int out, float[] w, int wOff, float[] dx,
            float[] hPrev, int oLo, int oHi) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector c0 = a0;
        FloatVector c1 = a0;
        FloatVector d0 = a0;
        FloatVector d1 = a0;
        FloatVector e0 = a0;
        FloatVector e1 = a0;
        int y0 = r * out;
        for (int o = oLo; o < oHi; o++) {
            FloatVector w0 = FloatVector.fromArray(S, w, wOff + o * in);
            FloatVector w1 = FloatVector.fromArray(S, w, wOff + o * in + L);
            FloatVector ga = FloatVector.broadcast(S, dy[y0 + o]);
            FloatVector gc = FloatVector.broadcast(S, dy[y0 + out + o]);
            FloatVector gd = FloatVector.broadcast(S, dy[y0 + 2 * out + o]);
            FloatVector ge = FloatVector.broadcast(S, dy[y0 + 3 * out + o]);
            a0 = w0.fma(ga, a0);
            a1 = w1.fma(ga, a1);
            c0 = w0.fma(gc, c0);
            c1 = w1.fma(gc, c1);
            d0 = w0.fma(gd, d0);
            d1 = w1.fma(gd, d1);
            e0 = w0.fma(ge, e0);
            e1 = w1.fma(ge, e1);
        }
        int x0 = r * in;
        if (hPrev != null) {
            a0 = leakyDerivative(a0, hPrev, x0);
            a1 = leakyDerivative(a1, hPrev, x0 + L);
            c0 = leakyDerivative(c0, hPrev, x0 + in);
            c1 = leakyDerivative(c1, hPrev, x0 + in + L);
            d0 = leakyDerivative(d0, hPrev, x0 + 2 * in);
            d1 = leakyDerivative(d1, hPrev, x0 + 2 * in + L);
            e0 = leakyDerivative(e0, hPrev, x0 + 3 * in);
            e1 = leakyDerivative(e1, hPrev, x0 + 3 * in + L);
        }
        a0.intoArray(dx, x0);
        a1.intoArray(dx, x0 + L);
        c0.intoArray(dx, x0 + in);
        c1.intoArray(dx, x0 + in + L);
        d0.intoArray(dx, x0 + 2 * in);
        d1.intoArray(dx, x0 + 2 * in + L);
        e0.intoArray(dx, x0 + 3 * in);
        e1.intoArray(dx, x0 + 3 * in + L);
    }

    @Override
    public void backwardInput(float[] dy, int n, int in, int out, float[] w, int wOff, float[] wt, float[] dx,
            float[] hPrev) {
        backwardInput(dy, n, in, out, w, wOff, wt, dx, hPrev, 0, in, 0, out);
    }

    @Override
    public void backwardInput(float[] dy, int n, int in, int out, float[] w, int wOff, float[] wt, float[] dx,
            float[] hPrev, int iLo, int iHi, int oLo, int oHi) {
        int iv = in - in % L;
        int ov = out - out % L;
        int r = 0;
        if (in == 2 * L) {
            for (; r + 4 <= n; r += 4) {
                backwardFourRows(dy, r, in, out, w, wOff, dx, hPrev, oLo, oHi);
            }
        } else if (iv == 0 && ov == out) {
            // few inputs, many outputs: dx[r, i] = dy[r, ·]·Wᵀ[i, ·], lanes over the outputs
            for (; r < n; r++) {
                for (int i = iLo; i < iHi; i++) {
                    FloatVector a = FloatVector.zero(S);
                    for (int o = 0; o < out; o += L) {
                        a = FloatVector.fromArray(S, dy, r * out + o).fma(FloatVector.fromArray(S, wt, i * out + o), a);
                    }
                    float z = a.reduceLanes(VectorOperators.ADD);
                    if (hPrev != null && !(hPrev[r * in + i] > 0)) {
                        z *= SLOPE;
                    }
                    dx[r * in + i] = z;
                }
            }
        }
        for (; r < n; r++) {
            int dr = r * in;
            int yr = r * out;
            int i = 0;
            for (; i + 2 * L <= iv; i += 2 * L) {
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = a0;
                for (int o = oLo; o < oHi; o++) {
                    FloatVector g = FloatVector.broadcast(S, dy[yr + o]);
                    int wr = wOff + o * in + i;
                    a0 = FloatVector.fromArray(S, w, wr).fma(g, a0);
                    a1 = FloatVector.fromArray(S, w, wr + L).fma(g, a1);
                }
                if (hPrev != null) {
                    a0 = leakyDerivative(a0, hPrev, dr + i);
                    a1 = leakyDerivative(a1, hPrev, dr + i + L);
                }
                a0.intoArray(dx, dr + i);
                a1.intoArray(dx, dr + i + L);
            }
            for (; i < iv; i += L) {
                FloatVector a = FloatVector.zero(S);
                for (int o = oLo; o < oHi; o++) {
                    a = FloatVector.fromArray(S, w, wOff + o * in + i).fma(FloatVector.broadcast(S, dy[yr + o]), a);
                }
                if (hPrev != null) {
                    a = leakyDerivative(a, hPrev, dr + i);
                }
                a.intoArray(dx, dr + i);
            }
            for (; i < in; i++) {
                float z = 0f;
                for (int o = oLo; o < oHi; o++) {
                    z = Math.fma(dy[yr + o], w[wOff + o * in + i], z);
                }
                if (hPrev != null && !(hPrev[dr + i] > 0)) {
                    z *= SLOPE;
                }
                dx[dr + i] = z;
            }
        }
    }

    private static FloatVector leakyDerivative(FloatVector a, float[] h, int off) {
        VectorMask<Float> positive = FloatVector.fromArray(S, h, off).compare(VectorOperators.GT, 0f);
        return a.mul(SLOPE).blend(a, positive);
    }

    @Override
    public void accumulateGradients(float[] dy, float[] x, int n, int in, int out, float[] g, int wOff, int bOff) {
        accumulateGradients(dy, x, n, in, out, g, wOff, bOff, 0, in, 0, out);
    }

    @Override
    public void accumulateGradients(float[] dy, float[] x, int n, int in, int out, float[] g, int wOff, int bOff,
            int iLo, int iHi, int oLo, int oHi) {
        int iv = in - in % L;
        int ov = out - out % L;
        if (iv == in) {
            // lanes over the inputs: row o of ∂L/∂W is Σ_r dy[r, o]·x[r, ·]; eight rows o at a time share each load
            int o8 = oLo;
            for (; o8 + 8 <= oHi; o8 += 8) {
                for (int i = 0; i < in; i += L) {
                    accumulateEight(dy, x, n, in, out, g, wOff, o8, i);
                }
            }
            for (int o = o8; o < oHi; o++) {
                int gr = wOff + o * in;
                for (int i = 0; i < in; i += L) {
                    FloatVector a = FloatVector.zero(S);
                    for (int r = 0; r < n; r++) {
                        a = FloatVector.fromArray(S, x, r * in + i).fma(FloatVector.broadcast(S, dy[r * out + o]), a);
                    }
                    a.add(FloatVector.fromArray(S, g, gr + i)).intoArray(g, gr + i);
                }
            }
        } else if (ov == out) {
            // few inputs, lanes over the outputs: column i of ∂L/∂W is Σ_r x[r, i]·dy[r, ·], stored with stride in
            for (int i = iLo; i < iHi; i++) {
                for (int o = 0; o < out; o += L) {
                    FloatVector a = FloatVector.zero(S);
                    for (int r = 0; r < n; r++) {
                        a = FloatVector.fromArray(S, dy, r * out + o).fma(FloatVector.broadcast(S, x[r * in + i]), a);
                    }
                    for (int k = 0; k < L; k++) {
                        g[wOff + (o + k) * in + i] += a.lane(k);
                    }
                }
            }
        } else {
            for (int o = oLo; o < oHi; o++) {
                int gr = wOff + o * in;
                for (int r = 0; r < n; r++) {
                    float d = dy[r * out + o];
                    for (int i = 0; i < in; i++) {
                        g[gr + i] = Math.fma(d, x[r * in + i], g[gr + i]);
                    }
                }
            }
        }
        int o = 0;
        for (; o < ov; o += L) {
            FloatVector a = FloatVector.zero(S);
            for (int r = 0; r < n; r++) {
                a = a.add(FloatVector.fromArray(S, dy, r * out + o));
            }
            a.add(FloatVector.fromArray(S, g, bOff + o)).intoArray(g, bOff + o);
        }
        for (o = Math.max(o, oLo); o < oHi; o++) {
            float s = 0f;
            for (int r = 0; r < n; r++) {
                s += dy[r * out + o];
            }
            g[bOff + o] += s;
        }
    }

    /** ∂L/∂W[o … o+7, i … i+L) += Σ_r dy[r, o…o+7] x[r, i…i+L): eight independent accumulators. */
    private static void accumulateEight(float[] dy, float[] x, int n, int in, int out, float[] g, int wOff, int o,
            int i) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        FloatVector a4 = a0;
        FloatVector a5 = a0;
        FloatVector a6 = a0;
        FloatVector a7 = a0;
        for (int r = 0; r < n; r++) {
            FloatVector xv = FloatVector.fromArray(S, x, r * in + i);
            int d = r * out + o;
            a0 = xv.fma(FloatVector.broadcast(S, dy[d]), a0);
            a1 = xv.fma(FloatVector.broadcast(S, dy[d + 1]), a1);
            a2 = xv.fma(FloatVector.broadcast(S, dy[d + 2]), a2);
            a3 = xv.fma(FloatVector.broadcast(S, dy[d + 3]), a3);
            a4 = xv.fma(FloatVector.broadcast(S, dy[d + 4]), a4);
            a5 = xv.fma(FloatVector.broadcast(S, dy[d + 5]), a5);
            a6 = xv.fma(FloatVector.broadcast(S, dy[d + 6]), a6);
            a7 = xv.fma(FloatVector.broadcast(S, dy[d + 7]), a7);
        }
        int gr = wOff + o * in + i;
        addInto(a0, g, gr);
        addInto(a1, g, gr + in);
        addInto(a2, g, gr + 2 * in);
        addInto(a3, g, gr + 3 * in);
        addInto(a4, g, gr + 4 * in);
        addInto(a5, g, gr + 5 * in);
        addInto(a6, g, gr + 6 * in);
        addInto(a7, g, gr + 7 * in);
    }

    private static void addInto(FloatVector a, float[] g, int off) {
        a.add(FloatVector.fromArray(S, g, off)).intoArray(g, off);
    }

    /** Gather offsets {0, s, 2s, …, (L−1)s} for row strides s ≤ MAX_STRIDE, built once. */
    private static final int MAX_STRIDE = 64;
    private static final int[][] STRIDES = strides();

    private static int[][] strides() {
        int[][] t = new int[MAX_STRIDE + 1][L];
        for (int s = 0; s <= MAX_STRIDE; s++) {
            for (int k = 0; k < L; k++) {
                t[s][k] = k * s;
            }
        }
        return t;
    }

    /** Row i of Wᵀ, L outputs at a time, gathered from column i of W (stride in); plain loops otherwise. */
    @Override
    public void transpose(float[] w, int wOff, int in, int out, float[] wt) {
        if (out % L != 0 || in > MAX_STRIDE) {
            FloatDenseKernel.super.transpose(w, wOff, in, out, wt);
            return;
        }
        int[] idx = STRIDES[in];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o += L) {
                FloatVector.fromArray(S, w, wOff + o * in + i, idx, 0).intoArray(wt, i * out + o);
            }
        }
    }

    @Override
    public boolean adamUpdate(float[] x, float[] g, float[] m, float[] v, int len, float beta1, float beta2,
            float a1, float a2, float stepSize, float c2, float eps) {
        FloatVector check = FloatVector.zero(S);
        int k = 0;
        for (; k + L <= len; k += L) {
            FloatVector gk = FloatVector.fromArray(S, g, k);
            FloatVector mk = FloatVector.fromArray(S, m, k).mul(beta1).add(gk.mul(a1));
            FloatVector vk = FloatVector.fromArray(S, v, k).mul(beta2).add(gk.mul(a2).mul(gk));
            mk.intoArray(m, k);
            vk.intoArray(v, k);
            FloatVector denom = vk.sqrt().div(c2).add(eps);
            FloatVector xk = FloatVector.fromArray(S, x, k).sub(mk.div(denom).mul(stepSize));
            xk.intoArray(x, k);
            check = check.add(xk.mul(0f));
        }
        float tail = 0f;
        for (; k < len; k++) {
            float gk = g[k];
            float mk = beta1 * m[k] + a1 * gk;
            float vk = beta2 * v[k] + a2 * gk * gk;
            m[k] = mk;
            v[k] = vk;
            float denom = (float) Math.sqrt(vk) / c2 + eps;
            float xk = x[k] - mk / denom * stepSize;
            x[k] = xk;
            tail += xk * 0f;
        }
        return check.reduceLanes(VectorOperators.ADD) + tail == 0f;
    }

    @Override
    public String name() {
        return "vector(" + L + " lanes)";
    }
}

package org.kdeflow.kernels;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The {@link DenseKernel} on {@code jdk.incubator.vector} (loaded only when that module is present).
 *
 * <p>All three products are one shape, C = A·B with lanes over the contiguous columns of B and C:
 * <ul>
 *   <li>forward, Y = X·Wᵀ + b: A = X (n×in), B = Wᵀ (in×out), C = Y;</li>
 *   <li>input gradient, dX = dY·W: A = dY (n×out), B = W (out×in), C = dX;</li>
 *   <li>weight gradient, dW += dYᵀ·X: A = dYᵀ (out×n, read through strides), B = X (n×in), C = dW.</li>
 * </ul>
 * One register-blocked product ({@link #gemm}) computes blocks of 4 rows × 4 vectors (sixteen independent fused
 * multiply-add chains sharing each load of B and each broadcast of A) where the register file holds them, else
 * 4 rows × 2 vectors, then 1-row and 1-vector remainders.
 * Every element is the same ordered sum whatever block it falls in — start (bias or 0), then fused multiply-adds in
 * increasing order of the inner index — so blocking changes speed, not bits. Columns beyond the last full vector use
 * lane-wise dot products along the inner dimension (reading W or Wᵀ row-wise), and narrow sides (fewer columns than
 * lanes, such as the 2-wide input and output of the homework's networks) use dot products or lanes over the other
 * side.
 */
final class VectorDenseKernel implements DenseKernel {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final double SLOPE = DenseKernel.LEAKY_SLOPE;

    /** No activation after the product. */
    private static final int NONE = 0;
    /** LeakyReLU after the product (forward of a hidden layer). */
    private static final int LEAKY = 1;
    /** Times the leaky-ReLU derivative read from h (input gradient through a hidden layer). */
    private static final int LEAKY_GRAD = 2;

    /**
     * Whether the 4-row × 4-vector blocks run. They keep 21 vectors in registers (16 accumulators, 4 of B, one
     * broadcast of A): aarch64 and AVX-512 have 32 vector registers, but x86 with 256-bit vectors (AVX2) has 16,
     * where the 4 × 4 block spills accumulators to the stack in its inner loop; there the 4 × 2 blocks (11
     * registers) do the same sums. Either way every element is the same ordered sum: the choice changes speed, not
     * bits.
     */
    private final boolean block4x4;

    /** The kernel with the block shape that fits this machine's vector registers. */
    VectorDenseKernel() {
        this(S.vectorBitSize() >= 512 || !System.getProperty("os.arch", "").matches("amd64|x86_64|x86|i386"));
    }

    /** The kernel with or without the 4 × 4 blocks (for tests: both give the same bits). */
    VectorDenseKernel(boolean block4x4) {
        this.block4x4 = block4x4;
    }

    @Override
    public void forward(double[] x, int n, int in, int out, double[] w, int wOff, double[] wt, double[] b, int bOff,
            double[] y, boolean leaky) {
        if (out < L) {
            if (in >= L) {
                narrowDots(x, n, in, w, wOff, 0, out, out, b, bOff, y, leaky ? LEAKY : NONE, null);
            } else {
                forwardNarrow(x, n, in, out, w, wOff, b, bOff, y, leaky);
            }
            return;
        }
        gemm(x, 0, in, 1, n, in, wt, 0, out, out, y, 0, b, bOff, 0, leaky ? LEAKY : NONE, null);
    }

    @Override
    public void backwardInput(double[] dy, int n, int in, int out, double[] w, int wOff, double[] wt, double[] dx,
            double[] hPrev) {
        int act = hPrev != null ? LEAKY_GRAD : NONE;
        if (in < L) {
            if (out >= L) {
                narrowDots(dy, n, out, wt, 0, 0, in, in, null, 0, dx, act, hPrev);
                return;
            }
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
        gemm(dy, 0, out, 1, n, out, w, wOff, in, in, dx, 0, zeros(in), 0, 0, act, hPrev);
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
            accumulateNarrowInput(dy, x, n, in, out, g, wOff, scratch, 0);
            return;
        }
        // weights: row o of dW is g[o,:] + Σ_r dy[r,o]·x[r,:] (summed onto the gradient in order of r), lanes over
        // the inputs; A(o, r) = dy[r·out + o]
        int full = in - in % L;
        gemm(dy, 0, 1, out, out, n, x, 0, in, full, g, wOff, g, wOff, in, NONE, null);
        if (full < in) {
            accumulateNarrowInput(dy, x, n, in, out, g, wOff, scratch, full);
        }
    }

    /**
     * C(r, j) = I(r, j) + Σ_{q<k} A(r, q)·B[bOff + q·m + j] for r &lt; rows and j &lt; cols (m the row length of B
     * and C), with A(r, q) = a[aOff + r·aRow + q·aCol] (strides, so Aᵀ reads the same way),
     * C(r, j) at c[cOff + r·m + j] and the start I(r, j) = init[initOff + r·initRow + j]: the bias (initRow 0), zeros,
     * or C itself (to accumulate). The sum runs over q in increasing order from the start value; then the activation
     * {@code act} (NONE, LEAKY, or LEAKY_GRAD with h[r·m + j]). Every value stays in registers: no vector crosses a
     * branch or a call, which the Vector API's compiler support needs.
     *
     * <p>Columns past the last full vector (cols not a multiple of L, cols ≥ L) are computed as one more vector
     * ending at the last column, overlapping the previous one: the overlapped elements are the same ordered sums, so
     * writing them twice changes nothing. That needs C to be overwritten, not accumulated into (init ≠ c); when
     * accumulating, cols must be a multiple of L.
     */
    private void gemm(double[] a, int aOff, int aRow, int aCol, int rows, int k, double[] bm, int bOff, int m,
            int cols, double[] c, int cOff, double[] init, int initOff, int initRow, int act, double[] h) {
        int full = cols - cols % L;
        int j = 0;
        if (block4x4 && (aCol == 1 || aRow == 1)) {
            for (; j + 4 * L <= full; j += 4 * L) {
                int r = 0;
                for (; r + 4 <= rows; r += 4) {
                    if (aCol == 1) {
                        block4x4Rows(a, aOff + r * aRow, aRow, k, bm, bOff + j, m, c, cOff + r * m + j, init,
                                initOff + r * initRow + j, initRow);
                    } else {
                        block4x4Cols(a, aOff + r, aCol, k, bm, bOff + j, m, c, cOff + r * m + j, init,
                                initOff + r * initRow + j, initRow);
                    }
                }
                for (; r < rows; r++) {
                    block1x2(a, aOff + r * aRow, aCol, k, bm, bOff + j, m, c, cOff + r * m + j, init,
                            initOff + r * initRow + j);
                    block1x2(a, aOff + r * aRow, aCol, k, bm, bOff + j + 2 * L, m, c, cOff + r * m + j + 2 * L,
                            init, initOff + r * initRow + j + 2 * L);
                }
            }
        }
        // the remaining vectors of columns: the full ones from j, then one ending at the last column if cols is not
        // a multiple of L; in pairs, then one alone
        int last = full < cols && cols >= L ? cols - L : -1;
        int remaining = (full - j) / L + (last >= 0 ? 1 : 0);
        while (remaining >= 2) {
            int j2 = j + L < full ? j + L : last;
            pair(a, aOff, aRow, aCol, rows, k, bm, bOff, m, c, cOff, init, initOff, initRow, j, j2 - j);
            remaining -= 2;
            j = j2 + L;
        }
        if (remaining == 1) {
            int jj = j < full ? j : last;
            int r = 0;
            for (; r + 8 <= rows; r += 8) {
                block8x1(a, aOff + r * aRow, aRow, aCol, k, bm, bOff + jj, m, c, cOff + r * m + jj, init,
                        initOff + r * initRow + jj, initRow);
            }
            for (; r + 4 <= rows; r += 4) {
                block4x1(a, aOff + r * aRow, aRow, aCol, k, bm, bOff + jj, m, c, cOff + r * m + jj, init,
                        initOff + r * initRow + jj, initRow);
            }
            for (; r < rows; r++) {
                block1x1(a, aOff + r * aRow, aCol, k, bm, bOff + jj, m, c, cOff + r * m + jj, init,
                        initOff + r * initRow + jj);
            }
        }
        activate(c, cOff, rows, m, full, cols, act, h);
    }

    /** Two vectors of columns, at j and j + dj, for every row. */
    private static void pair(double[] a, int aOff, int aRow, int aCol, int rows, int k, double[] bm, int bOff, int m,
            double[] c, int cOff, double[] init, int initOff, int initRow, int j, int dj) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            if (aCol == 1) {
                block4x2Rows(a, aOff + r * aRow, aRow, aCol, k, bm, bOff + j, m, c, cOff + r * m + j, init,
                        initOff + r * initRow + j, initRow, dj);
            } else {
                block4x2(a, aOff + r * aRow, aRow, aCol, k, bm, bOff + j, m, c, cOff + r * m + j, init,
                        initOff + r * initRow + j, initRow, dj);
            }
        }
        for (; r < rows; r++) {
            block1x1(a, aOff + r * aRow, aCol, k, bm, bOff + j, m, c, cOff + r * m + j, init,
                    initOff + r * initRow + j);
            block1x1(a, aOff + r * aRow, aCol, k, bm, bOff + j + dj, m, c, cOff + r * m + j + dj, init,
                    initOff + r * initRow + j + dj);
        }
    }

    /** The activation over rows × columns [0, cols), vectors over [0, full) and single elements after. */
    private static void activate(double[] c, int cOff, int rows, int m, int full, int cols, int act, double[] h) {
        if (act == LEAKY) {
            for (int r = 0; r < rows; r++) {
                int q = cOff + r * m;
                for (int end = q + full; q < end; q += L) {
                    DoubleVector v = DoubleVector.fromArray(S, c, q);
                    v.max(v.mul(SLOPE)).intoArray(c, q);
                }
                for (int end = cOff + r * m + cols; q < end; q++) {
                    c[q] = c[q] > 0 ? c[q] : SLOPE * c[q];
                }
            }
        } else if (act == LEAKY_GRAD) {
            for (int r = 0; r < rows; r++) {
                int q = r * m;
                for (int end = q + full; q < end; q += L) {
                    leakyGrad(DoubleVector.fromArray(S, c, cOff + q), h, q).intoArray(c, cOff + q);
                }
                for (int end = r * m + cols; q < end; q++) {
                    if (!(h[q] > 0)) {
                        c[cOff + q] *= SLOPE;
                    }
                }
            }
        }
    }

    /** Zeros to start sums from (read-only; replaced by a longer array when a wider product needs one). */
    private static volatile double[] zeros = new double[1024];

    private static double[] zeros(int length) {
        double[] z = zeros;
        if (z.length < length) {
            z = new double[Math.max(length, 2 * z.length)];
            zeros = z;
        }
        return z;
    }

    /** Rows r … r+3 × two vectors of columns, at j and j + dj (C at c0, start at i0): eight accumulators. */
    private static void block4x2(double[] a, int a0, int aRow, int aCol, int k, double[] bm, int b0, int m, double[] c,
            int c0, double[] init, int i0, int initRow, int dj) {
        DoubleVector s00 = DoubleVector.fromArray(S, init, i0);
        DoubleVector s01 = DoubleVector.fromArray(S, init, i0 + dj);
        DoubleVector s10 = DoubleVector.fromArray(S, init, i0 + initRow);
        DoubleVector s11 = DoubleVector.fromArray(S, init, i0 + initRow + dj);
        DoubleVector s20 = DoubleVector.fromArray(S, init, i0 + 2 * initRow);
        DoubleVector s21 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + dj);
        DoubleVector s30 = DoubleVector.fromArray(S, init, i0 + 3 * initRow);
        DoubleVector s31 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + dj);
        for (int q = 0; q < k; q++) {
            int bq = b0 + q * m;
            DoubleVector v0 = DoubleVector.fromArray(S, bm, bq);
            DoubleVector v1 = DoubleVector.fromArray(S, bm, bq + dj);
            int aq = a0 + q * aCol;
            DoubleVector x0 = DoubleVector.broadcast(S, a[aq]);
            DoubleVector x1 = DoubleVector.broadcast(S, a[aq + aRow]);
            DoubleVector x2 = DoubleVector.broadcast(S, a[aq + 2 * aRow]);
            DoubleVector x3 = DoubleVector.broadcast(S, a[aq + 3 * aRow]);
            s00 = v0.fma(x0, s00);
            s01 = v1.fma(x0, s01);
            s10 = v0.fma(x1, s10);
            s11 = v1.fma(x1, s11);
            s20 = v0.fma(x2, s20);
            s21 = v1.fma(x2, s21);
            s30 = v0.fma(x3, s30);
            s31 = v1.fma(x3, s31);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + dj);
        s10.intoArray(c, c0 + m);
        s11.intoArray(c, c0 + m + dj);
        s20.intoArray(c, c0 + 2 * m);
        s21.intoArray(c, c0 + 2 * m + dj);
        s30.intoArray(c, c0 + 3 * m);
        s31.intoArray(c, c0 + 3 * m + dj);
    }

    /**
     * Rows r … r+3 × columns j … j+4L−1 of a row-major A (aCol = 1): sixteen accumulators, each load of B feeding
     * four fused multiply-adds and each broadcast of A four more.
     */
    private static void block4x4Rows(double[] a, int a0, int aRow, int k, double[] bm, int b0, int m, double[] c,
            int c0, double[] init, int i0, int initRow) {
        DoubleVector s00 = DoubleVector.fromArray(S, init, i0);
        DoubleVector s01 = DoubleVector.fromArray(S, init, i0 + L);
        DoubleVector s02 = DoubleVector.fromArray(S, init, i0 + 2 * L);
        DoubleVector s03 = DoubleVector.fromArray(S, init, i0 + 3 * L);
        DoubleVector s10 = DoubleVector.fromArray(S, init, i0 + initRow);
        DoubleVector s11 = DoubleVector.fromArray(S, init, i0 + initRow + L);
        DoubleVector s12 = DoubleVector.fromArray(S, init, i0 + initRow + 2 * L);
        DoubleVector s13 = DoubleVector.fromArray(S, init, i0 + initRow + 3 * L);
        DoubleVector s20 = DoubleVector.fromArray(S, init, i0 + 2 * initRow);
        DoubleVector s21 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + L);
        DoubleVector s22 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + 2 * L);
        DoubleVector s23 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + 3 * L);
        DoubleVector s30 = DoubleVector.fromArray(S, init, i0 + 3 * initRow);
        DoubleVector s31 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + L);
        DoubleVector s32 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + 2 * L);
        DoubleVector s33 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + 3 * L);
        int a1 = a0 + aRow;
        int a2 = a1 + aRow;
        int a3 = a2 + aRow;
        for (int q = 0, bq = b0; q < k; q++, bq += m) {
            DoubleVector v0 = DoubleVector.fromArray(S, bm, bq);
            DoubleVector v1 = DoubleVector.fromArray(S, bm, bq + L);
            DoubleVector v2 = DoubleVector.fromArray(S, bm, bq + 2 * L);
            DoubleVector v3 = DoubleVector.fromArray(S, bm, bq + 3 * L);
            DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + q]);
            s00 = v0.fma(x0, s00);
            s01 = v1.fma(x0, s01);
            s02 = v2.fma(x0, s02);
            s03 = v3.fma(x0, s03);
            DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + q]);
            s10 = v0.fma(x1, s10);
            s11 = v1.fma(x1, s11);
            s12 = v2.fma(x1, s12);
            s13 = v3.fma(x1, s13);
            DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + q]);
            s20 = v0.fma(x2, s20);
            s21 = v1.fma(x2, s21);
            s22 = v2.fma(x2, s22);
            s23 = v3.fma(x2, s23);
            DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + q]);
            s30 = v0.fma(x3, s30);
            s31 = v1.fma(x3, s31);
            s32 = v2.fma(x3, s32);
            s33 = v3.fma(x3, s33);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s02.intoArray(c, c0 + 2 * L);
        s03.intoArray(c, c0 + 3 * L);
        s10.intoArray(c, c0 + m);
        s11.intoArray(c, c0 + m + L);
        s12.intoArray(c, c0 + m + 2 * L);
        s13.intoArray(c, c0 + m + 3 * L);
        s20.intoArray(c, c0 + 2 * m);
        s21.intoArray(c, c0 + 2 * m + L);
        s22.intoArray(c, c0 + 2 * m + 2 * L);
        s23.intoArray(c, c0 + 2 * m + 3 * L);
        s30.intoArray(c, c0 + 3 * m);
        s31.intoArray(c, c0 + 3 * m + L);
        s32.intoArray(c, c0 + 3 * m + 2 * L);
        s33.intoArray(c, c0 + 3 * m + 3 * L);
    }

    /**
     * Rows r … r+3 × columns j … j+4L−1 of an A stored transposed (aRow = 1, so the four rows' entries for one q
     * are adjacent): sixteen accumulators, as {@link #block4x4Rows}.
     */
    private static void block4x4Cols(double[] a, int a0, int aCol, int k, double[] bm, int b0, int m, double[] c,
            int c0, double[] init, int i0, int initRow) {
        DoubleVector s00 = DoubleVector.fromArray(S, init, i0);
        DoubleVector s01 = DoubleVector.fromArray(S, init, i0 + L);
        DoubleVector s02 = DoubleVector.fromArray(S, init, i0 + 2 * L);
        DoubleVector s03 = DoubleVector.fromArray(S, init, i0 + 3 * L);
        DoubleVector s10 = DoubleVector.fromArray(S, init, i0 + initRow);
        DoubleVector s11 = DoubleVector.fromArray(S, init, i0 + initRow + L);
        DoubleVector s12 = DoubleVector.fromArray(S, init, i0 + initRow + 2 * L);
        DoubleVector s13 = DoubleVector.fromArray(S, init, i0 + initRow + 3 * L);
        DoubleVector s20 = DoubleVector.fromArray(S, init, i0 + 2 * initRow);
        DoubleVector s21 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + L);
        DoubleVector s22 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + 2 * L);
        DoubleVector s23 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + 3 * L);
        DoubleVector s30 = DoubleVector.fromArray(S, init, i0 + 3 * initRow);
        DoubleVector s31 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + L);
        DoubleVector s32 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + 2 * L);
        DoubleVector s33 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + 3 * L);
        for (int q = 0, aq = a0, bq = b0; q < k; q++, aq += aCol, bq += m) {
            DoubleVector v0 = DoubleVector.fromArray(S, bm, bq);
            DoubleVector v1 = DoubleVector.fromArray(S, bm, bq + L);
            DoubleVector v2 = DoubleVector.fromArray(S, bm, bq + 2 * L);
            DoubleVector v3 = DoubleVector.fromArray(S, bm, bq + 3 * L);
            DoubleVector x0 = DoubleVector.broadcast(S, a[aq]);
            s00 = v0.fma(x0, s00);
            s01 = v1.fma(x0, s01);
            s02 = v2.fma(x0, s02);
            s03 = v3.fma(x0, s03);
            DoubleVector x1 = DoubleVector.broadcast(S, a[aq + 1]);
            s10 = v0.fma(x1, s10);
            s11 = v1.fma(x1, s11);
            s12 = v2.fma(x1, s12);
            s13 = v3.fma(x1, s13);
            DoubleVector x2 = DoubleVector.broadcast(S, a[aq + 2]);
            s20 = v0.fma(x2, s20);
            s21 = v1.fma(x2, s21);
            s22 = v2.fma(x2, s22);
            s23 = v3.fma(x2, s23);
            DoubleVector x3 = DoubleVector.broadcast(S, a[aq + 3]);
            s30 = v0.fma(x3, s30);
            s31 = v1.fma(x3, s31);
            s32 = v2.fma(x3, s32);
            s33 = v3.fma(x3, s33);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s02.intoArray(c, c0 + 2 * L);
        s03.intoArray(c, c0 + 3 * L);
        s10.intoArray(c, c0 + m);
        s11.intoArray(c, c0 + m + L);
        s12.intoArray(c, c0 + m + 2 * L);
        s13.intoArray(c, c0 + m + 3 * L);
        s20.intoArray(c, c0 + 2 * m);
        s21.intoArray(c, c0 + 2 * m + L);
        s22.intoArray(c, c0 + 2 * m + 2 * L);
        s23.intoArray(c, c0 + 2 * m + 3 * L);
        s30.intoArray(c, c0 + 3 * m);
        s31.intoArray(c, c0 + 3 * m + L);
        s32.intoArray(c, c0 + 3 * m + 2 * L);
        s33.intoArray(c, c0 + 3 * m + 3 * L);
    }

    /** Rows r … r+3 × two vectors of columns, at j and j + dj (C at c0, start at i0): eight accumulators. */
    private static void block4x2Rows(double[] a, int a0, int aRow, int aCol, int k, double[] bm, int b0, int m, double[] c,
            int c0, double[] init, int i0, int initRow, int dj) {
        DoubleVector s00 = DoubleVector.fromArray(S, init, i0);
        DoubleVector s01 = DoubleVector.fromArray(S, init, i0 + dj);
        DoubleVector s10 = DoubleVector.fromArray(S, init, i0 + initRow);
        DoubleVector s11 = DoubleVector.fromArray(S, init, i0 + initRow + dj);
        DoubleVector s20 = DoubleVector.fromArray(S, init, i0 + 2 * initRow);
        DoubleVector s21 = DoubleVector.fromArray(S, init, i0 + 2 * initRow + dj);
        DoubleVector s30 = DoubleVector.fromArray(S, init, i0 + 3 * initRow);
        DoubleVector s31 = DoubleVector.fromArray(S, init, i0 + 3 * initRow + dj);
        int a1 = a0 + aRow;
        int a2 = a1 + aRow;
        int a3 = a2 + aRow;
        for (int q = 0, bq = b0; q < k; q++, bq += m) {
            DoubleVector v0 = DoubleVector.fromArray(S, bm, bq);
            DoubleVector v1 = DoubleVector.fromArray(S, bm, bq + dj);
            DoubleVector x0 = DoubleVector.broadcast(S, a[a0 + q]);
            DoubleVector x1 = DoubleVector.broadcast(S, a[a1 + q]);
            DoubleVector x2 = DoubleVector.broadcast(S, a[a2 + q]);
            DoubleVector x3 = DoubleVector.broadcast(S, a[a3 + q]);
            s00 = v0.fma(x0, s00);
            s01 = v1.fma(x0, s01);
            s10 = v0.fma(x1, s10);
            s11 = v1.fma(x1, s11);
            s20 = v0.fma(x2, s20);
            s21 = v1.fma(x2, s21);
            s30 = v0.fma(x3, s30);
            s31 = v1.fma(x3, s31);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + dj);
        s10.intoArray(c, c0 + m);
        s11.intoArray(c, c0 + m + dj);
        s20.intoArray(c, c0 + 2 * m);
        s21.intoArray(c, c0 + 2 * m + dj);
        s30.intoArray(c, c0 + 3 * m);
        s31.intoArray(c, c0 + 3 * m + dj);
    }

    /** Rows r … r+7 × columns j … j+L−1: eight accumulators. */
    private static void block8x1(double[] a, int a0, int aRow, int aCol, int k, double[] bm, int b0, int m, double[] c,
            int c0, double[] init, int i0, int initRow) {
        DoubleVector s0 = DoubleVector.fromArray(S, init, i0);
        DoubleVector s1 = DoubleVector.fromArray(S, init, i0 + initRow);
        DoubleVector s2 = DoubleVector.fromArray(S, init, i0 + 2 * initRow);
        DoubleVector s3 = DoubleVector.fromArray(S, init, i0 + 3 * initRow);
        DoubleVector s4 = DoubleVector.fromArray(S, init, i0 + 4 * initRow);
        DoubleVector s5 = DoubleVector.fromArray(S, init, i0 + 5 * initRow);
        DoubleVector s6 = DoubleVector.fromArray(S, init, i0 + 6 * initRow);
        DoubleVector s7 = DoubleVector.fromArray(S, init, i0 + 7 * initRow);
        for (int q = 0, aq = a0, bq = b0; q < k; q++, aq += aCol, bq += m) {
            DoubleVector v = DoubleVector.fromArray(S, bm, bq);
            s0 = v.fma(DoubleVector.broadcast(S, a[aq]), s0);
            s1 = v.fma(DoubleVector.broadcast(S, a[aq + aRow]), s1);
            s2 = v.fma(DoubleVector.broadcast(S, a[aq + 2 * aRow]), s2);
            s3 = v.fma(DoubleVector.broadcast(S, a[aq + 3 * aRow]), s3);
            s4 = v.fma(DoubleVector.broadcast(S, a[aq + 4 * aRow]), s4);
            s5 = v.fma(DoubleVector.broadcast(S, a[aq + 5 * aRow]), s5);
            s6 = v.fma(DoubleVector.broadcast(S, a[aq + 6 * aRow]), s6);
            s7 = v.fma(DoubleVector.broadcast(S, a[aq + 7 * aRow]), s7);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + m);
        s2.intoArray(c, c0 + 2 * m);
        s3.intoArray(c, c0 + 3 * m);
        s4.intoArray(c, c0 + 4 * m);
        s5.intoArray(c, c0 + 5 * m);
        s6.intoArray(c, c0 + 6 * m);
        s7.intoArray(c, c0 + 7 * m);
    }

    /** Rows r … r+3 × columns j … j+L−1: four accumulators. */
    private static void block4x1(double[] a, int a0, int aRow, int aCol, int k, double[] bm, int b0, int m, double[] c,
            int c0, double[] init, int i0, int initRow) {
        DoubleVector s0 = DoubleVector.fromArray(S, init, i0);
        DoubleVector s1 = DoubleVector.fromArray(S, init, i0 + initRow);
        DoubleVector s2 = DoubleVector.fromArray(S, init, i0 + 2 * initRow);
        DoubleVector s3 = DoubleVector.fromArray(S, init, i0 + 3 * initRow);
        for (int q = 0; q < k; q++) {
            DoubleVector v = DoubleVector.fromArray(S, bm, b0 + q * m);
            int aq = a0 + q * aCol;
            s0 = v.fma(DoubleVector.broadcast(S, a[aq]), s0);
            s1 = v.fma(DoubleVector.broadcast(S, a[aq + aRow]), s1);
            s2 = v.fma(DoubleVector.broadcast(S, a[aq + 2 * aRow]), s2);
            s3 = v.fma(DoubleVector.broadcast(S, a[aq + 3 * aRow]), s3);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + m);
        s2.intoArray(c, c0 + 2 * m);
        s3.intoArray(c, c0 + 3 * m);
    }

    /** One row × columns j … j+2L−1. */
    private static void block1x2(double[] a, int a0, int aCol, int k, double[] bm, int b0, int m, double[] c, int c0,
            double[] init, int i0) {
        DoubleVector s0 = DoubleVector.fromArray(S, init, i0);
        DoubleVector s1 = DoubleVector.fromArray(S, init, i0 + L);
        for (int q = 0; q < k; q++) {
            int bq = b0 + q * m;
            DoubleVector x = DoubleVector.broadcast(S, a[a0 + q * aCol]);
            s0 = DoubleVector.fromArray(S, bm, bq).fma(x, s0);
            s1 = DoubleVector.fromArray(S, bm, bq + L).fma(x, s1);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + L);
    }

    /** One row × columns j … j+L−1. */
    private static void block1x1(double[] a, int a0, int aCol, int k, double[] bm, int b0, int m, double[] c, int c0,
            double[] init, int i0) {
        DoubleVector s = DoubleVector.fromArray(S, init, i0);
        for (int q = 0; q < k; q++) {
            s = DoubleVector.fromArray(S, bm, b0 + q * m).fma(DoubleVector.broadcast(S, a[a0 + q * aCol]), s);
        }
        s.intoArray(c, c0);
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
     * z[r·zRow + c] = bias[bOff + c] + Σ_j a[r, j]·m[mOff + c·k + j] for c0 ≤ c &lt; c1 (few columns, read row-wise
     * from m; k the row length of a and m): per row, two columns at a time share each load of the row of a, lanes
     * over j, one horizontal sum per result. Then the activation (LEAKY, or LEAKY_GRAD read from h at the same index).
     */
    private static void narrowDots(double[] a, int n, int k, double[] m, int mOff, int c0, int c1, int zRow,
            double[] bias, int bOff, double[] z, int act, double[] h) {
        int kv = k - k % L;
        for (int r = 0; r < n; r++) {
            int ar = r * k;
            int c = c0;
            for (; c + 2 <= c1; c += 2) {
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
                z[r * zRow + c] = u;
                z[r * zRow + c + 1] = v;
            }
            for (; c < c1; c++) {
                int m0 = mOff + c * k;
                DoubleVector s0 = DoubleVector.zero(S);
                for (int j = 0; j < kv; j += L) {
                    s0 = DoubleVector.fromArray(S, a, ar + j).fma(DoubleVector.fromArray(S, m, m0 + j), s0);
                }
                double u = s0.reduceLanes(VectorOperators.ADD);
                for (int j = kv; j < k; j++) {
                    u = Math.fma(a[ar + j], m[m0 + j], u);
                }
                z[r * zRow + c] = bias != null ? u + bias[bOff + c] : u;
            }
            for (int q = r * zRow + c0; q < r * zRow + c1; q++) {
                if (act == LEAKY) {
                    double v = z[q];
                    z[q] = v > 0 ? v : SLOPE * v;
                } else if (act == LEAKY_GRAD && !(h[q] > 0)) {
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

    /** a ⊙ (h &gt; 0 ? 1 : α). */
    private static DoubleVector leakyGrad(DoubleVector a, double[] h, int off) {
        VectorMask<Double> positive = DoubleVector.fromArray(S, h, off).compare(VectorOperators.GT, 0.0);
        return a.mul(SLOPE).blend(a, positive);
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
     * Few inputs (those from i0 on): column i of dW is Σ_r x[r,i]·dy[r,:], lanes over the outputs, two inputs at a
     * time, staged in {@code scratch} and added to g with stride in.
     */
    private static void accumulateNarrowInput(double[] dy, double[] x, int n, int in, int out, double[] g,
            int wOff, double[] scratch, int i0) {
        int o = 0;
        for (; o + L <= out; o += L) {
            int i = i0;
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
            for (int i = i0; i < in; i++) {
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

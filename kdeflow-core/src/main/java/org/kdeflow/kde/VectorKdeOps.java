package org.kdeflow.kde;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KdeOps} on {@code jdk.incubator.vector}. Loaded only when the module is present (see {@link KdeOps#best()}).
 *
 * <p>exp is hand-written rather than {@code lanewise(EXP)} (which in JDK 17 falls back to a scalar loop on builds
 * without SVML stubs; {@code kdeflow bench kde} measures both): range reduction x = k·ln2 + r with k = round(x/ln2),
 * |r| ≤ ln2/2, r computed with ln2 split in a high and a low part (fdlibm's constants) by fused multiply-adds; e^r by
 * its Taylor polynomial of degree 12 in Horner form (truncation |r|¹³/13! ≤ 1.7e−16); 2^k assembled in the exponent
 * bits. k is rounded with the 1.5·2⁵² trick, so the integer is read from the low bits of x·log₂e + 1.5·2⁵².
 */
public final class VectorKdeOps implements KdeOps {
    /** The instance {@link KdeOps#best()} returns. */
    public static final VectorKdeOps INSTANCE = new VectorKdeOps();

    static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED.length() <= PAD
            ? DoubleVector.SPECIES_PREFERRED : DoubleVector.SPECIES_512;
    private static final int L = S.length();

    private static final double LOG2E = 1.4426950408889634;
    private static final double LN2_HI = 6.93147180369123816490e-01;
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double MAGIC = 6755399441055744.0; // 1.5·2^52
    private static final long MAGIC_BITS = Double.doubleToRawLongBits(MAGIC);
    private static final double[] C = {
        1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
        1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600};

    private VectorKdeOps() {
    }

    /** Lane-wise e^x for x ≤ 0 (x &lt; EXP_MIN gives 0), relative error ≤ ~3e−16. */
    static DoubleVector exp(DoubleVector x) {
        VectorMask<Double> under = x.compare(VectorOperators.LT, EXP_MIN);
        DoubleVector xc = x.max(EXP_MIN);
        DoubleVector t = xc.fma(DoubleVector.broadcast(S, LOG2E), DoubleVector.broadcast(S, MAGIC));
        DoubleVector k = t.sub(MAGIC);
        DoubleVector r = k.fma(DoubleVector.broadcast(S, -LN2_HI), xc);
        r = k.fma(DoubleVector.broadcast(S, -LN2_LO), r);
        DoubleVector p = DoubleVector.broadcast(S, C[12]);
        p = p.fma(r, DoubleVector.broadcast(S, C[11]));
        p = p.fma(r, DoubleVector.broadcast(S, C[10]));
        p = p.fma(r, DoubleVector.broadcast(S, C[9]));
        p = p.fma(r, DoubleVector.broadcast(S, C[8]));
        p = p.fma(r, DoubleVector.broadcast(S, C[7]));
        p = p.fma(r, DoubleVector.broadcast(S, C[6]));
        p = p.fma(r, DoubleVector.broadcast(S, C[5]));
        p = p.fma(r, DoubleVector.broadcast(S, C[4]));
        p = p.fma(r, DoubleVector.broadcast(S, C[3]));
        p = p.fma(r, DoubleVector.broadcast(S, C[2]));
        p = p.fma(r, DoubleVector.broadcast(S, C[1]));
        p = p.fma(r, DoubleVector.broadcast(S, C[0]));
        LongVector bits = ((LongVector) t.reinterpretAsLongs())
                .add(1023 - MAGIC_BITS).lanewise(VectorOperators.LSHL, 52);
        return p.mul(bits.reinterpretAsDoubles()).blend(0.0, under);
    }

    @Override
    public void gaussianSums(double[] zT, int stride, double[] w, int from, int to, int d, double[] y, int m,
                             double[] out) {
        DoubleVector half = DoubleVector.broadcast(S, -0.5);
        if (d == 1) {
            for (int q = 0; q < m; q++) {
                DoubleVector y0 = DoubleVector.broadcast(S, y[q]);
                DoubleVector acc = DoubleVector.zero(S);
                for (int i = from; i < to; i += L) {
                    DoubleVector d0 = DoubleVector.fromArray(S, zT, i).sub(y0);
                    DoubleVector e = exp(d0.mul(d0).mul(half));
                    acc = e.fma(DoubleVector.fromArray(S, w, i), acc);
                }
                out[q] += acc.reduceLanes(VectorOperators.ADD);
            }
        } else if (d == 2) {
            for (int q = 0; q < m; q++) {
                DoubleVector y0 = DoubleVector.broadcast(S, y[2 * q]);
                DoubleVector y1 = DoubleVector.broadcast(S, y[2 * q + 1]);
                DoubleVector acc = DoubleVector.zero(S);
                for (int i = from; i < to; i += L) {
                    DoubleVector d0 = DoubleVector.fromArray(S, zT, i).sub(y0);
                    DoubleVector d1 = DoubleVector.fromArray(S, zT, stride + i).sub(y1);
                    DoubleVector r2 = d1.fma(d1, d0.mul(d0));
                    DoubleVector e = exp(r2.mul(half));
                    acc = e.fma(DoubleVector.fromArray(S, w, i), acc);
                }
                out[q] += acc.reduceLanes(VectorOperators.ADD);
            }
        } else {
            for (int q = 0; q < m; q++) {
                int yo = q * d;
                DoubleVector acc = DoubleVector.zero(S);
                for (int i = from; i < to; i += L) {
                    DoubleVector r2 = DoubleVector.zero(S);
                    for (int j = 0; j < d; j++) {
                        DoubleVector dj = DoubleVector.fromArray(S, zT, j * stride + i).sub(y[yo + j]);
                        r2 = dj.fma(dj, r2);
                    }
                    DoubleVector e = exp(r2.mul(half));
                    acc = e.fma(DoubleVector.fromArray(S, w, i), acc);
                }
                out[q] += acc.reduceLanes(VectorOperators.ADD);
            }
        }
    }

    @Override
    public void exp(double[] x, int from, int to) {
        int k = from;
        for (int end = from + S.loopBound(to - from); k < end; k += L) {
            exp(DoubleVector.fromArray(S, x, k)).intoArray(x, k);
        }
        for (; k < to; k++) {
            x[k] = ScalarKdeOps.exp0(x[k]);
        }
    }

    /** exp by the Vector API's own {@code lanewise(EXP)}, for the benchmark's comparison only. */
    public static void expLanewise(double[] x, int from, int to) {
        int k = from;
        for (int end = from + S.loopBound(to - from); k < end; k += L) {
            DoubleVector.fromArray(S, x, k).lanewise(VectorOperators.EXP).intoArray(x, k);
        }
        for (; k < to; k++) {
            x[k] = Math.exp(x[k]);
        }
    }

    @Override
    public void gramAccumulate(double[] A, int g1, double[] B, int g2, int nc, double[] F) {
        for (int b = 0; b < g2; b++) {
            int bo = b * nc;
            int a = 0;
            for (; a + 3 < g1; a += 4) {
                int a0 = a * nc;
                int a1 = a0 + nc;
                int a2 = a1 + nc;
                int a3 = a2 + nc;
                DoubleVector s0 = DoubleVector.zero(S);
                DoubleVector s1 = DoubleVector.zero(S);
                DoubleVector s2 = DoubleVector.zero(S);
                DoubleVector s3 = DoubleVector.zero(S);
                for (int i = 0; i < nc; i += L) {
                    DoubleVector bv = DoubleVector.fromArray(S, B, bo + i);
                    s0 = DoubleVector.fromArray(S, A, a0 + i).fma(bv, s0);
                    s1 = DoubleVector.fromArray(S, A, a1 + i).fma(bv, s1);
                    s2 = DoubleVector.fromArray(S, A, a2 + i).fma(bv, s2);
                    s3 = DoubleVector.fromArray(S, A, a3 + i).fma(bv, s3);
                }
                int fo = b * g1 + a;
                F[fo] += s0.reduceLanes(VectorOperators.ADD);
                F[fo + 1] += s1.reduceLanes(VectorOperators.ADD);
                F[fo + 2] += s2.reduceLanes(VectorOperators.ADD);
                F[fo + 3] += s3.reduceLanes(VectorOperators.ADD);
            }
            for (; a < g1; a++) {
                int ao = a * nc;
                DoubleVector s = DoubleVector.zero(S);
                for (int i = 0; i < nc; i += L) {
                    s = DoubleVector.fromArray(S, A, ao + i).fma(DoubleVector.fromArray(S, B, bo + i), s);
                }
                F[b * g1 + a] += s.reduceLanes(VectorOperators.ADD);
            }
        }
    }

    @Override
    public String name() {
        return "vector(" + L + " lanes)";
    }
}

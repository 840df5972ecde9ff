package org.kdeflow.kernels;

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
    /** The instance {@link KdeOps#best()} returns: the hand-written exp. */
    public static final VectorKdeOps INSTANCE = new VectorKdeOps(false);
    /** The same loops with the Vector API's {@code lanewise(EXP)}, for the benchmark's comparison. */
    public static final VectorKdeOps LANEWISE = new VectorKdeOps(true);

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

    private final boolean lanewise;

    private VectorKdeOps(boolean lanewise) {
        this.lanewise = lanewise;
    }

    private static final DoubleVector V_LOG2E = DoubleVector.broadcast(S, LOG2E);
    private static final DoubleVector V_MAGIC = DoubleVector.broadcast(S, MAGIC);
    private static final DoubleVector V_NLN2_HI = DoubleVector.broadcast(S, -LN2_HI);
    private static final DoubleVector V_NLN2_LO = DoubleVector.broadcast(S, -LN2_LO);
    private static final DoubleVector V_MIN = DoubleVector.broadcast(S, EXP_MIN);
    private static final DoubleVector V_ZERO = DoubleVector.zero(S);
    private static final DoubleVector C2 = DoubleVector.broadcast(S, C[2]);
    private static final DoubleVector C3 = DoubleVector.broadcast(S, C[3]);
    private static final DoubleVector C4 = DoubleVector.broadcast(S, C[4]);
    private static final DoubleVector C5 = DoubleVector.broadcast(S, C[5]);
    private static final DoubleVector C6 = DoubleVector.broadcast(S, C[6]);
    private static final DoubleVector C7 = DoubleVector.broadcast(S, C[7]);
    private static final DoubleVector C8 = DoubleVector.broadcast(S, C[8]);
    private static final DoubleVector C9 = DoubleVector.broadcast(S, C[9]);
    private static final DoubleVector C10 = DoubleVector.broadcast(S, C[10]);
    private static final DoubleVector C11 = DoubleVector.broadcast(S, C[11]);
    private static final DoubleVector C12 = DoubleVector.broadcast(S, C[12]);
    private static final DoubleVector ONE = DoubleVector.broadcast(S, 1.0);
    private static final LongVector BIAS = LongVector.broadcast(LongVector.SPECIES_512.length() == L
            ? LongVector.SPECIES_512 : LongVector.SPECIES_256.length() == L ? LongVector.SPECIES_256
            : LongVector.SPECIES_128, 1023 - MAGIC_BITS);

    /**
     * Lane-wise e^x for x ≤ 0 (x &lt; EXP_MIN gives 0), relative error ≤ ~3e−16. The loops below repeat this body
     * inline rather than call it: once the JIT has compiled it on its own, its machine code exceeds the size up to
     * which C2 inlines compiled methods, and a call that is not inlined boxes every vector (measured: 5–20× slower).
     */
    static DoubleVector exp(DoubleVector x) {
        DoubleVector xc = x.max(V_MIN);
        DoubleVector t = xc.fma(V_LOG2E, V_MAGIC);
        DoubleVector k = t.sub(V_MAGIC);
        DoubleVector r = k.fma(V_NLN2_LO, k.fma(V_NLN2_HI, xc));
        DoubleVector p = C12.fma(r, C11).fma(r, C10).fma(r, C9).fma(r, C8).fma(r, C7).fma(r, C6).fma(r, C5)
                .fma(r, C4).fma(r, C3).fma(r, C2).fma(r, ONE).fma(r, ONE);
        DoubleVector scale = t.reinterpretAsLongs().add(BIAS).lanewise(VectorOperators.LSHL, 52)
                .reinterpretAsDoubles();
        return p.mul(scale).blend(V_ZERO, x.compare(VectorOperators.LT, EXP_MIN));
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
                    DoubleVector a = d0.mul(d0).mul(half);
                    DoubleVector ec = a.max(V_MIN);
                    DoubleVector et = ec.fma(V_LOG2E, V_MAGIC);
                    DoubleVector ek = et.sub(V_MAGIC);
                    DoubleVector er = ek.fma(V_NLN2_LO, ek.fma(V_NLN2_HI, ec));
                    DoubleVector ep = C12.fma(er, C11).fma(er, C10).fma(er, C9).fma(er, C8).fma(er, C7)
                            .fma(er, C6).fma(er, C5).fma(er, C4).fma(er, C3).fma(er, C2).fma(er, ONE)
                            .fma(er, ONE);
                    DoubleVector e = ep.mul(et.reinterpretAsLongs().add(BIAS).lanewise(VectorOperators.LSHL, 52)
                            .reinterpretAsDoubles()).blend(V_ZERO, a.compare(VectorOperators.LT, EXP_MIN));
                    acc = e.fma(DoubleVector.fromArray(S, w, i), acc);
                }
                out[q] += acc.reduceLanes(VectorOperators.ADD);
            }
        } else if (d == 2 && lanewise) {
            for (int q = 0; q < m; q++) {
                DoubleVector y0 = DoubleVector.broadcast(S, y[2 * q]);
                DoubleVector y1 = DoubleVector.broadcast(S, y[2 * q + 1]);
                DoubleVector acc = DoubleVector.zero(S);
                for (int i = from; i < to; i += L) {
                    DoubleVector d0 = DoubleVector.fromArray(S, zT, i).sub(y0);
                    DoubleVector d1 = DoubleVector.fromArray(S, zT, stride + i).sub(y1);
                    DoubleVector r2 = d1.fma(d1, d0.mul(d0));
                    DoubleVector e = r2.mul(half).lanewise(VectorOperators.EXP);
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
                    DoubleVector a = r2.mul(half);
                    DoubleVector ec = a.max(V_MIN);
                    DoubleVector et = ec.fma(V_LOG2E, V_MAGIC);
                    DoubleVector ek = et.sub(V_MAGIC);
                    DoubleVector er = ek.fma(V_NLN2_LO, ek.fma(V_NLN2_HI, ec));
                    DoubleVector ep = C12.fma(er, C11).fma(er, C10).fma(er, C9).fma(er, C8).fma(er, C7)
                            .fma(er, C6).fma(er, C5).fma(er, C4).fma(er, C3).fma(er, C2).fma(er, ONE)
                            .fma(er, ONE);
                    DoubleVector e = ep.mul(et.reinterpretAsLongs().add(BIAS).lanewise(VectorOperators.LSHL, 52)
                            .reinterpretAsDoubles()).blend(V_ZERO, a.compare(VectorOperators.LT, EXP_MIN));
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
                    DoubleVector a = r2.mul(half);
                    DoubleVector ec = a.max(V_MIN);
                    DoubleVector et = ec.fma(V_LOG2E, V_MAGIC);
                    DoubleVector ek = et.sub(V_MAGIC);
                    DoubleVector er = ek.fma(V_NLN2_LO, ek.fma(V_NLN2_HI, ec));
                    DoubleVector ep = C12.fma(er, C11).fma(er, C10).fma(er, C9).fma(er, C8).fma(er, C7)
                            .fma(er, C6).fma(er, C5).fma(er, C4).fma(er, C3).fma(er, C2).fma(er, ONE)
                            .fma(er, ONE);
                    DoubleVector e = ep.mul(et.reinterpretAsLongs().add(BIAS).lanewise(VectorOperators.LSHL, 52)
                            .reinterpretAsDoubles()).blend(V_ZERO, a.compare(VectorOperators.LT, EXP_MIN));
                    acc = e.fma(DoubleVector.fromArray(S, w, i), acc);
                }
                out[q] += acc.reduceLanes(VectorOperators.ADD);
            }
        }
    }

    /**
     * The per-sample-bandwidth sums: as {@link #gaussianSums} with the constant −½ replaced by one load of cᵢ per
     * lane, so per-sample bandwidths cost one more vector load per 8 pairs. d = 2 has its own loop (the common case);
     * other d share the general one.
     */
    @Override
    public void gaussianSumsScaled(double[] zT, int stride, double[] w, double[] c, int from, int to, int d,
                                   double[] y, int m, double[] out) {
        if (d == 2) {
            for (int q = 0; q < m; q++) {
                DoubleVector y0 = DoubleVector.broadcast(S, y[2 * q]);
                DoubleVector y1 = DoubleVector.broadcast(S, y[2 * q + 1]);
                DoubleVector acc = DoubleVector.zero(S);
                for (int i = from; i < to; i += L) {
                    DoubleVector d0 = DoubleVector.fromArray(S, zT, i).sub(y0);
                    DoubleVector d1 = DoubleVector.fromArray(S, zT, stride + i).sub(y1);
                    DoubleVector a = d1.fma(d1, d0.mul(d0)).mul(DoubleVector.fromArray(S, c, i));
                    DoubleVector ec = a.max(V_MIN);
                    DoubleVector et = ec.fma(V_LOG2E, V_MAGIC);
                    DoubleVector ek = et.sub(V_MAGIC);
                    DoubleVector er = ek.fma(V_NLN2_LO, ek.fma(V_NLN2_HI, ec));
                    DoubleVector ep = C12.fma(er, C11).fma(er, C10).fma(er, C9).fma(er, C8).fma(er, C7)
                            .fma(er, C6).fma(er, C5).fma(er, C4).fma(er, C3).fma(er, C2).fma(er, ONE)
                            .fma(er, ONE);
                    DoubleVector e = ep.mul(et.reinterpretAsLongs().add(BIAS).lanewise(VectorOperators.LSHL, 52)
                            .reinterpretAsDoubles()).blend(V_ZERO, a.compare(VectorOperators.LT, EXP_MIN));
                    acc = e.fma(DoubleVector.fromArray(S, w, i), acc);
                }
                out[q] += acc.reduceLanes(VectorOperators.ADD);
            }
            return;
        }
        for (int q = 0; q < m; q++) {
            int yo = q * d;
            DoubleVector acc = DoubleVector.zero(S);
            for (int i = from; i < to; i += L) {
                DoubleVector r2 = DoubleVector.zero(S);
                for (int j = 0; j < d; j++) {
                    DoubleVector dj = DoubleVector.fromArray(S, zT, j * stride + i).sub(y[yo + j]);
                    r2 = dj.fma(dj, r2);
                }
                DoubleVector a = r2.mul(DoubleVector.fromArray(S, c, i));
                DoubleVector ec = a.max(V_MIN);
                DoubleVector et = ec.fma(V_LOG2E, V_MAGIC);
                DoubleVector ek = et.sub(V_MAGIC);
                DoubleVector er = ek.fma(V_NLN2_LO, ek.fma(V_NLN2_HI, ec));
                DoubleVector ep = C12.fma(er, C11).fma(er, C10).fma(er, C9).fma(er, C8).fma(er, C7)
                        .fma(er, C6).fma(er, C5).fma(er, C4).fma(er, C3).fma(er, C2).fma(er, ONE)
                        .fma(er, ONE);
                DoubleVector e = ep.mul(et.reinterpretAsLongs().add(BIAS).lanewise(VectorOperators.LSHL, 52)
                        .reinterpretAsDoubles()).blend(V_ZERO, a.compare(VectorOperators.LT, EXP_MIN));
                acc = e.fma(DoubleVector.fromArray(S, w, i), acc);
            }
            out[q] += acc.reduceLanes(VectorOperators.ADD);
        }
    }

    @Override
    public void exp(double[] x, int from, int to) {
        if (lanewise) {
            expLanewise(x, from, to);
            return;
        }
        int k = from;
        for (int end = from + S.loopBound(to - from); k < end; k += L) {
            DoubleVector a = DoubleVector.fromArray(S, x, k);
            DoubleVector ec = a.max(V_MIN);
            DoubleVector et = ec.fma(V_LOG2E, V_MAGIC);
            DoubleVector ek = et.sub(V_MAGIC);
            DoubleVector er = ek.fma(V_NLN2_LO, ek.fma(V_NLN2_HI, ec));
            DoubleVector ep = C12.fma(er, C11).fma(er, C10).fma(er, C9).fma(er, C8).fma(er, C7)
                    .fma(er, C6).fma(er, C5).fma(er, C4).fma(er, C3).fma(er, C2).fma(er, ONE)
                    .fma(er, ONE);
            DoubleVector e = ep.mul(et.reinterpretAsLongs().add(BIAS).lanewise(VectorOperators.LSHL, 52)
                    .reinterpretAsDoubles()).blend(V_ZERO, a.compare(VectorOperators.LT, EXP_MIN));
            e.intoArray(x, k);
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

    /**
     * A 4×2L register-blocked micro-kernel (as in GEMM libraries): for 4 rows of B and 2 vectors of a, 8 accumulators
     * stay in registers over the whole inner loop; per sample i it loads 2 vectors of At and broadcasts 4 values of
     * B for 8 fused multiply-adds.
     */
    @Override
    public void productAccumulate(double[] At, int g1p, double[] B, int g2, int nc, double[] F) {
        int b = 0;
        for (; b + 3 < g2; b += 4) {
            int b0 = b * nc;
            int b1 = b0 + nc;
            int b2 = b1 + nc;
            int b3 = b2 + nc;
            for (int a = 0; a < g1p; a += 2 * L) {
                int f0 = b * g1p + a;
                int f1 = f0 + g1p;
                int f2 = f1 + g1p;
                int f3 = f2 + g1p;
                DoubleVector c00 = DoubleVector.fromArray(S, F, f0);
                DoubleVector c01 = DoubleVector.fromArray(S, F, f0 + L);
                DoubleVector c10 = DoubleVector.fromArray(S, F, f1);
                DoubleVector c11 = DoubleVector.fromArray(S, F, f1 + L);
                DoubleVector c20 = DoubleVector.fromArray(S, F, f2);
                DoubleVector c21 = DoubleVector.fromArray(S, F, f2 + L);
                DoubleVector c30 = DoubleVector.fromArray(S, F, f3);
                DoubleVector c31 = DoubleVector.fromArray(S, F, f3 + L);
                for (int i = 0, ao = a; i < nc; i++, ao += g1p) {
                    DoubleVector lo = DoubleVector.fromArray(S, At, ao);
                    DoubleVector hi = DoubleVector.fromArray(S, At, ao + L);
                    DoubleVector v0 = DoubleVector.broadcast(S, B[b0 + i]);
                    c00 = lo.fma(v0, c00);
                    c01 = hi.fma(v0, c01);
                    DoubleVector v1 = DoubleVector.broadcast(S, B[b1 + i]);
                    c10 = lo.fma(v1, c10);
                    c11 = hi.fma(v1, c11);
                    DoubleVector v2 = DoubleVector.broadcast(S, B[b2 + i]);
                    c20 = lo.fma(v2, c20);
                    c21 = hi.fma(v2, c21);
                    DoubleVector v3 = DoubleVector.broadcast(S, B[b3 + i]);
                    c30 = lo.fma(v3, c30);
                    c31 = hi.fma(v3, c31);
                }
                c00.intoArray(F, f0);
                c01.intoArray(F, f0 + L);
                c10.intoArray(F, f1);
                c11.intoArray(F, f1 + L);
                c20.intoArray(F, f2);
                c21.intoArray(F, f2 + L);
                c30.intoArray(F, f3);
                c31.intoArray(F, f3 + L);
            }
        }
        for (; b < g2; b++) {
            int bo = b * nc;
            for (int a = 0; a < g1p; a += L) {
                int fo = b * g1p + a;
                DoubleVector c = DoubleVector.fromArray(S, F, fo);
                for (int i = 0, ao = a; i < nc; i++, ao += g1p) {
                    c = DoubleVector.fromArray(S, At, ao).fma(DoubleVector.broadcast(S, B[bo + i]), c);
                }
                c.intoArray(F, fo);
            }
        }
    }

    @Override
    public String name() {
        return "vector(" + L + " lanes" + (lanewise ? ", lanewise EXP" : "") + ")";
    }
}

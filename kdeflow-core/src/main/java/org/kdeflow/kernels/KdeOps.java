package org.kdeflow.kernels;

/**
 * The hot loops of kernel density evaluation, with one implementation on {@code jdk.incubator.vector}
 * ({@link VectorKdeOps}) and a plain-Java fallback ({@link ScalarKdeOps}), chosen once at start-up as Lucene's
 * {@code VectorizationProvider} does. Both are tested to agree.
 *
 * <p>Sample coordinates are transposed ("structure of arrays"): coordinate j of sample i is {@code zT[j*stride + i]};
 * arrays are padded with weight-0 samples to a multiple of {@link #PAD} so loops need no tail.
 *
 * <p>exp(t) is treated as 0 for t &lt; {@link #EXP_MIN}: every caller checks for sums that small and redoes them in
 * log space, so no result depends on values near the underflow threshold.
 */
public interface KdeOps {

    /** Sample arrays are padded to a multiple of this (the widest vector, 8 doubles). */
    int PAD = 8;

    /** Arguments below this give exp = 0 (e^−708 ≈ 3e−308 is the smallest normal double's neighbourhood). */
    double EXP_MIN = -708.0;

    /**
     * Adds to {@code out[q]} (q &lt; m) the sum S_q = Σ_{i∈[from,to)} wᵢ·exp(−½‖zᵢ − y_q‖²), where zᵢ is column i of
     * the transposed samples and y_q row q of the row-major m×d queries. {@code from} and {@code to} are multiples of
     * {@link #PAD}. Modifies {@code out} only.
     */
    void gaussianSums(double[] zT, int stride, double[] w, int from, int to, int d, double[] y, int m, double[] out);

    /**
     * As {@link #gaussianSums} with a per-sample factor in the exponent: adds S_q = Σ_{i∈[from,to)}
     * wᵢ·exp(cᵢ·‖zᵢ − y_q‖²) to {@code out[q]}. With per-sample bandwidths λᵢ·H, cᵢ = −½/λᵢ² and wᵢ = ωᵢ/λᵢᵈ.
     * Modifies {@code out} only.
     */
    void gaussianSumsScaled(double[] zT, int stride, double[] w, double[] c, int from, int to, int d, double[] y,
                            int m, double[] out);

    /** Replaces x[k] by exp(x[k]) for k in [from, to); arguments are expected ≤ 0 (values &lt; EXP_MIN give 0). */
    void exp(double[] x, int from, int to);

    /**
     * F[b·g1p + a] += Σ_{i&lt;nc} B[b·nc + i]·At[i·g1p + a] for a &lt; g1p, b &lt; g2 (the product B·At, At stored
     * sample-major); g1p is a multiple of 16. Modifies F only.
     */
    void productAccumulate(double[] At, int g1p, double[] B, int g2, int nc, double[] F);

    /** A short name for reports ("vector(8 lanes)" or "scalar"). */
    String name();

    /** The implementation chosen at start-up: vectorised when {@code jdk.incubator.vector} is present. */
    static KdeOps best() {
        return Kernels.get().kde();
    }

    /** The plain-Java implementation. */
    static KdeOps scalar() {
        return ScalarKdeOps.INSTANCE;
    }

    /**
     * The vector implementation with the Vector API's own {@code lanewise(EXP)} in place of the hand-written exp, for
     * benchmarks; null without {@code jdk.incubator.vector}.
     */
    static KdeOps lanewiseExp() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return null;
        }
        try {
            return (KdeOps) Class.forName("org.kdeflow.kernels.VectorKdeOps").getField("LANEWISE").get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }
}

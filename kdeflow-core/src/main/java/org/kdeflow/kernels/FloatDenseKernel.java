package org.kdeflow.kernels;

/**
 * The float32 counterpart of {@link DenseKernel}, for the opt-in single-precision training path
 * ({@code Trainer.Precision.F32}): the same three products of a dense layer over a mini-batch in flat row-major
 * {@code float[]} arrays, X (n×in), W (out×in, PyTorch's {@code Linear.weight} layout) and Wᵀ (in×out):
 * <ul>
 *   <li>{@link #forward}: Y = act(X·Wᵀ + 1·bᵀ), act the identity or {@link LeakyReLU};</li>
 *   <li>{@link #backwardInput}: ∂L/∂X = (∂L/∂Y)·W, optionally times the leaky-ReLU derivative read from the
 *       previous layer's output;</li>
 *   <li>{@link #accumulateGradients}: ∂L/∂W += (∂L/∂Y)ᵀ·X and ∂L/∂b += Σ<sub>r</sub> ∂L/∂y<sub>r</sub>.</li>
 * </ul>
 * A 512-bit register holds 16 floats against 8 doubles, which is the point of this path. Two implementations,
 * {@link ScalarFloatDenseKernel} (plain loops) and {@code VectorFloatDenseKernel} ({@code jdk.incubator.vector}),
 * chosen once by {@link #get()} exactly as {@link DenseKernel#get()} chooses (the vector class is only loaded when
 * the module is present; {@code -Dkdeflow.vector=false} forces the plain one). They agree up to float rounding
 * (fused multiply-adds and summation order).
 */
public interface FloatDenseKernel {

    /** Fills y (n×out); reads x (n×in), wt (in×out, from 0), w (out×in from wOff) and b (from bOff). */
    void forward(float[] x, int n, int in, int out, float[] w, int wOff, float[] wt, float[] b, int bOff,
            float[] y, boolean leaky);

    /**
     * Fills dx (n×in) with dY·W (w out×in from wOff, wt its in×out transpose from 0); when {@code hPrev} is not null, multiplies element-wise by the
     * leaky-ReLU derivative read from hPrev (n×in).
     */
    void backwardInput(float[] dy, int n, int in, int out, float[] w, int wOff, float[] wt, float[] dx,
            float[] hPrev);

    /** Adds dYᵀ·X to g[wOff…] (out×in) and the column sums of dY to g[bOff…] (out). */
    void accumulateGradients(float[] dy, float[] x, int n, int in, int out, float[] g, int wOff, int bOff);

    /**
     * {@link #forward} on a sparse input and a partly used output: columns of x outside [iLo, iHi) are zero (their
     * products may be skipped, which leaves every sum unchanged, since x·w + 0·w' = x·w), and only the outputs
     * [oLo, oHi) of each row are needed (the others may be left unwritten). The default computes everything.
     */
    default void forward(float[] x, int n, int in, int out, float[] w, int wOff, float[] wt, float[] b, int bOff,
            float[] y, boolean leaky, int iLo, int iHi, int oLo, int oHi) {
        forward(x, n, in, out, w, wOff, wt, b, bOff, y, leaky);
    }

    /**
     * {@link #backwardInput} when the columns of dY outside [oLo, oHi) are zero (skippable) and only the columns
     * [iLo, iHi) of dx are needed (the others may be left unwritten). The default computes everything.
     */
    default void backwardInput(float[] dy, int n, int in, int out, float[] w, int wOff, float[] wt, float[] dx,
            float[] hPrev, int iLo, int iHi, int oLo, int oHi) {
        backwardInput(dy, n, in, out, w, wOff, wt, dx, hPrev);
    }

    /**
     * {@link #accumulateGradients} when the columns of dY outside [oLo, oHi) and those of x outside [iLo, iHi) are
     * zero: the gradient entries outside rows [oLo, oHi) × columns [iLo, iHi) (and the biases outside [oLo, oHi)) would
     * only receive sums of zeros, so they may be left as they are. The default computes everything.
     */
    default void accumulateGradients(float[] dy, float[] x, int n, int in, int out, float[] g, int wOff, int bOff,
            int iLo, int iHi, int oLo, int oHi) {
        accumulateGradients(dy, x, n, in, out, g, wOff, bOff);
    }

    /** Fills wt (in×out, from 0) with the transpose of w (out×in, from wOff): wt[i·out + o] = w[wOff + o·in + i]. */
    default void transpose(float[] w, int wOff, int in, int out, float[] wt) {
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = w[wOff + o * in + i];
            }
        }
    }

    /**
     * PyTorch's Adam update in float over k &lt; len: m ← β₁m + a₁g, v ← β₂v + a₂g·g,
     * x ← x − stepSize·(m / (√v / c₂ + ε)) (see {@link Adam}). Both implementations perform the same IEEE float
     * operations in the same order, so they agree bit for bit. Returns whether every updated x is finite.
     */
    boolean adamUpdate(float[] x, float[] g, float[] m, float[] v, int len, float beta1, float beta2, float a1,
            float a2, float stepSize, float c2, float eps);

    /** A short name for reports: "vector(16 lanes)" or "scalar". */
    String name();

    /** The kernel chosen at start-up. */
    static FloatDenseKernel get() {
        return Kernels.get().denseF32();
    }

    /** The plain-Java kernel (always available). */
    static FloatDenseKernel scalar() {
        return ScalarFloatDenseKernel.INSTANCE;
    }
}

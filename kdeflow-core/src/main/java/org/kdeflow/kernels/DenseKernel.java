package org.kdeflow.kernels;

/**
 * The three products of a dense layer over a mini-batch, in flat row-major arrays. With a batch of n rows,
 * X (n×in), W (out×in, PyTorch's {@code Linear.weight} layout) and Wᵀ (in×out, a transposed copy):
 * <ul>
 *   <li>{@link #forward}: Y = act(X·Wᵀ + 1·bᵀ), y<sub>ro</sub> = act(b<sub>o</sub> + Σ<sub>i</sub> x<sub>ri</sub>
 *       w<sub>oi</sub>), act the identity or {@link LeakyReLU};</li>
 *   <li>{@link #backwardInput}: ∂L/∂X = (∂L/∂Y)·W, optionally times the leaky-ReLU derivative of the previous
 *       layer's output (so the result is the gradient with respect to that layer's pre-activation);</li>
 *   <li>{@link #accumulateGradients}: ∂L/∂W += (∂L/∂Y)ᵀ·X and ∂L/∂b += Σ<sub>r</sub> ∂L/∂y<sub>r</sub>.</li>
 * </ul>
 * Two implementations: {@link ScalarDenseKernel} (plain loops) and {@code VectorDenseKernel}
 * ({@code jdk.incubator.vector}), chosen once by {@link Kernels}. They agree up to rounding (fused multiply-adds and
 * summation order).
 *
 * <p>Written once: the build derives the single-precision {@code FloatDenseKernel} and its two implementations from
 * the double sources (see {@code src/build/FloatTwins.java}), so both precisions run the same loops.
 */
public interface DenseKernel {

    /**
     * Fills {@code y[r*out + o]} for r &lt; n. Reads x[0, n·in), w from {@code wOff} (out×in), wt (in×out, from 0),
     * b from {@code bOff}. Modifies y only.
     */
    void forward(double[] x, int n, int in, int out, double[] w, int wOff, double[] wt, double[] b, int bOff,
            double[] y, boolean leaky);

    /**
     * Fills dx (n×in) with dY·W; when {@code hPrev} is not null, multiplies element-wise by the leaky-ReLU derivative
     * read from {@code hPrev} (n×in, the previous layer's activated output). Modifies dx only.
     */
    void backwardInput(double[] dy, int n, int in, int out, double[] w, int wOff, double[] wt, double[] dx,
            double[] hPrev);

    /**
     * Adds dYᵀ·X to g[wOff…] (out×in) and the column sums of dY to g[bOff…] (out). {@code scratch} holds at least
     * {@link #SCRATCH} values the kernel may overwrite. Modifies g and scratch only.
     */
    void accumulateGradients(double[] dy, double[] x, int n, int in, int out, double[] g, int wOff, int bOff,
            double[] scratch);

    /**
     * Fills t (in×out, from 0) with Wᵀ of the out×in matrix W stored row-major at w[off …]: the copy the forward
     * product reads. In blocks of {@link #TRANSPOSE_BLOCK} columns of W, so each pass writes a few neighbouring rows
     * of t. Modifies t only.
     */
    static void transpose(double[] w, int off, int in, int out, double[] t) {
        for (int i0 = 0; i0 < in; i0 += TRANSPOSE_BLOCK) {
            int i1 = Math.min(i0 + TRANSPOSE_BLOCK, in);
            for (int o = 0; o < out; o++) {
                int row = off + o * in;
                for (int i = i0; i < i1; i++) {
                    t[i * out + o] = w[row + i];
                }
            }
        }
    }

    /** Columns of W per pass of {@link #transpose}. */
    int TRANSPOSE_BLOCK = 8;

    /** PyTorch's default negative slope of {@code nn.LeakyReLU}, fused into the products. */
    double LEAKY_SLOPE = 0.01;

    /** Size of the scratch array {@link #accumulateGradients} needs (two 512-bit registers and then some). */
    int SCRATCH = 64;

    /** A short name for reports: "vector(8 lanes)" or "scalar". */
    String name();
}

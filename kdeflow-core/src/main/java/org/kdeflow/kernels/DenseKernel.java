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
 * ({@code jdk.incubator.vector}), chosen once by {@link #get()} — the vector one only when the module is present, so
 * its class is never loaded otherwise (Apache Lucene's {@code VectorizationProvider} pattern). They agree up to
 * rounding (fused multiply-adds and summation order).
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

    /** PyTorch's default negative slope of {@code nn.LeakyReLU}, fused into the products. */
    double LEAKY_SLOPE = 0.01;

    /** Size of the scratch array {@link #accumulateGradients} needs (two 512-bit registers and then some). */
    int SCRATCH = 64;

    /**
     * The element-wise Adam update of {@link Adam#step} over k &lt; len (it lives here to share the vector fast
     * path): m ← β₁m + a₁g, v ← β₂v + a₂g·g, x ← x − stepSize·(m / (√v / c₂ + ε)), with a₁ = 1 − β₁, a₂ = 1 − β₂,
     * c₂ = √(1 − β₂ᵗ). Both implementations perform the same IEEE operations in the same order, so they agree bit for
     * bit. Returns whether every updated x is finite. Modifies x, m, v.
     */
    boolean adamUpdate(double[] x, double[] g, double[] m, double[] v, int len, double beta1, double beta2,
            double a1, double a2, double stepSize, double c2, double eps);

    /** A short name for reports: "vector(8 lanes)" or "scalar". */
    String name();

    /** The kernel chosen at start-up. */
    static DenseKernel get() {
        return Kernels.get().dense();
    }

    /** The plain-Java kernel (always available). */
    static DenseKernel scalar() {
        return ScalarDenseKernel.INSTANCE;
    }
}

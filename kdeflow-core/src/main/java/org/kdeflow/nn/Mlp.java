package org.kdeflow.nn;

import org.kdeflow.kernels.DenseKernel;
import org.kdeflow.random.NumpyRandomState;

/**
 * A multilayer perceptron Linear(w₀, w₁) → LeakyReLU → … → Linear(w_{L−1}, w_L), no activation after the last layer
 * ({@code nn.Sequential} of Linear and LeakyReLU modules as in the homework). Its layers are views on consecutive
 * ranges of a {@link Parameters} buffer, in PyTorch's {@code state_dict} order (weight, then bias, layer by layer).
 *
 * <p>Per-batch state lives in {@link Buffers}, sized once for a maximum batch; forward and backward allocate nothing.
 */
public final class Mlp {
    private final int[] widths;
    private final Dense[] layers;
    private final int offset;
    private final int size;

    /**
     * @param widths w₀ (input), hidden widths, w_L (output): at least two entries, each &gt;= 1
     * @param offset where the first layer's weight starts in the parameter buffer
     */
    public Mlp(int[] widths, int offset) {
        this(widths, offset, DenseKernel.get());
    }

    /** An MLP on an explicit kernel (tests). */
    public Mlp(int[] widths, int offset, DenseKernel kernel) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs an input and an output width, got " + widths.length
                    + " widths");
        }
        this.widths = widths.clone();
        this.layers = new Dense[widths.length - 1];
        this.offset = offset;
        int off = offset;
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Dense(widths[l], widths[l + 1], off, kernel);
            off += Dense.parameterCount(widths[l], widths[l + 1]);
        }
        this.size = off - offset;
    }

    /** Number of parameters of an MLP with these widths. */
    public static int parameterCount(int[] widths) {
        int s = 0;
        for (int l = 0; l + 1 < widths.length; l++) {
            s += Dense.parameterCount(widths[l], widths[l + 1]);
        }
        return s;
    }

    public int in() {
        return widths[0];
    }

    public int out() {
        return widths[widths.length - 1];
    }

    /** The layer widths (a copy). */
    public int[] widths() {
        return widths.clone();
    }

    /** Number of Linear layers. */
    public int depth() {
        return layers.length;
    }

    /** Linear layer l. */
    public Dense layer(int l) {
        return layers[l];
    }

    /** First parameter offset. */
    public int offset() {
        return offset;
    }

    /** Number of parameters. */
    public int size() {
        return size;
    }

    /** Initialises every layer as PyTorch does (see {@link Dense#initialize}), layer by layer. */
    public void initialize(Parameters p, NumpyRandomState rng) {
        for (Dense d : layers) {
            d.initialize(p, rng);
        }
    }

    /** Work buffers for batches of up to {@code capacity} rows. */
    public Buffers buffers(int capacity) {
        return new Buffers(capacity);
    }

    /**
     * Runs x (n×in) through the network; returns the output array of {@code buf} (its first n·out entries hold the
     * result; valid until the next call with the same buffers). Keeps the activations in {@code buf} for
     * {@link #backward}.
     */
    public double[] forward(Parameters p, double[] x, int n, Buffers buf) {
        double[] input = x;
        for (int l = 0; l < layers.length; l++) {
            layers[l].forward(p, input, n, buf.h[l], l + 1 < layers.length);
            input = buf.h[l];
        }
        return buf.h[layers.length - 1];
    }

    /**
     * Back-propagates dOut = ∂L/∂output (n×out) through the forward pass last run on x with {@code buf}: adds the
     * parameter gradients to {@link Parameters#gradients()} and, when dx is not null, fills dx = ∂L/∂x (n×in).
     * Overwrites the gradient scratch of {@code buf}; dOut may be {@code buf}'s own output-gradient array.
     */
    public void backward(Parameters p, double[] x, int n, double[] dOut, double[] dx, Buffers buf) {
        double[] g = dOut;
        for (int l = layers.length - 1; l >= 0; l--) {
            double[] input = l == 0 ? x : buf.h[l - 1];
            double[] gIn = l == 0 ? dx : buf.g[l - 1];
            layers[l].backward(p, input, n, g, gIn, l > 0);
            g = gIn;
        }
    }

    /** Activations and their gradients for one batch size. */
    public final class Buffers {
        final double[][] h;
        final double[][] g;
        final int capacity;

        Buffers(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("buffer capacity must be >= 1, got " + capacity);
            }
            this.capacity = capacity;
            h = new double[layers.length][];
            g = new double[layers.length][];
            for (int l = 0; l < layers.length; l++) {
                h[l] = new double[capacity * widths[l + 1]];
                g[l] = new double[capacity * widths[l + 1]];
            }
        }

        /** The largest batch these buffers hold. */
        public int capacity() {
            return capacity;
        }

        /** A scratch array of n·out entries for ∂L/∂output. */
        public double[] outputGradient() {
            return g[layers.length - 1];
        }
    }
}

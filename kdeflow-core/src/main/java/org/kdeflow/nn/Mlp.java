package org.kdeflow.nn;

import org.kdeflow.kernels.Kernels;
import org.kdeflow.random.NumpyRandomState;

/**
 * A multilayer perceptron Linear(w₀, w₁) → LeakyReLU → … → Linear(w_{L−1}, w_L), no activation after the last layer
 * ({@code nn.Sequential} of Linear and LeakyReLU modules as in the homework). Its layers are views on consecutive
 * ranges of a {@link Parameters} buffer, in PyTorch's {@code state_dict} order (weight, then bias, layer by layer).
 *
 * <p>Per-batch state lives in {@link Buffers}, sized once for a maximum batch and made for one {@link Precision};
 * forward and backward allocate nothing. Inputs, outputs and gradients at the network's boundary are always double;
 * with {@link Precision#F32} they are converted at the boundary and everything inside (products, activations,
 * gradient sums) runs in float.
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
        this(widths, offset, Kernels.get());
    }

    /** An MLP on explicit kernels (tests). */
    public Mlp(int[] widths, int offset, Kernels kernels) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("an MLP needs an input and an output width, got " + widths.length
                    + " widths");
        }
        this.widths = widths.clone();
        this.layers = new Dense[widths.length - 1];
        this.offset = offset;
        int off = offset;
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Dense(widths[l], widths[l + 1], off, kernels);
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

    /** Double-precision work buffers for batches of up to {@code capacity} rows. */
    public Buffers buffers(int capacity) {
        return new Buffers(capacity, Precision.F64);
    }

    /** Work buffers for batches of up to {@code capacity} rows whose products run in {@code precision}. */
    public Buffers buffers(int capacity, Precision precision) {
        return new Buffers(capacity, precision);
    }

    /**
     * Runs x (n×in) through the network; returns a double array of {@code buf} whose first n·out entries hold the
     * result (valid until the next call with the same buffers). Keeps the activations in {@code buf} for
     * {@link #backward}.
     */
    public double[] forward(Parameters p, double[] x, int n, Buffers buf) {
        int last = layers.length - 1;
        if (buf.h32 != null) {
            float[] input = buf.x32;
            toFloat(x, n * widths[0], input);
            for (int l = 0; l <= last; l++) {
                layers[l].forward(p, input, n, buf.h32[l], l < last);
                input = buf.h32[l];
            }
            toDouble(input, n * widths[last + 1], buf.out64);
            return buf.out64;
        }
        double[] input = x;
        for (int l = 0; l <= last; l++) {
            layers[l].forward(p, input, n, buf.h[l], l < last);
            input = buf.h[l];
        }
        return input;
    }

    /**
     * Back-propagates dOut = ∂L/∂output (n×out) through the forward pass last run on x with {@code buf}: adds the
     * parameter gradients to {@link Parameters#gradients()} and, when dx is not null, fills dx = ∂L/∂x (n×in).
     * Overwrites the gradient scratch of {@code buf}; dOut may be {@code buf}'s own {@link Buffers#outputGradient()}.
     */
    public void backward(Parameters p, double[] x, int n, double[] dOut, double[] dx, Buffers buf) {
        if (buf.h32 != null) {
            float[] g = buf.g32[layers.length - 1];
            toFloat(dOut, n * out(), g);
            for (int l = layers.length - 1; l >= 0; l--) {
                float[] input = l == 0 ? buf.x32 : buf.h32[l - 1];
                float[] gIn = l == 0 ? (dx == null ? null : buf.dx32) : buf.g32[l - 1];
                layers[l].backward(p, input, n, g, gIn, l > 0);
                g = gIn;
            }
            if (dx != null) {
                toDouble(buf.dx32, n * in(), dx);
            }
            return;
        }
        double[] g = dOut;
        for (int l = layers.length - 1; l >= 0; l--) {
            double[] input = l == 0 ? x : buf.h[l - 1];
            double[] gIn = l == 0 ? dx : buf.g[l - 1];
            layers[l].backward(p, input, n, g, gIn, l > 0);
            g = gIn;
        }
    }

    private static void toFloat(double[] a, int len, float[] out) {
        for (int k = 0; k < len; k++) {
            out[k] = (float) a[k];
        }
    }

    private static void toDouble(float[] a, int len, double[] out) {
        for (int k = 0; k < len; k++) {
            out[k] = a[k];
        }
    }

    /** Activations and their gradients for one batch size and precision. */
    public final class Buffers {
        final double[][] h;
        final double[][] g;
        final float[][] h32;
        final float[][] g32;
        final float[] x32;
        final float[] dx32;
        final double[] out64;
        final int capacity;
        final Precision precision;

        Buffers(int capacity, Precision precision) {
            if (capacity < 1) {
                throw new IllegalArgumentException("buffer capacity must be >= 1, got " + capacity);
            }
            this.capacity = capacity;
            this.precision = precision;
            int nl = layers.length;
            if (precision == Precision.F32) {
                h = null;
                g = new double[][] {new double[capacity * widths[nl]]};
                h32 = new float[nl][];
                g32 = new float[nl][];
                for (int l = 0; l < nl; l++) {
                    h32[l] = new float[capacity * widths[l + 1]];
                    g32[l] = new float[capacity * widths[l + 1]];
                }
                x32 = new float[capacity * widths[0]];
                dx32 = new float[capacity * widths[0]];
                out64 = new double[capacity * widths[nl]];
            } else {
                h = new double[nl][];
                g = new double[nl][];
                for (int l = 0; l < nl; l++) {
                    h[l] = new double[capacity * widths[l + 1]];
                    g[l] = new double[capacity * widths[l + 1]];
                }
                h32 = null;
                g32 = null;
                x32 = null;
                dx32 = null;
                out64 = null;
            }
        }

        /** The largest batch these buffers hold. */
        public int capacity() {
            return capacity;
        }

        /** The precision of the products run in these buffers. */
        public Precision precision() {
            return precision;
        }

        /** A double scratch array of n·out entries for ∂L/∂output. */
        public double[] outputGradient() {
            return g[g.length - 1];
        }
    }
}

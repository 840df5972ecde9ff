package org.kdeflow.nn;

import org.kdeflow.kernels.DenseKernel;
import org.kdeflow.kernels.FloatDenseKernel;
import org.kdeflow.kernels.Kernels;
import org.kdeflow.random.NumpyRandomState;

/**
 * A fully connected layer y = x·Wᵀ + b ({@code torch.nn.Linear(in, out)}), a view on a {@link Parameters} buffer:
 * W (out×in, row-major, PyTorch's {@code weight} layout) at {@link #weightOffset()}, b (out) right after it at
 * {@link #biasOffset()}.
 *
 * <p>The products run on the kernels of {@link Kernels} in either {@link Precision}. The layer caches what the
 * kernels read besides the parameters — a transposed copy Wᵀ (in×out) so the forward product runs contiguously over
 * the outputs, and for float32 float copies of W and Wᵀ — refreshed when {@link Parameters#version()} changes. Float
 * gradient sums are gathered in a float buffer and then added to the (double) gradient buffer.
 */
public final class Dense {
    private final int in;
    private final int out;
    private final int wOff;
    private final DenseKernel kernel;
    private final FloatDenseKernel kernel32;
    private final double[] scratch = new double[DenseKernel.SCRATCH];
    private final Cache f64 = new Cache();
    private final Cache f32 = new Cache();
    private final double[] wt;
    private float[] w32;
    private float[] wt32;
    private float[] b32;
    private float[] g32;
    private float[] scratch32;

    /** Which weights a cache holds. Written after the copy and read before using it (volatile); threads evaluating
     * at the same time may both refresh, writing the same values. */
    private static final class Cache {
        volatile int version = Integer.MIN_VALUE;
        volatile Parameters source;

        boolean current(Parameters p) {
            return source == p && version == p.version();
        }

        void mark(Parameters p) {
            source = p;
            version = p.version();
        }
    }

    /** A layer whose weights start at {@code offset} in the parameter buffer, on the start-up kernels. */
    public Dense(int in, int out, int offset) {
        this(in, out, offset, Kernels.get());
    }

    /** A layer on explicit kernels (for tests comparing the two implementations). */
    public Dense(int in, int out, int offset, Kernels kernels) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("layer sizes must be >= 1, got " + in + " -> " + out);
        }
        this.in = in;
        this.out = out;
        this.wOff = offset;
        this.wt = new double[in * out];
        this.kernel = kernels.dense();
        this.kernel32 = kernels.denseF32();
    }

    /** Number of parameters: in·out + out. */
    public static int parameterCount(int in, int out) {
        return in * out + out;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public int weightOffset() {
        return wOff;
    }

    public int biasOffset() {
        return wOff + in * out;
    }

    /**
     * PyTorch's default initialisation: W and b ~ U(−1/√in, 1/√in) ({@code kaiming_uniform_(a=√5)} gives exactly
     * this bound for the weights), drawn from {@code rng} as {@code rng.uniform(−k, k)}, weights row by row, then the
     * bias.
     */
    public void initialize(Parameters p, NumpyRandomState rng) {
        double k = 1.0 / Math.sqrt(in);
        double[] v = p.values();
        for (int j = 0; j < in * out + out; j++) {
            v[wOff + j] = rng.uniform(-k, k);
        }
        p.changed();
    }

    private void sync(Parameters p) {
        if (f64.current(p)) {
            return;
        }
        DenseKernel.transpose(p.values(), wOff, in, out, wt);
        f64.mark(p);
    }

    private synchronized void allocate32() {
        if (w32 == null) {
            wt32 = new float[in * out];
            b32 = new float[out];
            g32 = new float[in * out + out];
            scratch32 = new float[FloatDenseKernel.SCRATCH];
            w32 = new float[in * out];
        }
    }

    private void sync32(Parameters p) {
        if (w32 == null) {
            allocate32();
        }
        if (f32.current(p)) {
            return;
        }
        // W converts contiguously, then Wᵀ transposes the float copy (the double Wᵀ waits until a double product
        // needs it)
        double[] v = p.values();
        for (int j = 0; j < in * out; j++) {
            w32[j] = (float) v[wOff + j];
        }
        FloatDenseKernel.transpose(w32, 0, in, out, wt32);
        for (int o = 0; o < out; o++) {
            b32[o] = (float) v[wOff + in * out + o];
        }
        f32.mark(p);
    }

    /** Fills y (n×out) with act(x·Wᵀ + b) for the n rows of x (n×in); act is LeakyReLU when {@code leaky}. */
    public void forward(Parameters p, double[] x, int n, double[] y, boolean leaky) {
        sync(p);
        kernel.forward(x, n, in, out, p.values(), wOff, wt, p.values(), biasOffset(), y, leaky);
    }

    /** {@link #forward(Parameters, double[], int, double[], boolean)} in float. */
    public void forward(Parameters p, float[] x, int n, float[] y, boolean leaky) {
        sync32(p);
        kernel32.forward(x, n, in, out, w32, 0, wt32, b32, 0, y, leaky);
    }

    /**
     * Given dy = ∂L/∂y (n×out) for the forward pass on x, adds ∂L/∂W and ∂L/∂b to the gradient buffer and, when dx
     * is not null, fills dx = ∂L/∂x (times the leaky-ReLU derivative read from x when {@code xIsLeakyOutput}).
     */
    public void backward(Parameters p, double[] x, int n, double[] dy, double[] dx, boolean xIsLeakyOutput) {
        sync(p);
        kernel.accumulateGradients(dy, x, n, in, out, p.gradients(), wOff, biasOffset(), scratch);
        if (dx != null) {
            kernel.backwardInput(dy, n, in, out, p.values(), wOff, wt, dx, xIsLeakyOutput ? x : null);
        }
    }

    /**
     * {@link #backward(Parameters, double[], int, double[], double[], boolean)} in float: the batch's weight and
     * bias gradients are summed in float, then added to the double gradient buffer.
     */
    public void backward(Parameters p, float[] x, int n, float[] dy, float[] dx, boolean xIsLeakyOutput) {
        sync32(p);
        java.util.Arrays.fill(g32, 0f);
        kernel32.accumulateGradients(dy, x, n, in, out, g32, 0, in * out, scratch32);
        double[] g = p.gradients();
        for (int j = 0; j < g32.length; j++) {
            g[wOff + j] += g32[j];
        }
        if (dx != null) {
            kernel32.backwardInput(dy, n, in, out, w32, 0, wt32, dx, xIsLeakyOutput ? x : null);
        }
    }
}

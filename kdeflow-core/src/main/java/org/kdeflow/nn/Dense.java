package org.kdeflow.nn;

import org.kdeflow.kernels.DenseKernel;
import org.kdeflow.random.NumpyRandomState;

/**
 * A fully connected layer y = x·Wᵀ + b ({@code torch.nn.Linear(in, out)}), a view on a {@link Parameters} buffer:
 * W (out×in, row-major, PyTorch's {@code weight} layout) at {@link #weightOffset()}, b (out) right after it at
 * {@link #biasOffset()}.
 *
 * <p>Keeps a transposed copy Wᵀ (in×out) so the forward product runs contiguously over the outputs; the copy is
 * refreshed when {@link Parameters#version()} changes. Computation goes through {@link DenseKernel#get()}.
 */
public final class Dense {
    private final int in;
    private final int out;
    private final int wOff;
    private final double[] wt;
    private final DenseKernel kernel;
    private final double[] scratch = new double[DenseKernel.SCRATCH];
    // Written after the copy and read before using it (volatile: a thread that sees the version sees the copy).
    // Threads evaluating at the same time may both refresh; they write the same values.
    private volatile int wtVersion = Integer.MIN_VALUE;
    private volatile Parameters wtSource;

    /** A layer whose weights start at {@code offset} in the parameter buffer, using the start-up kernel. */
    public Dense(int in, int out, int offset) {
        this(in, out, offset, DenseKernel.get());
    }

    /** A layer with an explicit kernel (for tests comparing the two implementations). */
    public Dense(int in, int out, int offset, DenseKernel kernel) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("layer sizes must be >= 1, got " + in + " -> " + out);
        }
        this.in = in;
        this.out = out;
        this.wOff = offset;
        this.wt = new double[in * out];
        this.kernel = kernel;
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
        if (wtSource == p && wtVersion == p.version()) {
            return;
        }
        double[] v = p.values();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                wt[i * out + o] = v[wOff + o * in + i];
            }
        }
        wtSource = p;
        wtVersion = p.version();
    }

    /** Fills y (n×out) with act(x·Wᵀ + b) for the n rows of x (n×in); act is LeakyReLU when {@code leaky}. */
    public void forward(Parameters p, double[] x, int n, double[] y, boolean leaky) {
        sync(p);
        kernel.forward(x, n, in, out, p.values(), wOff, wt, p.values(), biasOffset(), y, leaky);
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
}

package org.kdeflow.flow;

import org.kdeflow.nn.Dense;
import org.kdeflow.kernels.FloatDenseKernel;
import org.kdeflow.nn.Mlp;

/**
 * A float32 training mirror of a {@link CouplingFlow}: the flow's weights as one flat {@code float[]} in the same
 * {@code state_dict} order (so offsets are the flow's), with the mean negative log-likelihood of a batch and its
 * gradient computed exactly as {@link CouplingFlow#lossAndGradient} does — the inverse pass f_K⁻¹ … f_1⁻¹, the prior's
 * log-density plus the per-layer log-determinants, and back-propagation by hand (see {@link AffineCoupling}) — but in
 * single precision on {@link FloatDenseKernel} (16 lanes per 512-bit register instead of 8). This is what PyTorch
 * does when it trains the homework's model in its default float32.
 *
 * <p>{@link #load()} copies the flow's double weights in (rounded to float), {@link #store()} copies the float weights
 * back into the flow, so that everything downstream (log-probability, sampling, model files) stays in double. Work
 * buffers are sized once for batches of up to {@code capacity} rows; the passes allocate nothing. Not thread-safe.
 */
public final class CouplingFlowF32 {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final CouplingFlow flow;
    private final FloatDenseKernel kernel;
    private final int d;
    private final int kk;
    private final int capacity;
    private final float[] w;
    private final float[] g;
    private final double[] staging;
    private final boolean[][] masked;
    private final int[] sfOff;
    private final Net[] sNet;
    private final Net[] tNet;
    private final float[][] level;
    private final float[][] logDet;
    private final float[] logProb;
    private final float[] xf;
    private final float[] gA;
    private final float[] gB;
    private final float[][] u;
    private final float[][] e;
    private final float[] gUs;
    private final float[] gUt;
    private boolean transposed;

    /** A mirror of {@code flow} for batches of up to {@code capacity} rows, on the start-up float kernel. */
    public CouplingFlowF32(CouplingFlow flow, int capacity) {
        this(flow, capacity, FloatDenseKernel.get());
    }

    /** A mirror on an explicit kernel (tests). Loads the flow's current weights. */
    public CouplingFlowF32(CouplingFlow flow, int capacity, FloatDenseKernel kernel) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, got " + capacity);
        }
        this.flow = flow;
        this.kernel = kernel;
        this.d = flow.dim();
        this.kk = flow.numLayers();
        this.capacity = capacity;
        int size = flow.parameters().size();
        w = new float[size];
        g = new float[size];
        staging = new double[size];
        masked = new boolean[kk][d];
        sfOff = new int[kk];
        sNet = new Net[kk];
        tNet = new Net[kk];
        u = new float[kk][capacity * d];
        e = new float[kk][capacity * d];
        for (int k = 0; k < kk; k++) {
            AffineCoupling c = flow.layer(k);
            double[] m = c.mask();
            for (int j = 0; j < d; j++) {
                masked[k][j] = m[j] == 1.0;
            }
            sfOff[k] = c.scaleFactorOffset();
            // the networks read m⊙y (zero outside the masked coordinates) and only their outputs at unmasked
            // coordinates are used: the kernels may skip the rest (same sums, see FloatDenseKernel's ranged products)
            int[] used = span(masked[k], true);
            int[] free = span(masked[k], false);
            sNet[k] = new Net(c.scaleNet(), capacity, used, free);
            tNet[k] = new Net(c.shiftNet(), capacity, used, free);
        }
        level = new float[kk + 1][capacity * d];
        logDet = new float[kk][capacity];
        logProb = new float[capacity];
        xf = new float[capacity * d];
        gA = new float[capacity * d];
        gB = new float[capacity * d];
        gUs = new float[capacity * d];
        gUt = new float[capacity * d];
        load();
    }

    /** [first, last + 1) of the coordinates j with masked[j] == value, or [0, 0) if there are none. */
    private static int[] span(boolean[] mask, boolean value) {
        int lo = -1;
        int hi = 0;
        for (int j = 0; j < mask.length; j++) {
            if (mask[j] == value) {
                if (lo < 0) {
                    lo = j;
                }
                hi = j + 1;
            }
        }
        return lo < 0 ? new int[] {0, 0} : new int[] {lo, hi};
    }

    /** The flow this mirrors. */
    public CouplingFlow flow() {
        return flow;
    }

    /** The largest batch. */
    public int capacity() {
        return capacity;
    }

    /** The live float weights, in the flow's parameter order (call {@link #changed()} after writing to them). */
    public float[] values() {
        return w;
    }

    /** The live float gradients of the last {@link #lossAndGradient}. */
    public float[] gradients() {
        return g;
    }

    /** Marks the float weights as changed (an optimizer step), so the transposed copies are refreshed. */
    public void changed() {
        transposed = false;
    }

    /** Copies the flow's (double) weights in, each rounded to the nearest float. */
    public void load() {
        double[] v = flow.parameters().values();
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) v[i];
        }
        transposed = false;
    }

    /** Copies the float weights (exactly) into the flow's double parameters. */
    public void store() {
        for (int i = 0; i < w.length; i++) {
            staging[i] = w[i];
        }
        flow.parameters().copyFrom(staging);
    }

    private void checkBatch(double[] x, int n) {
        if (n < 1 || n > capacity) {
            throw new IllegalArgumentException("batch of " + n + " rows for a capacity of " + capacity);
        }
        if (x.length < n * d) {
            throw new IllegalArgumentException("points hold " + x.length + " values, need " + n + "x" + d);
        }
    }

    /** The mean negative log-likelihood −(1/n) Σ log p(x_r) of a batch (n×d doubles, rounded to float). */
    public double meanNegLogLikelihood(double[] x, int n) {
        checkBatch(x, n);
        for (int k = 0; k < n * d; k++) {
            xf[k] = (float) x[k];
        }
        inversePass(n);
        double s = 0;
        for (int r = 0; r < n; r++) {
            s += logProb[r];
        }
        return -s / n;
    }

    /**
     * The batch's mean NLL (as {@link #meanNegLogLikelihood}) and its gradient, which <em>sets</em>
     * {@link #gradients()}: ∂L/∂z_r = z_r / n, every log-det weighs −1/n, then each layer back-propagates.
     */
    public double lossAndGradient(double[] x, int n) {
        double loss = meanNegLogLikelihood(x, n);
        java.util.Arrays.fill(g, 0f);
        float invN = 1f / n;
        float[] gOut = gA;
        float[] gIn = gB;
        float[] z = level[0];
        for (int k = 0; k < n * d; k++) {
            gOut[k] = z[k] * invN;
        }
        for (int k = 0; k < kk; k++) {
            float[] y = k + 1 < kk ? level[k + 1] : xf;
            inverseBackward(k, y, level[k], n, gOut, -invN, k + 1 < kk ? gIn : null);
            float[] tmp = gOut;
            gOut = gIn;
            gIn = tmp;
        }
        return loss;
    }

    private void syncTransposes() {
        if (!transposed) {
            for (int k = 0; k < kk; k++) {
                sNet[k].transpose();
                tNet[k].transpose();
            }
            transposed = true;
        }
    }

    private void inversePass(int n) {
        syncTransposes();
        float[] in = xf;
        for (int k = kk - 1; k >= 0; k--) {
            inverse(k, in, n, level[k], logDet[k]);
            in = level[k];
        }
        float[] z = level[0];
        float c = (float) (0.5 * d * LOG_2PI);
        for (int r = 0; r < n; r++) {
            float q = 0f;
            for (int j = 0; j < d; j++) {
                float zj = z[r * d + j];
                q += zj * zj;
            }
            float lp = -0.5f * q - c;
            for (int k = 0; k < kk; k++) {
                lp += logDet[k][r];
            }
            logProb[r] = lp < Float.POSITIVE_INFINITY ? lp : Float.NEGATIVE_INFINITY;
        }
    }

    /** x = f_k⁻¹(y): s = σ⊙s_net(m⊙y), t = t_net(m⊙y), x = m⊙y + m̄⊙((y − t)⊙exp(−s)), log|det| = −Σ m̄⊙s. */
    private void inverse(int k, float[] y, int n, float[] x, float[] ld) {
        boolean[] m = masked[k];
        float[] uk = u[k];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                uk[r * d + j] = m[j] ? y[r * d + j] : 0f;
            }
        }
        float[] s = sNet[k].forward(uk, n);
        float[] t = tNet[k].forward(uk, n);
        float[] ek = e[k];
        int sf = sfOff[k];
        for (int r = 0; r < n; r++) {
            float l = 0f;
            for (int j = 0; j < d; j++) {
                int q = r * d + j;
                if (m[j]) {
                    x[q] = y[q];
                } else {
                    float sq = w[sf + j] * s[q];
                    float ex = (float) Math.exp(-sq);
                    ek[q] = ex;
                    x[q] = (y[q] - t[q]) * ex;
                    l -= sq;
                }
            }
            ld[r] = l;
        }
    }

    /** The float mirror of {@link AffineCoupling}'s inverse backward (same formulas). */
    private void inverseBackward(int k, float[] y, float[] x, int n, float[] gx, float logDetWeight, float[] gy) {
        boolean[] m = masked[k];
        Net sn = sNet[k];
        Net tn = tNet[k];
        float[] gS = sn.outputGradient();
        float[] gT = tn.outputGradient();
        float[] sRaw = sn.output();
        float[] ek = e[k];
        int sf = sfOff[k];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < d; j++) {
                int q = r * d + j;
                if (m[j]) {
                    gS[q] = 0f;
                    gT[q] = 0f;
                    if (gy != null) {
                        gy[q] = gx[q];
                    }
                } else {
                    float ex = ek[q];
                    float gs = -gx[q] * x[q] - logDetWeight;
                    gT[q] = -gx[q] * ex;
                    gS[q] = gs * w[sf + j];
                    g[sf + j] += gs * sRaw[q];
                    if (gy != null) {
                        gy[q] = gx[q] * ex;
                    }
                }
            }
        }
        sn.backward(u[k], n, gy == null ? null : gUs);
        tn.backward(u[k], n, gy == null ? null : gUt);
        if (gy != null) {
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < d; j++) {
                    if (m[j]) {
                        int q = r * d + j;
                        gy[q] += gUs[q] + gUt[q];
                    }
                }
            }
        }
    }

    /** One MLP in float: its dense layers' shapes and offsets (the double MLP's), transposes and activations. */
    private final class Net {
        final int depth;
        final int[] in;
        final int[] out;
        final int[] wOff;
        final int[] bOff;
        final float[][] wt;
        final float[][] h;
        final float[][] gh;
        /** Nonzero input columns [iLo, iHi) of the first layer, needed output columns [oLo, oHi) of the last. */
        final int iLo;
        final int iHi;
        final int oLo;
        final int oHi;

        Net(Mlp mlp, int cap, int[] inputs, int[] outputs) {
            depth = mlp.depth();
            in = new int[depth];
            out = new int[depth];
            wOff = new int[depth];
            bOff = new int[depth];
            wt = new float[depth][];
            h = new float[depth][];
            gh = new float[depth][];
            iLo = inputs[0];
            iHi = inputs[1];
            oLo = outputs[0];
            oHi = outputs[1];
            for (int l = 0; l < depth; l++) {
                Dense dl = mlp.layer(l);
                in[l] = dl.in();
                out[l] = dl.out();
                wOff[l] = dl.weightOffset();
                bOff[l] = dl.biasOffset();
                wt[l] = new float[in[l] * out[l]];
                h[l] = new float[cap * out[l]];
                gh[l] = new float[cap * out[l]];
            }
        }

        void transpose() {
            for (int l = 0; l < depth; l++) {
                kernel.transpose(w, wOff[l], in[l], out[l], wt[l]);
            }
        }

        float[] forward(float[] x, int n) {
            float[] input = x;
            for (int l = 0; l < depth; l++) {
                kernel.forward(input, n, in[l], out[l], w, wOff[l], wt[l], w, bOff[l], h[l], l + 1 < depth,
                        l == 0 ? iLo : 0, l == 0 ? iHi : in[l], l + 1 == depth ? oLo : 0, l + 1 == depth ? oHi : out[l]);
                input = h[l];
            }
            return h[depth - 1];
        }

        float[] output() {
            return h[depth - 1];
        }

        float[] outputGradient() {
            return gh[depth - 1];
        }

        void backward(float[] x, int n, float[] dx) {
            float[] gc = gh[depth - 1];
            for (int l = depth - 1; l >= 0; l--) {
                float[] input = l == 0 ? x : h[l - 1];
                int a = l == 0 ? iLo : 0;
                int b = l == 0 ? iHi : in[l];
                int c = l + 1 == depth ? oLo : 0;
                int e = l + 1 == depth ? oHi : out[l];
                kernel.accumulateGradients(gc, input, n, in[l], out[l], g, wOff[l], bOff[l], a, b, c, e);
                float[] gIn = l == 0 ? dx : gh[l - 1];
                if (gIn != null) {
                    kernel.backwardInput(gc, n, in[l], out[l], w, wOff[l], wt[l], gIn, l > 0 ? h[l - 1] : null,
                            a, b, c, e);
                }
                gc = gIn;
            }
        }
    }
}

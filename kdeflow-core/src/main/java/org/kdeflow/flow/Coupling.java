package org.kdeflow.flow;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.kdeflow.nn.Mlp;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * What the couplings of the flow-file format share (Dinh et al. 2017, "Density estimation using Real NVP", sec. 3.2):
 * the coordinates split into an identity set A and a transformed set B (disjoint, together 0 … d−1, each in its
 * given order); a conditioner network h = net(u_A) of widths [|A|, hidden…, |B|·P] reads the identity coordinates
 * (the same on both sides of the transform) and gives P parameters per transformed coordinate, block q (for B[q])
 * at h[q·P … q·P + P − 1]. The network's tensors are {@code net.{2l}.weight} [out, in] and {@code net.{2l}.bias}
 * [out], PyTorch's {@code nn.Sequential(Linear, LeakyReLU(0.01), …, Linear)}.
 *
 * <p>Batches are row-major n×d; the conditioner's input is gathered into an n×|A| array, its output is n×(|B|·P).
 */
abstract class Coupling implements Transform {
    final int d;
    final int[] a;
    final int[] b;
    final int nA;
    final int nB;
    final int pPer;
    final Parameters p;
    final int offset;
    final Mlp net;

    Coupling(int[] identity, int[] transformed, int[] hidden, int perCoordinate, Parameters p, int offset) {
        this.d = identity.length + transformed.length;
        this.a = identity.clone();
        this.b = transformed.clone();
        this.nA = a.length;
        this.nB = b.length;
        this.pPer = perCoordinate;
        this.p = p;
        this.offset = offset;
        this.net = new Mlp(widths(nA, hidden, nB * perCoordinate), offset);
    }

    /**
     * Checks a split of 0 … d−1 into identity and transformed coordinates: both non-empty, disjoint, together every
     * index once. Returns d.
     */
    static int checkSplit(int[] identity, int[] transformed) {
        if (identity.length == 0 || transformed.length == 0) {
            throw new IllegalArgumentException("a coupling needs at least one identity and one transformed coordinate, "
                    + "got identity " + Arrays.toString(identity) + " and transformed " + Arrays.toString(transformed));
        }
        int d = identity.length + transformed.length;
        boolean[] seen = new boolean[d];
        for (int[] set : new int[][] {identity, transformed}) {
            for (int j : set) {
                if (j < 0 || j >= d) {
                    throw new IllegalArgumentException("coordinate " + j + " out of range 0.." + (d - 1)
                            + " (identity " + Arrays.toString(identity) + ", transformed "
                            + Arrays.toString(transformed) + ")");
                }
                if (seen[j]) {
                    throw new IllegalArgumentException("coordinate " + j + " appears twice (identity "
                            + Arrays.toString(identity) + ", transformed " + Arrays.toString(transformed) + ")");
                }
                seen[j] = true;
            }
        }
        return d;
    }

    /** The conditioner's widths [in, hidden…, out], each &gt;= 1, with a parameter count that fits an int. */
    static int[] widths(int in, int[] hidden, int out) {
        int[] w = new int[hidden.length + 2];
        w[0] = in;
        long count = 0;
        for (int l = 0; l < hidden.length; l++) {
            if (hidden[l] < 1) {
                throw new IllegalArgumentException("hidden widths must be >= 1, got " + Arrays.toString(hidden));
            }
            w[l + 1] = hidden[l];
        }
        w[w.length - 1] = out;
        for (int l = 0; l + 1 < w.length; l++) {
            count += (long) w[l] * w[l + 1] + w[l + 1];
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a conditioner of widths " + Arrays.toString(w) + " has " + count
                    + " parameters, too many");
        }
        return w;
    }

    @Override
    public int dim() {
        return d;
    }

    @Override
    public int offset() {
        return offset;
    }

    /** The conditioner network. */
    public Mlp conditioner() {
        return net;
    }

    /** {@code net.{2l}.weight} [out, in] and {@code net.{2l}.bias} [out] for each Linear layer l. */
    @Override
    public Map<String, Slot> parameterLayout() {
        Map<String, Slot> m = new LinkedHashMap<>();
        AffineCoupling.addNet(m, "net.", net);
        return m;
    }

    /**
     * The initialisation of every coupling: the hidden layers as PyTorch's {@code nn.Linear} (U(±1/√fan_in) for
     * weights and biases, drawn from {@code rng} layer by layer), the last layer's weights 0 and its biases
     * {@code lastBias} for every block (so the transform starts as the identity).
     */
    void initialize(NumpyRandomState rng, double[] lastBias) {
        for (int l = 0; l + 1 < net.depth(); l++) {
            net.layer(l).initialize(p, rng);
        }
        var last = net.layer(net.depth() - 1);
        double[] v = p.values();
        Arrays.fill(v, last.weightOffset(), last.weightOffset() + last.in() * last.out(), 0.0);
        for (int q = 0; q < nB; q++) {
            System.arraycopy(lastBias, 0, v, last.biasOffset() + q * pPer, pPer);
        }
        p.changed();
    }

    /** uA[r·|A| + i] = src[r·d + A[i]] for n rows. */
    final void gather(double[] src, int n, double[] uA) {
        for (int r = 0; r < n; r++) {
            int s = r * d;
            int t = r * nA;
            for (int i = 0; i < nA; i++) {
                uA[t + i] = src[s + a[i]];
            }
        }
    }

    /** dst[r·d + A[i]] = src[r·d + A[i]]: the identity coordinates pass through. */
    final void copyIdentity(double[] src, int n, double[] dst) {
        for (int r = 0; r < n; r++) {
            int s = r * d;
            for (int i = 0; i < nA; i++) {
                dst[s + a[i]] = src[s + a[i]];
            }
        }
    }

    /**
     * Back-propagates gh = ∂L/∂h through the conditioner (parameter gradients added) and, when gy is not null,
     * completes gy on the identity coordinates: gy_A = gu_A + ∂L/∂u_A through the network.
     */
    final void backwardConditioner(double[] gu, int n, double[] gh, double[] gy, Buffers w) {
        net.backward(p, w.uA, n, gh, gy == null ? null : w.gA, w.net);
        if (gy != null) {
            for (int r = 0; r < n; r++) {
                int s = r * d;
                int t = r * nA;
                for (int i = 0; i < nA; i++) {
                    gy[s + a[i]] = gu[s + a[i]] + w.gA[t + i];
                }
            }
        }
    }

    /** Work shared by the couplings: the conditioner's input, its activations and gradient scratch. */
    class Buffers implements Work {
        final int capacity;
        final double[] uA;
        final double[] gA;
        final Mlp.Buffers net;

        Buffers(int capacity, Precision precision) {
            if (capacity < 1) {
                throw new IllegalArgumentException("buffer capacity must be >= 1, got " + capacity);
            }
            this.capacity = capacity;
            uA = new double[capacity * nA];
            gA = new double[capacity * nA];
            net = Coupling.this.net.buffers(capacity, precision);
        }
    }
}

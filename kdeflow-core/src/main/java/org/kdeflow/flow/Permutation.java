package org.kdeflow.flow;

import java.util.Arrays;
import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * A fixed permutation of the coordinates, flow-file type {@code permutation}: forward y_j = u_{π(j)}, inverse
 * u_{π(j)} = y_j, log|det| = 0. Between couplings it lets every coordinate be transformed in turn (Dinh et al. 2017,
 * sec. 3.5; Durkan et al. 2019 use random permutations). No parameters.
 */
public final class Permutation implements Transform {
    private static final Work NONE = new Work() {
    };

    /** A permutation π of 0 … d−1 (copied). */
    public record Spec(int[] perm) implements Transform.Spec {
        public Spec {
            perm = checkPermutation(perm).clone();
        }

        /** π(j) = d − 1 − j. */
        public static Spec reverse(int d) {
            if (d < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + d);
            }
            int[] p = new int[d];
            for (int j = 0; j < d; j++) {
                p[j] = d - 1 - j;
            }
            return new Spec(p);
        }

        /** A uniformly random permutation, numpy's {@code RandomState(seed).permutation(d)}. */
        public static Spec random(int d, long seed) {
            if (d < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + d);
            }
            return new Spec(new NumpyRandomState(seed).permutation(d));
        }

        @Override
        public int[] perm() {
            return perm.clone();
        }

        @Override
        public int dim() {
            return perm.length;
        }

        @Override
        public int parameterCount() {
            return 0;
        }

        @Override
        public Transform create(Parameters p, int offset) {
            return new Permutation(this, offset);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && Arrays.equals(s.perm, perm);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(perm);
        }

        @Override
        public String toString() {
            return "Permutation.Spec" + Arrays.toString(perm);
        }
    }

    /** Checks that {@code perm} holds each of 0 … d−1 once (d = its length &gt;= 1); returns it. */
    static int[] checkPermutation(int[] perm) {
        if (perm.length < 1) {
            throw new IllegalArgumentException("a permutation needs at least one index");
        }
        boolean[] seen = new boolean[perm.length];
        for (int j = 0; j < perm.length; j++) {
            int v = perm[j];
            if (v < 0 || v >= perm.length) {
                throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + ": index " + v
                        + " at position " + j + " is out of range 0.." + (perm.length - 1));
            }
            if (seen[v]) {
                throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + ": index " + v
                        + " appears twice");
            }
            seen[v] = true;
        }
        return perm;
    }

    private final Spec spec;
    private final int[] perm;
    private final int d;
    private final int offset;

    private Permutation(Spec spec, int offset) {
        this.spec = spec;
        this.perm = spec.perm;
        this.d = perm.length;
        this.offset = offset;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public int offset() {
        return offset;
    }

    @Override
    public void initialize(NumpyRandomState rng) {
    }

    @Override
    public Work work(int capacity, Precision precision) {
        return NONE;
    }

    @Override
    public void forward(double[] u, int n, double[] y, double[] logDet, Work w) {
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                y[o + j] = u[o + perm[j]];
            }
            logDet[r] = 0.0;
        }
    }

    @Override
    public void inverse(double[] y, int n, double[] u, double[] logDet, Work w) {
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                u[o + perm[j]] = y[o + j];
            }
            logDet[r] = 0.0;
        }
    }

    /** ∂L/∂y_j = ∂L/∂u_{π(j)}. */
    @Override
    public void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work w) {
        if (gy == null) {
            return;
        }
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                gy[o + j] = gu[o + perm[j]];
            }
        }
    }

    @Override
    public Map<String, Slot> parameterLayout() {
        return Map.of();
    }
}

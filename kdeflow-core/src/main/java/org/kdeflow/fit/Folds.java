package org.kdeflow.fit;

import org.kdeflow.data.Dataset;
import org.kdeflow.random.NumpyRandomState;

/**
 * A K-fold partition of n points: a permutation from {@code NumpyRandomState(seed)} cut into K contiguous parts of
 * sizes ⌊n/K⌋ or ⌈n/K⌉ (scikit-learn's {@code KFold(shuffle=True)} layout). Immutable.
 */
public final class Folds {
    private final int n;
    private final int k;
    private final int[] fold;

    private Folds(int n, int k, int[] fold) {
        this.n = n;
        this.k = k;
        this.fold = fold;
    }

    /**
     * K folds of n points.
     *
     * @throws IllegalArgumentException unless 2 ≤ K ≤ n
     */
    public static Folds of(int n, int k, long seed) {
        if (k < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        }
        if (n < k) {
            throw new IllegalArgumentException(k + "-fold cross-validation needs at least " + k + " points, got "
                    + n);
        }
        int[] perm = new NumpyRandomState(seed).permutation(n);
        int[] fold = new int[n];
        int from = 0;
        for (int f = 0; f < k; f++) {
            int size = n / k + (f < n % k ? 1 : 0);
            for (int i = from; i < from + size; i++) {
                fold[perm[i]] = f;
            }
            from += size;
        }
        return new Folds(n, k, fold);
    }

    public int size() {
        return n;
    }

    /** Number of folds K. */
    public int count() {
        return k;
    }

    /** The fold of point i. */
    public int foldOf(int i) {
        return fold[i];
    }

    /** Indices of the points in fold f (held out), in increasing order. */
    public int[] heldOut(int f) {
        return indices(f, true);
    }

    /** Indices of the points not in fold f (trained on), in increasing order. */
    public int[] training(int f) {
        return indices(f, false);
    }

    private int[] indices(int f, boolean in) {
        int m = 0;
        for (int i = 0; i < n; i++) {
            if ((fold[i] == f) == in) {
                m++;
            }
        }
        int[] out = new int[m];
        int q = 0;
        for (int i = 0; i < n; i++) {
            if ((fold[i] == f) == in) {
                out[q++] = i;
            }
        }
        return out;
    }

    /** The subset of {@code data} at {@code idx}. */
    static Dataset subset(Dataset data, int[] idx) {
        return data.select(idx);
    }

    /** The weights at {@code idx} (null for null). */
    static double[] subset(double[] weights, int[] idx) {
        if (weights == null) {
            return null;
        }
        double[] w = new double[idx.length];
        for (int k = 0; k < idx.length; k++) {
            w[k] = weights[idx[k]];
        }
        return w;
    }
}

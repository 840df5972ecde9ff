package org.kdeflow.data;

import java.util.Arrays;
import org.kdeflow.random.NumpyRandomState;

/**
 * An immutable set of n points in ℝᵈ, stored row-major: coordinate j of point i is {@code x[i*d + j]}.
 *
 * <p>Factories copy the caller's array and reject non-finite values; accessors return copies. Splits and subsets
 * are new datasets.
 */
public final class Dataset {
    private final double[] x;
    private final int n;
    private final int d;

    private Dataset(double[] x, int n, int d) {
        this.x = x;
        this.n = n;
        this.d = d;
    }

    /**
     * A dataset from a row-major array (copied).
     *
     * @throws IllegalArgumentException if d &lt; 1, the length is not n·d, or a value is NaN or infinite
     */
    public static Dataset of(double[] rowMajor, int n, int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + d);
        }
        if (n < 0 || (long) n * d != rowMajor.length) {
            throw new IllegalArgumentException("expected " + n + "x" + d + " = " + ((long) n * d)
                    + " values, got " + rowMajor.length);
        }
        for (int k = 0; k < rowMajor.length; k++) {
            if (!Double.isFinite(rowMajor[k])) {
                throw new IllegalArgumentException("value at row " + (k / d) + ", column " + (k % d)
                        + " is not finite: " + rowMajor[k]);
            }
        }
        return new Dataset(rowMajor.clone(), n, d);
    }

    /** A dataset from rows (copied); every row must have the same length. */
    public static Dataset ofRows(double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("no rows given; use of(new double[0], 0, d) for an empty dataset");
        }
        int d = rows[0].length;
        double[] x = new double[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " values, expected " + d);
            }
            System.arraycopy(rows[i], 0, x, i * d, d);
        }
        return of(x, rows.length, d);
    }

    /** Wraps an array the caller gives up (internal: no copy, no check). */
    static Dataset wrap(double[] rowMajor, int n, int d) {
        return new Dataset(rowMajor, n, d);
    }

    /** Number of points n. */
    public int size() {
        return n;
    }

    /** Dimension d. */
    public int dim() {
        return d;
    }

    /** Coordinate j of point i. */
    public double get(int i, int j) {
        return x[i * d + j];
    }

    /** Point i (a copy). */
    public double[] row(int i) {
        return Arrays.copyOfRange(x, i * d, i * d + d);
    }

    /** All points, row-major (a copy). */
    public double[] toArray() {
        return x.clone();
    }

    /** Copies rows {@code order[from..to)} into {@code dst} (row-major, from index 0); modifies {@code dst}. */
    public void copyRows(int[] order, int from, int to, double[] dst) {
        for (int r = from; r < to; r++) {
            System.arraycopy(x, order[r] * d, dst, (r - from) * d, d);
        }
    }

    /** Copies rows {@code [from, to)} into {@code dst}; modifies {@code dst}. */
    public void copyRows(int from, int to, double[] dst) {
        System.arraycopy(x, from * d, dst, 0, (to - from) * d);
    }

    /** The points at the given indices, in that order. */
    public Dataset select(int[] indices) {
        double[] y = new double[indices.length * d];
        for (int r = 0; r < indices.length; r++) {
            if (indices[r] < 0 || indices[r] >= n) {
                throw new IllegalArgumentException("index " + indices[r] + " out of range [0, " + n + ")");
            }
            System.arraycopy(x, indices[r] * d, y, r * d, d);
        }
        return new Dataset(y, indices.length, d);
    }

    /** Points {@code [from, to)}. */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > n || from > to) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") out of range [0, " + n + "]");
        }
        return new Dataset(Arrays.copyOfRange(x, from * d, to * d), to - from, d);
    }

    /**
     * A random split into two parts of sizes ⌊fraction·n⌋ and the rest, as the homework's
     * {@code lengths = [int(len(data)*0.9), len(data) - int(len(data)*0.9)]}: a permutation of the points drawn from
     * {@code NumpyRandomState(seed)}, the first part taking the first indices.
     */
    public Split randomSplit(double fraction, long seed) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("split fraction must be in [0, 1], got " + fraction);
        }
        int first = (int) (n * fraction);
        int[] perm = new NumpyRandomState(seed).permutation(n);
        return new Split(select(Arrays.copyOfRange(perm, 0, first)), select(Arrays.copyOfRange(perm, first, n)));
    }

    /** The two parts of a {@link #randomSplit}. */
    public record Split(Dataset first, Dataset second) {
    }

    /** Per-column minimum and maximum: {@code {min_0, max_0, min_1, max_1, …}}. */
    public double[] bounds() {
        double[] b = new double[2 * d];
        for (int j = 0; j < d; j++) {
            b[2 * j] = Double.POSITIVE_INFINITY;
            b[2 * j + 1] = Double.NEGATIVE_INFINITY;
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                b[2 * j] = Math.min(b[2 * j], v);
                b[2 * j + 1] = Math.max(b[2 * j + 1], v);
            }
        }
        return b;
    }

    @Override
    public String toString() {
        return "Dataset[" + n + "x" + d + "]";
    }
}

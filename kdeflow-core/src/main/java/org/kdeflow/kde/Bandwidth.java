package org.kdeflow.kde;

import java.util.Arrays;

/**
 * The bandwidth matrix H of a kernel density estimate f̂(x) = (1/|H|) Σᵢ wᵢ K(H⁻¹(xᵢ − x)) / Σw.
 *
 * <p>Three forms: a scalar h (H = h·I), a diagonal diag(h₁, …, h_d), or a full d×d matrix, row-major
 * ({@code H[r*d + c]}). A full H need not be symmetric; only |det H| enters the normalisation, so any invertible H is
 * allowed. For the Gaussian product kernel the kernel is the normal density with covariance Σ = H·Hᵀ.
 *
 * <p>Optionally H carries <em>per-sample factors</em> λᵢ &gt; 0 ({@link #withFactors}): sample i then has the bandwidth
 * Hᵢ = λᵢ·H, i.e. the kernel (1/|λᵢH|)·K(H⁻¹(x − xᵢ)/λᵢ), for the Gaussian kernel N(xᵢ, λᵢ²·H·Hᵀ) — the sample-point
 * (variable, adaptive) estimator of Abramson (1982, Ann. Statist. 10(4)), chosen by
 * {@link BandwidthSelectors#adaptive}. The factors belong to one data set: an estimate checks that there is one per
 * sample.
 *
 * <p>Immutable: factories validate and copy, accessors return copies. H⁻¹ and log|det H| are computed once (LU with
 * partial pivoting).
 */
public final class Bandwidth {

    /** Which of the three forms H has. */
    public enum Kind { SCALAR, DIAGONAL, FULL }

    private final Kind kind;
    private final int d;
    private final double[] h;
    private final double[] hInv;
    private final double logAbsDet;
    /** λᵢ, or null for a fixed bandwidth. */
    private final double[] factors;

    private Bandwidth(Kind kind, int d, double[] h, double[] hInv, double logAbsDet) {
        this(kind, d, h, hInv, logAbsDet, null);
    }

    private Bandwidth(Kind kind, int d, double[] h, double[] hInv, double logAbsDet, double[] factors) {
        this.kind = kind;
        this.d = d;
        this.h = h;
        this.hInv = hInv;
        this.logAbsDet = logAbsDet;
        this.factors = factors;
    }

    /**
     * The same H with per-sample factors λᵢ (copied): sample i's bandwidth is λᵢ·H. {@code null} gives the fixed
     * bandwidth.
     *
     * @throws IllegalArgumentException if there are no factors or one is not a finite number &gt; 0
     */
    public Bandwidth withFactors(double[] lambda) {
        if (lambda == null) {
            return factors == null ? this : new Bandwidth(kind, d, h, hInv, logAbsDet, null);
        }
        if (lambda.length == 0) {
            throw new IllegalArgumentException("per-sample bandwidth factors: got none (one per sample expected)");
        }
        for (int i = 0; i < lambda.length; i++) {
            double v = lambda[i];
            if (!(Double.isFinite(v) && v > 0)) {
                throw new IllegalArgumentException("per-sample bandwidth factor " + i + " must be a finite number > 0, "
                        + "got " + v);
            }
        }
        return new Bandwidth(kind, d, h, hInv, logAbsDet, lambda.clone());
    }

    /** Whether the bandwidth has per-sample factors. */
    public boolean isAdaptive() {
        return factors != null;
    }

    /** The per-sample factors λᵢ (a copy), or null for a fixed bandwidth. */
    public double[] factors() {
        return factors == null ? null : factors.clone();
    }

    /** λᵢ itself or null (internal, not to be modified). */
    double[] factorsView() {
        return factors;
    }

    /**
     * H = h·I in dimension d.
     *
     * @throws IllegalArgumentException if h is not a finite number &gt; 0 or d &lt; 1
     */
    public static Bandwidth scalar(double h, int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + d);
        }
        if (!(Double.isFinite(h) && h > 0)) {
            throw new IllegalArgumentException("bandwidth h must be a finite number > 0, got " + h);
        }
        double[] m = new double[d * d];
        double[] inv = new double[d * d];
        for (int j = 0; j < d; j++) {
            m[j * d + j] = h;
            inv[j * d + j] = 1.0 / h;
        }
        return new Bandwidth(Kind.SCALAR, d, m, inv, d * Math.log(h));
    }

    /**
     * H = diag(h₁, …, h_d) (the array is copied).
     *
     * @throws IllegalArgumentException if an entry is not a finite number &gt; 0 or there are none
     */
    public static Bandwidth diagonal(double... diag) {
        int d = diag.length;
        if (d < 1) {
            throw new IllegalArgumentException("a diagonal bandwidth needs at least one entry");
        }
        double[] m = new double[d * d];
        double[] inv = new double[d * d];
        double logDet = 0;
        for (int j = 0; j < d; j++) {
            double v = diag[j];
            if (!(Double.isFinite(v) && v > 0)) {
                throw new IllegalArgumentException("bandwidth entry h" + (j + 1) + " must be a finite number > 0, got "
                        + v);
            }
            m[j * d + j] = v;
            inv[j * d + j] = 1.0 / v;
            logDet += Math.log(v);
        }
        return new Bandwidth(Kind.DIAGONAL, d, m, inv, logDet);
    }

    /**
     * A full d×d matrix H, row-major (copied).
     *
     * @throws IllegalArgumentException if the length is not d², an entry is not finite, or H is singular
     *     (|det H| = 0 or a pivot below 1e-13 times the largest entry, so H⁻¹ would be meaningless)
     */
    public static Bandwidth full(double[] matrix, int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + d);
        }
        if (matrix.length != d * d) {
            throw new IllegalArgumentException("bandwidth matrix must have " + d + "x" + d + " = " + (d * d)
                    + " entries, got " + matrix.length);
        }
        double scale = 0;
        for (int k = 0; k < matrix.length; k++) {
            if (!Double.isFinite(matrix[k])) {
                throw new IllegalArgumentException("bandwidth matrix entry (" + (k / d + 1) + "," + (k % d + 1)
                        + ") is not finite: " + matrix[k]);
            }
            scale = Math.max(scale, Math.abs(matrix[k]));
        }
        if (scale == 0) {
            throw new IllegalArgumentException("bandwidth matrix is singular (all entries are 0)");
        }
        double[] m = matrix.clone();
        double[] inv = new double[d * d];
        double logDet = invert(m, d, inv, scale);
        if (Double.isNaN(logDet)) {
            throw new IllegalArgumentException("bandwidth matrix is singular (det H = 0): "
                    + Arrays.toString(matrix));
        }
        return new Bandwidth(Kind.FULL, d, m, inv, logDet);
    }

    /** A full matrix from rows (copied). */
    public static Bandwidth full(double[][] rows) {
        int d = rows.length;
        double[] m = new double[d * d];
        for (int r = 0; r < d; r++) {
            if (rows[r].length != d) {
                throw new IllegalArgumentException("bandwidth matrix must be square: row " + (r + 1) + " has "
                        + rows[r].length + " entries, expected " + d);
            }
            System.arraycopy(rows[r], 0, m, r * d, d);
        }
        return full(m, d);
    }

    /**
     * Inverts the row-major d×d matrix a into inv by LU with partial pivoting; returns log|det a|, or NaN when a pivot
     * is below 1e-13·scale (numerically singular).
     */
    static double invert(double[] a, int d, double[] inv, double scale) {
        double[] lu = a.clone();
        int[] perm = new int[d];
        for (int i = 0; i < d; i++) {
            perm[i] = i;
        }
        double logDet = 0;
        for (int k = 0; k < d; k++) {
            int p = k;
            for (int i = k + 1; i < d; i++) {
                if (Math.abs(lu[i * d + k]) > Math.abs(lu[p * d + k])) {
                    p = i;
                }
            }
            double pivot = lu[p * d + k];
            if (!(Math.abs(pivot) > 1e-13 * scale)) {
                return Double.NaN;
            }
            if (p != k) {
                for (int c = 0; c < d; c++) {
                    double t = lu[k * d + c];
                    lu[k * d + c] = lu[p * d + c];
                    lu[p * d + c] = t;
                }
                int t = perm[k];
                perm[k] = perm[p];
                perm[p] = t;
            }
            logDet += Math.log(Math.abs(pivot));
            for (int i = k + 1; i < d; i++) {
                double f = lu[i * d + k] / pivot;
                lu[i * d + k] = f;
                for (int c = k + 1; c < d; c++) {
                    lu[i * d + c] -= f * lu[k * d + c];
                }
            }
        }
        // Solve LU · inv[:, c] = P e_c for each column c.
        double[] col = new double[d];
        for (int c = 0; c < d; c++) {
            for (int i = 0; i < d; i++) {
                col[i] = perm[i] == c ? 1.0 : 0.0;
            }
            for (int i = 0; i < d; i++) {
                double s = col[i];
                for (int k = 0; k < i; k++) {
                    s -= lu[i * d + k] * col[k];
                }
                col[i] = s;
            }
            for (int i = d - 1; i >= 0; i--) {
                double s = col[i];
                for (int k = i + 1; k < d; k++) {
                    s -= lu[i * d + k] * col[k];
                }
                col[i] = s / lu[i * d + i];
            }
            for (int i = 0; i < d; i++) {
                inv[i * d + c] = col[i];
            }
        }
        return logDet;
    }

    /** The dimension d. */
    public int dim() {
        return d;
    }

    /** The form H was given in. */
    public Kind kind() {
        return kind;
    }

    /** True when H is diagonal (scalar, diagonal, or a full matrix whose off-diagonal entries are all 0). */
    public boolean isDiagonal() {
        if (kind != Kind.FULL) {
            return true;
        }
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                if (r != c && h[r * d + c] != 0.0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The diagonal entries H_jj (a copy). */
    public double[] diagonal() {
        double[] diag = new double[d];
        for (int j = 0; j < d; j++) {
            diag[j] = h[j * d + j];
        }
        return diag;
    }

    /** H, row-major d×d (a copy). */
    public double[] matrix() {
        return h.clone();
    }

    /** H⁻¹, row-major d×d (a copy). */
    public double[] inverse() {
        return hInv.clone();
    }

    /** H⁻¹ itself (internal, not to be modified). */
    double[] inverseView() {
        return hInv;
    }

    /** log|det H|. */
    public double logAbsDet() {
        return logAbsDet;
    }

    /** |det H|. */
    public double absDet() {
        return Math.exp(logAbsDet);
    }

    /** The kernel covariance Σ = H·Hᵀ for the Gaussian kernel, row-major (a new array). */
    public double[] covariance() {
        double[] s = new double[d * d];
        for (int r = 0; r < d; r++) {
            for (int c = 0; c < d; c++) {
                double v = 0;
                for (int k = 0; k < d; k++) {
                    v += h[r * d + k] * h[c * d + k];
                }
                s[r * d + c] = v;
            }
        }
        return s;
    }

    /** c·H, of the same kind, with the same per-sample factors. */
    public Bandwidth scaled(double c) {
        if (!(Double.isFinite(c) && c > 0)) {
            throw new IllegalArgumentException("scale must be a finite number > 0, got " + c);
        }
        Bandwidth fixed = switch (kind) {
            case SCALAR -> scalar(h[0] * c, d);
            case DIAGONAL -> {
                double[] diag = diagonal();
                for (int j = 0; j < d; j++) {
                    diag[j] *= c;
                }
                yield diagonal(diag);
            }
            case FULL -> {
                double[] m = h.clone();
                for (int k = 0; k < m.length; k++) {
                    m[k] *= c;
                }
                yield full(m, d);
            }
        };
        return factors == null ? fixed : new Bandwidth(fixed.kind, d, fixed.h, fixed.hInv, fixed.logAbsDet, factors);
    }

    /** y = H·x for one d-vector, written to {@code y[yOff..yOff+d)}; modifies y only. */
    void apply(double[] x, int xOff, double[] y, int yOff) {
        for (int r = 0; r < d; r++) {
            double s = 0;
            for (int c = 0; c < d; c++) {
                s += h[r * d + c] * x[xOff + c];
            }
            y[yOff + r] = s;
        }
    }

    /**
     * z = H⁻¹·x for n row-major d-vectors, written column-major into {@code zT[j*stride + i]} (i &lt; n); modifies zT
     * only.
     */
    void whitenTransposed(double[] x, int n, double[] zT, int stride) {
        for (int i = 0; i < n; i++) {
            int off = i * d;
            for (int r = 0; r < d; r++) {
                double s = 0;
                for (int c = 0; c < d; c++) {
                    s += hInv[r * d + c] * x[off + c];
                }
                zT[r * stride + i] = s;
            }
        }
    }

    @Override
    public String toString() {
        String adaptive = factors == null ? "" : ", " + factors.length + " per-sample factors";
        return switch (kind) {
            case SCALAR -> "Bandwidth[h=" + h[0] + ", d=" + d + adaptive + "]";
            case DIAGONAL -> "Bandwidth[diag" + Arrays.toString(diagonal()) + adaptive + "]";
            case FULL -> "Bandwidth[H=" + Arrays.toString(h) + ", d=" + d + adaptive + "]";
        };
    }
}

package org.kdeflow.kde;

import java.util.Arrays;
import org.jtransforms.fft.DoubleFFT_1D;
import org.jtransforms.fft.DoubleFFT_2D;
import org.jtransforms.fft.DoubleFFT_3D;
import org.kdeflow.data.Grid;

/**
 * Path 3: the binned Gaussian estimate on a regular grid in d = 1, 2 or 3 dimensions (Wand 1994, "Fast computation
 * of multivariate kernel estimators", J. Comput. Graph. Stat. 3(4)), in two public steps so that binning can run
 * where the samples are and the convolution once, on the merged counts:
 *
 * <ol>
 *   <li>The grid is extended by L_j = ⌈τ·σ_j/δ_j⌉ nodes on each side of axis j (σ_j = √Σ_jj the kernel's marginal
 *       standard deviation, Σ = H·Hᵀ, δ_j the spacing, τ = {@value #TAU}), so every sample within τ kernel standard
 *       deviations of the target grid lands inside it; samples beyond contribute less than φ_Σ(0)·e^(−τ²/2) and are
 *       dropped.</li>
 *   <li>{@link #bin}: linear binning. Sample i at fractional cell position t = (t₁, …, t_d) adds
 *       wᵢ·Π_j (1 − t_j or t_j) to the 2ᵈ corners of its cell, so the counts c_e sum to Σwᵢ over the kept samples.
 *       Counts are additive: binning two halves of a sample and adding the arrays bins the whole.</li>
 *   <li>{@link #convolve}: f̃(g) = Σ_e (c_e / W)·φ_Σ(g − e), W = Σwᵢ, a discrete convolution with the kernel at the
 *       lags (ℓ₁δ₁, …, ℓ_dδ_d), |ℓ_j| ≤ L_j: one 1-D pass per axis when H is diagonal and the direct sum is cheaper,
 *       otherwise a d-dimensional FFT (JTransforms) on a zero-padded array of 5-smooth size ≥ the extended grid
 *       along every axis (no wrap-around reaches a target node).</li>
 * </ol>
 * Error (see {@link #errorBound()}): |f̃ − f̂| ≤ φ_Σ(0)·[Σ_j δ_j²P_jj/8 + e^(−τ²/2) + 1e−12], P = Σ⁻¹,
 * φ_Σ(0) = (2π)^(−d/2)/|H|. The first term is the multilinear-interpolation error of each kernel bump
 * (sup|∂²φ_Σ/∂x_j²| = φ_Σ(0)·P_jj); the second is what the truncation and the dropped samples lose in total; the last
 * covers floating-point round-off of the FFT.
 *
 * <p>Layout. Axis j of the target grid has p_j nodes g_j(i) = lo_j + i·δ_j, δ_j = (hi_j − lo_j)/(p_j − 1) (numpy's
 * {@code linspace}); values are row-major with axis 0 fastest, {@code values[i₀ + p₀·(i₁ + p₁·i₂)]}, which for d = 2
 * is {@link Grid}'s {@code values[iy·nx + ix]}. Counts live on the extended grid of m_j = p_j + 2L_j nodes per axis,
 * laid out the same way ({@link #extendedPoints()}, {@link #cells()}). Samples are row-major n×d.
 *
 * <p>Immutable and thread-safe; {@link #bin} and {@link #convolve} modify only the arrays they are said to.
 */
public final class BinnedGrid {
    /** Truncation radius in kernel standard deviations: e^(−τ²/2) = 2.3e−11. */
    public static final double TAU = 7.0;

    /** Largest extended grid (cells) binning will allocate: 2²⁵ cells, 512 MiB of complex FFT input in 2-D. */
    public static final long MAX_CELLS = 1L << 25;

    /** The largest dimension binning supports. */
    public static final int MAX_DIM = 3;

    private final Bandwidth h;
    private final int d;
    private final double[] lo;
    private final double[] hi;
    private final double[] delta;
    private final int[] p;
    private final int[] l;
    private final int[] m;
    private final double[] origin;
    private final int size;
    private final int cells;

    private BinnedGrid(Bandwidth h, double[] lo, double[] hi, double[] delta, int[] p, int[] l) {
        this.h = h;
        this.d = p.length;
        this.lo = lo;
        this.hi = hi;
        this.delta = delta;
        this.p = p;
        this.l = l;
        this.m = new int[d];
        this.origin = new double[d];
        int s = 1;
        int c = 1;
        for (int j = 0; j < d; j++) {
            m[j] = p[j] + 2 * l[j];
            origin[j] = lo[j] - l[j] * delta[j];
            s *= p[j];
            c *= m[j];
        }
        this.size = s;
        this.cells = c;
    }

    /**
     * The binned estimate's layout for bandwidth {@code h} on a 2-D {@link Grid}.
     *
     * @throws IllegalArgumentException if H is not 2×2 or the extended grid would exceed {@link #MAX_CELLS}
     */
    public static BinnedGrid of(Bandwidth h, Grid grid) {
        if (h.dim() != 2) {
            throw new IllegalArgumentException("a 2-D grid needs a 2x2 bandwidth, got " + h.dim() + "x" + h.dim());
        }
        return checked(h, new double[] {grid.x0(), grid.y0()}, new double[] {grid.x1(), grid.y1()},
                new double[] {grid.dx(), grid.dy()}, new int[] {grid.nx(), grid.ny()});
    }

    /**
     * The binned estimate's layout for bandwidth {@code h} on the grid with {@code points[j]} nodes from
     * {@code lo[j]} to {@code hi[j]} (both included) on axis j (arrays copied).
     *
     * @throws IllegalArgumentException if d is not 1, 2 or 3 or differs from H's, an axis has fewer than 2 points or
     *     a range is not finite with lo &lt; hi, or the extended grid would exceed {@link #MAX_CELLS}
     */
    public static BinnedGrid of(Bandwidth h, double[] lo, double[] hi, int[] points) {
        int d = points.length;
        if (d < 1 || d > MAX_DIM) {
            throw new IllegalArgumentException("binned evaluation supports 1 to " + MAX_DIM + " dimensions, got "
                    + d);
        }
        if (lo.length != d || hi.length != d) {
            throw new IllegalArgumentException("grid has " + d + " point counts but " + lo.length + " lower and "
                    + hi.length + " upper ends");
        }
        if (h.dim() != d) {
            throw new IllegalArgumentException("bandwidth is " + h.dim() + "x" + h.dim() + " but the grid has "
                    + "dimension " + d);
        }
        double[] delta = new double[d];
        for (int j = 0; j < d; j++) {
            if (points[j] < 2) {
                throw new IllegalArgumentException("grid axis " + (j + 1) + " needs at least 2 points, got "
                        + points[j]);
            }
            if (!(Double.isFinite(lo[j]) && Double.isFinite(hi[j]) && lo[j] < hi[j])) {
                throw new IllegalArgumentException("grid axis " + (j + 1) + " range must be finite with lo < hi, got ["
                        + lo[j] + ", " + hi[j] + "]");
            }
            delta[j] = (hi[j] - lo[j]) / (points[j] - 1);
        }
        return checked(h, lo.clone(), hi.clone(), delta, points.clone());
    }

    private static BinnedGrid checked(Bandwidth h, double[] lo, double[] hi, double[] delta, int[] p) {
        long cells = extendedCells(h, delta, p);
        if (cells > MAX_CELLS) {
            throw new IllegalArgumentException("binned evaluation would need an extended grid of " + cells
                    + " cells (the kernel is very wide against the grid spacing); use the exact or separable method");
        }
        int d = p.length;
        double[] sigma = h.covariance();
        int[] l = new int[d];
        for (int j = 0; j < d; j++) {
            l[j] = (int) Math.ceil(TAU * Math.sqrt(sigma[j * d + j]) / delta[j]);
        }
        return new BinnedGrid(h, lo, hi, delta, p, l);
    }

    /** The extended grid's size (cells) for this bandwidth and grid, saturating instead of overflowing. */
    static long extendedCells(Bandwidth h, Grid grid) {
        return extendedCells(h, new double[] {grid.dx(), grid.dy()}, new int[] {grid.nx(), grid.ny()});
    }

    private static long extendedCells(Bandwidth h, double[] delta, int[] p) {
        int d = p.length;
        double[] sigma = h.covariance();
        double cells = 1;
        for (int j = 0; j < d; j++) {
            cells *= p[j] + 2 * Math.ceil(TAU * Math.sqrt(sigma[j * d + j]) / delta[j]);
        }
        return cells > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) cells;
    }

    static double errorBound(Bandwidth h, Grid grid) {
        return errorBound(h, new double[] {grid.dx(), grid.dy()});
    }

    private static double errorBound(Bandwidth h, double[] delta) {
        int d = delta.length;
        double[] hInv = h.inverseView();
        double curvature = 0;
        for (int j = 0; j < d; j++) {
            double pjj = 0; // P = H⁻ᵀH⁻¹, so P_jj = Σ_r (H⁻¹)_rj²
            for (int r = 0; r < d; r++) {
                pjj += hInv[r * d + j] * hInv[r * d + j];
            }
            curvature += delta[j] * delta[j] * pjj;
        }
        return phi0(h) * (curvature / 8 + Math.exp(-TAU * TAU / 2) + 1e-12);
    }

    /** φ_Σ(0) = (2π)^(−d/2)/|H|. */
    private static double phi0(Bandwidth h) {
        int d = h.dim();
        double norm = d == 2 ? 2 * Math.PI : Math.pow(2 * Math.PI, d / 2.0);
        return Math.exp(-h.logAbsDet()) / norm;
    }

    /** The binned estimate of a Gaussian KDE on a 2-D grid (what {@link KernelDensity.GridMethod#BINNED} returns). */
    static double[] evaluate(KernelDensity kde, Grid grid) {
        if (kde.kernel() != Kernel.GAUSSIAN) {
            throw new IllegalArgumentException("binned evaluation supports the gaussian kernel only, got "
                    + kde.kernel());
        }
        BinnedGrid g = of(kde.bandwidth(), grid);
        double[] c = new double[g.cells];
        g.binUnchecked(kde.samplesView(), kde.weightsView(), kde.size(), c);
        return g.convolveUnchecked(c, 1.0);
    }

    /** The dimension d. */
    public int dim() {
        return d;
    }

    /** The bandwidth H. */
    public Bandwidth bandwidth() {
        return h;
    }

    /** Points per axis of the target grid, p_j (a copy). */
    public int[] points() {
        return p.clone();
    }

    /** Lower end of each axis, lo_j (a copy). */
    public double[] lower() {
        return lo.clone();
    }

    /** Upper end of each axis, hi_j (a copy). */
    public double[] upper() {
        return hi.clone();
    }

    /** Spacing of each axis, δ_j (a copy). */
    public double[] spacing() {
        return delta.clone();
    }

    /** Number of target nodes Π p_j, the length of {@link #convolve}'s result. */
    public int size() {
        return size;
    }

    /** Nodes per axis of the extended grid, m_j = p_j + 2L_j (a copy). */
    public int[] extendedPoints() {
        return m.clone();
    }

    /** Number of extended-grid cells Π m_j, the length of a counts array. */
    public int cells() {
        return cells;
    }

    /**
     * The coordinates of the target nodes, row-major size()×d in the layout of the values (axis 0 fastest); axis j
     * is {@link Grid#linspace}(lo_j, hi_j, p_j).
     */
    public double[] nodes() {
        double[][] axes = new double[d][];
        for (int j = 0; j < d; j++) {
            axes[j] = Grid.linspace(lo[j], hi[j], p[j]);
        }
        double[] out = new double[size * d];
        int[] idx = new int[d];
        for (int k = 0; k < size; k++) {
            for (int j = 0; j < d; j++) {
                out[k * d + j] = axes[j][idx[j]];
            }
            next(idx, p);
        }
        return out;
    }

    /** The bound on |f̃ − f̂| at every target node (see the class comment). */
    public double errorBound() {
        return errorBound(h, delta);
    }

    /**
     * Adds the linear binning of n samples to {@code counts}: sample i (row i of the row-major n×d {@code x}) with
     * weight {@code w[i]} (1 when {@code w} is null) is shared among the corners of its extended-grid cell. Samples
     * outside the extended grid, and non-finite ones, are dropped. Modifies {@code counts} only.
     *
     * @throws IllegalArgumentException if {@code x} holds fewer than n·d values, {@code w} fewer than n,
     *     {@code counts} is not {@link #cells()} long, or a weight is negative or not finite
     */
    public void bin(double[] x, double[] w, int n, double[] counts) {
        if (n < 0 || (long) n * d > x.length) {
            throw new IllegalArgumentException("expected " + n + "x" + d + " sample values, got " + x.length);
        }
        if (w != null) {
            if (w.length < n) {
                throw new IllegalArgumentException("got " + w.length + " weights for " + n + " samples");
            }
            for (int i = 0; i < n; i++) {
                if (!(Double.isFinite(w[i]) && w[i] >= 0)) {
                    throw new IllegalArgumentException("weight " + i + " must be finite and >= 0, got " + w[i]);
                }
            }
        }
        checkCounts(counts);
        binUnchecked(x, w, n, counts);
    }

    private void checkCounts(double[] counts) {
        if (counts.length != cells) {
            throw new IllegalArgumentException("counts must have the extended grid's " + cells + " cells, got "
                    + counts.length);
        }
    }

    private void binUnchecked(double[] x, double[] w, int n, double[] c) {
        switch (d) {
            case 1 -> bin1(x, w, n, c);
            case 2 -> bin2(x, w, n, c);
            default -> bin3(x, w, n, c);
        }
    }

    private void bin1(double[] x, double[] w, int n, double[] c) {
        double idx = 1.0 / delta[0];
        double ex0 = origin[0];
        int mx = m[0];
        for (int i = 0; i < n; i++) {
            double fx = (x[i] - ex0) * idx;
            if (!(fx >= 0 && fx < mx - 1)) {
                continue;
            }
            int ix = (int) fx;
            double tx = fx - ix;
            double wi = w == null ? 1.0 : w[i];
            c[ix] += wi * (1 - tx);
            c[ix + 1] += wi * tx;
        }
    }

    private void bin2(double[] x, double[] w, int n, double[] c) {
        double idx = 1.0 / delta[0];
        double idy = 1.0 / delta[1];
        double ex0 = origin[0];
        double ey0 = origin[1];
        int mx = m[0];
        int my = m[1];
        for (int i = 0; i < n; i++) {
            double fx = (x[2 * i] - ex0) * idx;
            double fy = (x[2 * i + 1] - ey0) * idy;
            if (!(fx >= 0 && fy >= 0 && fx < mx - 1 && fy < my - 1)) {
                continue;
            }
            int ix = (int) fx;
            int iy = (int) fy;
            double tx = fx - ix;
            double ty = fy - iy;
            double wi = w == null ? 1.0 : w[i];
            int k = iy * mx + ix;
            c[k] += wi * (1 - tx) * (1 - ty);
            c[k + 1] += wi * tx * (1 - ty);
            c[k + mx] += wi * (1 - tx) * ty;
            c[k + mx + 1] += wi * tx * ty;
        }
    }

    private void bin3(double[] x, double[] w, int n, double[] c) {
        double idx = 1.0 / delta[0];
        double idy = 1.0 / delta[1];
        double idz = 1.0 / delta[2];
        int mx = m[0];
        int my = m[1];
        int mz = m[2];
        int plane = mx * my;
        for (int i = 0; i < n; i++) {
            double fx = (x[3 * i] - origin[0]) * idx;
            double fy = (x[3 * i + 1] - origin[1]) * idy;
            double fz = (x[3 * i + 2] - origin[2]) * idz;
            if (!(fx >= 0 && fy >= 0 && fz >= 0 && fx < mx - 1 && fy < my - 1 && fz < mz - 1)) {
                continue;
            }
            int ix = (int) fx;
            int iy = (int) fy;
            int iz = (int) fz;
            double tx = fx - ix;
            double ty = fy - iy;
            double tz = fz - iz;
            double wi = w == null ? 1.0 : w[i];
            int k = (iz * my + iy) * mx + ix;
            double w0 = wi * (1 - tz);
            double w1 = wi * tz;
            c[k] += w0 * (1 - tx) * (1 - ty);
            c[k + 1] += w0 * tx * (1 - ty);
            c[k + mx] += w0 * (1 - tx) * ty;
            c[k + mx + 1] += w0 * tx * ty;
            c[k + plane] += w1 * (1 - tx) * (1 - ty);
            c[k + plane + 1] += w1 * tx * (1 - ty);
            c[k + plane + mx] += w1 * (1 - tx) * ty;
            c[k + plane + mx + 1] += w1 * tx * ty;
        }
    }

    /**
     * f̃ at every target node from binned {@code counts} of samples with total weight {@code totalWeight} (W = Σwᵢ
     * over all samples binned, kept or dropped), as a new array in the layout of the values. Does not modify
     * {@code counts}.
     *
     * @throws IllegalArgumentException if {@code counts} is not {@link #cells()} long or W is not a finite number
     *     &gt; 0
     */
    public double[] convolve(double[] counts, double totalWeight) {
        checkCounts(counts);
        if (!(Double.isFinite(totalWeight) && totalWeight > 0)) {
            throw new IllegalArgumentException("total weight must be a finite number > 0, got " + totalWeight);
        }
        return convolveUnchecked(counts, totalWeight);
    }

    private double[] convolveUnchecked(double[] counts, double totalWeight) {
        double[] c = counts;
        if (totalWeight != 1.0) {
            c = new double[cells];
            for (int k = 0; k < cells; k++) {
                c[k] = counts[k] / totalWeight;
            }
        }
        int[] pad = new int[d];
        long padded = 1;
        double direct = 0;
        long passSize = cells;
        for (int j = 0; j < d; j++) {
            pad[j] = fftSize(m[j]);
            padded *= pad[j];
            passSize = passSize / m[j] * p[j];
            direct += (double) passSize * (2 * l[j] + 1);
        }
        double fft = 3.0 * padded * (Math.log(padded) / Math.log(2)) * 4;
        double[] out = h.isDiagonal() && direct <= fft ? separable(c) : viaFft(c, pad);
        for (int k = 0; k < out.length; k++) {
            if (out[k] < 0) {
                out[k] = 0; // f̂ ≥ 0; removing FFT round-off below 0 only reduces the error
            }
        }
        return out;
    }

    /** One 1-D convolution per axis, each shrinking its axis from m_j to p_j nodes (diagonal H). */
    private double[] separable(double[] c) {
        double[] diag = h.diagonal();
        int[] shape = m.clone();
        double[] in = c;
        for (int j = 0; j < d; j++) {
            double[] k = kernel1d(l[j], delta[j], Math.abs(diag[j]));
            int inner = 1;
            for (int a = 0; a < j; a++) {
                inner *= shape[a];
            }
            int outer = 1;
            for (int a = j + 1; a < d; a++) {
                outer *= shape[a];
            }
            int mj = shape[j];
            int pj = p[j];
            int lj = l[j];
            double[] t = new double[outer * pj * inner];
            if (inner == 1) {
                for (int o = 0; o < outer; o++) {
                    int to = o * pj;
                    int co = o * mj + lj;
                    for (int s = -lj; s <= lj; s++) {
                        double kv = k[s + lj];
                        int src = co - s;
                        for (int i = 0; i < pj; i++) {
                            t[to + i] += kv * in[src + i];
                        }
                    }
                }
            } else {
                for (int o = 0; o < outer; o++) {
                    for (int i = 0; i < pj; i++) {
                        int to = (o * pj + i) * inner;
                        for (int s = -lj; s <= lj; s++) {
                            double kv = k[s + lj];
                            int src = (o * mj + i + lj - s) * inner;
                            for (int q = 0; q < inner; q++) {
                                t[to + q] += kv * in[src + q];
                            }
                        }
                    }
                }
            }
            shape[j] = pj;
            in = t;
        }
        return in;
    }

    /** k(ℓδ/h)/h for ℓ = −L..L (Gaussian, normalised 1-D). */
    private static double[] kernel1d(int l, double delta, double h) {
        double[] k = new double[2 * l + 1];
        for (int i = -l; i <= l; i++) {
            double u = i * delta / h;
            k[i + l] = Math.exp(-0.5 * u * u) * Kernel.INV_SQRT_2PI / h;
        }
        return k;
    }

    /** The convolution by a d-dimensional FFT of the zero-padded counts and kernel (any H). */
    private double[] viaFft(double[] c, int[] pad) {
        int total = 1;
        for (int j = 0; j < d; j++) {
            total *= pad[j];
        }
        double[] a = new double[2 * total];
        int[] e = new int[d];
        for (int k = 0; k < cells; k++) {
            a[2 * paddedIndex(e, pad, 0)] = c[k];
            next(e, m);
        }
        double[] hInv = h.inverseView();
        double phi0 = phi0(h);
        double cut = TAU * TAU;
        double[] kern = new double[2 * total];
        int lags = 1;
        for (int j = 0; j < d; j++) {
            lags *= 2 * l[j] + 1;
        }
        int[] lag = new int[d];
        int[] span = new int[d];
        for (int j = 0; j < d; j++) {
            lag[j] = -l[j];
            span[j] = 2 * l[j] + 1;
        }
        double[] v = new double[d];
        int[] wrapped = new int[d];
        for (int q = 0; q < lags; q++) {
            for (int j = 0; j < d; j++) {
                v[j] = lag[j] * delta[j];
                wrapped[j] = Math.floorMod(lag[j], pad[j]);
            }
            double r2 = 0;
            for (int r = 0; r < d; r++) {
                double u = 0;
                for (int s = 0; s < d; s++) {
                    u += hInv[r * d + s] * v[s];
                }
                r2 += u * u;
            }
            if (r2 <= cut) {
                kern[2 * paddedIndex(wrapped, pad, 0)] = phi0 * Math.exp(-0.5 * r2);
            }
            for (int j = 0; j < d && ++lag[j] > l[j]; j++) {
                lag[j] = -l[j];
            }
        }
        switch (d) {
            case 1 -> {
                DoubleFFT_1D fft = new DoubleFFT_1D(pad[0]);
                fft.complexForward(a);
                fft.complexForward(kern);
                multiply(a, kern, total);
                fft.complexInverse(a, true);
            }
            case 2 -> {
                DoubleFFT_2D fft = new DoubleFFT_2D(pad[1], pad[0]);
                fft.complexForward(a);
                fft.complexForward(kern);
                multiply(a, kern, total);
                fft.complexInverse(a, true);
            }
            default -> {
                DoubleFFT_3D fft = new DoubleFFT_3D(pad[2], pad[1], pad[0]);
                fft.complexForward(a);
                fft.complexForward(kern);
                multiply(a, kern, total);
                fft.complexInverse(a, true);
            }
        }
        double[] out = new double[size];
        int[] g = new int[d];
        for (int k = 0; k < size; k++) {
            out[k] = a[2 * paddedIndex(g, pad, 1)];
            next(g, p);
        }
        return out;
    }

    /** The index in the padded array of node {@code idx} (shifted by L_j when {@code shift} is 1). */
    private int paddedIndex(int[] idx, int[] pad, int shift) {
        int k = 0;
        for (int j = d - 1; j >= 0; j--) {
            k = k * pad[j] + idx[j] + shift * l[j];
        }
        return k;
    }

    /** Advances a multi-index in the values' order (axis 0 fastest). */
    private static void next(int[] idx, int[] extent) {
        for (int j = 0; j < idx.length && ++idx[j] == extent[j]; j++) {
            idx[j] = 0;
        }
    }

    /** a ← a·b elementwise for interleaved complex arrays of n values. */
    private static void multiply(double[] a, double[] b, int n) {
        for (int q = 0; q < n; q++) {
            double re = a[2 * q] * b[2 * q] - a[2 * q + 1] * b[2 * q + 1];
            double im = a[2 * q] * b[2 * q + 1] + a[2 * q + 1] * b[2 * q];
            a[2 * q] = re;
            a[2 * q + 1] = im;
        }
    }

    /** The smallest 2^a·3^b·5^c ≥ m. */
    static int fftSize(int m) {
        for (int s = Math.max(m, 1); ; s++) {
            int r = s;
            for (int f : new int[] {2, 3, 5}) {
                while (r % f == 0) {
                    r /= f;
                }
            }
            if (r == 1) {
                return s;
            }
        }
    }

    @Override
    public String toString() {
        return "BinnedGrid[points=" + Arrays.toString(p) + ", extended=" + Arrays.toString(m) + ", " + h + "]";
    }
}

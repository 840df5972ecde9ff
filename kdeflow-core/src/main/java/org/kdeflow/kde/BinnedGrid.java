package org.kdeflow.kde;

import org.jtransforms.fft.DoubleFFT_2D;
import org.kdeflow.data.Grid;

/**
 * Path 3: the binned Gaussian estimate on a 2-D grid (Wand 1994, "Fast computation of multivariate kernel
 * estimators", J. Comput. Graph. Stat. 3(4)).
 *
 * <ol>
 *   <li>The grid is extended by L_j = ⌈τ·σ_j/δ_j⌉ nodes on each side (σ_j = √Σ_jj the kernel's marginal standard
 *       deviation, Σ = H·Hᵀ, δ_j the spacing, τ = {@value #TAU}), so every sample within τ kernel standard
 *       deviations of the target grid lands inside it; samples beyond contribute less than φ_Σ(0)·e^(−τ²/2) and are
 *       dropped.</li>
 *   <li>Linear binning: sample i at fractional cell position (tx, ty) gives ωᵢ(1−tx)(1−ty), ωᵢ·tx(1−ty), … to the
 *       four corners, so the counts c_e sum to Σωᵢ over the kept samples.</li>
 *   <li>f̃(g) = Σ_e c_e·φ_Σ(g − e), a discrete convolution with the kernel at the lags (ℓδ₁, mδ₂), |ℓ| ≤ L₁,
 *       |m| ≤ L₂: two 1-D passes when H is diagonal and the direct sum is cheaper, otherwise a 2-D FFT (JTransforms)
 *       on a zero-padded array of 5-smooth size ≥ the extended grid (no wrap-around reaches a target node).</li>
 * </ol>
 * Error (see {@link #errorBound}): |f̃ − f̂| ≤ φ_Σ(0)·[(δ₁²P₁₁ + δ₂²P₂₂)/8 + e^(−τ²/2) + 1e−12], P = Σ⁻¹. The first
 * term is the bilinear-interpolation error of each kernel bump (sup|∂²φ_Σ/∂x_j²| = φ_Σ(0)·P_jj); the second is
 * what the truncation and the dropped samples lose in total; the last covers floating-point round-off of the FFT.
 */
final class BinnedGrid {
    /** Truncation radius in kernel standard deviations: e^(−τ²/2) = 2.3e−11. */
    static final double TAU = 7.0;

    private BinnedGrid() {
    }

    /** Largest extended grid (cells) binning will allocate: 2²⁶ doubles = 512 MiB of complex FFT input. */
    static final long MAX_CELLS = 1L << 25;

    /** The extended grid's size (cells) for this bandwidth and grid. */
    static long extendedCells(Bandwidth h, Grid grid) {
        double[] sigma = h.covariance();
        double lx = Math.ceil(TAU * Math.sqrt(sigma[0]) / grid.dx());
        double ly = Math.ceil(TAU * Math.sqrt(sigma[3]) / grid.dy());
        double cells = (grid.nx() + 2 * lx) * (grid.ny() + 2 * ly);
        return cells > Long.MAX_VALUE / 4 ? Long.MAX_VALUE / 4 : (long) cells;
    }

    static double errorBound(Bandwidth h, Grid grid) {
        double[] hInv = h.inverseView();
        double p11 = hInv[0] * hInv[0] + hInv[2] * hInv[2];
        double p22 = hInv[1] * hInv[1] + hInv[3] * hInv[3];
        double phi0 = Math.exp(-h.logAbsDet()) / (2 * Math.PI);
        double dx = grid.dx();
        double dy = grid.dy();
        return phi0 * ((dx * dx * p11 + dy * dy * p22) / 8 + Math.exp(-TAU * TAU / 2) + 1e-12);
    }

    static double[] evaluate(KernelDensity kde, Grid grid) {
        if (kde.kernel() != Kernel.GAUSSIAN) {
            throw new IllegalArgumentException("binned evaluation supports the gaussian kernel only, got "
                    + kde.kernel());
        }
        Bandwidth h = kde.bandwidth();
        if (extendedCells(h, grid) > MAX_CELLS) {
            throw new IllegalArgumentException("binned evaluation would need an extended grid of "
                    + extendedCells(h, grid) + " cells (the kernel is very wide against the grid spacing); "
                    + "use the exact or separable method");
        }
        double[] sigma = h.covariance();
        double[] hInv = h.inverseView();
        double dx = grid.dx();
        double dy = grid.dy();
        int nx = grid.nx();
        int ny = grid.ny();
        int lx = (int) Math.ceil(TAU * Math.sqrt(sigma[0]) / dx);
        int ly = (int) Math.ceil(TAU * Math.sqrt(sigma[3]) / dy);
        int mx = nx + 2 * lx;
        int my = ny + 2 * ly;
        double ex0 = grid.x0() - lx * dx;
        double ey0 = grid.y0() - ly * dy;
        double[] c = bin(kde.samplesView(), kde.weightsView(), kde.size(), ex0, ey0, dx, dy, mx, my);
        double phi0 = Math.exp(-h.logAbsDet()) / (2 * Math.PI);
        int px = fftSize(mx);
        int py = fftSize(my);
        double direct = (double) my * nx * (2 * lx + 1) + (double) nx * ny * (2 * ly + 1);
        double fft = 3.0 * px * py * (Math.log(px * (double) py) / Math.log(2)) * 4;
        double[] out;
        if (h.isDiagonal() && direct <= fft) {
            out = separable(c, mx, lx, ly, nx, ny, dx, dy, h.diagonal());
        } else {
            out = viaFft(c, mx, my, px, py, lx, ly, nx, ny, dx, dy, hInv, phi0);
        }
        for (int k = 0; k < out.length; k++) {
            if (out[k] < 0) {
                out[k] = 0; // f̂ ≥ 0; removing FFT round-off below 0 only reduces the error
            }
        }
        return out;
    }

    /** Linear binning of the samples onto the mx×my extended grid; samples outside it are dropped. */
    static double[] bin(double[] x, double[] w, int n, double ex0, double ey0, double dx, double dy, int mx,
                        int my) {
        double[] c = new double[mx * my];
        double idx = 1.0 / dx;
        double idy = 1.0 / dy;
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
            double wi = w[i];
            int k = iy * mx + ix;
            c[k] += wi * (1 - tx) * (1 - ty);
            c[k + 1] += wi * tx * (1 - ty);
            c[k + mx] += wi * (1 - tx) * ty;
            c[k + mx + 1] += wi * tx * ty;
        }
        return c;
    }

    private static double[] separable(double[] c, int mx, int lx, int ly, int nx, int ny, double dx, double dy,
                                      double[] diag) {
        int my = ny + 2 * ly;
        double[] kx = kernel1d(lx, dx, Math.abs(diag[0]));
        double[] ky = kernel1d(ly, dy, Math.abs(diag[1]));
        double[] t = new double[my * nx];
        for (int row = 0; row < my; row++) {
            int to = row * nx;
            int co = row * mx + lx;
            for (int l = -lx; l <= lx; l++) {
                double kv = kx[l + lx];
                int src = co - l;
                for (int ix = 0; ix < nx; ix++) {
                    t[to + ix] += kv * c[src + ix];
                }
            }
        }
        double[] out = new double[nx * ny];
        for (int iy = 0; iy < ny; iy++) {
            int oo = iy * nx;
            for (int m = -ly; m <= ly; m++) {
                double kv = ky[m + ly];
                int src = (iy + ly - m) * nx;
                for (int ix = 0; ix < nx; ix++) {
                    out[oo + ix] += kv * t[src + ix];
                }
            }
        }
        return out;
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

    private static double[] viaFft(double[] c, int mx, int my, int px, int py, int lx, int ly, int nx, int ny,
                                   double dx, double dy, double[] hInv, double phi0) {
        double[] a = new double[2 * px * py];
        for (int row = 0; row < my; row++) {
            for (int col = 0; col < mx; col++) {
                a[2 * (row * px + col)] = c[row * mx + col];
            }
        }
        double[] k = new double[2 * px * py];
        double cut = TAU * TAU;
        for (int m = -ly; m <= ly; m++) {
            double vy = m * dy;
            int row = Math.floorMod(m, py);
            for (int l = -lx; l <= lx; l++) {
                double vx = l * dx;
                double u0 = hInv[0] * vx + hInv[1] * vy;
                double u1 = hInv[2] * vx + hInv[3] * vy;
                double r2 = u0 * u0 + u1 * u1;
                if (r2 <= cut) {
                    k[2 * (row * px + Math.floorMod(l, px))] = phi0 * Math.exp(-0.5 * r2);
                }
            }
        }
        DoubleFFT_2D fft = new DoubleFFT_2D(py, px);
        fft.complexForward(a);
        fft.complexForward(k);
        for (int p = 0; p < px * py; p++) {
            double re = a[2 * p] * k[2 * p] - a[2 * p + 1] * k[2 * p + 1];
            double im = a[2 * p] * k[2 * p + 1] + a[2 * p + 1] * k[2 * p];
            a[2 * p] = re;
            a[2 * p + 1] = im;
        }
        fft.complexInverse(a, true);
        double[] out = new double[nx * ny];
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                out[iy * nx + ix] = a[2 * ((iy + ly) * px + ix + lx)];
            }
        }
        return out;
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
}

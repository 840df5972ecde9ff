package org.kdeflow.kde;

/**
 * The homework's formula written out plainly, independent of the library's code paths:
 * f̂(x) = (1/|det H|) Σᵢ ωᵢ Πⱼ k((H⁻¹(xᵢ − x))ⱼ), H⁻¹ by the adjugate (d ≤ 3), k by {@link Math#exp}.
 */
final class KdeReference {
    private KdeReference() {
    }

    static double[] inverse(double[] h, int d) {
        if (d == 1) {
            return new double[] {1 / h[0]};
        }
        if (d == 2) {
            double det = h[0] * h[3] - h[1] * h[2];
            return new double[] {h[3] / det, -h[1] / det, -h[2] / det, h[0] / det};
        }
        double a = h[0], b = h[1], c = h[2], dd = h[3], e = h[4], f = h[5], g = h[6], hh = h[7], i = h[8];
        double det = a * (e * i - f * hh) - b * (dd * i - f * g) + c * (dd * hh - e * g);
        return new double[] {
            (e * i - f * hh) / det, (c * hh - b * i) / det, (b * f - c * e) / det,
            (f * g - dd * i) / det, (a * i - c * g) / det, (c * dd - a * f) / det,
            (dd * hh - e * g) / det, (b * g - a * hh) / det, (a * e - b * dd) / det};
    }

    static double det(double[] h, int d) {
        if (d == 1) {
            return h[0];
        }
        if (d == 2) {
            return h[0] * h[3] - h[1] * h[2];
        }
        return h[0] * (h[4] * h[8] - h[5] * h[7]) - h[1] * (h[3] * h[8] - h[5] * h[6])
                + h[2] * (h[3] * h[7] - h[4] * h[6]);
    }

    /** f̂ at each query; weights may be null. */
    static double[] density(double[] x, int n, int d, double[] weights, double[] h, Kernel kernel, double[] q,
                            int m) {
        double[] ones = new double[n];
        java.util.Arrays.fill(ones, 1.0);
        return densityWithFactors(x, n, d, weights, h, ones, kernel, q, m);
    }

    /** log f̂ for the Gaussian kernel by a two-pass log-sum-exp in the reference's own arithmetic. */
    static double logDensityGaussian(double[] x, int n, int d, double[] h, double[] q) {
        double[] inv = inverse(h, d);
        double[] r2 = new double[n];
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int r = 0; r < d; r++) {
                double v = 0;
                for (int c = 0; c < d; c++) {
                    v += inv[r * d + c] * (x[i * d + c] - q[c]);
                }
                s += v * v;
            }
            r2[i] = s;
            min = Math.min(min, s);
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(-(r2[i] - min) / 2);
        }
        return -min / 2 + Math.log(s / n) - Math.log(Math.abs(det(h, d))) - d * 0.5 * Math.log(2 * Math.PI);
    }

    /**
     * f̂ with per-sample factors: (1/|det H|) Σᵢ ωᵢ λᵢ^(−d) Πⱼ k((H⁻¹(xᵢ − x))ⱼ/λᵢ), written out directly.
     */
    static double[] densityWithFactors(double[] x, int n, int d, double[] weights, double[] h, double[] lambda,
                                       Kernel kernel, double[] q, int m) {
        double[] inv = inverse(h, d);
        double absDet = Math.abs(det(h, d));
        double wsum = 0;
        for (int i = 0; i < n; i++) {
            wsum += weights == null ? 1 : weights[i];
        }
        double[] out = new double[m];
        for (int t = 0; t < m; t++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                double k = Math.pow(lambda[i], -d);
                for (int r = 0; r < d; r++) {
                    double v = 0;
                    for (int c = 0; c < d; c++) {
                        v += inv[r * d + c] * (x[i * d + c] - q[t * d + c]);
                    }
                    double u = v / lambda[i];
                    k *= kernel == Kernel.GAUSSIAN ? Math.exp(-u * u / 2) / Math.sqrt(2 * Math.PI)
                            : (Math.abs(u) <= 1 ? 0.75 * (1 - u * u) : 0);
                }
                s += (weights == null ? 1 : weights[i]) * k;
            }
            out[t] = s / wsum / absDet;
        }
        return out;
    }
}

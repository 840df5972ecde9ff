package org.kdeflow.fit;

/**
 * The weight of a two-component mixture fitted to out-of-fold log-densities a_i, b_i (stacked density estimation,
 * Smyth &amp; Wolpert 1999): α maximising L(α) = Σ ω_i log(α e^{a_i} + (1 − α) e^{b_i}) over [0, 1]. L is concave in
 * α (a sum of logs of affine functions), so a bracketing search on L'(α) = Σ ω_i (e^{a_i} − e^{b_i}) /
 * (α e^{a_i} + (1 − α) e^{b_i}) finds the maximum; the terms are computed relative to max(a_i, b_i), so they stay
 * exact far from the data.
 */
final class Stacking {
    private Stacking() {
    }

    /** The maximising α in [0, 1]. */
    static double bestWeight(double[] a, double[] b, double[] omega) {
        if (derivative(a, b, omega, 0) <= 0) {
            return 0;
        }
        if (derivative(a, b, omega, 1) >= 0) {
            return 1;
        }
        double lo = 0;
        double hi = 1;
        for (int it = 0; it < 60; it++) {
            double mid = 0.5 * (lo + hi);
            if (derivative(a, b, omega, mid) > 0) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    private static double derivative(double[] a, double[] b, double[] omega, double alpha) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            if (omega[i] == 0) {
                continue;
            }
            double m = Math.max(a[i], b[i]);
            if (m == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double ea = Math.exp(a[i] - m);
            double eb = Math.exp(b[i] - m);
            double den = alpha * ea + (1 - alpha) * eb;
            if (den > 0) {
                s += omega[i] * (ea - eb) / den;
            } else {
                s += omega[i] * (ea > eb ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
            }
        }
        return s;
    }

    /** log(α e^{a_i} + (1 − α) e^{b_i}) for every i. */
    static double[] mixed(double[] a, double[] b, double alpha) {
        double[] out = new double[a.length];
        double la = Math.log(alpha);
        double lb = Math.log1p(-alpha);
        for (int i = 0; i < a.length; i++) {
            double u = la + a[i];
            double v = lb + b[i];
            double m = Math.max(u, v);
            out[i] = m == Double.NEGATIVE_INFINITY ? m : m + Math.log(Math.exp(u - m) + Math.exp(v - m));
        }
        return out;
    }
}

package org.kdeflow.kernels;

/**
 * The element-wise update of Adam (Kingma &amp; Ba 2015) in PyTorch's order, over k &lt; len:
 * <pre>
 *   m ← β₁m + a₁g,   v ← β₂v + a₂g·g,   x ← x − stepSize·(m / (√v / c₂ + ε)),
 * </pre>
 * with a₁ = 1 − β₁, a₂ = 1 − β₂, c₂ = √(1 − β₂ᵗ) and stepSize = lr / (1 − β₁ᵗ). Both implementations perform the
 * same IEEE operations in the same order, so they agree bit for bit.
 */
public interface AdamKernel {

    /** One update; returns whether every updated x is finite. Modifies x, m and v. */
    boolean update(double[] x, double[] g, double[] m, double[] v, int len, double beta1, double beta2, double a1,
            double a2, double stepSize, double c2, double eps);

    /** The plain-Java update. */
    AdamKernel SCALAR = (x, g, m, v, len, beta1, beta2, a1, a2, stepSize, c2, eps) ->
            tail(x, g, m, v, 0, len, beta1, beta2, a1, a2, stepSize, c2, eps) == 0.0;

    /** The scalar update over [from, to); returns Σ x·0 (0 unless some x is not finite). */
    static double tail(double[] x, double[] g, double[] m, double[] v, int from, int to, double beta1,
            double beta2, double a1, double a2, double stepSize, double c2, double eps) {
        double check = 0;
        for (int k = from; k < to; k++) {
            double gk = g[k];
            double mk = m[k] * beta1 + a1 * gk;
            double vk = v[k] * beta2 + a2 * gk * gk;
            m[k] = mk;
            v[k] = vk;
            double denom = Math.sqrt(vk) / c2 + eps;
            double xk = x[k] - stepSize * (mk / denom);
            x[k] = xk;
            check += xk * 0.0;
        }
        return check;
    }
}

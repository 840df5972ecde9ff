package org.kdeflow.kde;

import org.kdeflow.density.NoisyCurves;

/**
 * The standard normal distribution function Φ, its inverse and the bivariate normal distribution function Φ₂, to
 * double precision, for box probabilities of Gaussian kernels.
 *
 * <ul>
 *   <li>Q(z) = 1 − Φ(z) = φ(z)·R(z) with Mills' ratio R. For z ≤ 8, R is its Taylor polynomial of degree 20
 *       about the nearest node a ∈ {0, ¼, ½, …, 8}, |z − a| ≤ ⅛, with coefficients from R' = zR − 1: c₀ = R(a),
 *       c₁ = a·c₀ − 1, (k+1)·c_{k+1} = a·c_k + c_{k−1} (Marsaglia 2004, J. Stat. Softw. 11(4), who expands about even
 *       nodes), tabulated once; the node values come from the continued fraction below, R(0) = √(π/2). For z &gt; 8,
 *       R is the continued
 *       fraction R(z) = 1/(z + 1/(z + 2/(z + 3/(z + …)))) (Laplace), evaluated by the modified Lentz method.
 *       Φ(z) = Q(−z) for z &lt; 0 keeps full relative accuracy in the lower tail.</li>
 *   <li>Φ⁻¹(p): the starting value of Abramowitz &amp; Stegun 26.2.23 (error &lt; 4.5e−4), then Halley steps on
 *       Φ(x) − p (cubic convergence: the error after a step is of the order of the step cubed) until a step is below
 *       1e−6·|x|, usually two; the upper half works on 1 − p.</li>
 *   <li>Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k) for standard normals with correlation ρ. For |ρ| &lt; 0.925, Sheppard's
 *       formula ∂Φ₂/∂ρ = φ₂ with ρ = sin θ (Drezner &amp; Wesolowsky 1990, J. Stat. Comput. Simul. 35; Genz 2004,
 *       Stat. Comput. 14):
 *       Φ₂ = Φ(h)Φ(k) + (1/2π)∫₀^{asin ρ} exp(−(h² − 2hk sin θ + k²)/(2cos²θ)) dθ, by 24-point Gauss–Legendre.
 *       For ρ ≥ 0.925 that integrand turns sharp; instead Φ₂ = ∫_{−∞}^h φ(x) Φ((k − ρx)/σ) dx, σ = √(1 − ρ²),
 *       becomes with x = x* + s·t (x* = k/ρ, s = σ/ρ, T = (h − x*)/s) Φ₂ = s∫_{−∞}^T φ(x* + st)Φ(−t) dt, and
 *       splitting Φ(−t) into the step 1[t &lt; 0] and the smooth rest gives
 *       Φ₂ = Φ(min(h, x*)) + s·[∫₀^{max(T,0)} φ(x* + su)Φ(−u) du − ∫_{max(−T,0)}^∞ φ(x* − su)Φ(−u) du],
 *       two smooth integrals, on 4 panels of 24-point Gauss–Legendre up to u = 12 (Φ(−12) ≈ 1.8e−33);
 *       ρ ≤ −0.925 uses Φ₂(h, k; ρ) = Φ(h) − Φ₂(h, −k; −ρ).</li>
 * </ul>
 * Checked against scipy's {@code ndtr}, {@code ndtri} and {@code owens_t} (the bivariate function through Owen's
 * T) in {@code NormalTest}.
 */
final class Normal {
    static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);
    private static final double SQRT_HALF_PI = Math.sqrt(Math.PI / 2);
    private static final double NODE_STEP = 0.25;
    /** Taylor nodes 0, ¼, …, {@value #TAYLOR_MAX}; beyond, the continued fraction converges in a few dozen terms. */
    private static final double TAYLOR_MAX = 8.0;
    /** Degree of the Taylor polynomials: |z − a| ≤ ⅛, so the first term left out is below 1e−19 of the sum. */
    private static final int DEGREE = 20;
    private static final int NODES = (int) (TAYLOR_MAX / NODE_STEP) + 1;
    /** Row k: the Taylor coefficients c₀ … c_DEGREE of R about the node k·NODE_STEP. */
    private static final double[] TAYLOR = new double[NODES * (DEGREE + 1)];
    /** 24-point Gauss–Legendre nodes and weights on [−1, 1]. */
    private static final double[] GL_X;
    private static final double[] GL_W;

    static {
        for (int node = 0; node < NODES; node++) {
            double a = node * NODE_STEP;
            int o = node * (DEGREE + 1);
            TAYLOR[o] = node == 0 ? SQRT_HALF_PI : millsFraction(a, 100_000);
            TAYLOR[o + 1] = a * TAYLOR[o] - 1;
            for (int k = 1; k < DEGREE; k++) {
                TAYLOR[o + k + 1] = (a * TAYLOR[o + k] + TAYLOR[o + k - 1]) / (k + 1);
            }
        }
        double[][] gl = NoisyCurves.gaussLegendre(24);
        GL_X = gl[0];
        GL_W = gl[1];
    }

    private Normal() {
    }

    /** φ(z) = e^(−z²/2)/√(2π). */
    static double pdf(double z) {
        return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    }

    /** Φ(z). */
    static double cdf(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return z < 0 ? upper(-z) : 1 - upper(z);
    }

    /** Q(z) = 1 − Φ(z), with full relative accuracy for z &gt; 0. */
    static double upper(double z) {
        if (z < 0) {
            return 1 - upper(-z);
        }
        if (z > 38.5) {
            return 0.0; // below the smallest double
        }
        return pdf(z) * mills(z);
    }

    /** Mills' ratio R(z) = Q(z)/φ(z), z ≥ 0. */
    static double mills(double z) {
        if (z > TAYLOR_MAX) {
            return millsFraction(z, 5000);
        }
        int node = (int) Math.round(z / NODE_STEP);
        double h = z - node * NODE_STEP;
        int o = node * (DEGREE + 1);
        double sum = TAYLOR[o + DEGREE];
        for (int k = DEGREE - 1; k >= 0; k--) {
            sum = Math.fma(sum, h, TAYLOR[o + k]);
        }
        return sum;
    }

    /** R(z) = 1/(z + 1/(z + 2/(z + …))) by the modified Lentz method, z &gt; 0. */
    private static double millsFraction(double z, int maxTerms) {
        double tiny = 1e-300;
        double f = z;
        double c = z;
        double dd = 0;
        for (int k = 1; k <= maxTerms; k++) {
            dd = z + k * dd;
            dd = dd == 0 ? tiny : dd;
            c = z + k / c;
            c = c == 0 ? tiny : c;
            dd = 1 / dd;
            double delta = c * dd;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-17) {
                break;
            }
        }
        return 1 / f;
    }

    /**
     * Φ⁻¹(p) for 0 &lt; p &lt; 1 (−∞ at 0, +∞ at 1).
     */
    static double inverseCdf(double p) {
        if (!(p >= 0 && p <= 1)) {
            return Double.NaN;
        }
        if (p == 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (p == 1) {
            return Double.POSITIVE_INFINITY;
        }
        return p > 0.5 ? -inverseLower(1 - p) : inverseLower(p);
    }

    /** x ≤ 0 with Φ(x) = p, for 0 &lt; p ≤ ½. */
    private static double inverseLower(double p) {
        double t = Math.sqrt(-2 * Math.log(p));
        double x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
                / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
        for (int it = 0; it < 8; it++) {
            double phi = pdf(x);
            if (phi == 0) {
                break;
            }
            double e = (upper(-x) - p) / phi; // Φ(x) − p over φ(x)
            double step = e / (1 + 0.5 * x * e);
            x -= step;
            // cubic convergence: after a step below 1e−6·|x| the error is below ~1e−18·|x|
            if (Math.abs(step) <= 1e-6 * Math.abs(x)) {
                break;
            }
        }
        return x;
    }

    /** Φ₂(h, k; ρ) = P(X ≤ h, Y ≤ k), −1 &lt; ρ &lt; 1; h and k may be infinite. */
    static double bivariate(double h, double k, double rho) {
        if (h == Double.NEGATIVE_INFINITY || k == Double.NEGATIVE_INFINITY) {
            return 0.0;
        }
        if (h == Double.POSITIVE_INFINITY) {
            return cdf(k);
        }
        if (k == Double.POSITIVE_INFINITY) {
            return cdf(h);
        }
        if (rho == 0) {
            return cdf(h) * cdf(k);
        }
        if (Math.abs(rho) < 0.925) {
            double theta = Math.asin(rho);
            double half = theta / 2;
            double hs = (h * h + k * k) / 2;
            double hk = h * k;
            double sum = 0;
            for (int i = 0; i < GL_X.length; i++) {
                double sn = Math.sin(half * (GL_X[i] + 1));
                sum += GL_W[i] * Math.exp((sn * hk - hs) / (1 - sn * sn));
            }
            return Math.max(0.0, cdf(h) * cdf(k) + sum * half / (2 * Math.PI));
        }
        if (rho < 0) {
            return Math.max(0.0, cdf(h) - bivariate(h, -k, -rho));
        }
        double sigma = Math.sqrt((1 - rho) * (1 + rho));
        double xStar = k / rho;
        double s = sigma / rho;
        double t = (h - xStar) / s;
        double j;
        if (t >= 0) {
            j = s * (stepIntegral(xStar, s, 1, 0, Math.min(t, CUT)) - stepIntegral(xStar, s, -1, 0, CUT));
        } else {
            j = t <= -CUT ? 0.0 : -s * stepIntegral(xStar, s, -1, -t, CUT);
        }
        return Math.min(1.0, Math.max(0.0, cdf(Math.min(h, xStar)) + j));
    }

    /** Where the step integrals are cut: Φ(−12) ≈ 1.8e−33. */
    private static final double CUT = 12.0;

    /** ∫_from^to φ(x* + sign·s·u)·Φ(−u) du by 4 panels of 24-point Gauss–Legendre. */
    private static double stepIntegral(double xStar, double s, int sign, double from, double to) {
        double total = 0;
        int panels = 4;
        double halfW = (to - from) / panels / 2;
        for (int p = 0; p < panels; p++) {
            double mid = from + (2 * p + 1) * halfW;
            double acc = 0;
            for (int i = 0; i < GL_X.length; i++) {
                double u = mid + halfW * GL_X[i];
                acc += GL_W[i] * pdf(xStar + sign * s * u) * upper(u);
            }
            total += acc * halfW;
        }
        return total;
    }
}

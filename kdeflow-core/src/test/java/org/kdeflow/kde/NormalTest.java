package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Φ, Φ⁻¹ and Φ₂ against scipy 1.17 ({@code special.ndtr}, {@code special.ndtri}, and Φ₂ through Owen's T with
 * {@code special.owens_t}; {@code scipy-kde/make_reference.py}). Tolerances: Φ to 5e−14 relative (the continued
 * fraction and the Taylor series are accurate to a few ulp; 5e−14 leaves room for the far tail, where both sides
 * round exp(−z²/2)); Φ⁻¹ to 1e−14 relative; Φ₂ to 1e−13 relative plus 1e−17 absolute (the reference is a quad
 * integral, good to a few 1e−16 absolute; for ρ &lt; 0 in the lower tail Φ₂ is the difference of terms 1000× larger
 * than itself).
 */
class NormalTest {

    @Test
    void cdfMatchesScipyToDoublePrecision() {
        double[] z = ScipyReference.array("normal.z");
        double[] ref = ScipyReference.array("normal.cdf");
        for (int k = 0; k < z.length; k++) {
            double got = Normal.cdf(z[k]);
            assertEquals(ref[k], got, 5e-14 * ref[k], "Φ(" + z[k] + ")");
            assertEquals(1 - got, Normal.upper(z[k]), 1e-16 + 5e-14 * (1 - got), "Q(" + z[k] + ")");
        }
    }

    @Test
    void inverseMatchesScipy() {
        double[] p = ScipyReference.array("normal.p");
        double[] ref = ScipyReference.array("normal.inverse");
        for (int k = 0; k < p.length; k++) {
            assertEquals(ref[k], Normal.inverseCdf(p[k]), 1e-14 * Math.max(1, Math.abs(ref[k])), "Φ⁻¹(" + p[k] + ")");
        }
        assertEquals(Double.NEGATIVE_INFINITY, Normal.inverseCdf(0));
        assertEquals(Double.POSITIVE_INFINITY, Normal.inverseCdf(1));
    }

    @Test
    void bivariateMatchesOwensT() {
        double[] b = ScipyReference.array("normal.bivariate");
        double[] ref = ScipyReference.array("normal.bivariate_cdf");
        for (int k = 0; k < ref.length; k++) {
            double h = b[3 * k];
            double kk = b[3 * k + 1];
            double r = b[3 * k + 2];
            assertEquals(ref[k], Normal.bivariate(h, kk, r), 1e-13 * ref[k] + 1e-17, "Φ₂(" + h + ", " + kk + "; "
                    + r + ")");
        }
    }

    @Test
    void bivariateIsContinuousAcrossTheSwitchOfMethodAndHasItsLimits() {
        // the two formulas meet at |ρ| = 0.925: the function is smooth there, so neighbours must agree closely
        for (double h : new double[] {-2, -0.3, 0.4, 1.7}) {
            for (double k : new double[] {-1.1, 0.2, 2.2}) {
                for (double r : new double[] {0.925, -0.925}) {
                    // Φ₂ moves by at most φ₂ ≤ 1/(2π·0.38) ≈ 0.42 per unit of ρ: below 9e−13 over the 2e−12 step
                    double below = Normal.bivariate(h, k, Math.copySign(Math.abs(r) - 1e-12, r));
                    double above = Normal.bivariate(h, k, Math.copySign(Math.abs(r) + 1e-12, r));
                    assertEquals(below, above, 1e-12, "h=" + h + " k=" + k + " r=" + r);
                }
            }
        }
        assertEquals(Normal.cdf(0.3) * Normal.cdf(-0.2), Normal.bivariate(0.3, -0.2, 0), 1e-16);
        assertEquals(Normal.cdf(0.3), Normal.bivariate(0.3, Double.POSITIVE_INFINITY, 0.5), 0);
        assertEquals(0.0, Normal.bivariate(Double.NEGATIVE_INFINITY, 1, 0.5), 0);
        // ρ → 1: Φ₂ → Φ(min(h, k))
        assertEquals(Normal.cdf(0.5), Normal.bivariate(0.5, 0.9, 1 - 1e-12), 1e-12);
        assertTrue(Normal.bivariate(3, 3, 0.999) <= Normal.cdf(3));
    }
}

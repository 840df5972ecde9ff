package org.kdeflow.kde;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Parallel;
import org.kdeflow.kernels.KdeOps;

/**
 * Plug-in (Hpi) and smoothed cross-validation (Hscv) bandwidth matrices, full and diagonal, computed as R's
 * {@code ks} 1.14 computes them with {@code binned = FALSE} (exact double sums). Notation: Σ_K = H·Hᵀ is the kernel
 * covariance (ks's "H"); n the sample size (n_eff = 1/Σωᵢ² with weights, every double sum Σᵢⱼ/n² becoming
 * Σᵢⱼ ωᵢωⱼ; ks itself takes no weights); φ_Σ the N(0, Σ) density; D^α the partial derivative with multi-index α.
 *
 * <p><b>Pre-transformation.</b> The full selectors work on the sphered data x* = S^(−1/2)·x (S the sample covariance,
 * symmetric square roots), the diagonal ones on the scaled data x*ⱼ = xⱼ/sⱼ; the result is mapped back,
 * Σ_K = S^(½)·Σ*·S^(½) (resp. diag(s)·Σ*·diag(s)).
 *
 * <p><b>Kernel functionals.</b> ψ̂_α(G) = Σᵢⱼ ωᵢωⱼ D^α φ_G(x*ᵢ − x*ⱼ) for the isotropic pilot G = g²I, pairs
 * i = j included (ks's {@code kfe}, {@code inc = 1}); with u = Δ/g, D^α φ_G(Δ) = φ_G(Δ)·Πₖ (−1/g)^{αₖ}He_{αₖ}(uₖ)
 * (probabilists' Hermite polynomials), so each pair costs one exp. The normal-scale values
 * ψ_α^{NS} = D^α φ_{2Σ}(0) = φ_{2Σ}(0)·(−1)^{|α|/2}·Σ_{pairings} Π P_{ab}, P = (2Σ)⁻¹ (Isserlis), ks's
 * {@code psins}.
 *
 * <p><b>Pilots</b> (Chacón &amp; Duong 2010, Test 19(2); Duong &amp; Hazelton 2003, J. Nonparam. Stat. 15(1)):
 * <ul>
 *   <li>d = 2, "samse" (ks's {@code gsamse}): for the order m = 4 or 6 and K_α = D^α φ_I(0), ψ_α the sum over j of the
 *       order-(m+2) functional at α + 2eⱼ, both over the distinct even multi-indices α of order m in ks's order:
 *       A₁ = ΣK², A₂ = ΣKψ, A₃ = Σψ², γ = (−B₂ + √(B₂² + 4B₁B₃))/(2B₁) with B₁ = (2m + 2d)A₁, B₂ = (m + d − 2)A₂,
 *       B₃ = A₃, and g = (γn)^(−1/(m+d+2)). Two stages: g₆ from normal-scale ψ^{NS}, then ψ̂₆(g₆), then g₄ from
 *       ψ̂₆. ks 1.14 reads the sixth-order values for g₄ from the full vectorised ψ̂₆ at the positions the
 *       multi-indices have in the list of distinct ones (so, in 2-D, ψ̂_(5,1) in place of ψ̂_(4,2)); kdeflow does
 *       the same, so that the matrices agree.</li>
 *   <li>d ≠ 2, "dscalar" (ks's {@code gdscalar}, two stages): a normal-scale g₆ from ψ₈^{NS}, then
 *       η₆ = Σᵢⱼ ωᵢωⱼ Δ³φ_{g₆²I}(x*ᵢ − x*ⱼ) (the cubed Laplacian, ks's {@code Qr}), then g₄ in closed form.</li>
 * </ul>
 *
 * <p><b>Criteria</b>, minimised over Σ* = A² with A symmetric (vech(A) the parameters, as ks does; a diagonal
 * Σ* = diag(p)²), from ks's normal-reference start Σ* = (4/(n(d+2)))^{2/(d+4)}·S*:
 * <ul>
 *   <li>Hpi: PI(Σ*) = n⁻¹|Σ*|^(−½)(4π)^(−d/2) + ¼·vec(Σ*)ᵀΨ̂₄vec(Σ*) (the AMISE with plug-in ψ̂₄(g₄));
 *       Hpi.diag in 2-D has the samse closed form h₁ = (ψ₀₄^{3/4}(4π)⁻¹ / (ψ₄₀^{3/4}(√(ψ₄₀ψ₀₄) + ψ₂₂)n))^{1/6},
 *       h₂ = (ψ₄₀/ψ₀₄)^{1/4}h₁, Σ* = diag(h₁², h₂²).</li>
 *   <li>Hscv: SCV(Σ*) = n⁻¹|Σ*|^(−½)(4π)^(−d/2) + max(0, Q(2Σ* + 2G) − 2Q(Σ* + 2G) + Q(2G)),
 *       Q(Σ) = Σᵢⱼ ωᵢωⱼ φ_Σ(x*ᵢ − x*ⱼ) (Duong &amp; Hazelton 2005, Scand. J. Stat. 32(3)). The pilot G = g²I: in 2-D
 *       ks's {@code gamse.scv} from a one-stage Hpi Σ_A and ψ̂₆; otherwise the dscalar pilot in its SCV form.</li>
 * </ul>
 * Minimisation: R's {@code optim} BFGS as ks calls it ({@link #vmmin}), so that the result follows ks's path and
 * stopping point — the criteria are flat enough near their minimum that a tighter optimiser moves Σ by ~1e−3.
 */
final class PluginSelectors {
    private PluginSelectors() {
    }

    /** Sphered or scaled data with their weights, n_eff and covariance, and the map back. */
    private record Star(double[] x, int n, int d, double[] w, double nEff, double[] s, double[] s12) {
        /** Σ_K = S½·Σ*·S½. */
        double[] back(double[] sigma) {
            return sandwich(s12, sigma, d);
        }
    }

    private static Star star(double[] x, int n, int d, double[] weights, boolean sphere) {
        BandwidthSelectors.Moments m = BandwidthSelectors.moments(Dataset.of(x, n, d), weights);
        double[] s12 = new double[d * d];
        double[] inv12 = new double[d * d];
        if (sphere) {
            BandwidthSelectors.cholesky(m.cov(), d); // refuses a singular sample covariance with a clear message
            symmetricRoots(m.cov(), d, s12, inv12);
        } else {
            for (int j = 0; j < d; j++) {
                double sd = Math.sqrt(m.cov()[j * d + j]);
                s12[j * d + j] = sd;
                inv12[j * d + j] = 1 / sd;
            }
        }
        double[] xs = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < d; r++) {
                double v = 0;
                for (int c = 0; c < d; c++) {
                    v += x[i * d + c] * inv12[c * d + r];
                }
                xs[i * d + r] = v;
            }
        }
        BandwidthSelectors.Moments ms = BandwidthSelectors.moments(Dataset.of(xs, n, d), weights);
        return new Star(xs, n, d, ms.w(), ms.nEff(), ms.cov(), s12);
    }

    // ---------------------------------------------------------------- the selectors

    /** Hpi (full) or Hpi.diag: the kernel covariance Σ_K. */
    static double[] hpi(Dataset data, double[] weights, boolean full) {
        int d = data.dim();
        Star s = star(data.toArray(), data.size(), d, weights, full);
        if (full) {
            return s.back(hpiStar(s, 2, true));
        }
        if (d == 2) {
            double[] psi4 = pilotPsi4(s, 2);
            double psi40 = psi4[index(new int[] {4, 0})];
            double psi22 = psi4[index(new int[] {2, 2})];
            double psi04 = psi4[index(new int[] {0, 4})];
            double rk = 1 / (4 * Math.PI);
            double h1 = Math.pow(Math.pow(psi04, 0.75) * rk
                    / (Math.pow(psi40, 0.75) * (Math.sqrt(psi40 * psi04) + psi22) * s.nEff), 1.0 / 6);
            double h2 = Math.pow(psi40 / psi04, 0.25) * h1;
            return s.back(new double[] {h1 * h1, 0, 0, h2 * h2});
        }
        return s.back(hpiStar(s, 2, false));
    }


    /** Hscv (full) or Hscv.diag: the kernel covariance Σ_K. */
    static double[] hscv(Dataset data, double[] weights, boolean full) {
        Star s = star(data.toArray(), data.size(), data.dim(), weights, full);
        return s.back(minimise(scvCriterion(s, weights), normalScale(s), full, s.d, !full));
    }

    /**
     * The SCV criterion of the data at kernel covariances Σ_K given in the data's coordinates (for tests comparing
     * optima): SCV(S^(−½)Σ_K S^(−½)) on the pre-transformed data.
     */
    static double[] scvAt(Dataset data, double[] weights, boolean full, double[]... sigmas) {
        Star s = star(data.toArray(), data.size(), data.dim(), weights, full);
        ToDoubleFunction<double[]> f = scvCriterion(s, weights);
        double[] inv = new double[s.d * s.d];
        Bandwidth.invert(s.s12, s.d, inv, maxAbs(s.s12));
        double[] out = new double[sigmas.length];
        for (int k = 0; k < sigmas.length; k++) {
            out[k] = f.applyAsDouble(sandwich(inv, sigmas[k], s.d));
        }
        return out;
    }

    private static ToDoubleFunction<double[]> scvCriterion(Star s, double[] weights) {
        int d = s.d;
        double g;
        if (d == 2) {
            // ks: Hamise = Hpi(x*, nstage = 1, pilot = "samse", pre = "sphere"), in the coordinates of x*
            Star ss = star(s.x, s.n, d, weights, true);
            double[] hamise = ss.back(hpiStar(ss, 1, true));
            g = gammaScv(s, hamise);
        } else {
            g = dscalarPilot(s, true);
        }
        double q2g = qSum(s, scaledIdentity(d, 2 * g * g));
        double rk = Math.pow(4 * Math.PI, -d / 2.0);
        return sigma -> {
            double det = det(sigma, d);
            if (!(det > 0)) {
                return Double.POSITIVE_INFINITY;
            }
            double[] a = new double[d * d];
            double[] b = new double[d * d];
            for (int k = 0; k < d * d; k++) {
                double gk = k % (d + 1) == 0 ? 2 * g * g : 0;
                a[k] = 2 * sigma[k] + gk;
                b[k] = sigma[k] + gk;
            }
            double bias2 = Math.max(0, qSum(s, a) - 2 * qSum(s, b) + q2g);
            return rk / (Math.sqrt(det) * s.nEff) + bias2;
        };
    }

    /** Σ* minimising PI with the pilot of the given number of stages (samse in 2-D, dscalar otherwise). */
    private static double[] hpiStar(Star s, int stages, boolean full) {
        int d = s.d;
        double[] psi4 = pilotPsi4(s, stages);
        double[] tensor = quarticTensor(psi4, d);
        double rk = Math.pow(4 * Math.PI, -d / 2.0);
        ToDoubleFunction<double[]> pi = sigma -> {
            double det = det(sigma, d);
            if (!(det > 0)) {
                return Double.POSITIVE_INFINITY;
            }
            // ¼ Σ_{ijkl} Σ_ij Σ_kl ψ_(ijkl)
            double quad = 0;
            int dd = d * d;
            for (int ij = 0; ij < dd; ij++) {
                double sij = sigma[ij];
                if (sij == 0) {
                    continue;
                }
                for (int kl = 0; kl < dd; kl++) {
                    quad += sij * sigma[kl] * tensor[ij * dd + kl];
                }
            }
            return rk / (Math.sqrt(det) * s.nEff) + 0.25 * quad;
        };
        return minimise(pi, normalScale(s), full, d, false);
    }

    /** ψ̂₄ at the pilot g₄ (indexed by {@link #index}): samse in 2-D, dscalar otherwise. */
    private static double[] pilotPsi4(Star s, int stages) {
        int d = s.d;
        double g4;
        if (d == 2) {
            if (stages == 1) {
                g4 = samse(s, 4, null);
            } else {
                double g6 = samse(s, 6, null);
                double[] psi6 = functionals(s, g6, multiIndices(d, 6));
                g4 = samse(s, 4, psi6);
            }
        } else {
            g4 = dscalarPilot(s, false);
        }
        return functionals(s, g4, multiIndices(d, 4));
    }

    /** Hns on the pre-transformed data: (4/(n(d+2)))^{2/(d+4)}·S*. */
    private static double[] normalScale(Star s) {
        double c = Math.pow(4 / (s.nEff * (s.d + 2)), 2.0 / (s.d + 4));
        double[] h = s.s.clone();
        for (int k = 0; k < h.length; k++) {
            h[k] *= c;
        }
        return h;
    }

    // ---------------------------------------------------------------- pilots

    /** For tests: on the sphered data, ks's samse pilots {g₆, g₄ (two stages), g₄ (one stage)}. */
    static double[] samsePilots(Dataset data) {
        Star s = star(data.toArray(), data.size(), data.dim(), null, true);
        double g6 = samse(s, 6, null);
        double g4 = samse(s, 4, functionals(s, g6, multiIndices(s.d, 6)));
        return new double[] {g6, g4, samse(s, 4, null)};
    }

    /** For tests: on the sphered data, ks's dscalar pilots {g₄ for Hpi, g for Hscv}. */
    static double[] dscalarPilots(Dataset data) {
        Star s = star(data.toArray(), data.size(), data.dim(), null, true);
        return new double[] {dscalarPilot(s, false), dscalarPilot(s, true)};
    }

    /** For tests: on the sphered data, ψ̂_r(g²I) in ks's vectorised order (position p ↔ the digits of p in base d). */
    static double[] vectorised(Dataset data, double g, int order) {
        Star s = star(data.toArray(), data.size(), data.dim(), null, true);
        double[] psi = functionals(s, g, multiIndices(s.d, order));
        double[] out = new double[(int) Math.pow(s.d, order)];
        for (int p = 0; p < out.length; p++) {
            out[p] = psi[index(digitCounts(p, s.d, order))];
        }
        return out;
    }

    /** For tests: on the sphered data, η₆ = ks's {@code Qr(x*, 6, g²I)}. */
    static double laplacianCubed(Dataset data, double g) {
        return laplacianCubed(star(data.toArray(), data.size(), data.dim(), null, true), g);
    }

    /**
     * ks's {@code gsamse}: the SAMSE pilot of order m (4 or 6). With {@code psi6} null the order-(m+2) values are the
     * normal-scale ones (one stage); otherwise ψ̂₆ (indexed by {@link #index}) read as ks reads it (see the class
     * comment).
     */
    private static double samse(Star s, int m, double[] psi6) {
        int d = s.d;
        List<int[]> even = new ArrayList<>();
        for (int[] a : multiIndices(d, m)) {
            if (allEven(a)) {
                even.add(a);
            }
        }
        double[] identity = scaledIdentity(d, 1);
        List<int[]> six = psi6 == null ? null : multiIndices(d, 6);
        double a1 = 0;
        double a2 = 0;
        double a3 = 0;
        for (int[] a : even) {
            double k = normalDerivativeAtZero(a, identity, d);
            double psi = 0;
            for (int j = 0; j < d; j++) {
                int[] b = a.clone();
                b[j] += 2;
                if (psi6 == null) {
                    psi += normalDerivativeAtZero(b, scaled(s.s, 2), d);
                } else {
                    int position = positionIn(six, b);
                    psi += psi6[index(digitCounts(position, d, 6))];
                }
            }
            a1 += k * k;
            a2 += k * psi;
            a3 += psi * psi;
        }
        double b1 = (2 * m + 2 * d) * a1;
        double b2 = (m + d - 2) * a2;
        double gamma = (-b2 + Math.sqrt(b2 * b2 + 4 * b1 * a3)) / (2 * b1);
        return Math.pow(gamma * s.nEff, -1.0 / (m + d + 2));
    }

    /** ks's {@code gdscalar} with two stages (r = 0), in its AMISE (scv = false) or SCV form. */
    private static double dscalarPilot(Star s, boolean scv) {
        int d = s.d;
        double n = s.nEff;
        double[] twoS = scaled(s.s, 2);
        // B₃ = Σ_{m∈[d]⁶} (Σ_a ψ^{NS}_{(a,a,m)})², over distinct multi-indices μ of order 6 with their multiplicity
        double b3 = 0;
        for (int[] mu : multiIndices(d, 6)) {
            double t = 0;
            for (int a = 0; a < d; a++) {
                int[] b = mu.clone();
                b[a] += 2;
                t += normalDerivativeAtZero(b, twoS, d);
            }
            b3 += multinomial(mu) * t * t;
        }
        double[] sInv = new double[d * d];
        Bandwidth.invert(s.s, d, sInv, maxAbs(s.s));
        double detS = det(s.s, d);
        double prod = d * (d + 2.0) * (d + 4.0) * (d + 6.0);
        double of6 = 15;
        double of4 = 3;
        double b1;
        double b2;
        if (!scv) {
            b1 = 2 * Math.pow(2 * Math.PI, -d) * of6 * prod;
            b2 = -(d + 4) * Math.pow(2, -d / 2.0 + 2) * Math.pow(2 * Math.PI, -d) / Math.sqrt(detS) * of6
                    * nu(4, sInv, d);
        } else {
            b1 = Math.pow(2, -5) * Math.pow(4 * Math.PI, -d) * of6 * prod;
            b2 = -(d + 4) * Math.pow(2, -6) * Math.pow(4 * Math.PI, -d) / Math.sqrt(detS) * of6 * nu(4, sInv, d);
            b3 *= 4;
        }
        double g6 = Math.pow(2 * b1 / (-b2 + Math.sqrt(b2 * b2 + 4 * b1 * b3)), 1.0 / (d + 8))
                * Math.pow(n, -1.0 / (d + 8));
        double l0 = Math.pow(2 * Math.PI, -d / 2.0);
        double eta6 = laplacianCubed(s, g6);
        double[] cf = scv ? new double[] {Math.pow(2, -d), Math.pow(2, -d / 2.0 + 1), 4} : new double[] {1, 1, 1};
        double a1 = cf[0] * (2 * d + 8) * l0 * l0 * of4 * nu(2, scaledIdentity(d, 1), d);
        double a2 = cf[1] * (d + 2) * l0 * of4 * eta6;
        double a3 = cf[2] * eta6 * eta6;
        return Math.pow(2 * a1 / ((-a2 + Math.sqrt(a2 * a2 + 4 * a1 * a3)) * n), 1.0 / (d + 6));
    }

    /** ks's {@code gamse.scv} (one stage, 2-D samse): the SCV pilot from Σ_A and ψ̂₆. */
    private static double gammaScv(Star s, double[] hamise) {
        int d = s.d;
        double n = s.nEff;
        double g6 = samse(s, 6, null);
        double[] psi6 = functionals(s, g6, multiIndices(d, 6));
        // Cμ₁Cμ₁ = ¼ Σ H_aa' H_cc' Σ_{m∈[d]⁴} ψ(a,m,c)ψ(a',m,c'); Cμ₁Cμ₂ = ¾(4π)^(−d/2) Σ H_aa' H_cc' ψ(a,a',c,c',b,b)
        List<int[]> four = tuples(d, 4);
        double c11 = 0;
        double c12 = 0;
        int[] alpha = new int[d];
        for (int a = 0; a < d; a++) {
            for (int a2 = 0; a2 < d; a2++) {
                for (int c = 0; c < d; c++) {
                    for (int c2 = 0; c2 < d; c2++) {
                        double h = hamise[a * d + a2] * hamise[c * d + c2];
                        if (h == 0) {
                            continue;
                        }
                        double t = 0;
                        for (int[] m : four) {
                            Arrays.fill(alpha, 0);
                            count(alpha, m);
                            alpha[a]++;
                            alpha[c]++;
                            double p1 = psi6[index(alpha)];
                            alpha[a]--;
                            alpha[c]--;
                            alpha[a2]++;
                            alpha[c2]++;
                            t += p1 * psi6[index(alpha)];
                        }
                        c11 += h * t;
                        for (int b = 0; b < d; b++) {
                            Arrays.fill(alpha, 0);
                            alpha[a]++;
                            alpha[a2]++;
                            alpha[c]++;
                            alpha[c2]++;
                            alpha[b] += 2;
                            c12 += h * psi6[index(alpha)];
                        }
                    }
                }
            }
        }
        c11 *= 0.25;
        c12 *= 0.75 * Math.pow(4 * Math.PI, -d / 2.0);
        double tr = 0;
        double tr2 = 0;
        for (int i = 0; i < d; i++) {
            tr += hamise[i * d + i];
            for (int j = 0; j < d; j++) {
                tr2 += hamise[i * d + j] * hamise[j * d + i];
            }
        }
        double c22 = Math.pow(4 * Math.PI, -d) / 64 * (4 * tr2 + (d + 8) * tr * tr);
        double num = 2 * (d + 4) * c22;
        double den = -(d + 2) * c12 + Math.sqrt((d + 2) * (d + 2) * c12 * c12 + 8 * (d + 4) * c11 * c22);
        return Math.pow(num / (den * n), 1.0 / (d + 6));
    }

    // ---------------------------------------------------------------- functionals

    /**
     * ψ̂_α(g²I) = Σᵢⱼ ωᵢωⱼ D^α φ_{g²I}(x*ᵢ − x*ⱼ) for the listed multi-indices (all of one even order r), returned
     * in an array indexed by {@link #index}. Parallel over blocks of i with the partial sums added in block order,
     * so the result does not depend on the number of threads.
     */
    static double[] functionals(Star s, double g, List<int[]> alphas) {
        int d = s.d;
        int n = s.n;
        int r = 0;
        for (int v : alphas.get(0)) {
            r += v;
        }
        int order = r;
        int m = alphas.size();
        int[][] al = alphas.toArray(new int[0][]);
        int block = 64;
        int tasks = (n + block - 1) / block;
        double[][] partial = new double[tasks][];
        double[] x = s.x;
        double[] w = s.w;
        double invG = 1 / g;
        Parallel.forEach(tasks, (long) n * n < 200_000 ? 1 : 0, t -> {
            double[] acc = new double[m];
            double[] he = new double[d * (order + 1)];
            for (int i = t * block; i < Math.min(n, (t + 1) * block); i++) {
                for (int j = i; j < n; j++) {
                    double r2 = 0;
                    for (int k = 0; k < d; k++) {
                        double u = (x[i * d + k] - x[j * d + k]) * invG;
                        r2 += u * u;
                        int o = k * (order + 1);
                        he[o] = 1;
                        if (order > 0) {
                            he[o + 1] = u;
                        }
                        for (int q = 1; q < order; q++) {
                            he[o + q + 1] = u * he[o + q] - q * he[o + q - 1];
                        }
                    }
                    double e = (i == j ? 1 : 2) * w[i] * w[j] * Math.exp(-0.5 * r2);
                    for (int a = 0; a < m; a++) {
                        double p = e;
                        int[] alpha = al[a];
                        for (int k = 0; k < d; k++) {
                            p *= he[k * (order + 1) + alpha[k]];
                        }
                        acc[a] += p;
                    }
                }
            }
            partial[t] = acc;
        });
        double c = Math.pow(2 * Math.PI, -d / 2.0) * Math.pow(g, -d - order);
        double[] out = new double[indexSize(d, order)];
        for (int a = 0; a < m; a++) {
            double v = 0;
            for (int t = 0; t < tasks; t++) {
                v += partial[t][a];
            }
            out[index(al[a])] = c * v;
        }
        return out;
    }

    /** η₆ = Σᵢⱼ ωᵢωⱼ (vec I)^{⊗3}ᵀ D^{⊗6} φ_{g²I}(x*ᵢ − x*ⱼ) = Σ_{even α} (3!/Π(αₖ/2)!)·ψ̂_α (ks's {@code Qr}). */
    private static double laplacianCubed(Star s, double g) {
        List<int[]> even = new ArrayList<>();
        for (int[] a : multiIndices(s.d, 6)) {
            if (allEven(a)) {
                even.add(a);
            }
        }
        double[] psi = functionals(s, g, even);
        double eta = 0;
        for (int[] a : even) {
            double c = 6;
            for (int v : a) {
                c /= factorial(v / 2);
            }
            eta += c * psi[index(a)];
        }
        return eta;
    }

    /**
     * Q(Σ) = Σᵢⱼ ωᵢωⱼ φ_Σ(x*ᵢ − x*ⱼ) by the exact evaluator's pair loop ({@link KdeOps#gaussianSums}) on the whitened
     * points zᵢ = L⁻¹x*ᵢ (LLᵀ = Σ), using the symmetry: per block of 64 rows, the pairs inside the block once each
     * way and the pairs with later rows twice. Blocks run in parallel; their sums are added in block order.
     */
    private static double qSum(Star s, double[] sigma) {
        int d = s.d;
        int n = s.n;
        Bandwidth h = Bandwidth.full(BandwidthSelectors.cholesky(sigma, d), d);
        int stride = (n + KdeOps.PAD - 1) / KdeOps.PAD * KdeOps.PAD;
        double[] zT = new double[stride * d];
        h.whitenTransposed(s.x, n, zT, stride);
        double[] w = Arrays.copyOf(s.w, stride);
        KdeOps ops = KdeOps.best();
        int block = 64;
        int tasks = (n + block - 1) / block;
        double[] partial = new double[tasks];
        Parallel.forEach(tasks, (long) n * n < 1_000_000 ? 1 : 0, t -> {
            int i0 = t * block;
            int mb = Math.min(block, n - i0);
            int end = Math.min(i0 + block, stride);
            double[] y = new double[mb * d];
            for (int q = 0; q < mb; q++) {
                for (int j = 0; j < d; j++) {
                    y[q * d + j] = zT[j * stride + i0 + q];
                }
            }
            double[] inside = new double[mb];
            double[] later = new double[mb];
            ops.gaussianSums(zT, stride, w, i0, end, d, y, mb, inside);
            if (end < stride) {
                ops.gaussianSums(zT, stride, w, end, stride, d, y, mb, later);
            }
            double acc = 0;
            for (int q = 0; q < mb; q++) {
                acc += w[i0 + q] * (inside[q] + 2 * later[q]);
            }
            partial[t] = acc;
        });
        double q = 0;
        for (double v : partial) {
            q += v;
        }
        return q * Math.pow(2 * Math.PI, -d / 2.0) * Math.exp(-h.logAbsDet());
    }

    /**
     * D^α φ_Σ(0) = φ_Σ(0)·(−1)^{|α|/2}·Σ over the perfect matchings of the index list of α of Π (Σ⁻¹)_{ab}
     * (0 for odd |α|).
     */
    static double normalDerivativeAtZero(int[] alpha, double[] sigma, int d) {
        int r = 0;
        for (int v : alpha) {
            r += v;
        }
        if (r % 2 == 1) {
            return 0.0;
        }
        double[] p = new double[d * d];
        double logDet = Bandwidth.invert(sigma, d, p, maxAbs(sigma));
        int[] list = new int[r];
        for (int k = 0, t = 0; k < d; k++) {
            for (int c = 0; c < alpha[k]; c++) {
                list[t++] = k;
            }
        }
        double phi0 = Math.pow(2 * Math.PI, -d / 2.0) * Math.exp(-0.5 * logDet);
        double sign = (r / 2) % 2 == 0 ? 1 : -1;
        return phi0 * sign * matchings(list, new boolean[r], p, d);
    }

    private static double matchings(int[] list, boolean[] used, double[] p, int d) {
        int first = -1;
        for (int k = 0; k < list.length; k++) {
            if (!used[k]) {
                first = k;
                break;
            }
        }
        if (first < 0) {
            return 1.0;
        }
        used[first] = true;
        double sum = 0;
        for (int k = first + 1; k < list.length; k++) {
            if (!used[k]) {
                used[k] = true;
                sum += p[list[first] * d + list[k]] * matchings(list, used, p, d);
                used[k] = false;
            }
        }
        used[first] = false;
        return sum;
    }

    /**
     * ν_r(A) = E[(zᵀAz)^r] for z ~ N(0, I) from the traces of Aᵖ (ks's {@code nu}): ν₀ = 1,
     * aₚ = Σ_{q≤p} tr(A^q)·a_{p−q} / (2p), ν_r = r!·2^r·a_r.
     */
    static double nu(int r, double[] a, int d) {
        double[] tr = new double[r + 1];
        double[] pow = a.clone();
        for (int p = 1; p <= r; p++) {
            double t = 0;
            for (int i = 0; i < d; i++) {
                t += pow[i * d + i];
            }
            tr[p] = t;
            pow = multiply(pow, a, d);
        }
        double[] coef = new double[r + 1];
        coef[0] = 1;
        for (int p = 1; p <= r; p++) {
            double s = 0;
            for (int q = 1; q <= p; q++) {
                s += tr[q] * coef[p - q];
            }
            coef[p] = s / (2 * p);
        }
        return factorial(r) * Math.pow(2, r) * coef[r];
    }

    // ---------------------------------------------------------------- minimisation

    /**
     * argmin f(Σ) over Σ = A² (A symmetric, parameters vech(A), R's column order) when {@code full}, else over
     * Σ = diag(p)², from A₀ = Σ₀^½ (resp. p₀ = diag(Σ₀^½)) as ks starts; by {@link #nelderMead} when {@code simplex}
     * (ks's Hscv.diag), else by {@link #vmmin}.
     */
    private static double[] minimise(ToDoubleFunction<double[]> f, double[] start, boolean full, int d,
                                     boolean simplex) {
        double[] root = new double[d * d];
        symmetricRoots(start, d, root, null);
        int k = full ? d * (d + 1) / 2 : d;
        double[] v = new double[k];
        for (int c = 0, t = 0; c < d; c++) {
            if (full) {
                for (int r = c; r < d; r++) {
                    v[t++] = root[r * d + c];
                }
            } else {
                v[c] = root[c * d + c];
            }
        }
        ToDoubleFunction<double[]> obj = p -> f.applyAsDouble(fromParameters(p, full, d));
        double[] x = simplex ? nelderMead(obj, v) : vmmin(obj, v);
        return fromParameters(x, full, d);
    }

    private static double[] fromParameters(double[] p, boolean full, int d) {
        double[] a = new double[d * d];
        if (full) {
            for (int c = 0, t = 0; c < d; c++) {
                for (int r = c; r < d; r++) {
                    a[r * d + c] = p[t];
                    a[c * d + r] = p[t];
                    t++;
                }
            }
            return multiply(a, a, d);
        }
        for (int j = 0; j < d; j++) {
            a[j * d + j] = p[j] * p[j];
        }
        return a;
    }

    /**
     * Nash's variable-metric method (Nash 1990, Compact Numerical Methods for Computers, Algorithm 21) exactly as R's
     * {@code optim(method = "BFGS")} runs it with its defaults, which is how ks minimises: central-difference
     * gradients with step 1e−3, Armijo steps from 1 shrinking by 0.2 (acceptance 1e−4 of the projected decrease),
     * the inverse-Hessian update of Fletcher's BFGS, a reset to the identity when an update fails, and the stop once
     * a step lowers f by no more than 1e−8·(|f| + 1e−8) or after 100 iterations. Reproducing the path — not just the
     * minimum, where the criteria are flat — is what makes the matrices agree with ks to ~1e−6.
     */
    static double[] vmmin(ToDoubleFunction<double[]> fn, double[] start) {
        final double stepredn = 0.2;
        final double acctol = 0.0001;
        final double reltest = 10.0;
        final double reltol = 1e-8;
        final int maxit = 100;
        int n = start.length;
        double[] b = start.clone();
        double f = fn.applyAsDouble(b);
        if (!Double.isFinite(f)) {
            throw new IllegalArgumentException("the bandwidth criterion is not finite at the normal-scale start");
        }
        double fmin = f;
        double[] g = numericGradient(fn, b);
        int gradcount = 1;
        int iter = 1;
        int ilast = gradcount;
        double[] bmat = new double[n * n];
        double[] t = new double[n];
        double[] x = new double[n];
        double[] c = new double[n];
        int count;
        do {
            if (ilast == gradcount) {
                Arrays.fill(bmat, 0);
                for (int i = 0; i < n; i++) {
                    bmat[i * n + i] = 1;
                }
            }
            System.arraycopy(b, 0, x, 0, n);
            System.arraycopy(g, 0, c, 0, n);
            double gradproj = 0;
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int j = 0; j < n; j++) {
                    sum -= bmat[i * n + j] * g[j];
                }
                t[i] = sum;
                gradproj += sum * g[i];
            }
            if (gradproj < 0) {
                double steplength = 1.0;
                boolean accpoint = false;
                do {
                    count = 0;
                    for (int i = 0; i < n; i++) {
                        b[i] = x[i] + steplength * t[i];
                        if (reltest + x[i] == reltest + b[i]) {
                            count++;
                        }
                    }
                    if (count < n) {
                        f = fn.applyAsDouble(b);
                        accpoint = Double.isFinite(f) && f <= fmin + gradproj * steplength * acctol;
                        if (!accpoint) {
                            steplength *= stepredn;
                        }
                    }
                } while (!(count == n || accpoint));
                boolean enough = Math.abs(f - fmin) > reltol * (Math.abs(fmin) + reltol);
                if (!enough) {
                    count = n;
                    fmin = f;
                }
                if (count < n) {
                    fmin = f;
                    g = numericGradient(fn, b);
                    gradcount++;
                    iter++;
                    double d1 = 0;
                    for (int i = 0; i < n; i++) {
                        t[i] = steplength * t[i];
                        c[i] = g[i] - c[i];
                        d1 += t[i] * c[i];
                    }
                    if (d1 > 0) {
                        double d2 = 0;
                        for (int i = 0; i < n; i++) {
                            double sum = 0;
                            for (int j = 0; j < n; j++) {
                                sum += bmat[i * n + j] * c[j];
                            }
                            x[i] = sum;
                            d2 += sum * c[i];
                        }
                        d2 = 1.0 + d2 / d1;
                        for (int i = 0; i < n; i++) {
                            for (int j = 0; j < n; j++) {
                                bmat[i * n + j] += (d2 * t[i] * t[j] - x[i] * t[j] - t[i] * x[j]) / d1;
                            }
                        }
                    } else {
                        ilast = gradcount;
                    }
                } else if (ilast < gradcount) {
                    count = 0;
                    ilast = gradcount;
                }
            } else {
                count = 0;
                if (ilast == gradcount) {
                    count = n;
                } else {
                    ilast = gradcount;
                }
            }
            if (iter >= maxit) {
                break;
            }
            if (gradcount - ilast > 2 * n) {
                ilast = gradcount;
            }
        } while (count != n || ilast != gradcount);
        return b;
    }

    /**
     * Nelder &amp; Mead's simplex method as R's {@code optim(method = "Nelder-Mead")} runs it with its defaults (Nash
     * 1990, Algorithm 19; ks's {@code Hscv.diag} minimises this way): a start simplex with steps of 0.1·max|xᵢ| (×10
     * until a coordinate changes), reflection 1, contraction ½, expansion 2, shrinks towards the best vertex, non-
     * finite values counted as 1e35, and the stop once the spread of the vertex values is below
     * 1e−8·(|f(x₀)| + 1e−8) or after 500 evaluations; returns the best vertex.
     */
    static double[] nelderMead(ToDoubleFunction<double[]> fn, double[] start) {
        final double alpha = 1.0;
        final double bet = 0.5;
        final double gamm = 2.0;
        final double intol = 1e-8;
        final double big = 1.0e35;
        final int maxit = 500;
        int n = start.length;
        double[] bvec = start.clone();
        int n1 = n + 1;
        int cc = n + 2;
        double[][] p = new double[n1][cc]; // p[i][j]: coordinate i (row n: the value) of vertex j; column C−1 the centroid
        double f = fn.applyAsDouble(bvec);
        if (!Double.isFinite(f)) {
            throw new IllegalArgumentException("the bandwidth criterion is not finite at the normal-scale start");
        }
        int funcount = 1;
        double convtol = intol * (Math.abs(f) + intol);
        p[n1 - 1][0] = f;
        for (int i = 0; i < n; i++) {
            p[i][0] = bvec[i];
        }
        int l = 1;
        double size = 0;
        double step = 0;
        for (int i = 0; i < n; i++) {
            step = Math.max(step, 0.1 * Math.abs(bvec[i]));
        }
        if (step == 0) {
            step = 0.1;
        }
        for (int j = 2; j <= n1; j++) {
            for (int i = 0; i < n; i++) {
                p[i][j - 1] = bvec[i];
            }
            double trystep = step;
            while (p[j - 2][j - 1] == bvec[j - 2]) {
                p[j - 2][j - 1] = bvec[j - 2] + trystep;
                trystep *= 10;
            }
            size += trystep;
        }
        double oldsize = size;
        boolean calcvert = true;
        do {
            if (calcvert) {
                for (int j = 0; j < n1; j++) {
                    if (j + 1 != l) {
                        for (int i = 0; i < n; i++) {
                            bvec[i] = p[i][j];
                        }
                        f = fn.applyAsDouble(bvec);
                        if (!Double.isFinite(f)) {
                            f = big;
                        }
                        funcount++;
                        p[n1 - 1][j] = f;
                    }
                }
                calcvert = false;
            }
            double vl = p[n1 - 1][l - 1];
            double vh = vl;
            int h = l;
            for (int j = 1; j <= n1; j++) {
                if (j != l) {
                    f = p[n1 - 1][j - 1];
                    if (f < vl) {
                        l = j;
                        vl = f;
                    }
                    if (f > vh) {
                        h = j;
                        vh = f;
                    }
                }
            }
            if (vh <= vl + convtol) {
                break;
            }
            for (int i = 0; i < n; i++) {
                double temp = -p[i][h - 1];
                for (int j = 0; j < n1; j++) {
                    temp += p[i][j];
                }
                p[i][cc - 1] = temp / n;
            }
            for (int i = 0; i < n; i++) {
                bvec[i] = (1.0 + alpha) * p[i][cc - 1] - alpha * p[i][h - 1];
            }
            f = fn.applyAsDouble(bvec);
            if (!Double.isFinite(f)) {
                f = big;
            }
            funcount++;
            double vr = f;
            if (vr < vl) {
                p[n1 - 1][cc - 1] = f;
                for (int i = 0; i < n; i++) {
                    f = gamm * bvec[i] + (1 - gamm) * p[i][cc - 1];
                    p[i][cc - 1] = bvec[i];
                    bvec[i] = f;
                }
                f = fn.applyAsDouble(bvec);
                if (!Double.isFinite(f)) {
                    f = big;
                }
                funcount++;
                if (f < vr) {
                    for (int i = 0; i < n; i++) {
                        p[i][h - 1] = bvec[i];
                    }
                    p[n1 - 1][h - 1] = f;
                } else {
                    for (int i = 0; i < n; i++) {
                        p[i][h - 1] = p[i][cc - 1];
                    }
                    p[n1 - 1][h - 1] = vr;
                }
            } else {
                if (vr < vh) {
                    for (int i = 0; i < n; i++) {
                        p[i][h - 1] = bvec[i];
                    }
                    p[n1 - 1][h - 1] = vr;
                }
                for (int i = 0; i < n; i++) {
                    bvec[i] = (1 - bet) * p[i][h - 1] + bet * p[i][cc - 1];
                }
                f = fn.applyAsDouble(bvec);
                if (!Double.isFinite(f)) {
                    f = big;
                }
                funcount++;
                if (f < p[n1 - 1][h - 1]) {
                    for (int i = 0; i < n; i++) {
                        p[i][h - 1] = bvec[i];
                    }
                    p[n1 - 1][h - 1] = f;
                } else if (vr >= vh) {
                    calcvert = true;
                    size = 0;
                    for (int j = 0; j < n1; j++) {
                        if (j + 1 != l) {
                            for (int i = 0; i < n; i++) {
                                p[i][j] = bet * (p[i][j] - p[i][l - 1]) + p[i][l - 1];
                                size += Math.abs(p[i][j] - p[i][l - 1]);
                            }
                        }
                    }
                    if (size < oldsize) {
                        oldsize = size;
                    } else {
                        break;
                    }
                }
            }
        } while (funcount <= maxit);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = p[i][l - 1];
        }
        return x;
    }

    /** R's optim default gradient: (f(x + εeᵢ) − f(x − εeᵢ))/(2ε) with ε = 1e−3. */
    private static double[] numericGradient(ToDoubleFunction<double[]> f, double[] x) {
        double eps = 1e-3;
        double[] g = new double[x.length];
        double[] xp = x.clone();
        for (int i = 0; i < x.length; i++) {
            xp[i] = x[i] + eps;
            double v1 = f.applyAsDouble(xp);
            xp[i] = x[i] - eps;
            double v2 = f.applyAsDouble(xp);
            xp[i] = x[i];
            g[i] = (v1 - v2) / (2 * eps);
        }
        return g;
    }

    // ---------------------------------------------------------------- multi-indices and small matrices

    /** The distinct multi-indices of the given order in d dimensions, in ks's order (descending lexicographic). */
    static List<int[]> multiIndices(int d, int order) {
        List<int[]> out = new ArrayList<>();
        fill(out, new int[d], 0, order);
        return out;
    }

    private static void fill(List<int[]> out, int[] cur, int pos, int left) {
        int d = cur.length;
        if (pos == d - 1) {
            cur[pos] = left;
            out.add(cur.clone());
            return;
        }
        for (int v = left; v >= 0; v--) {
            cur[pos] = v;
            fill(out, cur, pos + 1, left - v);
        }
    }

    /** Every tuple in [d]^order (as index arrays). */
    private static List<int[]> tuples(int d, int order) {
        List<int[]> out = new ArrayList<>();
        int total = (int) Math.pow(d, order);
        for (int p = 0; p < total; p++) {
            int[] t = new int[order];
            int rest = p;
            for (int q = 0; q < order; q++) {
                t[q] = rest % d;
                rest /= d;
            }
            out.add(t);
        }
        return out;
    }

    private static void count(int[] alpha, int[] tuple) {
        for (int v : tuple) {
            alpha[v]++;
        }
    }

    /** The multi-index of the vectorised position p (0-based) of a d^order array: the counts of p's digits in base d. */
    private static int[] digitCounts(int p, int d, int order) {
        int[] alpha = new int[d];
        int rest = p;
        for (int q = 0; q < order; q++) {
            alpha[rest % d]++;
            rest /= d;
        }
        return alpha;
    }

    private static int positionIn(List<int[]> list, int[] alpha) {
        for (int k = 0; k < list.size(); k++) {
            if (Arrays.equals(list.get(k), alpha)) {
                return k;
            }
        }
        throw new AssertionError(Arrays.toString(alpha));
    }

    /** A dense index for a multi-index (base order+1 digits); see {@link #indexSize}. */
    static int index(int[] alpha) {
        int order = 0;
        for (int v : alpha) {
            order += v;
        }
        int idx = 0;
        for (int k = alpha.length - 1; k >= 0; k--) {
            idx = idx * (order + 1) + alpha[k];
        }
        return idx;
    }

    private static int indexSize(int d, int order) {
        return (int) Math.pow(order + 1, d);
    }

    /** ψ̂₄ as a (d²)×(d²) matrix: T[(i,j),(k,l)] = ψ_(eᵢ+eⱼ+eₖ+eₗ). */
    private static double[] quarticTensor(double[] psi, int d) {
        int dd = d * d;
        double[] t = new double[dd * dd];
        int[] alpha = new int[d];
        for (int ij = 0; ij < dd; ij++) {
            for (int kl = 0; kl < dd; kl++) {
                Arrays.fill(alpha, 0);
                alpha[ij / d]++;
                alpha[ij % d]++;
                alpha[kl / d]++;
                alpha[kl % d]++;
                t[ij * dd + kl] = psi[index(alpha)];
            }
        }
        return t;
    }

    private static boolean allEven(int[] a) {
        for (int v : a) {
            if (v % 2 != 0) {
                return false;
            }
        }
        return true;
    }

    private static double multinomial(int[] mu) {
        int r = 0;
        double c = 1;
        for (int v : mu) {
            r += v;
            c /= factorial(v);
        }
        return c * factorial(r);
    }

    private static double factorial(int k) {
        double f = 1;
        for (int i = 2; i <= k; i++) {
            f *= i;
        }
        return f;
    }

    private static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double[] scaledIdentity(int d, double c) {
        double[] m = new double[d * d];
        for (int j = 0; j < d; j++) {
            m[j * d + j] = c;
        }
        return m;
    }

    private static double[] scaled(double[] a, double c) {
        double[] m = a.clone();
        for (int k = 0; k < m.length; k++) {
            m[k] *= c;
        }
        return m;
    }

    static double[] multiply(double[] a, double[] b, int d) {
        double[] c = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < d; k++) {
                double aik = a[i * d + k];
                for (int j = 0; j < d; j++) {
                    c[i * d + j] += aik * b[k * d + j];
                }
            }
        }
        return c;
    }

    /** A·B·A for symmetric A. */
    private static double[] sandwich(double[] a, double[] b, int d) {
        return multiply(multiply(a, b, d), a, d);
    }

    /** det of a symmetric matrix, or 0 when it is not (numerically) positive definite. */
    private static double det(double[] a, int d) {
        double[] l;
        try {
            l = BandwidthSelectors.cholesky(a, d);
        } catch (IllegalArgumentException e) {
            return 0;
        }
        double det = 1;
        for (int j = 0; j < d; j++) {
            det *= l[j * d + j] * l[j * d + j];
        }
        return det;
    }

    /**
     * The symmetric square root S^½ of a symmetric positive definite S (and S^(−½) unless {@code inverse} is null),
     * by cyclic Jacobi rotations S = V·diag(e)·Vᵀ; the roots are unique, so they do not depend on how the
     * eigenvectors come out.
     */
    static void symmetricRoots(double[] s, int d, double[] root, double[] inverse) {
        double[] a = s.clone();
        double[] v = scaledIdentity(d, 1);
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    off += a[p * d + q] * a[p * d + q];
                }
            }
            if (off < 1e-34 * Math.max(1e-300, frob(a))) {
                break;
            }
            for (int p = 0; p < d; p++) {
                for (int q = p + 1; q < d; q++) {
                    double apq = a[p * d + q];
                    if (apq == 0) {
                        continue;
                    }
                    double theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double sn = t * c;
                    for (int k = 0; k < d; k++) {
                        double akp = a[k * d + p];
                        double akq = a[k * d + q];
                        a[k * d + p] = c * akp - sn * akq;
                        a[k * d + q] = sn * akp + c * akq;
                    }
                    for (int k = 0; k < d; k++) {
                        double apk = a[p * d + k];
                        double aqk = a[q * d + k];
                        a[p * d + k] = c * apk - sn * aqk;
                        a[q * d + k] = sn * apk + c * aqk;
                    }
                    for (int k = 0; k < d; k++) {
                        double vkp = v[k * d + p];
                        double vkq = v[k * d + q];
                        v[k * d + p] = c * vkp - sn * vkq;
                        v[k * d + q] = sn * vkp + c * vkq;
                    }
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double r = 0;
                double ri = 0;
                for (int k = 0; k < d; k++) {
                    double e = Math.max(a[k * d + k], 0);
                    r += v[i * d + k] * Math.sqrt(e) * v[j * d + k];
                    if (inverse != null) {
                        ri += v[i * d + k] / Math.sqrt(e) * v[j * d + k];
                    }
                }
                root[i * d + j] = r;
                if (inverse != null) {
                    inverse[i * d + j] = ri;
                }
            }
        }
    }

    private static double frob(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return s;
    }
}

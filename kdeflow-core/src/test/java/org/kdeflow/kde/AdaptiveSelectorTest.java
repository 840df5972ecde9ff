package org.kdeflow.kde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.random.NumpyRandomState;

/**
 * Abramson's selector: its leave-one-out score against the formula written out (xᵢ left out of the pilot too), the
 * factors' normalisation, α = 0 as the LCV estimate, and that it adapts where the scale varies.
 */
class AdaptiveSelectorTest {
    /** A narrow and a wide component: the density's scale varies by 10×. */
    static final GaussianMixture MIX = new GaussianMixture(new double[][] {{0, 0}, {4, 0}}, new double[] {0.5, 0.5},
            new double[] {0.15, 1.5});

    /** (1/m) Σᵢ log f̂₋ᵢ(xᵢ) with λⱼ⁽⁻ⁱ⁾ = ((f̃(xⱼ) − ωK_p(xⱼ − xᵢ))/g)^(−α), brute force, equal weights. */
    static double honestScore(Dataset x, Bandwidth pilot, double alpha, double c) {
        int n = x.size();
        int d = x.dim();
        double[] f = KernelDensity.of(x, pilot).density(x.toArray(), n);
        double logG = 0;
        for (double v : f) {
            logG += Math.log(v) / n;
        }
        double[] hInv = pilot.inverse();
        double k0 = Math.pow(2 * Math.PI, -d / 2.0) * Math.exp(-pilot.logAbsDet());
        double w = 1.0 / n;
        double score = 0;
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double r2 = 0;
                for (int a = 0; a < d; a++) {
                    double u = 0;
                    for (int b = 0; b < d; b++) {
                        u += hInv[a * d + b] * (x.get(i, b) - x.get(j, b));
                    }
                    r2 += u * u;
                }
                double fj = f[j] - w * k0 * Math.exp(-0.5 * r2);
                double lambda = c * Math.exp(-alpha * (Math.log(fj) - logG));
                s += w * k0 * Math.pow(lambda, -d) * Math.exp(-0.5 * r2 / (lambda * lambda));
            }
            score += Math.log(s / (1 - w)) / n;
        }
        return score;
    }

    @Test
    void scoreIsTheHonestLeaveOneOutLikelihood() {
        Dataset x = MIX.sample(160, new NumpyRandomState(1));
        for (double alpha : new double[] {0.25, 0.5}) {
            BandwidthSelectors.AdaptiveChoice c = BandwidthSelectors.chooseAdaptive(x, null, Bandwidth.Kind.FULL,
                    new double[] {alpha}, 2000);
            double expected = honestScore(x, c.pilot(), alpha, c.scale());
            // pairs where xᵢ changes the pilot by less than 1e-9 relative are left uncorrected
            assertEquals(expected, c.looLogLikelihood(), 1e-8, "α = " + alpha);
        }
    }

    @Test
    void adaptsWhereTheScaleVariesAndNeverScoresBelowLcv() {
        Dataset x = MIX.sample(400, new NumpyRandomState(2));
        BandwidthSelectors.AdaptiveChoice best = BandwidthSelectors.chooseAdaptive(x, null, Bandwidth.Kind.FULL,
                BandwidthSelectors.ADAPTIVE_ALPHAS, 2000);
        BandwidthSelectors.AdaptiveChoice fixed = BandwidthSelectors.chooseAdaptive(x, null, Bandwidth.Kind.FULL,
                new double[] {0}, 2000);
        assertTrue(best.alpha() > 0, "α = " + best.alpha());
        assertTrue(best.looLogLikelihood() > fixed.looLogLikelihood() + 0.01, best + " vs " + fixed);
        // held out: the adaptive estimate is better where the scale varies 10× (seed 3, independent of the fit)
        Dataset test = MIX.sample(5000, new NumpyRandomState(3));
        double nllAdaptive = -KernelDensity.of(x, best.bandwidth()).meanLogDensity(test);
        double nllFixed = -KernelDensity.of(x, fixed.bandwidth()).meanLogDensity(test);
        assertTrue(nllAdaptive < nllFixed - 0.01, nllAdaptive + " vs " + nllFixed);
        // the factors have geometric mean 1 (before the scale c)
        double[] lambda = best.bandwidth().factors();
        double logMean = 0;
        for (double v : lambda) {
            logMean += Math.log(v) / lambda.length;
        }
        assertEquals(0.0, logMean, 1e-12);
        assertArrayEquals(best.pilot().scaled(best.scale()).matrix(), best.bandwidth().matrix(), 1e-15);
    }

    @Test
    void alphaZeroIsTheLcvEstimateAndChoicesAreDeterministic() {
        Dataset x = MIX.sample(200, new NumpyRandomState(4));
        BandwidthSelectors.AdaptiveChoice zero = BandwidthSelectors.chooseAdaptive(x, null, Bandwidth.Kind.DIAGONAL,
                new double[] {0}, 2000);
        Bandwidth lcv = BandwidthSelectors.likelihoodCV(Bandwidth.Kind.DIAGONAL).select(x, null);
        assertFalse(zero.bandwidth().isAdaptive());
        assertArrayEquals(lcv.matrix(), zero.bandwidth().matrix(), 0.0);
        Bandwidth a = BandwidthSelector.parse("adaptive", Bandwidth.Kind.FULL).select(x, null);
        Bandwidth b = BandwidthSelectors.adaptive(Bandwidth.Kind.FULL).select(x, null);
        assertArrayEquals(a.matrix(), b.matrix(), 0.0);
        assertArrayEquals(a.factors(), b.factors(), 0.0);
        KernelDensityTest.assertMessage("α must be in [0, 1], got 2.0", () -> BandwidthSelectors.chooseAdaptive(x, null,
                Bandwidth.Kind.FULL, new double[] {2}, 2000));
        KernelDensityTest.assertMessage("no α values", () -> BandwidthSelectors.chooseAdaptive(x, null,
                Bandwidth.Kind.FULL, new double[0], 2000));
        KernelDensityTest.assertMessage("expected scott, silverman, lcv, ucv, adaptive, hpi or hscv",
                () -> BandwidthSelector.parse("abramson", Bandwidth.Kind.FULL));
        assertTrue(BandwidthSelector.parse("HPI", Bandwidth.Kind.DIAGONAL).select(x, null).isDiagonal());
    }
}

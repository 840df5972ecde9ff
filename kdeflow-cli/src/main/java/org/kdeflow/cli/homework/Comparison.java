package org.kdeflow.cli.homework;

import org.kdeflow.cli.homework.Model.Spread;

/**
 * Two configurations of Tasks 10–12 compared over the same training seeds: per seed s the difference of their gaps
 * to the entropy floor, d_s = gap_b,s − gap_a,s (negative: b fits better), its mean d̄ over the S seeds and the
 * standard error of d̄ from both sources of noise,
 *
 * <pre>  SE² = sd(d)²/S + SE_test²,</pre>
 *
 * where sd(d)²/S is the seed-to-seed part and SE_test the finite test set's: with both models scored on the same
 * fresh points, sd over the points of the seeds' mean log p_a − log p_b, over √n (paired); on different
 * distributions, √(SE_a² + SE_b²) (unpaired). The two are called different only when |d̄| exceeds
 * {@link #TIE} nats and twice SE (about a 95 % two-sided interval for a normal error; with 4 degrees of freedom in the
 * seed part it is nearer 90 %). With one seed the seed part is 0 and the rule is the test-set rule alone.
 *
 * @param gapDifference d_s per seed
 * @param medianDifference median log p_b − median log p_a per seed (positive: b is ahead on a typical point)
 * @param testPointError SE_test
 * @param paired whether SE_test was computed point by point
 */
record Comparison(Model a, Model b, Spread gapDifference, Spread medianDifference, double testPointError,
        boolean paired) {

    /** Gaps closer than this many nats are never called different. */
    static final double TIE = 0.01;

    static Comparison of(Model a, Model b) {
        int s = a.seeds().size();
        if (b.seeds().size() != s) {
            throw new IllegalArgumentException(a.spec().id() + " has " + s + " seeds but " + b.spec().id() + " has "
                    + b.seeds().size());
        }
        double[] d = new double[s];
        double[] m = new double[s];
        for (int k = 0; k < s; k++) {
            if (a.seeds().get(k).seed() != b.seeds().get(k).seed()) {
                throw new IllegalArgumentException("seed " + k + " differs: " + a.seeds().get(k).seed() + " and "
                        + b.seeds().get(k).seed());
            }
            d[k] = (b.seeds().get(k).scores().nll() - b.entropy()) - (a.seeds().get(k).scores().nll() - a.entropy());
            m[k] = b.seeds().get(k).scores().median() - a.seeds().get(k).scores().median();
        }
        boolean paired = a.spec().toy().equals(b.spec().toy()) && a.scores().logp() != null
                && b.scores().logp() != null && a.scores().logp().length == b.scores().logp().length;
        double se = paired ? pairedError(a, b) : Math.hypot(a.testPointStandardError(), b.testPointStandardError());
        return new Comparison(a, b, new Spread(d), new Spread(m), se, paired);
    }

    /** sd over the test points of the seeds' mean log p_a − the seeds' mean log p_b, over √n. */
    private static double pairedError(Model a, Model b) {
        double[] w = a.meanLogp();
        double[] y = b.meanLogp();
        for (int i = 0; i < w.length; i++) {
            w[i] -= y[i];
        }
        return Model.pointError(w);
    }

    /** The number of training seeds. */
    int seeds() {
        return gapDifference.count();
    }

    /** d̄, the mean gap difference b − a. */
    double mean() {
        return gapDifference.mean();
    }

    /** SE of d̄ (see the class comment). */
    double standardError() {
        if (seeds() == 1) {
            return testPointError;
        }
        double seedPart = gapDifference.sd() / Math.sqrt(seeds());
        return Math.sqrt(seedPart * seedPart + testPointError * testPointError);
    }

    /** max(TIE, 2·SE): differences below this are within the noise. */
    double threshold() {
        return Math.max(TIE, 2 * standardError());
    }

    boolean tie() {
        return Math.abs(mean()) < threshold();
    }

    /** The configuration with the smaller mean gap. */
    Model better() {
        return mean() < 0 ? b : a;
    }

    Model worse() {
        return better() == a ? b : a;
    }

    /** Seeds in which {@link #better} has the smaller gap. */
    int betterInSeeds() {
        int k = 0;
        for (double v : gapDifference.values()) {
            k += better() == b ? (v < 0 ? 1 : 0) : (v > 0 ? 1 : 0);
        }
        return k;
    }

    /** Seeds in which b has the higher median log p. */
    int bAheadOnMedianInSeeds() {
        int k = 0;
        for (double v : medianDifference.values()) {
            k += v > 0 ? 1 : 0;
        }
        return k;
    }
}

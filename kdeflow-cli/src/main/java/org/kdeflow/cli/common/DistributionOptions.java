package org.kdeflow.cli.common;

import java.util.ArrayList;
import picocli.CommandLine.Option;

/**
 * {@code --dist NAME} with its {@code --seed}, {@code --num-gaussians} and {@code --sigma}: where the commands that
 * draw points take them from (a picocli mixin). The number of points, {@code --n}, is each command's own, because its
 * default is.
 */
public final class DistributionOptions {
    /** The largest seed of numpy's legacy generator. */
    public static final long MAX_SEED = 0xFFFF_FFFFL;

    @Option(names = "--dist", paramLabel = "NAME", completionCandidates = Names.class,
            description = "Draw the points from a distribution (case-insensitive): ${COMPLETION-CANDIDATES}; also "
                    + "GaussiansGrid, GaussiansRot. The toy sets are scikit-learn's points for the same seed; "
                    + "mixture and spiral are the homework's Part I densities.")
    String dist;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the numpy-compatible random stream that draws --dist, 0 … 2^32-1 "
                    + "(default ${DEFAULT-VALUE}, like np.random.seed).")
    long seed;

    @Option(names = "--num-gaussians", paramLabel = "G", defaultValue = "5",
            description = "Gaussians of gaussians-rot, 1 … 1000 (default ${DEFAULT-VALUE}).")
    int numGaussians;

    @Option(names = "--sigma", paramLabel = "S",
            description = "Component std of mixture (default 0.5; the homework also uses 1), or the radial std of "
                    + "spiral (default 0.5, the homework's variance 0.25).")
    Double sigma;

    /** The help text's candidates. */
    static final class Names extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Names() {
            super(Distribution.names());
        }
    }

    /** Whether {@code --dist} was given. */
    public boolean given() {
        return dist != null;
    }

    /** Whether {@code --sigma} was given. */
    public boolean sigmaGiven() {
        return sigma != null;
    }

    public long seed() {
        return seed;
    }

    /** The distribution named by {@code --dist} (which must be given). */
    public Distribution distribution() {
        return Distribution.parse(dist);
    }

    public Distribution.Params params() {
        return new Distribution.Params(numGaussians, sigma);
    }

    /**
     * Checks the seed and the distribution's parameters (without --dist, only the seed and G).
     *
     * @param maxSeed the largest seed the command accepts (one less when it also draws with seed + 1)
     */
    public void check(long maxSeed) {
        if (seed < 0 || seed > maxSeed) {
            throw new InputException("--seed must be between 0 and " + maxSeed + ", got " + seed);
        }
        if (numGaussians < 1 || numGaussians > Distribution.MAX_GAUSSIANS) {
            throw new InputException("--num-gaussians must be between 1 and " + Distribution.MAX_GAUSSIANS
                    + ", got " + numGaussians);
        }
        if (given()) {
            distribution().check(params());
        } else if (sigma != null && !(sigma > 0 && Double.isFinite(sigma))) {
            throw new InputException("--sigma must be a positive number, got " + sigma);
        }
    }

    /**
     * Draws {@code n} points (null: the distribution's default) with {@code --seed}, after checking that they fit.
     *
     * @param option how the count was given, for the message ("--n")
     */
    public Distribution.Drawn draw(Integer n, String option) {
        return draw(n, seed, option);
    }

    /** As {@link #draw(Integer, String)} with another seed (a held-out sample). */
    public Distribution.Drawn draw(Integer n, long withSeed, String option) {
        Distribution d = distribution();
        int count = n == null ? d.defaultN() : n;
        Limits.checkPoints(option + " " + count, count, 2);
        return d.draw(count, withSeed, params());
    }
}

package org.kdeflow.density;

import org.kdeflow.data.Dataset;
import org.kdeflow.random.NumpyRandomState;

/**
 * A probability density on ℝᵈ that can be evaluated and sampled.
 *
 * <p>Implement {@link #logDensity(double[], int, double[])} and {@link #sample}; the rest are defaults on top. Batches
 * are row-major n×d arrays.
 */
public interface Density {

    /** The dimension d. */
    int dim();

    /**
     * Fills {@code out[i] = log f(x_i)} for the n points of the row-major batch {@code x}. Modifies {@code out} only.
     */
    void logDensity(double[] x, int n, double[] out);

    /** n independent draws, taking every random choice from {@code rng}. */
    Dataset sample(int n, NumpyRandomState rng);

    /** log f(x) at one point. */
    default double logDensity(double... point) {
        if (point.length != dim()) {
            throw new IllegalArgumentException("point has " + point.length + " coordinates, density has dimension "
                    + dim());
        }
        double[] out = new double[1];
        logDensity(point, 1, out);
        return out[0];
    }

    /** f(x) at one point. */
    default double density(double... point) {
        return Math.exp(logDensity(point));
    }

    /** f at each point of a row-major batch, as a new array. */
    default double[] density(double[] x, int n) {
        double[] out = new double[n];
        logDensity(x, n, out);
        for (int i = 0; i < n; i++) {
            out[i] = Math.exp(out[i]);
        }
        return out;
    }

    /** log f at each point of a dataset, as a new array. */
    default double[] logDensity(Dataset points) {
        if (points.dim() != dim()) {
            throw new IllegalArgumentException("points have dimension " + points.dim() + ", density has dimension "
                    + dim());
        }
        double[] out = new double[points.size()];
        logDensity(points.toArray(), points.size(), out);
        return out;
    }

    /** Mean log-density of the points: the held-out log-likelihood per point (its negative is the NLL in nats). */
    default double meanLogDensity(Dataset points) {
        double[] lp = logDensity(points);
        double s = 0;
        for (double v : lp) {
            s += v;
        }
        return s / lp.length;
    }
}

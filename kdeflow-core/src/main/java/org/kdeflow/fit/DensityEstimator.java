package org.kdeflow.fit;

import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;

/**
 * Fits a density to data — scikit-learn's {@code fit}, returning the fitted model. KDEs, flows, ensembles, mixtures
 * and model selection itself ({@link ModelSelection}) are all estimators, so they compose: cross-validation takes
 * any estimator, and a new kind of model plugs in by implementing this interface.
 *
 * <p>Implementations are immutable and deterministic: the same data and weights give the same model, bit for bit,
 * whatever thread runs the fit. They never modify their arguments.
 */
public interface DensityEstimator {

    /** A short, stable name for reports and logs, e.g. {@code kde-lcv} or {@code nsf-3x64}. */
    String name();

    /**
     * A model fitted to {@code data}, with per-point {@code weights} (null for equal weights; otherwise one finite
     * weight ≥ 0 per point, not all 0).
     *
     * @throws IllegalArgumentException if the data cannot support this estimator (too few points, a zero variance)
     */
    Density fit(Dataset data, double[] weights);

    /** A model fitted to {@code data} with equal weights. */
    default Density fit(Dataset data) {
        return fit(data, null);
    }

    /**
     * How expensive the estimator is relative to others, for breaking ties: among candidates whose scores are within
     * one standard error, model selection keeps the cheapest. Larger is more expensive.
     */
    default double cost() {
        return 1;
    }

    /**
     * The expected seconds of one fit on n points in d dimensions on one core, from a fixed cost model (not a
     * measurement, so that plans made from it are the same on every run); model selection plans its candidate set
     * with it.
     */
    default double expectedSeconds(int n, int d) {
        return 0.01;
    }

    /** Number of free parameters of a fitted model (for reports; 0 when not meaningful). */
    default long parameterCount(Density fitted) {
        return 0;
    }
}

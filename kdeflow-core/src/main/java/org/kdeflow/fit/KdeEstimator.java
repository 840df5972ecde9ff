package org.kdeflow.fit;

import java.util.Objects;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.kde.BandwidthSelector;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;

/**
 * A kernel density estimate whose bandwidth matrix a {@link BandwidthSelector} picks from the data it is fitted to
 * (so that inside cross-validation the bandwidth is chosen on the training folds only). Evaluation of the fitted
 * estimate runs on the calling thread.
 *
 * @param name the name in reports, e.g. {@code kde-lcv}
 * @param selector the bandwidth rule
 * @param kernel the kernel
 * @param cost the tie-breaking cost (see {@link DensityEstimator#cost()})
 */
public record KdeEstimator(String name, BandwidthSelector selector, Kernel kernel, double cost)
        implements DensityEstimator {

    public KdeEstimator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(kernel, "kernel");
    }

    /** A Gaussian KDE with the given bandwidth rule. */
    public static KdeEstimator gaussian(String name, BandwidthSelector selector, double cost) {
        return new KdeEstimator(name, selector, Kernel.GAUSSIAN, cost);
    }

    @Override
    public Density fit(Dataset data, double[] weights) {
        return KernelDensity.of(data, weights, selector.select(data, weights), kernel).withThreads(1);
    }

    /**
     * Cost model: a bandwidth search evaluates about 20 leave-one-out sums over min(n, 2000) points against n
     * samples, (d + 8) operations per pair, at 10⁹ pairs·operations per second (about twice what this library's
     * likelihood CV took on 1200 points here, so plans err towards fewer candidates). Rules of thumb (Scott,
     * Silverman) cost far less; the model does not distinguish them.
     */
    @Override
    public double expectedSeconds(int n, int d) {
        return 20.0 * Math.min(n, 2000) * n * (d + 8) / 1e9;
    }

    /** A KDE's parameters are its bandwidth matrix's free entries (the samples are data, not parameters). */
    @Override
    public long parameterCount(Density fitted) {
        int d = fitted.dim();
        return (long) d * (d + 1) / 2;
    }
}

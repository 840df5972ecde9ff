package org.kdeflow.fit;

import java.util.List;
import java.util.Objects;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.density.MixtureDensity;

/**
 * The mixture α·p_a + (1 − α)·p_b of two estimators' models with a fixed weight α (chosen by {@link ModelSelection}
 * on out-of-fold densities), fitted by fitting both to the same data.
 *
 * @param alpha the weight of {@code a}, in (0, 1)
 */
public record StackedEstimator(double alpha, DensityEstimator a, DensityEstimator b) implements DensityEstimator {

    public StackedEstimator {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("the mixture weight must be in (0, 1), got " + alpha);
        }
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
    }

    @Override
    public String name() {
        return "mix(" + a.name() + "+" + b.name() + ")";
    }

    @Override
    public Density fit(Dataset data, double[] weights) {
        return MixtureDensity.of(List.of(a.fit(data, weights), b.fit(data, weights)),
                new double[] {alpha, 1 - alpha});
    }

    @Override
    public double expectedSeconds(int n, int d) {
        return a.expectedSeconds(n, d) + b.expectedSeconds(n, d);
    }

    @Override
    public double cost() {
        return a.cost() + b.cost();
    }

    @Override
    public long parameterCount(Density fitted) {
        if (fitted instanceof MixtureDensity m && m.components().size() == 2) {
            return a.parameterCount(m.components().get(0)) + b.parameterCount(m.components().get(1)) + 1;
        }
        return 0;
    }
}

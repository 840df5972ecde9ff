package org.kdeflow.density;

import org.kdeflow.data.ToyDatasets;

/**
 * The N → ∞ densities of the homework's toy sets, the data-generating distributions behind
 * {@link ToyDatasets#sample2dDatasets}: GaussiansGrid and GaussiansRot are exactly equal-weight Gaussian mixtures;
 * Moons and Circles are noise-convolved curves ({@link NoisyCurves}).
 */
public final class ToyDensities {
    private ToyDensities() {
    }

    /**
     * The limit density of a toy set.
     *
     * @param numGaussians number of centers for GaussiansRot (ignored by the others)
     */
    public static Density of(ToyDatasets.Kind kind, int numGaussians) {
        return switch (kind) {
            case CIRCLES -> NoisyCurves.circles();
            case MOONS -> NoisyCurves.moons();
            case GAUSSIANS_GRID -> GaussianMixture.gaussiansGrid();
            case GAUSSIANS_ROT -> GaussianMixture.gaussiansRot(numGaussians);
        };
    }
}

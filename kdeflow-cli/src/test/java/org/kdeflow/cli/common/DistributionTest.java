package org.kdeflow.cli.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.Spiral;
import org.kdeflow.density.ToyDensities;
import org.kdeflow.random.NumpyRandomState;

/** The one registry of named distributions. */
class DistributionTest {
    static final Distribution.Params P = Distribution.Params.HOMEWORK;

    @Test
    void namesParseInEverySpelling() {
        assertEquals(List.of("circles", "moons", "gaussians-grid", "gaussians-rot", "mixture", "spiral"),
                Distribution.names());
        for (String s : List.of("gaussians-grid", "GaussiansGrid", "GAUSSIANS_GRID", "gaussiansgrid")) {
            assertEquals(Distribution.GAUSSIANS_GRID, Distribution.parse(s), s);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Distribution.parse("swissroll"));
        assertTrue(e.getMessage().startsWith("unknown distribution 'swissroll'; valid names: circles, moons"),
                e.getMessage());
        for (ToyDatasets.Kind k : ToyDatasets.Kind.values()) {
            assertEquals(k, Distribution.of(k).toyKind());
            assertEquals(k.cliName(), Distribution.of(k).cliName());
        }
    }

    @Test
    void drawsTheSamePointsAsTheLibrary() {
        assertArrayEquals(ToyDatasets.sample2dDatasets(ToyDatasets.Kind.GAUSSIANS_ROT, 50, 4, 3).toArray(),
                Distribution.GAUSSIANS_ROT.sample(50, 4, new Distribution.Params(3, null)).toArray(), 0.0);
        assertArrayEquals(GaussianMixture.homework(1.0).sample(40, new NumpyRandomState(2)).toArray(),
                Distribution.MIXTURE.sample(40, 2, new Distribution.Params(5, 1.0)).toArray(), 0.0);
        assertArrayEquals(new Spiral(0.5).sample(40, new NumpyRandomState(2)).toArray(),
                Distribution.SPIRAL.sample(40, 2, P).toArray(), 0.0);
        double[] x = {0.3, -0.2, 1.5, 0.5};
        double[] a = new double[2];
        double[] b = new double[2];
        Distribution.MOONS.truth(P).logDensity(x, 2, a);
        ToyDensities.of(ToyDatasets.Kind.MOONS, 5).logDensity(x, 2, b);
        assertArrayEquals(b, a, 0.0);
    }

    @Test
    void defaultsLabelsAndKeys() {
        assertEquals(1000, Distribution.MOONS.defaultN());
        assertEquals(10000, Distribution.SPIRAL.defaultN());
        assertEquals("Gaussian mixture (σ = 0.5)", Distribution.MIXTURE.label(P));
        assertEquals("mixture-sigma1", Distribution.MIXTURE.key(new Distribution.Params(5, 1.0)));
        assertEquals("GaussiansRot (7 gaussians)", Distribution.GAUSSIANS_ROT.label(new Distribution.Params(7, null)));
        assertEquals("moons", Distribution.MOONS.key(P));
        assertEquals("Moons, n = 3, seed 2", Distribution.MOONS.draw(3, 2, P).title());
    }

    @Test
    void refusesParametersThatDoNotApply() {
        assertThrows(IllegalArgumentException.class, () -> Distribution.MOONS.check(new Distribution.Params(5, 0.2)));
        assertThrows(IllegalArgumentException.class, () -> Distribution.SPIRAL.check(new Distribution.Params(5, -1.0)));
        assertThrows(IllegalArgumentException.class, () -> Distribution.GAUSSIANS_ROT.check(
                new Distribution.Params(0, null)));
        assertThrows(IllegalArgumentException.class, () -> Distribution.GAUSSIANS_ROT.check(
                new Distribution.Params(1001, null)));
    }
}

package org.kdeflow.cli.homework;

import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.random.NumpyRandomState;

class KdeStudyTest {

    @Test
    void errorsAreTheIntegratedSquareAndTheMaximum() {
        Grid g = Grid.square(0, 1, 0, 1, 3); // spacing 0.5, trapezoid weights ¼, ½, 1
        double[] truth = new double[9];
        double[] est = new double[9];
        est[4] = 2; // centre, weight 1 · 0.25
        est[0] = -1; // corner, weight ¼ · 0.25
        double[] e = KdeStudy.errors(g, truth, est);
        assertEquals(4 * 0.25 + 1 * 0.0625, e[0], 1e-15);
        assertEquals(2, e[1]);
    }

    @Test
    void theStudyShowsTheBiasVarianceTradeOff() {
        GaussianMixture truth = GaussianMixture.homework(0.5);
        Dataset train = truth.sample(2000, new NumpyRandomState(0));
        Dataset test = truth.sample(2000, new NumpyRandomState(1));
        Grid grid = Grid.square(-3, 5, -3, 5, 60);
        List<Bandwidth> hs = List.of(Bandwidth.scalar(0.02, 2), Bandwidth.scalar(0.2, 2), Bandwidth.scalar(1.5, 2));
        KdeStudy.Result r = KdeStudy.run(truth, train, test, grid, hs, Kernel.GAUSSIAN,
                KdeStudy.logSpace(0.05, 1, 5), BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR));
        double small = r.entries().get(0).ise();
        double mid = r.entries().get(1).ise();
        double large = r.entries().get(2).ise();
        // too small a bandwidth is all variance, too large all bias; a middle one beats both
        assertTrue(mid < small && mid < large, small + " " + mid + " " + large);
        // held-out log-likelihood cannot beat the truth's on average by much (KL ≥ 0; 2000 points, sd ≈ 0.03)
        for (KdeStudy.Entry e : r.entries()) {
            assertTrue(e.heldOutLogLikelihood() < r.truthHeldOutLogLikelihood() + 0.05, e.label());
        }
        // the estimate the entry reports is the estimate on the grid
        assertArrayEquals(KernelDensity.of(train, hs.get(1)).densityOnGrid(grid), r.entries().get(1).estimate(),
                0.0);
        assertEquals(5, r.curve().ise().length);
        double h = r.crossValidated().diagonal()[0];
        assertTrue(h > 0.05 && h < 0.5, "LCV h " + h);
        assertTrue(r.crossValidatedIse() < small && r.crossValidatedIse() < large);
    }

    @Test
    void labelsAndLogSpace() {
        assertEquals("h=0.5", KdeStudy.label(Bandwidth.scalar(0.5, 2)));
        assertEquals("H=diag(0.1, 0.25)", KdeStudy.label(Bandwidth.diagonal(0.1, 0.25)));
        assertEquals("H=[0.3, 0.1; -0.05, 0.2]", KdeStudy.label(Bandwidth.full(new double[] {0.3, 0.1, -0.05, 0.2},
                2)));
        assertArrayEquals(new double[] {0.01, 0.1, 1}, KdeStudy.logSpace(0.01, 1, 3), 1e-15);
    }
}

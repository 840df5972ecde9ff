package org.kdeflow.flow;

import java.util.SplittableRandom;
import org.kdeflow.nn.Parameters;
import org.kdeflow.random.NumpyRandomState;

/** Flows with every parameter in play: fresh PyTorch-style weights, scale factors drawn from U(−1, 1). */
final class FlowFixtures {
    private FlowFixtures() {
    }

    static CouplingFlow randomFlow(CouplingFlow.Architecture arch, long seed) {
        CouplingFlow f = CouplingFlow.create(arch, seed);
        randomizeScaleFactors(f, seed);
        return f;
    }

    /** σ = 0 would make the scale networks invisible to every check; give each σ a value in (−1, 1). */
    static void randomizeScaleFactors(CouplingFlow f, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed + 17);
        Parameters p = f.parameters();
        for (int k = 0; k < f.numLayers(); k++) {
            AffineCoupling c = f.layer(k);
            for (int j = 0; j < f.dim(); j++) {
                p.set(c.scaleFactorOffset() + j, rnd.nextDouble(-1, 1));
            }
        }
    }

    static AffineCoupling randomCoupling(double[] mask, int[] hidden, long seed) {
        AffineCoupling c = AffineCoupling.create(mask, hidden, new NumpyRandomState(seed));
        SplittableRandom rnd = new SplittableRandom(seed + 17);
        for (int j = 0; j < mask.length; j++) {
            c.parameters().set(c.scaleFactorOffset() + j, rnd.nextDouble(-1, 1));
        }
        return c;
    }

    static double[] gaussian(int n, int d, long seed) {
        double[] x = new double[n * d];
        new NumpyRandomState(seed).fillGauss(x);
        return x;
    }

    static Parameters params(CouplingFlow f) {
        return f.parameters();
    }
}

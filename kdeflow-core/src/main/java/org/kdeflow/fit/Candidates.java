package org.kdeflow.fit;

import java.util.ArrayList;
import java.util.List;
import org.kdeflow.flow.Flows;
import org.kdeflow.nn.Precision;
import org.kdeflow.train.Trainer;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelector;
import org.kdeflow.kde.BandwidthSelectors;

/**
 * The default candidate set of {@code kdeflow fit}, cheapest first, so that a tight budget keeps the KDEs and drops
 * flows from the end of the list:
 * <ol>
 *   <li>KDEs: Scott and Silverman (full H, scipy's rules), leave-one-out likelihood CV with H = h·I, with
 *       H = h·Σ̂^{1/2} (isotropic on whitened data) and with a diagonal H, least-squares CV, and the adaptive
 *       (sample-point) KDE with α chosen by leave-one-out likelihood (the plug-in and SCV matrices of R ks are
 *       in {@code kdeflow kde}; on every set measured they trail likelihood CV by 0.05–0.1 nats, so they are not
 *       candidates);</li>
 *   <li>flows trained with the robust recipe, their networks' products in float32 (PyTorch's precision, about
 *       1.5× faster here): a neural spline flow (3 couplings, 64×64 conditioners, 8 bins), the same with a mixture
 *       base of 4 components (for separated modes), and a bounded-affine flow (6 couplings); in d ≥ 4 a larger
 *       spline flow (5 couplings, 128×128) first;</li>
 *   <li>derived by {@link ModelSelection}: the ensemble of the best flow and the stack of the best KDE with the best
 *       flow.</li>
 * </ol>
 */
public final class Candidates {
    private Candidates() {
    }

    /** The KDE candidates. */
    public static List<DensityEstimator> kdes() {
        List<DensityEstimator> out = new ArrayList<>();
        out.add(KdeEstimator.gaussian("kde-scott", BandwidthSelectors.scott(Bandwidth.Kind.FULL), 1));
        out.add(KdeEstimator.gaussian("kde-silverman", BandwidthSelectors.silverman(Bandwidth.Kind.FULL), 1));
        out.add(KdeEstimator.gaussian("kde-lcv", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR), 2));
        out.add(KdeEstimator.gaussian("kde-lcv-whitened", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.FULL), 2));
        out.add(KdeEstimator.gaussian("kde-lcv-diag", BandwidthSelectors.likelihoodCV(Bandwidth.Kind.DIAGONAL), 3));
        out.add(KdeEstimator.gaussian("kde-ucv", BandwidthSelectors.leastSquaresCV(Bandwidth.Kind.FULL), 2));
        out.add(KdeEstimator.gaussian("kde-adaptive", BandwidthSelector.parse("adaptive", Bandwidth.Kind.SCALAR),
                4));
        return out;
    }

    /** The flow candidates for dimension d (none in d = 1, where couplings do not exist). */
    public static List<DensityEstimator> flows(int d, long seed) {
        List<DensityEstimator> out = new ArrayList<>();
        if (d < 2) {
            return out;
        }
        if (d >= 4) {
            out.add(flow(Flows.Config.nsf(5, 128, 128), seed));
        }
        out.add(flow(Flows.Config.nsf(3, 64, 64), seed));
        out.add(flow(Flows.Config.nsf(3, 64, 64).withBase(Flows.BaseKind.mixture(4)), seed));
        out.add(flow(Flows.Config.realnvp(6, 64, 64), seed));
        return out;
    }

    private static FlowEstimator flow(Flows.Config c, long seed) {
        return new FlowEstimator(c.label(), c, Trainer.Options.robust().withPrecision(Precision.F32), seed);
    }

    /** KDEs then flows. */
    public static List<DensityEstimator> defaults(int d, long seed) {
        List<DensityEstimator> out = new ArrayList<>(kdes());
        out.addAll(flows(d, seed));
        return out;
    }
}

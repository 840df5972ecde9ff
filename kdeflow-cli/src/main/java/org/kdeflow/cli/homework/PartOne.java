package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.ReportDocument.number;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kdeflow.cli.plot.ColorCap;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.plot.Series;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Density;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.Spiral;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.Kernel;
import org.kdeflow.random.NumpyRandomState;

/**
 * Part I of the homework (Tasks 1 and 3), one density at a time: a training sample and an independent held-out
 * sample, the estimates for the homework's h with their ISE, max error and held-out log-likelihood, the ISE curve over
 * h with the leave-one-out likelihood-cross-validated h ({@link KdeStudy}), and the three figures drawn from those
 * numbers. The homework's Part I stage and {@code kdeflow kde --homework} both run it, so they draw the same
 * pictures under the same colour rule ({@link ColorCap}).
 */
public final class PartOne {
    private PartOne() {
    }

    /** A Part I density: key for files and metrics, name for the text, the density, the square plotting window. */
    public record Dist(String key, String name, Density density, double lo, double hi) {
    }

    /** The homework's three densities: the mixtures with σ = ½ and σ = 1, and the spiral. */
    public static List<Dist> distributions() {
        return List.of(
                new Dist("mixture-0.5", "Gaussian mixture, σ = ½", GaussianMixture.homework(0.5), -2, 4),
                new Dist("mixture-1", "Gaussian mixture, σ = 1", GaussianMixture.homework(1.0), -3, 5),
                new Dist("spiral", "Spiral", new Spiral(), -8, 8));
    }

    /**
     * Part I's settings.
     *
     * @param seed the training sample's seed; the held-out sample uses seed + 1
     * @param n training sample size (the homework's 10000)
     * @param grid points per axis of the images and of the ISE's trapezoidal rule
     * @param heldOutN held-out sample size
     * @param h the bandwidths compared (H = h·I)
     * @param curveH number of log-spaced bandwidths from 0.02 to 2 on the ISE curve
     */
    public record Setting(long seed, int n, int grid, int heldOutN, List<Double> h, int curveH) {
        public Setting {
            if (n < 2 || heldOutN < 1 || grid < 2 || curveH < 2 || h.isEmpty()) {
                throw new IllegalArgumentException("Part I needs n >= 2, a held-out sample, a grid of at least 2 "
                        + "points, 2 curve points and one bandwidth; got n " + n + ", held out " + heldOutN
                        + ", grid " + grid + ", curve " + curveH + ", " + h.size() + " bandwidths");
            }
            h = List.copyOf(h);
        }

        /** The settings of a homework run. */
        public static Setting of(HomeworkConfig c) {
            return new Setting(c.seed(), c.partOneN(), c.grid(), c.heldOutN(), c.partOneH(), c.curveH());
        }

        public long testSeed() {
            return seed + 1;
        }

        public Setting withN(int samples) {
            return new Setting(seed, samples, grid, heldOutN, h, curveH);
        }

        public Setting withGrid(int points) {
            return new Setting(seed, n, points, heldOutN, h, curveH);
        }
    }

    /**
     * What one density's study found.
     *
     * @param train the training sample
     * @param test the held-out sample
     * @param study every number ({@link KdeStudy#run})
     * @param cap the colour rule of the estimates' figure
     */
    public record Outcome(Dist dist, Setting setting, Dataset train, Dataset test, KdeStudy.Result study,
            ColorCap cap) {
        /** The caption's sentence about saturated colours (empty when none saturate). */
        public String shadingNote() {
            return cap.note(org.kdeflow.cli.report.ReportDocument::number);
        }
    }

    /** Samples {@code d}, estimates it for every h and along the curve, and cross-validates h. */
    public static Outcome study(Dist d, Setting s) {
        Dataset train = d.density().sample(s.n(), new NumpyRandomState(s.seed()));
        Dataset test = d.density().sample(s.heldOutN(), new NumpyRandomState(s.testSeed()));
        Grid grid = Grid.square(d.lo(), d.hi(), d.lo(), d.hi(), s.grid());
        List<Bandwidth> bws = new ArrayList<>();
        for (double h : s.h()) {
            bws.add(Bandwidth.scalar(h, 2));
        }
        double[] curveH = KdeStudy.logSpace(0.02, 2.0, s.curveH());
        KdeStudy.Result r = KdeStudy.run(d.density(), train, test, grid, bws, Kernel.GAUSSIAN, curveH,
                BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR, Kernel.GAUSSIAN, 500));
        return new Outcome(d, s, train, test, r, ColorCap.of(r.truth(), panels(r)));
    }

    private static List<double[]> panels(KdeStudy.Result r) {
        List<double[]> values = new ArrayList<>();
        values.add(r.truth());
        for (KdeStudy.Entry e : r.entries()) {
            values.add(e.estimate());
        }
        return values;
    }

    /** Task 1: the training sample. */
    public static Figure samples(Outcome o) {
        Dist d = o.dist();
        return Plots.scatter(d.name() + " (N = " + o.train().size() + ")", o.train().toArray(), o.train().size(),
                new double[] {d.lo(), d.hi(), d.lo(), d.hi()});
    }

    /** Task 3: the true f beside f̂ for each h, one colour scale. */
    public static Figure estimates(Outcome o) {
        KdeStudy.Result r = o.study();
        List<String> titles = new ArrayList<>();
        titles.add("true f");
        for (KdeStudy.Entry e : r.entries()) {
            titles.add("KDE, " + e.label().replace("h=", "h = ")); // the charts' font has no combining hat
        }
        return Plots.densityPanels(o.dist().name() + ": true density and estimates", titles, r.grid(), panels(r),
                Plots.columnsFor(titles.size()),
                true, "density", o.cap().colorMax());
    }

    /** Task 3: the bias–variance curve, the homework's h and the cross-validated h marked. */
    public static Figure iseCurve(Outcome o) {
        KdeStudy.Result r = o.study();
        double cvH = r.crossValidated().diagonal()[0];
        double[] hwH = o.setting().h().stream().mapToDouble(Double::doubleValue).toArray();
        double[] hwIse = r.entries().stream().mapToDouble(KdeStudy.Entry::ise).toArray();
        return Plots.lines(o.dist().name() + ": ISE against h", "h", "ISE", true, true, List.of(
                new Series("ISE(h)", r.curve().h(), r.curve().ise()),
                Series.points("h = " + String.join(", ", o.setting().h().stream().map(h -> number(h)).toList()), hwH,
                        hwIse),
                Series.points("LCV h = " + number(cvH), new double[] {cvH}, new double[] {r.crossValidatedIse()})),
                new double[] {cvH});
    }

    /**
     * How hard a density is to estimate (Task 4).
     *
     * @param bestShortfall the smallest shortfall of the held-out log-likelihood from the truth's over the homework's
     *     h, an estimate of KL(f‖f̂) in nats
     * @param relativeIse the smallest ISE on the curve relative to ∫f² (scale-free)
     */
    public record Difficulty(double bestShortfall, double relativeIse) {
    }

    /** The two difficulty measures of a study. */
    public static Difficulty difficulty(Outcome o) {
        double bestLl = Double.NEGATIVE_INFINITY;
        for (KdeStudy.Entry e : o.study().entries()) {
            bestLl = Math.max(bestLl, e.heldOutLogLikelihood());
        }
        double[] f = o.study().truth();
        double[] f2 = new double[f.length];
        for (int k = 0; k < f.length; k++) {
            f2[k] = f[k] * f[k];
        }
        double normF2 = o.study().grid().integrate(f2);
        double bestIse = Arrays.stream(o.study().curve().ise()).min().orElseThrow();
        return new Difficulty(o.study().truthHeldOutLogLikelihood() - bestLl, bestIse / normF2);
    }
}

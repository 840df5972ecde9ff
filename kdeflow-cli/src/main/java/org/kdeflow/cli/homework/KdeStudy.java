package org.kdeflow.cli.homework;

import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelector;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;

import java.util.ArrayList;
import java.util.List;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Density;

/**
 * The homework's comparison of f and f̂ (Part I, Task 3) as numbers: for each bandwidth, the estimate on a grid and
 * <ul>
 *   <li>ISE = ∫(f̂ − f)², the trapezoidal rule on the grid ({@link Grid#integrate});</li>
 *   <li>max error = max over grid points |f̂ − f|;</li>
 *   <li>held-out mean log-likelihood = (1/M) Σ_m log f̂(x'_m) over a test sample drawn independently of the
 *       training sample (exact path, log-sum-exp, so it is finite however far a test point lies).</li>
 * </ul>
 * plus the bias–variance curve ISE(h) for H = h·I over log-spaced h, and a cross-validated h to mark on it.
 * Figures only read these records.
 */
public final class KdeStudy {
    private KdeStudy() {
    }

    /** One bandwidth's result: the estimate on the grid (values[iy·nx + ix]) and its quality measures. */
    public record Entry(String label, Bandwidth bandwidth, double[] estimate, double ise, double maxError,
                        double heldOutLogLikelihood) {
    }

    /** ISE against h for H = h·I. */
    public record Curve(double[] h, double[] ise) {
    }

    /** The whole comparison for one distribution. */
    public record Result(Grid grid, double[] truth, double truthHeldOutLogLikelihood, List<Entry> entries,
                         Curve curve, Bandwidth crossValidated, double crossValidatedIse) {
    }

    /** Quality of an estimate on a grid against the true values there: {ISE, max |f̂ − f|}. */
    public static double[] errors(Grid grid, double[] truth, double[] estimate) {
        double[] sq = new double[truth.length];
        double max = 0;
        for (int k = 0; k < truth.length; k++) {
            double e = estimate[k] - truth[k];
            sq[k] = e * e;
            max = Math.max(max, Math.abs(e));
        }
        return new double[] {grid.integrate(sq), max};
    }

    /**
     * Runs the comparison: the estimates for {@code bandwidths}, the ISE curve over {@code curveH} (may be empty),
     * and the bandwidth {@code selector} picks (may be null) with its ISE.
     *
     * @param truth the density the training sample came from
     * @param train the sample the estimates are built from
     * @param test an independent sample for the held-out log-likelihood
     */
    public static Result run(Density truth, Dataset train, Dataset test, Grid grid, List<Bandwidth> bandwidths,
                             Kernel kernel, double[] curveH, BandwidthSelector selector) {
        double[] f = truth.density(grid.points(), grid.size());
        List<Entry> entries = new ArrayList<>();
        for (Bandwidth h : bandwidths) {
            entries.add(entry(label(h), KernelDensity.of(train, null, h, kernel), grid, f, test));
        }
        double[] ise = new double[curveH.length];
        for (int k = 0; k < curveH.length; k++) {
            KernelDensity kde = KernelDensity.of(train, null, Bandwidth.scalar(curveH[k], train.dim()), kernel);
            ise[k] = errors(grid, f, kde.densityOnGrid(grid))[0];
        }
        Bandwidth cv = null;
        double cvIse = Double.NaN;
        if (selector != null) {
            cv = selector.select(train, null);
            cvIse = errors(grid, f, KernelDensity.of(train, null, cv, kernel).densityOnGrid(grid))[0];
        }
        return new Result(grid, f, truth.meanLogDensity(test), entries, new Curve(curveH.clone(), ise), cv, cvIse);
    }

    /** One estimate's entry. */
    public static Entry entry(String label, KernelDensity kde, Grid grid, double[] truth, Dataset test) {
        double[] est = kde.densityOnGrid(grid);
        double[] e = errors(grid, truth, est);
        return new Entry(label, kde.bandwidth(), est, e[0], e[1], kde.meanLogDensity(test));
    }

    /** "h=0.5", "H=diag(0.1, 0.2)" or "H=[[a, b], [c, d]]". */
    public static String label(Bandwidth h) {
        return switch (h.kind()) {
            case SCALAR -> "h=" + fmt(h.diagonal()[0]);
            case DIAGONAL -> {
                StringBuilder sb = new StringBuilder("H=diag(");
                double[] dg = h.diagonal();
                for (int j = 0; j < dg.length; j++) {
                    sb.append(j > 0 ? ", " : "").append(fmt(dg[j]));
                }
                yield sb.append(')').toString();
            }
            case FULL -> {
                double[] m = h.matrix();
                int d = h.dim();
                StringBuilder sb = new StringBuilder("H=[");
                for (int r = 0; r < d; r++) {
                    sb.append(r > 0 ? "; " : "");
                    for (int c = 0; c < d; c++) {
                        sb.append(c > 0 ? ", " : "").append(fmt(m[r * d + c]));
                    }
                }
                yield sb.append(']').toString();
            }
        };
    }

    private static String fmt(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.4g", v);
        if (s.contains(".") && !s.contains("e")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s;
    }

    /** k values from a to b evenly spaced in log. */
    public static double[] logSpace(double a, double b, int k) {
        double[] v = new double[k];
        for (int i = 0; i < k; i++) {
            v[i] = Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * i / (k - 1));
        }
        return v;
    }
}

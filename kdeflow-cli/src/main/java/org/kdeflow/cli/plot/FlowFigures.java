package org.kdeflow.cli.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;

/**
 * The figures of a 2-D flow, as {@code kdeflow train --out} and {@code kdeflow density} draw them, from values the
 * caller computed: "density", p(x) on a grid, and "layers", the samples after each coupling layer on shared axes.
 */
public final class FlowFigures {
    private FlowFigures() {
    }

    /**
     * @param layers       K, for the density image's title
     * @param densityPanel the density panel's title
     * @param grid         the grid {@code density} is laid out on ({@link Grid#points()})
     * @param density      p(x) at the grid points
     * @param steps        the prior samples, then the samples after each layer ({@code sampleEachStep})
     * @param title        the data's description, for the layer panels' title
     * @return "density" and "layers", in that order
     */
    public static Map<String, Figure> of(int layers, String densityPanel, Grid grid, double[] density,
            List<Dataset> steps, String title) {
        List<String> titles = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            titles.add(k == 0 ? "z ~ N(0, I)" : k == steps.size() - 1 ? "x (after layer " + k + ")"
                    : "after layer " + k);
        }
        return of("Coupling flow, K = " + layers, densityPanel, grid, density, steps, titles,
                "Samples after each coupling layer", title);
    }

    /**
     * The density image of any model ({@code density}) and, when {@code steps} is not empty, the samples after each
     * transform with the given panel titles.
     */
    public static Map<String, Figure> of(String model, String densityPanel, Grid grid, double[] density,
            List<Dataset> steps, List<String> stepTitles, String stepsTitle, String title) {
        Map<String, Figure> figures = new LinkedHashMap<>();
        figures.put("density", Plots.densityPanels(model + ": p(x) = exp(log p(x))",
                List.of(densityPanel), grid, List.of(density), 1, true, "p(x)"));
        if (steps.isEmpty()) {
            return figures;
        }
        List<double[]> xys = new ArrayList<>();
        for (Dataset s : steps) {
            xys.add(s.toArray());
        }
        int n = steps.get(0).size();
        figures.put("layers", Plots.scatterPanels(stepsTitle + " (" + n + " points), " + title,
                stepTitles, xys, robustRange(xys, 0.5), Math.min(steps.size(), 5)));
        return figures;
    }

    /**
     * A plotting range around 2-D point sets that ignores outliers: per axis the {@code tailPercent} and
     * 100 − {@code tailPercent} percentiles of all points, widened by 15% of that width on each side.
     *
     * @param xys row-major n×2 arrays
     * @return {x0, x1, y0, y1}
     */
    public static double[] robustRange(List<double[]> xys, double tailPercent) {
        int total = 0;
        for (double[] a : xys) {
            total += a.length / 2;
        }
        double[] xs = new double[total];
        double[] ys = new double[total];
        int k = 0;
        for (double[] a : xys) {
            for (int i = 0; i + 1 < a.length; i += 2) {
                xs[k] = a[i];
                ys[k] = a[i + 1];
                k++;
            }
        }
        double[] r = new double[4];
        double[][] axes = {xs, ys};
        for (int j = 0; j < 2; j++) {
            double[] v = axes[j];
            Arrays.sort(v);
            double lo = quantile(v, tailPercent / 100);
            double hi = quantile(v, 1 - tailPercent / 100);
            double w = Math.max(hi - lo, 1e-9);
            r[2 * j] = lo - 0.15 * w;
            r[2 * j + 1] = hi + 0.15 * w;
        }
        return r;
    }

    /** numpy's default (linear) quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(i + 1, sorted.length - 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }
}

package org.kdeflow.cli.plot;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * The one colour-range rule of density images that share a scale. A single spike (the spiral's 1/r peak at the
 * origin, a flow that piles mass into a narrow ridge) would otherwise stretch the scale until everything else is
 * dark, so values above a cap derived from the true density are drawn at the cap and the caption says so:
 * cap = 1.5 × min(max f, 2 × the 99th percentile of f) over the grid, f the true density. Numbers are never clipped,
 * only the pictures.
 *
 * @param cap      the top of the colour scale
 * @param fraction the fraction of all panels' pixels above it
 */
public record ColorCap(double cap, double fraction) {

    /** The cap for images of {@code values}, from the true density {@code truth} on the same grid. */
    public static ColorCap of(double[] truth, List<double[]> values) {
        double[] sorted = truth.clone();
        Arrays.sort(sorted);
        double max = sorted[sorted.length - 1];
        double q99 = sorted[(int) Math.floor(0.99 * (sorted.length - 1))];
        double cap = 1.5 * Math.min(max, 2 * q99);
        long above = 0;
        long total = 0;
        for (double[] v : values) {
            for (double x : v) {
                if (x > cap) {
                    above++;
                }
            }
            total += v.length;
        }
        return new ColorCap(cap, total == 0 ? 0 : (double) above / total);
    }

    /** The top of the colour scale to draw with: the cap when anything lies above it, else NaN (automatic). */
    public double colorMax() {
        return clipped() ? cap : Double.NaN;
    }

    /** Whether any pixel lies above the cap. */
    public boolean clipped() {
        return fraction > 0;
    }

    /** A sentence for a caption, numbers written by {@code number} (empty when nothing was clipped). */
    public String note(DoubleFunction<String> number) {
        return clipped() ? String.format(Locale.ROOT,
                " Colours saturate at %s (1.5× the true density's typical peak): %s %% of the pixels lie above.",
                number.apply(cap), number.apply(100 * fraction)) : "";
    }
}

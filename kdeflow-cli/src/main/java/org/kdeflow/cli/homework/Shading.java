package org.kdeflow.cli.homework;

import java.util.Arrays;
import java.util.List;

/**
 * The colour range of density images that share one scale. A single spike (the spiral's 1/r peak at the origin, a
 * flow that piles mass into a narrow ridge) would otherwise stretch the scale until everything else is dark, so values
 * above a cap derived from the true density are drawn at the cap; the caption says so. Numbers are never clipped,
 * only the pictures.
 */
final class Shading {
    /** The cap of the colour scale and the fraction of pixels above it. */
    record Clipped(double cap, double fraction) {
        /** The top of the colour scale to draw with: the cap when anything lies above it, else NaN (automatic). */
        double colorMax() {
            return clipped() ? cap : Double.NaN;
        }

        boolean clipped() {
            return fraction > 0;
        }

        /** A sentence for the caption (empty when nothing was clipped). */
        String note() {
            return clipped() ? String.format(java.util.Locale.ROOT,
                    " Colours saturate at %s (1.5× the true density's typical peak): %s %% of the pixels lie above.",
                    org.kdeflow.cli.report.ReportDocument.number(cap),
                    org.kdeflow.cli.report.ReportDocument.number(100 * fraction)) : "";
        }
    }

    private Shading() {
    }

    /**
     * The colour cap for every image: 1.5 × min(max f, 2 × the 99th percentile of f), where f is the true density on the grid.
     */
    static Clipped clip(double[] truth, List<double[]> values) {
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
        return new Clipped(cap, (double) above / total);
    }
}

package org.kdeflow.cli.plot;

/**
 * One named set of points (x[i], y[i]) of a line chart, drawn as a line or as separate marked points.
 *
 * @param points true: large markers and no line (a few chosen values on a curve); false: a line
 */
public record Series(String name, double[] x, double[] y, boolean points) {
    public Series {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length
                    + " y values");
        }
        x = x.clone();
        y = y.clone();
    }

    /** A line. */
    public Series(String name, double[] x, double[] y) {
        this(name, x, y, false);
    }

    /** Marked points without a line. */
    public static Series points(String name, double[] x, double[] y) {
        return new Series(name, x, y, true);
    }
}

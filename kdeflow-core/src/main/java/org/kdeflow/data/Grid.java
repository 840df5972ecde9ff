package org.kdeflow.data;

/**
 * A regular 2-D grid of nx × ny points over [x0, x1] × [y0, y1], both ends included (numpy's
 * {@code meshgrid(linspace(x0, x1, nx), linspace(y0, y1, ny))}).
 *
 * <p>Values on the grid are row-major by y: the value at (xs[ix], ys[iy]) is {@code values[iy*nx + ix]}, so row iy
 * of an image is one y. {@link #points()} lists the points in that order.
 */
public record Grid(double x0, double x1, double y0, double y1, int nx, int ny) {

    public Grid {
        if (nx < 2 || ny < 2) {
            throw new IllegalArgumentException("a grid needs at least 2 points per axis, got " + nx + "x" + ny);
        }
        if (!(Double.isFinite(x0) && Double.isFinite(x1) && x0 < x1)) {
            throw new IllegalArgumentException("x range must be finite with x0 < x1, got [" + x0 + ", " + x1 + "]");
        }
        if (!(Double.isFinite(y0) && Double.isFinite(y1) && y0 < y1)) {
            throw new IllegalArgumentException("y range must be finite with y0 < y1, got [" + y0 + ", " + y1 + "]");
        }
    }

    /** A square grid of n × n points. */
    public static Grid square(double x0, double x1, double y0, double y1, int n) {
        return new Grid(x0, x1, y0, y1, n, n);
    }

    /** The x coordinates, as {@code linspace(x0, x1, nx)}. */
    public double[] xs() {
        return linspace(x0, x1, nx);
    }

    /** The y coordinates, as {@code linspace(y0, y1, ny)}. */
    public double[] ys() {
        return linspace(y0, y1, ny);
    }

    /** Spacing between x points. */
    public double dx() {
        return (x1 - x0) / (nx - 1);
    }

    /** Spacing between y points. */
    public double dy() {
        return (y1 - y0) / (ny - 1);
    }

    /** Number of points nx·ny. */
    public int size() {
        return nx * ny;
    }

    /** All points, row-major (nx·ny)×2, x varying fastest. */
    public double[] points() {
        double[] xs = xs();
        double[] ys = ys();
        double[] p = new double[2 * nx * ny];
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                int k = iy * nx + ix;
                p[2 * k] = xs[ix];
                p[2 * k + 1] = ys[iy];
            }
        }
        return p;
    }

    /**
     * ∫∫ of the grid values by the trapezoidal rule.
     *
     * @param values nx·ny values laid out as {@link #points()}
     */
    public double integrate(double[] values) {
        if (values.length != size()) {
            throw new IllegalArgumentException("expected " + size() + " values, got " + values.length);
        }
        double s = 0;
        for (int iy = 0; iy < ny; iy++) {
            double wy = (iy == 0 || iy == ny - 1) ? 0.5 : 1.0;
            for (int ix = 0; ix < nx; ix++) {
                double wx = (ix == 0 || ix == nx - 1) ? 0.5 : 1.0;
                s += wx * wy * values[iy * nx + ix];
            }
        }
        return s * dx() * dy();
    }

    /**
     * numpy's {@code linspace(start, stop, num)}: start + i·step with step = (stop − start)/(num − 1), the last point
     * exactly {@code stop}.
     */
    public static double[] linspace(double start, double stop, int num) {
        return linspace(start, stop, num, true);
    }

    /** numpy's {@code linspace} with {@code endpoint}: step = (stop − start)/(num − 1) or /num without the end. */
    public static double[] linspace(double start, double stop, int num, boolean endpoint) {
        if (num < 0) {
            throw new IllegalArgumentException("num must be >= 0, got " + num);
        }
        double[] y = new double[num];
        int div = endpoint ? num - 1 : num;
        double delta = stop - start;
        if (div > 0) {
            double step = delta / div;
            if (step == 0) {
                for (int i = 0; i < num; i++) {
                    y[i] = (i / (double) div) * delta + start;
                }
            } else {
                for (int i = 0; i < num; i++) {
                    y[i] = i * step + start;
                }
            }
        } else if (num > 0) {
            y[0] = start;
        }
        if (endpoint && num > 1) {
            y[num - 1] = stop;
        }
        return y;
    }
}

package org.kdeflow.kde;

import java.util.Arrays;
import java.util.Locale;

/**
 * A box-shaped domain D = [a₁, b₁] × … × [a_d, b_d] with −∞ ≤ aⱼ &lt; bⱼ ≤ ∞ per dimension, for estimates corrected
 * at the boundary by reflection ({@link KernelDensity#withBounds}).
 *
 * <p>Immutable; factories validate and copy.
 */
public final class Bounds {
    private final double[] lower;
    private final double[] upper;

    private Bounds(double[] lower, double[] upper) {
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * The domain [lower₀, upper₀] × … (copied); use ±{@link Double#POSITIVE_INFINITY} for an open side.
     *
     * @throws IllegalArgumentException if the lengths differ or are 0, a bound is NaN, or lowerⱼ ≥ upperⱼ
     */
    public static Bounds of(double[] lower, double[] upper) {
        if (lower.length != upper.length) {
            throw new IllegalArgumentException("bounds: " + lower.length + " lower and " + upper.length
                    + " upper bounds; expected one of each per dimension");
        }
        if (lower.length == 0) {
            throw new IllegalArgumentException("bounds: need at least one dimension");
        }
        for (int j = 0; j < lower.length; j++) {
            double a = lower[j];
            double b = upper[j];
            if (Double.isNaN(a) || Double.isNaN(b) || a == Double.POSITIVE_INFINITY
                    || b == Double.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException("bounds: dimension " + (j + 1) + " has the invalid interval ["
                        + a + ", " + b + "]");
            }
            if (!(a < b)) {
                throw new IllegalArgumentException("bounds: dimension " + (j + 1) + " needs lower < upper, got ["
                        + a + ", " + b + "]");
            }
        }
        return new Bounds(lower.clone(), upper.clone());
    }

    /** ℝᵈ: no bound in any dimension. */
    public static Bounds unbounded(int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + d);
        }
        double[] a = new double[d];
        double[] b = new double[d];
        Arrays.fill(a, Double.NEGATIVE_INFINITY);
        Arrays.fill(b, Double.POSITIVE_INFINITY);
        return new Bounds(a, b);
    }

    /**
     * Parses one {@code lower:upper} interval per dimension, separated by commas, e.g. {@code "0:inf,0:1"}. A side
     * may be a number, {@code inf}/{@code -inf} (also {@code infinity}), or empty for an open side ({@code ":1"}).
     *
     * @throws IllegalArgumentException naming the part that does not parse
     */
    public static Bounds parse(String spec) {
        String[] parts = spec.trim().split(",", -1);
        double[] a = new double[parts.length];
        double[] b = new double[parts.length];
        for (int j = 0; j < parts.length; j++) {
            String p = parts[j].trim();
            int colon = p.indexOf(':');
            if (colon < 0 || p.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("bounds: '" + p + "' (dimension " + (j + 1)
                        + ") is not of the form lower:upper, e.g. 0:inf");
            }
            a[j] = side(p.substring(0, colon), Double.NEGATIVE_INFINITY, p, j);
            b[j] = side(p.substring(colon + 1), Double.POSITIVE_INFINITY, p, j);
        }
        return of(a, b);
    }

    private static double side(String s, double open, String part, int j) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty()) {
            return open;
        }
        boolean negative = t.startsWith("-");
        String body = negative || t.startsWith("+") ? t.substring(1) : t;
        if (body.equals("inf") || body.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        try {
            double v = Double.parseDouble(t);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bounds: '" + s.trim() + "' in '" + part + "' (dimension " + (j + 1)
                + ") is not a number or inf");
    }

    /** The dimension d. */
    public int dim() {
        return lower.length;
    }

    /** aⱼ (−∞ when open). */
    public double lower(int j) {
        return lower[j];
    }

    /** bⱼ (+∞ when open). */
    public double upper(int j) {
        return upper[j];
    }

    /** Whether dimension j has a finite bound on either side. */
    public boolean isBounded(int j) {
        return lower[j] != Double.NEGATIVE_INFINITY || upper[j] != Double.POSITIVE_INFINITY;
    }

    /** Whether any dimension has a finite bound. */
    public boolean isBounded() {
        for (int j = 0; j < lower.length; j++) {
            if (isBounded(j)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the point {@code x[off..off+d)} lies in D (boundaries included). */
    public boolean contains(double[] x, int off) {
        for (int j = 0; j < lower.length; j++) {
            double v = x[off + j];
            if (!(v >= lower[j] && v <= upper[j])) {
                return false;
            }
        }
        return true;
    }

    /** The bounds of the listed dimensions, in that order. */
    public Bounds select(int[] dims) {
        double[] a = new double[dims.length];
        double[] b = new double[dims.length];
        for (int k = 0; k < dims.length; k++) {
            a[k] = lower[dims[k]];
            b[k] = upper[dims[k]];
        }
        return new Bounds(a, b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bounds other && Arrays.equals(lower, other.lower) && Arrays.equals(upper, other.upper);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lower) + Arrays.hashCode(upper);
    }

    /** The form {@link #parse} reads, e.g. {@code 0:inf,0:1}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < lower.length; j++) {
            s.append(j == 0 ? "" : ",").append(text(lower[j])).append(':').append(text(upper[j]));
        }
        return s.toString();
    }

    private static String text(double v) {
        if (v == Double.POSITIVE_INFINITY) {
            return "inf";
        }
        if (v == Double.NEGATIVE_INFINITY) {
            return "-inf";
        }
        return Double.toString(v);
    }
}

package org.kdeflow.nn;

import java.util.Arrays;

/**
 * All trainable parameters of a model in one flat buffer, with a gradient buffer of the same layout, so that an
 * optimizer runs over two arrays. Layers hold offsets into these buffers (views by offset).
 *
 * <p>{@link #values()} and {@link #gradients()} are the live arrays, for hot loops inside the library. Whoever writes
 * to {@link #values()} directly must call {@link #changed()} afterwards, so that layers refresh what they cache from
 * the weights (the transposed copies of {@link Dense}). {@link #set}, {@link #copyFrom} and {@link Adam#step} do so.
 * Not thread-safe.
 */
public final class Parameters {
    private final double[] values;
    private final double[] gradients;
    private int version;

    /** Zero-filled buffers of the given size. */
    public Parameters(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("parameter count must be >= 0, got " + size);
        }
        values = new double[size];
        gradients = new double[size];
    }

    /** Number of scalar parameters. */
    public int size() {
        return values.length;
    }

    /** The live value buffer (see the class comment before writing to it). */
    public double[] values() {
        return values;
    }

    /** The live gradient buffer. */
    public double[] gradients() {
        return gradients;
    }

    /** A counter that changes whenever the values change; layers compare it to know their caches are current. */
    public int version() {
        return version;
    }

    /** Marks the values as changed. */
    public void changed() {
        version++;
    }

    /** Sets one value. */
    public void set(int index, double value) {
        values[index] = value;
        version++;
    }

    /** One value. */
    public double get(int index) {
        return values[index];
    }

    /** Copies all values from {@code source} (same length). */
    public void copyFrom(double[] source) {
        if (source.length != values.length) {
            throw new IllegalArgumentException("expected " + values.length + " parameter values, got "
                    + source.length);
        }
        System.arraycopy(source, 0, values, 0, values.length);
        version++;
    }

    /** A copy of the values. */
    public double[] copyValues() {
        return values.clone();
    }

    /** Sets every gradient to 0. */
    public void zeroGradients() {
        Arrays.fill(gradients, 0.0);
    }

    /** Whether every value is finite. */
    public boolean valuesFinite() {
        return allFinite(values);
    }

    /** Whether every gradient is finite. */
    public boolean gradientsFinite() {
        return allFinite(gradients);
    }

    private static boolean allFinite(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * 0.0; // NaN for NaN or ±∞, 0 otherwise
        }
        return s == 0.0;
    }
}

package org.kdeflow.formats;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor: a shape and its elements in row-major order. Immutable; the stored dtype is the one it was read
 * with (or {@code F64} for tensors built in memory).
 */
public final class Tensor {
    private final SafeTensors.DType dtype;
    final int[] shape;
    final double[] values;

    Tensor(SafeTensors.DType dtype, int[] shape, double[] values) {
        this.dtype = dtype;
        this.shape = shape;
        this.values = values;
    }

    /**
     * A tensor of the given shape holding a copy of {@code values} (row-major). An empty shape is a scalar.
     *
     * @throws IllegalArgumentException if a dimension is negative or the shape's product ≠ values.length
     */
    public static Tensor of(double[] values, int... shape) {
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(shape, "shape");
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
            }
        }
        if (n != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but " + values.length + " values were given");
        }
        return new Tensor(SafeTensors.DType.F64, shape.clone(), values.clone());
    }

    /** The dtype the tensor was read with ({@code F64} for tensors made with {@link #of}). */
    public SafeTensors.DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}. */
    public int dim(int i) {
        return shape[i];
    }

    /** Number of elements. */
    public int size() {
        return values.length;
    }

    /** Element {@code i} in row-major order. */
    public double get(int i) {
        return values[i];
    }

    /** A copy of the elements in row-major order. */
    public double[] values() {
        return values.clone();
    }

    /** Copies the elements into {@code dst} at {@code offset}. */
    public void copyTo(double[] dst, int offset) {
        System.arraycopy(values, 0, dst, offset, values.length);
    }

    /** Whether the shape equals {@code expected}. */
    public boolean hasShape(int... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The shape written like PyTorch's {@code torch.Size}: {@code [2, 32]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    /** Equal shape and values (the dtype read with is not compared). */
    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + shapeString() + "]";
    }
}

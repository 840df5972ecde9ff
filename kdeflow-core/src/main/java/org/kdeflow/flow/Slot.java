package org.kdeflow.flow;

import java.util.Arrays;

/**
 * Where a named parameter tensor lives in a flow's flat {@link org.kdeflow.nn.Parameters} buffer: its shape
 * (PyTorch's, row-major, so a {@code Linear.weight} [out, in] maps 1:1), offset and size.
 */
public record Slot(int[] shape, int offset, int size) {
    public Slot {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Slot s && s.offset == offset && s.size == size && Arrays.equals(s.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * offset + size) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Slot" + Arrays.toString(shape) + "@" + offset;
    }
}

package org.kdeflow.nn;

/**
 * The arithmetic of the dense products in a batch's forward and backward pass — a property of the work buffers a
 * pass runs in ({@link Mlp#buffers(int, Precision)}), not of the model. Parameters, optimizer state and everything
 * element-wise around the networks stay in double; with {@link #F32} the networks' products, activations and
 * gradient sums run in float (16 lanes per 512-bit register instead of 8), as PyTorch trains by default. Both run the
 * same kernel source (the float kernels are generated from the double ones at build time).
 */
public enum Precision {
    /** Double precision (the default). */
    F64,
    /** Single precision for the networks' products (opt-in). */
    F32;

    /** Parses "f64"/"float64"/"double" or "f32"/"float32"/"float". */
    public static Precision parse(String s) {
        return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "f64", "float64", "double" -> F64;
            case "f32", "float32", "float" -> F32;
            default -> throw new IllegalArgumentException("unknown precision '" + s + "' (expected f32 or f64)");
        };
    }
}

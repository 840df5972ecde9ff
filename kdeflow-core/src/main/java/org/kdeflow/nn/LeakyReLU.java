package org.kdeflow.nn;

import org.kdeflow.kernels.DenseKernel;
/**
 * The leaky rectifier h = z for z &gt; 0, h = α·z otherwise, with PyTorch's default slope α = 0.01
 * ({@code torch.nn.LeakyReLU()}). Its derivative is 1 for z &gt; 0 and α otherwise (PyTorch's choice at z = 0);
 * since h has the sign of z, the derivative can be read from h. The dense kernels fuse both into their loops.
 */
public final class LeakyReLU {
    /** PyTorch's default negative slope. */
    public static final double SLOPE = org.kdeflow.kernels.DenseKernel.LEAKY_SLOPE;

    private LeakyReLU() {
    }

    /** h(z). */
    public static double apply(double z) {
        return z > 0 ? z : SLOPE * z;
    }

    /** dh/dz, read from the output h. */
    public static double derivativeFromOutput(double h) {
        return h > 0 ? 1.0 : SLOPE;
    }
}

package org.kdeflow.nn;

import org.kdeflow.kernels.FloatDenseKernel;
/**
 * {@link Adam} in float32, for the opt-in single-precision training path: PyTorch's {@code torch.optim.Adam} on
 * float parameters (no weight decay, no AMSGrad), same formula and order of operations —
 * m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², denom = √v / √(1 − β₂ᵗ) + ε, p ← p − (lr / (1 − β₁ᵗ))·m / denom —
 * with the bias corrections computed in double (as PyTorch computes them in Python) and rounded to float once per step.
 * Moments start at 0 and live here.
 */
public final class AdamF32 {
    private final double lr;
    private final float[] m;
    private final float[] v;
    private final FloatDenseKernel kernel;
    private long t;

    /** Adam with PyTorch's default β₁, β₂, ε for {@code size} float parameters, on the start-up kernel. */
    public AdamF32(int size, double lr) {
        this(size, lr, FloatDenseKernel.get());
    }

    /** Adam on an explicit kernel (tests). */
    public AdamF32(int size, double lr, FloatDenseKernel kernel) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        this.lr = lr;
        this.m = new float[size];
        this.v = new float[size];
        this.kernel = kernel;
    }

    /** One update of x from its gradients g (same length as this optimizer); returns whether every x is finite. */
    public boolean step(float[] x, float[] g) {
        if (x.length != m.length || g.length != m.length) {
            throw new IllegalArgumentException("optimizer holds " + m.length + " parameters, got " + x.length
                    + " values and " + g.length + " gradients");
        }
        t++;
        double bc1 = 1.0 - Math.pow(Adam.BETA1, t);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(Adam.BETA2, t));
        return kernel.adamUpdate(x, g, m, v, x.length, (float) Adam.BETA1, (float) Adam.BETA2,
                (float) (1.0 - Adam.BETA1), (float) (1.0 - Adam.BETA2), (float) (lr / bc1), (float) bc2Sqrt,
                (float) Adam.EPS);
    }

    /** Steps taken so far. */
    public long steps() {
        return t;
    }
}

package org.kdeflow.nn;

import org.kdeflow.kernels.DenseKernel;
/**
 * Adam (Kingma &amp; Ba 2015) exactly as PyTorch's {@code torch.optim.Adam} (no weight decay, no AMSGrad), one step
 * over a whole {@link Parameters} buffer. At step t, for every parameter p with gradient g:
 * <pre>
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g²
 *   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
 *   p ← p − lr · m̂ / (√v̂ + ε)
 * </pre>
 * computed in PyTorch's order: denom = √v / √(1 − β₂ᵗ) + ε, p ← p − (lr / (1 − β₁ᵗ))·m / denom (ε is added after
 * the bias correction). The moment buffers and step count are exposed for checkpoints.
 */
public final class Adam {
    /** PyTorch's defaults. */
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;

    private final double lr;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double[] m;
    private final double[] v;
    private long t;

    /** Adam with PyTorch's default β₁, β₂, ε for {@code size} parameters. */
    public Adam(int size, double lr) {
        this(size, lr, BETA1, BETA2, EPS);
    }

    public Adam(int size, double lr, double beta1, double beta2, double eps) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.m = new double[size];
        this.v = new double[size];
    }

    /**
     * One update of {@code p}'s values from its gradients. Returns whether every updated value is finite (a NaN or
     * infinite gradient makes some of them non-finite; the caller decides what to do with such weights).
     */
    public boolean step(Parameters p) {
        double[] x = p.values();
        double[] g = p.gradients();
        if (x.length != m.length) {
            throw new IllegalArgumentException("optimizer holds " + m.length + " parameters, model has " + x.length);
        }
        t++;
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, t));
        double stepSize = lr / bc1;
        boolean finite = DenseKernel.get().adamUpdate(x, g, m, v, x.length, beta1, beta2, 1.0 - beta1, 1.0 - beta2,
                stepSize, bc2Sqrt, eps);
        p.changed();
        return finite;
    }

    public double learningRate() {
        return lr;
    }

    /** Steps taken so far. */
    public long steps() {
        return t;
    }

    /** A copy of the optimizer's state: first and second moments and the step count. */
    public State state() {
        return new State(m.clone(), v.clone(), t);
    }

    /** Restores a state taken from an optimizer of the same size. */
    public void restore(State s) {
        if (s.m().length != m.length || s.v().length != v.length) {
            throw new IllegalArgumentException("optimizer state holds " + s.m().length + " parameters, expected "
                    + m.length);
        }
        System.arraycopy(s.m(), 0, m, 0, m.length);
        System.arraycopy(s.v(), 0, v, 0, v.length);
        t = s.steps();
    }

    /** Adam's moments m, v and step count t (arrays copied in and out). */
    public record State(double[] m, double[] v, long steps) {
        public State {
            m = m.clone();
            v = v.clone();
            if (steps < 0) {
                throw new IllegalArgumentException("step count must be >= 0, got " + steps);
            }
        }

        @Override
        public double[] m() {
            return m.clone();
        }

        @Override
        public double[] v() {
            return v.clone();
        }
    }
}

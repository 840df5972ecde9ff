package org.kdeflow.nn;

import org.kdeflow.kernels.Kernels;
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
 *
 * <p>With a weight decay λ &gt; 0 it is AdamW (Loshchilov &amp; Hutter 2019, "Decoupled Weight Decay
 * Regularization"), in PyTorch's {@code torch.optim.AdamW} order: p ← p·(1 − lr·λ) first, then the Adam step above.
 * λ = 0 is plain Adam, bit for bit. {@link #step(Parameters, double)} takes the step's learning rate from a schedule.
 */
public final class Adam {
    /** PyTorch's defaults. */
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPS = 1e-8;

    private final double lr;
    private final double weightDecay;
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

    /** AdamW with PyTorch's default β₁, β₂, ε and decoupled weight decay λ = {@code weightDecay} (&gt;= 0). */
    public Adam(int size, double lr, double weightDecay) {
        this(size, lr, BETA1, BETA2, EPS, weightDecay);
    }

    public Adam(int size, double lr, double beta1, double beta2, double eps) {
        this(size, lr, beta1, beta2, eps, 0.0);
    }

    public Adam(int size, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (!(lr > 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("eps must be >= 0, got " + eps);
        }
        if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be a number >= 0, got " + weightDecay);
        }
        this.lr = lr;
        this.weightDecay = weightDecay;
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
        return step(p, lr);
    }

    /** One update with learning rate {@code stepLr} (for schedules); otherwise as {@link #step(Parameters)}. */
    public boolean step(Parameters p, double stepLr) {
        double[] x = p.values();
        double[] g = p.gradients();
        if (x.length != m.length) {
            throw new IllegalArgumentException("optimizer holds " + m.length + " parameters, model has " + x.length);
        }
        t++;
        if (weightDecay > 0) {
            double keep = 1.0 - stepLr * weightDecay;
            for (int k = 0; k < x.length; k++) {
                x[k] *= keep;
            }
        }
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, t));
        double stepSize = stepLr / bc1;
        boolean finite = Kernels.get().adam().update(x, g, m, v, x.length, beta1, beta2, 1.0 - beta1, 1.0 - beta2,
                stepSize, bc2Sqrt, eps);
        p.changed();
        return finite;
    }

    public double learningRate() {
        return lr;
    }

    /** The decoupled weight decay λ (0: plain Adam). */
    public double weightDecay() {
        return weightDecay;
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

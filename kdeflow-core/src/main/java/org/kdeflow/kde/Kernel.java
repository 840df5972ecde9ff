package org.kdeflow.kde;

/**
 * A one-dimensional kernel k; the d-dimensional kernel is the product K(u) = Π_j k(u_j).
 *
 * <ul>
 *   <li>{@link #GAUSSIAN}: k(u) = e^(−u²/2)/√(2π) (the homework's kernel); K is the standard normal density in ℝᵈ.</li>
 *   <li>{@link #EPANECHNIKOV}: k(u) = ¾(1 − u²) for |u| ≤ 1, else 0; compact support, so log f̂ is −∞ beyond
 *       the samples' reach.</li>
 * </ul>
 */
public enum Kernel {
    GAUSSIAN {
        @Override
        public double k(double u) {
            return Math.exp(-0.5 * u * u) * INV_SQRT_2PI;
        }

        @Override
        public double logK0() {
            return -0.5 * Math.log(2 * Math.PI);
        }
    },
    EPANECHNIKOV {
        @Override
        public double k(double u) {
            return Math.abs(u) <= 1 ? 0.75 * (1 - u * u) : 0.0;
        }

        @Override
        public double logK0() {
            return Math.log(0.75);
        }
    };

    static final double INV_SQRT_2PI = 1.0 / Math.sqrt(2 * Math.PI);

    /** k(u). */
    public abstract double k(double u);

    /** log k(0), the log of the 1-D kernel's peak. */
    public abstract double logK0();

    /** Parses "gaussian" / "epanechnikov" (any case). */
    public static Kernel parse(String name) {
        for (Kernel k : values()) {
            if (k.name().equalsIgnoreCase(name.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kernel '" + name + "' (expected gaussian or epanechnikov)");
    }
}

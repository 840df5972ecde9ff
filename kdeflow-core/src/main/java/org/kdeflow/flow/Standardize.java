package org.kdeflow.flow;

import java.util.Arrays;
import java.util.Map;
import org.kdeflow.data.Dataset;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * A fixed affine map per coordinate, flow-file type {@code standardize}: forward y = μ + σ ⊙ u, inverse
 * u = (y − μ) / σ, log|det ∂T⁻¹/∂y| = −Σ_j log σ_j. Placed last (T_K), its inverse standardises the data before
 * the other transforms see it, so that a spline's fixed bound [−B, B] covers the data whatever their units. The
 * shift and scale are part of the spec, not parameters.
 */
public final class Standardize implements Transform {
    private static final Work NONE = new Work() {
    };

    /**
     * @param shift μ (d finite numbers, copied)
     * @param scale σ (d finite numbers &gt; 0, copied)
     */
    public record Spec(double[] shift, double[] scale) implements Transform.Spec {
        public Spec {
            if (shift.length < 1 || shift.length != scale.length) {
                throw new IllegalArgumentException("standardize needs as many shifts as scales (at least one), got "
                        + shift.length + " and " + scale.length);
            }
            for (int j = 0; j < shift.length; j++) {
                if (!Double.isFinite(shift[j])) {
                    throw new IllegalArgumentException("standardize shift " + j + " is not finite: " + shift[j]);
                }
                if (!(scale[j] > 0) || !Double.isFinite(scale[j])) {
                    throw new IllegalArgumentException("standardize scale " + j + " must be finite and > 0, got "
                            + scale[j]);
                }
            }
            shift = shift.clone();
            scale = scale.clone();
        }

        /**
         * μ = the data's mean and σ = their standard deviation per coordinate (divisor n, numpy's {@code std}), so
         * the inverse maps the data to mean 0 and variance 1.
         *
         * @throws IllegalArgumentException for an empty dataset or a coordinate with standard deviation 0
         */
        public static Spec of(Dataset data) {
            int n = data.size();
            int d = data.dim();
            if (n < 1) {
                throw new IllegalArgumentException("cannot standardize with an empty dataset");
            }
            double[] x = data.toArray();
            double[] mean = new double[d];
            double[] sd = new double[d];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < d; j++) {
                    mean[j] += x[r * d + j];
                }
            }
            for (int j = 0; j < d; j++) {
                mean[j] /= n;
            }
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < d; j++) {
                    double t = x[r * d + j] - mean[j];
                    sd[j] += t * t;
                }
            }
            for (int j = 0; j < d; j++) {
                sd[j] = Math.sqrt(sd[j] / n);
                if (!(sd[j] > 0)) {
                    throw new IllegalArgumentException("cannot standardize: coordinate " + j
                            + " has standard deviation 0 (all " + n + " values are " + x[j] + ")");
                }
                if (!Double.isFinite(sd[j]) || !Double.isFinite(mean[j])) {
                    throw new IllegalArgumentException("column " + j + ": the values are too large to standardise "
                            + "(their mean or standard deviation overflows a double); rescale the data");
                }
            }
            return new Spec(mean, sd);
        }

        @Override
        public double[] shift() {
            return shift.clone();
        }

        @Override
        public double[] scale() {
            return scale.clone();
        }

        @Override
        public int dim() {
            return shift.length;
        }

        @Override
        public int parameterCount() {
            return 0;
        }

        @Override
        public Transform create(Parameters p, int offset) {
            return new Standardize(this, offset);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec s && Arrays.equals(s.shift, shift) && Arrays.equals(s.scale, scale);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(shift) + Arrays.hashCode(scale);
        }

        @Override
        public String toString() {
            return "Standardize.Spec[shift=" + Arrays.toString(shift) + ", scale=" + Arrays.toString(scale) + "]";
        }
    }

    private final Spec spec;
    private final double[] mu;
    private final double[] sigma;
    private final int d;
    private final int offset;
    /** −Σ_j log σ_j. */
    private final double inverseLogDet;

    private Standardize(Spec spec, int offset) {
        this.spec = spec;
        this.mu = spec.shift;
        this.sigma = spec.scale;
        this.d = mu.length;
        this.offset = offset;
        double s = 0;
        for (double v : sigma) {
            s += Math.log(v);
        }
        this.inverseLogDet = -s;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public int offset() {
        return offset;
    }

    @Override
    public void initialize(NumpyRandomState rng) {
    }

    @Override
    public Work work(int capacity, Precision precision) {
        return NONE;
    }

    @Override
    public void forward(double[] u, int n, double[] y, double[] logDet, Work w) {
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                y[o + j] = mu[j] + sigma[j] * u[o + j];
            }
            logDet[r] = -inverseLogDet;
        }
    }

    @Override
    public void inverse(double[] y, int n, double[] u, double[] logDet, Work w) {
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                u[o + j] = (y[o + j] - mu[j]) / sigma[j];
            }
            logDet[r] = inverseLogDet;
        }
    }

    /** ∂L/∂y = ∂L/∂u / σ. */
    @Override
    public void inverseBackward(double[] y, double[] u, int n, double[] gu, double[] ldw, double[] gy, Work w) {
        if (gy == null) {
            return;
        }
        for (int r = 0; r < n; r++) {
            int o = r * d;
            for (int j = 0; j < d; j++) {
                gy[o + j] = gu[o + j] / sigma[j];
            }
        }
    }

    @Override
    public Map<String, Slot> parameterLayout() {
        return Map.of();
    }
}

package org.kdeflow.flow;

import java.util.Map;
import org.kdeflow.nn.Parameters;
import org.kdeflow.random.NumpyRandomState;

/**
 * The standard normal base N(0, I_d): log p(z) = −½‖z‖² − (d/2)·log 2π, ∇_z log p = −z. No parameters. Draws are
 * {@code rng.fillGauss} over the row-major n×d array (the homework's {@code torch.randn(n, d)} in distribution).
 */
public final class StandardNormal implements Base {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /** The spec of N(0, I_d). */
    public record Spec(int dim) implements Base.Spec {
        public Spec {
            if (dim < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + dim);
            }
        }

        @Override
        public int parameterCount() {
            return 0;
        }

        @Override
        public Base create(Parameters p, int offset) {
            return new StandardNormal(this, offset);
        }
    }

    private final Spec spec;
    private final int offset;

    private StandardNormal(Spec spec, int offset) {
        this.spec = spec;
        this.offset = offset;
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
    public void logDensity(double[] z, int n, double[] out) {
        int d = spec.dim();
        for (int r = 0; r < n; r++) {
            double q = 0;
            for (int j = 0; j < d; j++) {
                double zj = z[r * d + j];
                q += zj * zj;
            }
            out[r] = -0.5 * q - 0.5 * d * LOG_2PI;
        }
    }

    @Override
    public void sample(int n, NumpyRandomState rng, double[] z) {
        int len = n * spec.dim();
        for (int k = 0; k < len; k++) {
            z[k] = rng.gauss();
        }
    }

    @Override
    public void backward(double[] z, int n, double[] w, double[] gz) {
        int d = spec.dim();
        for (int r = 0; r < n; r++) {
            double c = -w[r];
            for (int j = 0; j < d; j++) {
                gz[r * d + j] = z[r * d + j] * c;
            }
        }
    }

    @Override
    public Map<String, Slot> parameterLayout() {
        return Map.of();
    }
}

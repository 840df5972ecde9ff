package org.kdeflow.density;

import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.random.NumpyRandomState;

/**
 * The differential entropy H(f) = −∫ f log f of a density, in nats. For a true density f and any model q,
 * E<sub>f</sub>[−log q] = H(f) + KL(f‖q) ≥ H(f): H is the entropy floor, the best expected held-out NLL per point
 * that any model can reach on data drawn from f.
 */
public final class Entropy {
    private Entropy() {
    }

    /**
     * H ≈ −∫∫ f log f over a 2-D grid by the trapezoidal rule ({@link Grid#integrate}), with f log f = 0 where
     * f = 0. The grid must cover essentially all the mass; grid points where f is infinite (the spiral's origin)
     * are an error: shift the grid or use {@link #monteCarlo}.
     *
     * @throws IllegalArgumentException if the density is not 2-D or is infinite or NaN at a grid point
     */
    public static double onGrid(Density f, Grid grid) {
        if (f.dim() != 2) {
            throw new IllegalArgumentException("grid entropy needs a 2-D density, got dimension " + f.dim());
        }
        double[] points = grid.points();
        int n = grid.size();
        double[] logF = new double[n];
        f.logDensity(points, n, logF);
        double[] integrand = new double[n];
        for (int i = 0; i < n; i++) {
            double lf = logF[i];
            if (Double.isNaN(lf) || lf == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("log-density is " + lf + " at grid point (" + points[2 * i]
                        + ", " + points[2 * i + 1] + ")");
            }
            integrand[i] = lf == Double.NEGATIVE_INFINITY ? 0.0 : -Math.exp(lf) * lf;
        }
        return grid.integrate(integrand);
    }

    /** A Monte Carlo estimate and its standard error. */
    public record Estimate(double value, double standardError) {
    }

    /**
     * H ≈ −(1/n) Σ log f(x<sub>i</sub>) over n samples x<sub>i</sub> ~ f drawn from
     * {@code NumpyRandomState(seed)}, with standard error sd(log f)/√n.
     */
    public static Estimate monteCarlo(Density f, int n, long seed) {
        if (n < 2) {
            throw new IllegalArgumentException("need at least 2 samples, got " + n);
        }
        Dataset x = f.sample(n, new NumpyRandomState(seed));
        double[] lp = f.logDensity(x);
        double mean = 0;
        for (double v : lp) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : lp) {
            ss += (v - mean) * (v - mean);
        }
        return new Estimate(-mean, Math.sqrt(ss / (n - 1) / n));
    }
}

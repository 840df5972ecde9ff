package org.kdeflow.density;

import java.util.Arrays;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.random.NumpyRandomState;

/**
 * A mixture of isotropic Gaussians in ℝᵈ:
 * f(x) = Σ<sub>m</sub> w<sub>m</sub> (2πσ<sub>m</sub>²)<sup>−d/2</sup> exp(−‖x − μ<sub>m</sub>‖² / 2σ<sub>m</sub>²),
 * evaluated in log space by log-sum-exp, so far-away points get a finite log-density rather than log 0.
 *
 * <p>The homework's Part I mixture is {@link #homework(double)}: M = 4, μ = (0,0), (0,2), (2,0), (2,2), equal weights,
 * σ = ½ or 1.
 *
 * <p>Sampling ({@link #sample}) draws, from one stream, first all n component indices and then the Gaussians, the
 * same numbers as numpy's
 * <pre>
 * m = rng.choice(M, size=n, p=w)            # n random_sample() draws, searchsorted(cumsum(w)/sum, side='right')
 * x = mu[m] + sigma[m][:, None] * rng.standard_normal((n, d))   # C order
 * </pre>
 * Immutable; the constructor copies its arrays.
 */
public final class GaussianMixture implements Density {
    private final int d;
    private final int m;
    /** Centers, row-major M×d. */
    private final double[] mu;
    private final double[] weights;
    private final double[] sigma;
    /** log w<sub>m</sub> − (d/2) log(2πσ<sub>m</sub>²). */
    private final double[] logNorm;
    /** 1 / (2σ<sub>m</sub>²). */
    private final double[] halfPrecision;
    /** cumsum(w) / sum(w), as numpy's {@code choice}. */
    private final double[] cdf;

    /**
     * @param centers M ≥ 1 centers of equal dimension d ≥ 1
     * @param weights M non-negative weights, normalised here to sum to 1 (at least one positive)
     * @param sigmas  M standard deviations, each &gt; 0
     */
    public GaussianMixture(double[][] centers, double[] weights, double[] sigmas) {
        m = centers.length;
        if (m < 1) {
            throw new IllegalArgumentException("a mixture needs at least one component");
        }
        if (weights.length != m || sigmas.length != m) {
            throw new IllegalArgumentException(m + " centers, " + weights.length + " weights and " + sigmas.length
                    + " sigmas: the counts must agree");
        }
        d = centers[0].length;
        if (d < 1) {
            throw new IllegalArgumentException("centers must have dimension >= 1");
        }
        mu = new double[m * d];
        double total = 0;
        for (int k = 0; k < m; k++) {
            if (centers[k].length != d) {
                throw new IllegalArgumentException("center " + k + " has dimension " + centers[k].length
                        + ", expected " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(centers[k][j])) {
                    throw new IllegalArgumentException("center " + k + " is not finite: "
                            + Arrays.toString(centers[k]));
                }
                mu[k * d + j] = centers[k][j];
            }
            if (!(weights[k] >= 0 && Double.isFinite(weights[k]))) {
                throw new IllegalArgumentException("weight " + k + " must be finite and >= 0, got " + weights[k]);
            }
            if (!(sigmas[k] > 0 && Double.isFinite(sigmas[k]))) {
                throw new IllegalArgumentException("sigma " + k + " must be finite and > 0, got " + sigmas[k]);
            }
            total += weights[k];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("the weights must not all be zero");
        }
        this.weights = new double[m];
        this.sigma = sigmas.clone();
        logNorm = new double[m];
        halfPrecision = new double[m];
        cdf = new double[m];
        double c = 0;
        for (int k = 0; k < m; k++) {
            this.weights[k] = weights[k] / total;
            logNorm[k] = Math.log(this.weights[k]) - 0.5 * d * Math.log(2 * Math.PI * sigma[k] * sigma[k]);
            halfPrecision[k] = 1.0 / (2 * sigma[k] * sigma[k]);
            c += weights[k];
            cdf[k] = c;
        }
        for (int k = 0; k < m; k++) {
            cdf[k] /= cdf[m - 1];
        }
    }

    /** Equal weights and one σ for all centers. */
    public static GaussianMixture isotropic(double[][] centers, double sigma) {
        double[] w = new double[centers.length];
        double[] s = new double[centers.length];
        Arrays.fill(w, 1.0);
        Arrays.fill(s, sigma);
        return new GaussianMixture(centers, w, s);
    }

    /** The homework's Part I mixture: M = 4, μ = (0,0), (0,2), (2,0), (2,2), equal weights, the given σ. */
    public static GaussianMixture homework(double sigma) {
        return isotropic(ToyDatasets.gridCenters(), sigma);
    }

    /** The N → ∞ density of the GaussiansGrid toy set: centers (0,0), (0,2), (2,0), (2,2), σ = 0.5, equal weights. */
    public static GaussianMixture gaussiansGrid() {
        return isotropic(ToyDatasets.gridCenters(), ToyDatasets.GRID_STD);
    }

    /** The N → ∞ density of the GaussiansRot toy set: G centers at radius 2.5, σ = √0.1, equal weights. */
    public static GaussianMixture gaussiansRot(int numGaussians) {
        return isotropic(ToyDatasets.rotCenters(numGaussians), ToyDatasets.ROT_STD);
    }

    @Override
    public int dim() {
        return d;
    }

    /** Number of components M. */
    public int components() {
        return m;
    }

    /** Center k (a copy). */
    public double[] center(int k) {
        return Arrays.copyOfRange(mu, k * d, k * d + d);
    }

    /** Normalised weights (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    /** Standard deviations (a copy). */
    public double[] sigmas() {
        return sigma.clone();
    }

    /**
     * log f(x<sub>i</sub>) = log Σ<sub>m</sub> exp(a<sub>m</sub>), a<sub>m</sub> = log w<sub>m</sub> − (d/2)
     * log 2πσ<sub>m</sub>² − ‖x<sub>i</sub> − μ<sub>m</sub>‖²/2σ<sub>m</sub>², by log-sum-exp. Modifies {@code out}.
     */
    @Override
    public void logDensity(double[] x, int n, double[] out) {
        double[] a = new double[m];
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < m; k++) {
                double r2 = 0;
                for (int j = 0; j < d; j++) {
                    double t = x[i * d + j] - mu[k * d + j];
                    r2 += t * t;
                }
                a[k] = logNorm[k] - r2 * halfPrecision[k];
                max = Math.max(max, a[k]);
            }
            if (max == Double.NEGATIVE_INFINITY) {
                out[i] = max;
                continue;
            }
            double s = 0;
            for (int k = 0; k < m; k++) {
                s += Math.exp(a[k] - max);
            }
            out[i] = max + Math.log(s);
        }
    }

    /** Component indices for all n first, then the Gaussians in C order (see the class javadoc). */
    @Override
    public Dataset sample(int n, NumpyRandomState rng) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        int[] comp = new int[n];
        for (int i = 0; i < n; i++) {
            double u = rng.randomSample();
            int k = 0;
            while (k < m - 1 && cdf[k] <= u) {
                k++;
            }
            comp[i] = k;
        }
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            int k = comp[i];
            for (int j = 0; j < d; j++) {
                x[i * d + j] = mu[k * d + j] + sigma[k] * rng.gauss();
            }
        }
        return Dataset.of(x, n, d);
    }

    @Override
    public String toString() {
        return "GaussianMixture[M=" + m + ", d=" + d + "]";
    }
}

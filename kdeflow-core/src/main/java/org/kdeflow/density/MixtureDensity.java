package org.kdeflow.density;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.kdeflow.data.Dataset;
import org.kdeflow.random.NumpyRandomState;

/**
 * A weighted mixture of densities of one dimension d: with weights ω_m ≥ 0 (not all 0) and π_m = ω_m / Σ ω,
 * <pre>
 *   f(x) = Σ_m π_m f_m(x),   log f(x) = logsumexp_m (log π_m + log f_m(x))
 * </pre>
 * evaluated exactly by log-sum-exp (the largest term subtracted), so points far from every component keep a finite
 * log-density. Components with weight 0 are kept (and saved) but never evaluated or sampled. Ensembles (M flows
 * averaged in density space) and KDE + flow mixtures are mixtures of this kind.
 *
 * <p>Sampling draws, from one stream, first the n component indices (a {@code random_sample()} each against the
 * cumulative π, numpy's {@code choice(M, size=n, p=π)}), then each component's points with
 * {@code component.sample(count, rng)} in component order; the i-th point of component m goes to the i-th row that
 * chose m.
 *
 * <p>Immutable (the components are held, not copied; the mixture is as immutable as they are); the factory copies
 * the weights.
 */
public final class MixtureDensity implements Density {
    private final int d;
    private final List<Density> components;
    private final double[] weights;
    private final double[] logPi;
    private final double[] cdf;
    /** The last component with a positive weight. */
    private final int lastPositive;

    private MixtureDensity(List<Density> components, double[] weights) {
        this.components = List.copyOf(components);
        this.d = components.get(0).dim();
        this.weights = weights;
        int m = weights.length;
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        logPi = new double[m];
        cdf = new double[m];
        double c = 0;
        int lp = 0;
        for (int k = 0; k < m; k++) {
            logPi[k] = weights[k] > 0 ? Math.log(weights[k] / total) : Double.NEGATIVE_INFINITY;
            c += weights[k];
            cdf[k] = c / total;
            if (weights[k] > 0) {
                lp = k;
            }
        }
        lastPositive = lp;
    }

    /**
     * A mixture of {@code components} with the given relative weights (copied, normalised here).
     *
     * @throws IllegalArgumentException for no components, a null component, components of different dimensions,
     *     a weight count that differs from the component count, a weight that is negative or not finite, or
     *     weights that are all 0
     */
    public static MixtureDensity of(List<? extends Density> components, double[] weights) {
        if (components == null || components.isEmpty()) {
            throw new IllegalArgumentException("a mixture needs at least one component");
        }
        if (weights.length != components.size()) {
            throw new IllegalArgumentException(components.size() + " components but " + weights.length
                    + " weights");
        }
        List<Density> list = new ArrayList<>(components.size());
        int d = -1;
        double total = 0;
        for (int k = 0; k < weights.length; k++) {
            Density c = components.get(k);
            if (c == null) {
                throw new IllegalArgumentException("mixture component " + k + " is null");
            }
            if (d < 0) {
                d = c.dim();
            } else if (c.dim() != d) {
                throw new IllegalArgumentException("mixture component " + k + " has dimension " + c.dim()
                        + ", component 0 has dimension " + d);
            }
            if (!(weights[k] >= 0) || !Double.isFinite(weights[k])) {
                throw new IllegalArgumentException("mixture weight " + k + " must be finite and >= 0, got "
                        + weights[k]);
            }
            total += weights[k];
            list.add(c);
        }
        if (!(total > 0) || !Double.isFinite(total)) {
            throw new IllegalArgumentException("mixture weights must sum to a finite positive number, got "
                    + Arrays.toString(weights));
        }
        return new MixtureDensity(list, weights.clone());
    }

    /** Equal weights: the density-space average of the components (an ensemble). */
    public static MixtureDensity equal(List<? extends Density> components) {
        if (components == null || components.isEmpty()) {
            throw new IllegalArgumentException("a mixture needs at least one component");
        }
        double[] w = new double[components.size()];
        Arrays.fill(w, 1.0);
        return of(components, w);
    }

    @Override
    public int dim() {
        return d;
    }

    /** Number of components M. */
    public int size() {
        return weights.length;
    }

    /** The components, in order (an unmodifiable list). */
    public List<Density> components() {
        return components;
    }

    /** Component m. */
    public Density component(int m) {
        return components.get(m);
    }

    /** The relative weights ω as given (a copy); {@link #probabilities()} are the normalised π. */
    public double[] weights() {
        return weights.clone();
    }

    /** π_m = ω_m / Σ ω (a new array). */
    public double[] probabilities() {
        double[] p = new double[logPi.length];
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(logPi[k]);
        }
        return p;
    }

    /**
     * log f(x_r) = logsumexp_m (log π_m + log f_m(x_r)). Allocates one n-array per call for the components' values
     * and one for the running maximum. Modifies out only.
     */
    @Override
    public void logDensity(double[] x, int n, double[] out) {
        if (n < 0 || x.length < (long) n * d) {
            throw new IllegalArgumentException("points hold " + x.length + " values, need " + n + "x" + d);
        }
        if (out.length < n) {
            throw new IllegalArgumentException("output holds " + out.length + " values, need " + n);
        }
        double[] term = new double[n];
        double[] max = new double[n];
        double[] sum = new double[n];
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int k = 0; k < logPi.length; k++) {
            if (logPi[k] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            components.get(k).logDensity(x, n, term);
            for (int r = 0; r < n; r++) {
                double a = logPi[k] + term[r];
                if (a > max[r]) {
                    sum[r] = sum[r] * Math.exp(max[r] - a) + 1;
                    max[r] = a;
                } else if (a > Double.NEGATIVE_INFINITY) {
                    sum[r] += Math.exp(a - max[r]);
                } else if (Double.isNaN(a)) {
                    max[r] = Double.NaN;
                }
            }
        }
        for (int r = 0; r < n; r++) {
            double mx = max[r];
            out[r] = mx == Double.NEGATIVE_INFINITY || Double.isNaN(mx) || mx == Double.POSITIVE_INFINITY ? mx
                    : mx + Math.log(sum[r]);
        }
    }

    /** See the class comment for the order of the draws. */
    @Override
    public Dataset sample(int n, NumpyRandomState rng) {
        if (n < 0) {
            throw new IllegalArgumentException("number of samples must be >= 0, got " + n);
        }
        int m = weights.length;
        int[] comp = new int[n];
        int[] count = new int[m];
        for (int r = 0; r < n; r++) {
            double u = rng.randomSample();
            int k = 0;
            while (k < lastPositive && u >= cdf[k]) {
                k++;
            }
            comp[r] = k;
            count[k]++;
        }
        double[] x = new double[n * d];
        int[] next = new int[m];
        double[][] drawn = new double[m][];
        for (int k = 0; k < m; k++) {
            drawn[k] = count[k] > 0 ? components.get(k).sample(count[k], rng).toArray() : new double[0];
        }
        for (int r = 0; r < n; r++) {
            int k = comp[r];
            System.arraycopy(drawn[k], next[k] * d, x, r * d, d);
            next[k]++;
        }
        return Dataset.of(x, n, d);
    }

    @Override
    public String toString() {
        return "MixtureDensity[d=" + d + ", " + weights.length + " components, weights " + Arrays.toString(weights)
                + "]";
    }
}

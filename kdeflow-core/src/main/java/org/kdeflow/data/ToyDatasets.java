package org.kdeflow.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.kdeflow.random.NumpyRandomState;

/**
 * scikit-learn's toy generators ({@code make_circles}, {@code make_moons}, {@code make_blobs}) and the homework's
 * {@code sample_2d_datasets}, producing the same points for the same seed.
 *
 * <p>Each generator takes one {@link NumpyRandomState}{@code (seed)} stream for every draw, in scikit-learn 1.2.1's
 * order (checked against its output to 1e-12 per coordinate, the permutation exactly):
 * <ul>
 *   <li>circles and moons: the deterministic curve points (outer curve first, n<sub>out</sub> = ⌊n/2⌋, then the inner
 *       one, n<sub>in</sub> = n − n<sub>out</sub>); if {@code shuffle}, rows permuted by {@code shuffle(arange(n))};
 *       then noise, x<sub>ij</sub> += noise·gauss() in C order (row by row, x then y);</li>
 *   <li>blobs: for each center i in order, a block of n<sub>i</sub> rows μ<sub>i</sub> + σ<sub>i</sub>·gauss() in C
 *       order, n<sub>i</sub> = ⌊n/C⌋ plus one for the first n mod C centers; then the row shuffle.</li>
 * </ul>
 * A noise of 0 gives the noiseless curves ({@code noise=None}); the noise draws still happen but add zeros.
 */
public final class ToyDatasets {
    private ToyDatasets() {
    }

    /** The homework's four toy sets, with the parameters {@code sample_2d_datasets} uses. */
    public enum Kind {
        /** {@code make_circles(n, noise=.1, factor=.8)}. */
        CIRCLES("Circles"),
        /** {@code make_moons(n, noise=.1)}. */
        MOONS("Moons"),
        /** {@code make_blobs} with centers (0,0), (0,2), (2,0), (2,2) and std 0.5. */
        GAUSSIANS_GRID("GaussiansGrid"),
        /** {@code make_blobs} with G centers 2.5·(cos a, sin a), a = linspace(0, 2π, G, endpoint=False), std √0.1. */
        GAUSSIANS_ROT("GaussiansRot");

        private final String homeworkName;

        Kind(String homeworkName) {
            this.homeworkName = homeworkName;
        }

        /** The name {@code sample_2d_datasets} uses, e.g. {@code GaussiansGrid}. */
        public String homeworkName() {
            return homeworkName;
        }

        /** The command-line spelling, e.g. {@code gaussians-grid}. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * Parses a name case-insensitively: the homework's ({@code GaussiansGrid}), with dashes or underscores
         * ({@code gaussians-grid}, {@code gaussians_grid}).
         *
         * @throws IllegalArgumentException naming the valid names
         */
        public static Kind parse(String name) {
            String key = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            for (Kind k : values()) {
                if (k.homeworkName.toLowerCase(Locale.ROOT).equals(key)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown toy dataset '" + name + "'; valid names: "
                    + Arrays.stream(values()).map(Kind::homeworkName).collect(Collectors.joining(", ")));
        }
    }

    /** The homework's noise for Circles and Moons. */
    public static final double NOISE = 0.1;
    /** The homework's inner-circle scale for Circles. */
    public static final double CIRCLES_FACTOR = 0.8;
    /** The homework's std for GaussiansGrid. */
    public static final double GRID_STD = 0.5;
    /** The homework's std for GaussiansRot, √0.1. */
    public static final double ROT_STD = Math.sqrt(0.1);
    /** The homework's radius for GaussiansRot. */
    public static final double ROT_RADIUS = 2.5;
    /** The homework's default number of GaussiansRot centers. */
    public static final int DEFAULT_NUM_GAUSSIANS = 5;

    /**
     * The homework's {@code sample_2d_datasets(name, n, seed, num_gaussians)}.
     *
     * @param numGaussians number of centers for GaussiansRot (ignored by the others, as in the homework)
     */
    public static Dataset sample2dDatasets(Kind kind, int n, long seed, int numGaussians) {
        return switch (kind) {
            case CIRCLES -> makeCircles(n, NOISE, CIRCLES_FACTOR, seed, true);
            case MOONS -> makeMoons(n, NOISE, seed, true);
            case GAUSSIANS_GRID -> makeBlobs(n, gridCenters(), GRID_STD, seed, true);
            case GAUSSIANS_ROT -> makeBlobs(n, rotCenters(numGaussians), ROT_STD, seed, true);
        };
    }

    /** {@link #sample2dDatasets(Kind, int, long, int)} with the name parsed by {@link Kind#parse}. */
    public static Dataset sample2dDatasets(String name, int n, long seed, int numGaussians) {
        return sample2dDatasets(Kind.parse(name), n, seed, numGaussians);
    }

    /** GaussiansGrid's centers (0,0), (0,2), (2,0), (2,2). */
    public static double[][] gridCenters() {
        return new double[][] {{0, 0}, {0, 2}, {2, 0}, {2, 2}};
    }

    /** GaussiansRot's centers 2.5·(cos a, sin a) for a = linspace(0, 2π, G, endpoint=False). */
    public static double[][] rotCenters(int numGaussians) {
        if (numGaussians < 1) {
            throw new IllegalArgumentException("number of gaussians must be >= 1, got " + numGaussians);
        }
        double[] a = Grid.linspace(0, 2 * Math.PI, numGaussians, false);
        double[][] c = new double[numGaussians][];
        for (int i = 0; i < numGaussians; i++) {
            c[i] = new double[] {ROT_RADIUS * Math.cos(a[i]), ROT_RADIUS * Math.sin(a[i])};
        }
        return c;
    }

    /**
     * {@code make_moons(n, noise=noise, random_state=seed, shuffle=shuffle)}: the outer half circle
     * (cos t, sin t), t = linspace(0, π, ⌊n/2⌋), then the inner one (1 − cos t, 1 − sin t − ½),
     * t = linspace(0, π, n − ⌊n/2⌋), plus N(0, noise²) per coordinate.
     */
    public static Dataset makeMoons(int n, double noise, long seed, boolean shuffle) {
        checkCount(n);
        checkScale("noise", noise);
        int nOut = n / 2;
        int nIn = n - nOut;
        double[] x = new double[2 * n];
        double[] tOut = Grid.linspace(0, Math.PI, nOut);
        double[] tIn = Grid.linspace(0, Math.PI, nIn);
        for (int i = 0; i < nOut; i++) {
            x[2 * i] = Math.cos(tOut[i]);
            x[2 * i + 1] = Math.sin(tOut[i]);
        }
        for (int i = 0; i < nIn; i++) {
            x[2 * (nOut + i)] = 1 - Math.cos(tIn[i]);
            x[2 * (nOut + i) + 1] = 1 - Math.sin(tIn[i]) - 0.5;
        }
        return shuffleAndNoise(x, n, noise, seed, shuffle);
    }

    /**
     * {@code make_circles(n, noise=noise, factor=factor, random_state=seed, shuffle=shuffle)}: the outer circle
     * (cos t, sin t), t = linspace(0, 2π, ⌊n/2⌋, endpoint=False), then the inner one factor·(cos t, sin t),
     * t = linspace(0, 2π, n − ⌊n/2⌋, endpoint=False), plus N(0, noise²) per coordinate.
     *
     * @param factor inner radius, in [0, 1)
     */
    public static Dataset makeCircles(int n, double noise, double factor, long seed, boolean shuffle) {
        checkCount(n);
        checkScale("noise", noise);
        if (!(factor >= 0 && factor < 1)) {
            throw new IllegalArgumentException("factor must be in [0, 1), got " + factor);
        }
        int nOut = n / 2;
        int nIn = n - nOut;
        double[] x = new double[2 * n];
        double[] tOut = Grid.linspace(0, 2 * Math.PI, nOut, false);
        double[] tIn = Grid.linspace(0, 2 * Math.PI, nIn, false);
        for (int i = 0; i < nOut; i++) {
            x[2 * i] = Math.cos(tOut[i]);
            x[2 * i + 1] = Math.sin(tOut[i]);
        }
        for (int i = 0; i < nIn; i++) {
            x[2 * (nOut + i)] = Math.cos(tIn[i]) * factor;
            x[2 * (nOut + i) + 1] = Math.sin(tIn[i]) * factor;
        }
        return shuffleAndNoise(x, n, noise, seed, shuffle);
    }

    /** {@link #makeBlobs(int, double[][], double[], long, boolean)} with one std for every center. */
    public static Dataset makeBlobs(int n, double[][] centers, double std, long seed, boolean shuffle) {
        double[] stds = new double[centers.length];
        Arrays.fill(stds, std);
        return makeBlobs(n, centers, stds, seed, shuffle);
    }

    /**
     * {@code make_blobs(n, centers=centers, cluster_std=stds, random_state=seed, shuffle=shuffle)} for an array of
     * centers (any dimension d): center i gets ⌊n/C⌋ points, plus one for i &lt; n mod C, drawn as
     * μ<sub>i</sub> + σ<sub>i</sub>·gauss() in C order, blocks stacked in center order, then the rows shuffled.
     *
     * @param centers C centers of equal dimension d ≥ 1 (not modified)
     * @param stds    one std ≥ 0 per center
     */
    public static Dataset makeBlobs(int n, double[][] centers, double[] stds, long seed, boolean shuffle) {
        checkCount(n);
        int c = centers.length;
        if (c < 1) {
            throw new IllegalArgumentException("at least one center needed");
        }
        if (stds.length != c) {
            throw new IllegalArgumentException(c + " centers but " + stds.length + " stds");
        }
        int d = centers[0].length;
        if (d < 1) {
            throw new IllegalArgumentException("centers must have dimension >= 1");
        }
        for (int i = 0; i < c; i++) {
            if (centers[i].length != d) {
                throw new IllegalArgumentException("center " + i + " has dimension " + centers[i].length
                        + ", expected " + d);
            }
            for (double v : centers[i]) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException("center " + i + " is not finite: "
                            + Arrays.toString(centers[i]));
                }
            }
            checkScale("std of center " + i, stds[i]);
        }
        NumpyRandomState rng = new NumpyRandomState(seed);
        double[] x = new double[n * d];
        int k = 0;
        for (int i = 0; i < c; i++) {
            int ni = n / c + (i < n % c ? 1 : 0);
            for (int r = 0; r < ni; r++) {
                for (int j = 0; j < d; j++) {
                    x[k++] = centers[i][j] + stds[i] * rng.gauss();
                }
            }
        }
        if (shuffle) {
            x = permuteRows(x, n, d, rng.permutation(n));
        }
        return Dataset.wrap(x, n, d);
    }

    private static Dataset shuffleAndNoise(double[] x, int n, double noise, long seed, boolean shuffle) {
        NumpyRandomState rng = new NumpyRandomState(seed);
        double[] y = shuffle ? permuteRows(x, n, 2, rng.permutation(n)) : x;
        for (int k = 0; k < 2 * n; k++) {
            y[k] += 0.0 + noise * rng.gauss();
        }
        return Dataset.wrap(y, n, 2);
    }

    /** Rows {@code y[r] = x[perm[r]]}, as numpy's {@code X[indices]}. */
    private static double[] permuteRows(double[] x, int n, int d, int[] perm) {
        double[] y = new double[n * d];
        for (int r = 0; r < n; r++) {
            System.arraycopy(x, perm[r] * d, y, r * d, d);
        }
        return y;
    }

    private static void checkCount(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("number of samples must be >= 1, got " + n);
        }
    }

    private static void checkScale(String what, double s) {
        if (!(s >= 0 && Double.isFinite(s))) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + s);
        }
    }
}

package org.kdeflow.cli.common;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.Density;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.Spiral;
import org.kdeflow.density.ToyDensities;
import org.kdeflow.random.NumpyRandomState;

/**
 * The named distributions of the command line ({@code --dist}), in one place: the homework's four toy sets (the same
 * points as scikit-learn's generators for the same seed, via {@link ToyDatasets}) and Part I's Gaussian mixture and
 * spiral. Each knows its name, its default sample size, how to draw from it, its exact (or limit) density and its
 * label for figures.
 */
public enum Distribution {
    /** {@code make_circles(n, noise=.1, factor=.8)}. */
    CIRCLES(ToyDatasets.Kind.CIRCLES),
    /** {@code make_moons(n, noise=.1)}. */
    MOONS(ToyDatasets.Kind.MOONS),
    /** Four Gaussian blobs on a grid. */
    GAUSSIANS_GRID(ToyDatasets.Kind.GAUSSIANS_GRID),
    /** G Gaussian blobs on a circle of radius 2.5. */
    GAUSSIANS_ROT(ToyDatasets.Kind.GAUSSIANS_ROT),
    /** Part I's Gaussian mixture, component std σ (default 0.5; the homework also uses 1). */
    MIXTURE(null),
    /** Part I's spiral, radial std σ (default 0.5, the homework's variance 0.25). */
    SPIRAL(null);

    /** Default n of a toy set (the homework's Part II, Task 1). */
    public static final int TOY_N = 1000;
    /** Default n of mixture and spiral (the homework's Part I, Task 1). */
    public static final int PART1_N = 10000;
    /** Default σ of mixture and spiral. */
    public static final double DEFAULT_SIGMA = 0.5;
    /** Most Gaussians of gaussians-rot. */
    public static final int MAX_GAUSSIANS = 1000;

    private final ToyDatasets.Kind kind;

    Distribution(ToyDatasets.Kind kind) {
        this.kind = kind;
    }

    /** The parameters a distribution may take: G for gaussians-rot, σ (null: the default) for mixture and spiral. */
    public record Params(int numGaussians, Double sigma) {
        /** The homework's: 5 Gaussians, default σ. */
        public static final Params HOMEWORK = new Params(ToyDatasets.DEFAULT_NUM_GAUSSIANS, null);
    }

    /** The command-line name, e.g. {@code gaussians-grid}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The command-line names, in the order of the help text. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        for (Distribution d : values()) {
            names.add(d.cliName());
        }
        return names;
    }

    /**
     * Parses a name case-insensitively: the command line's ({@code gaussians-grid}), the homework's
     * ({@code GaussiansGrid}), with dashes or underscores.
     *
     * @throws IllegalArgumentException listing the valid names
     */
    public static Distribution parse(String name) {
        String key = name.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        for (Distribution d : values()) {
            if (d.name().toLowerCase(Locale.ROOT).replace("_", "").equals(key)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown distribution '" + Words.abbreviate(name, 80) + "'; valid names: "
                + String.join(", ", names()) + " (also GaussiansGrid, GaussiansRot)");
    }

    /** The distribution of a toy set. */
    public static Distribution of(ToyDatasets.Kind kind) {
        for (Distribution d : values()) {
            if (d.kind == kind) {
                return d;
            }
        }
        throw new IllegalArgumentException("no distribution for " + kind);
    }

    /** Whether this is one of the homework's toy sets (no σ; drawn like scikit-learn). */
    public boolean isToySet() {
        return kind != null;
    }

    /** The toy set, or null for mixture and spiral. */
    public ToyDatasets.Kind toyKind() {
        return kind;
    }

    /** The default sample size: {@value #TOY_N} for a toy set, {@value #PART1_N} for mixture and spiral. */
    public int defaultN() {
        return isToySet() ? TOY_N : PART1_N;
    }

    /**
     * Checks the parameters: σ only for mixture and spiral, positive and finite; 1 … {@value #MAX_GAUSSIANS}
     * Gaussians.
     *
     * @throws IllegalArgumentException naming the option
     */
    public void check(Params p) {
        if (p.numGaussians() < 1 || p.numGaussians() > MAX_GAUSSIANS) {
            throw new IllegalArgumentException("--num-gaussians must be between 1 and " + MAX_GAUSSIANS + ", got "
                    + p.numGaussians());
        }
        if (p.sigma() != null) {
            if (isToySet()) {
                throw new IllegalArgumentException("--sigma applies to mixture and spiral only; " + cliName()
                        + " uses the homework's fixed noise");
            }
            if (!(p.sigma() > 0 && Double.isFinite(p.sigma()))) {
                throw new IllegalArgumentException("--sigma must be a positive number, got " + p.sigma());
            }
        }
    }

    private double sigma(Params p) {
        return p.sigma() == null ? DEFAULT_SIGMA : p.sigma();
    }

    /** The exact density (mixture, spiral) or the limit density of the toy set's generator. */
    public Density truth(Params p) {
        check(p);
        return switch (this) {
            case MIXTURE -> GaussianMixture.homework(sigma(p));
            case SPIRAL -> new Spiral(sigma(p));
            default -> ToyDensities.of(kind, p.numGaussians());
        };
    }

    /** n points drawn with {@code seed}: scikit-learn's points for a toy set, the exact sampler otherwise. */
    public Dataset sample(int n, long seed, Params p) {
        check(p);
        return isToySet() ? ToyDatasets.sample2dDatasets(kind, n, seed, p.numGaussians())
                : truth(p).sample(n, new NumpyRandomState(seed));
    }

    /** The label for figures: "Gaussian mixture (σ = 0.5)", "Spiral (radial std 0.5)", "GaussiansRot (5 gaussians)". */
    public String label(Params p) {
        return switch (this) {
            case MIXTURE -> "Gaussian mixture (σ = " + number(sigma(p)) + ")";
            case SPIRAL -> "Spiral (radial std " + number(sigma(p)) + ")";
            case GAUSSIANS_ROT -> kind.homeworkName() + " (" + p.numGaussians() + " gaussians)";
            default -> kind.homeworkName();
        };
    }

    /** A file-name key that tells parameters apart where the homework does: {@code mixture-sigma0.5}, {@code moons}. */
    public String key(Params p) {
        return this == MIXTURE ? "mixture-sigma" + number(sigma(p)) : cliName();
    }

    /** Draws n points: the points with the name, key, label and seed. */
    public Drawn draw(int n, long seed, Params p) {
        return new Drawn(cliName(), key(p), label(p), seed, sample(n, seed, p));
    }

    /** "1" for 1.0, "0.5" for 0.5. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Points drawn from a distribution. */
    public record Drawn(String name, String key, String label, long seed, Dataset points) {
        /** The label with n and the seed, for a figure's title. */
        public String title() {
            return label + ", n = " + points.size() + ", seed " + seed;
        }
    }
}

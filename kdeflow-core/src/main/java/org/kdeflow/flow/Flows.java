package org.kdeflow.flow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.kdeflow.data.Dataset;

/**
 * Ready-made flows for a user's data, built from the v2 parts. Every preset ends (in the generative direction) with
 * a {@link Standardize} fitted to the training data, so the couplings see z-scored coordinates and every default is
 * scale-free:
 * <pre>
 *   x = Standardize ∘ C_K ∘ [P_{K−1}] ∘ … ∘ [P_1] ∘ C_1 (z),   z ~ base,
 * </pre>
 * with couplings C_k splitting the coordinates in halves, A = the first ⌈d/2⌉ and B = the rest for odd k, swapped
 * for even k. In d ≥ 3 a fixed random permutation P_k (seeded) sits between consecutive couplings so that every pair
 * of coordinates conditions on each other after a few couplings; in d = 2 the alternating halves already do.
 * <ul>
 *   <li>{@link Kind#NSF}: rational-quadratic spline couplings ({@link SplineCoupling}, Durkan et al. 2019);</li>
 *   <li>{@link Kind#REALNVP}: affine couplings with a bounded scale ({@link AffineCouplingBounded}).</li>
 * </ul>
 * The homework's model is {@link CouplingFlow}, not a preset here.
 */
public final class Flows {
    private Flows() {
    }

    /** The coupling of a preset. */
    public enum Kind {
        /** Rational-quadratic spline couplings. */
        NSF,
        /** Affine couplings with a bounded scale. */
        REALNVP;

        /** Parses "nsf" or "realnvp". */
        public static Kind parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "nsf", "spline" -> NSF;
                case "realnvp", "affine" -> REALNVP;
                default -> throw new IllegalArgumentException("unknown flow '" + s + "' (expected nsf or realnvp)");
            };
        }
    }

    /**
     * The base of a preset: the standard normal, a diagonal Gaussian with learnable mean and scale, or a mixture of M
     * learnable diagonal Gaussians.
     *
     * @param components 0 for the standard normal, −1 for the diagonal Gaussian, M ≥ 1 for a mixture
     */
    public record BaseKind(int components) {
        public BaseKind {
            if (components < -1) {
                throw new IllegalArgumentException("invalid base component count " + components);
            }
        }

        public static final BaseKind NORMAL = new BaseKind(0);
        public static final BaseKind DIAGONAL = new BaseKind(-1);

        /** A mixture of M components. */
        public static BaseKind mixture(int m) {
            if (m < 1) {
                throw new IllegalArgumentException("a mixture base needs at least one component, got " + m);
            }
            return new BaseKind(m);
        }

        /** Parses "normal", "diag" or "mixture:M". */
        public static BaseKind parse(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("normal")) {
                return NORMAL;
            }
            if (t.equals("diag") || t.equals("diagonal")) {
                return DIAGONAL;
            }
            if (t.startsWith("mixture:")) {
                try {
                    return mixture(Integer.parseInt(t.substring("mixture:".length())));
                } catch (NumberFormatException e) {
                    // fall through
                }
            }
            throw new IllegalArgumentException("unknown base '" + s + "' (expected normal, diag or mixture:M, e.g. "
                    + "mixture:4)");
        }

        Base.Spec spec(int d) {
            return components == 0 ? new StandardNormal.Spec(d)
                    : components < 0 ? new DiagonalNormal.Spec(d) : new GaussianMixtureBase.Spec(d, components);
        }

        @Override
        public String toString() {
            return components == 0 ? "normal" : components < 0 ? "diag" : "mixture:" + components;
        }
    }

    /**
     * The shape of a preset.
     *
     * @param kind the coupling
     * @param transforms the number of couplings K ≥ 1
     * @param hidden the conditioners' hidden widths
     * @param bins spline bins (NSF)
     * @param bound the spline's interval [−B, B] in standardised units (NSF)
     * @param clamp the bound c of the affine scale, s = c·tanh(s̃/c) (REALNVP)
     * @param base the base
     */
    public record Config(Kind kind, int transforms, int[] hidden, int bins, double bound, double clamp,
            BaseKind base) {
        public Config {
            if (kind == null || base == null) {
                throw new IllegalArgumentException("kind and base must not be null");
            }
            if (transforms < 1) {
                throw new IllegalArgumentException("a flow needs at least one transform, got " + transforms);
            }
            hidden = hidden.clone();
            for (int h : hidden) {
                if (h < 1) {
                    throw new IllegalArgumentException("hidden widths must be >= 1, got " + Arrays.toString(hidden));
                }
            }
            if (bins < 1) {
                throw new IllegalArgumentException("bins must be >= 1, got " + bins);
            }
            if (!(bound > 0) || !Double.isFinite(bound)) {
                throw new IllegalArgumentException("the spline bound must be a positive number, got " + bound);
            }
            if (!(clamp > 0) || !Double.isFinite(clamp)) {
                throw new IllegalArgumentException("the affine clamp must be a positive number, got " + clamp);
            }
        }

        /** A neural spline flow: K couplings, the hidden widths, 8 bins on [−5, 5], the standard normal base. */
        public static Config nsf(int transforms, int... hidden) {
            return new Config(Kind.NSF, transforms, hidden, SplineCoupling.DEFAULT_BINS, SplineCoupling.DEFAULT_BOUND,
                    AffineCouplingBounded.DEFAULT_CLAMP, BaseKind.NORMAL);
        }

        /** A RealNVP-style flow with bounded affine couplings and the standard normal base. */
        public static Config realnvp(int transforms, int... hidden) {
            return new Config(Kind.REALNVP, transforms, hidden, SplineCoupling.DEFAULT_BINS,
                    SplineCoupling.DEFAULT_BOUND, AffineCouplingBounded.DEFAULT_CLAMP, BaseKind.NORMAL);
        }

        public Config withBins(int k) {
            return new Config(kind, transforms, hidden, k, bound, clamp, base);
        }

        public Config withBase(BaseKind b) {
            return new Config(kind, transforms, hidden, bins, bound, clamp, b);
        }

        public Config withTransforms(int k) {
            return new Config(kind, k, hidden, bins, bound, clamp, base);
        }

        public Config withHidden(int... h) {
            return new Config(kind, transforms, h, bins, bound, clamp, base);
        }

        @Override
        public int[] hidden() {
            return hidden.clone();
        }

        /** A short name, e.g. {@code nsf-3x64x64} or {@code realnvp-4x32x32-mixture:3}. */
        public String label() {
            StringBuilder b = new StringBuilder(kind.name().toLowerCase(Locale.ROOT)).append('-').append(transforms);
            for (int h : hidden) {
                b.append('x').append(h);
            }
            if (kind == Kind.NSF && bins != SplineCoupling.DEFAULT_BINS) {
                b.append("-").append(bins).append("bins");
            }
            if (base.components() != 0) {
                b.append('-').append(base);
            }
            return b.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && c.kind == kind && c.transforms == transforms
                    && Arrays.equals(c.hidden, hidden) && c.bins == bins && c.bound == bound && c.clamp == clamp
                    && c.base.equals(base);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hidden) * 31 + label().hashCode();
        }

        @Override
        public String toString() {
            return "Flows.Config[" + label() + "]";
        }
    }

    /** The transforms of a preset for d-dimensional data standardised with {@code standardize}. */
    public static List<Transform.Spec> transforms(Config c, int d, Standardize.Spec standardize, long seed) {
        if (d < 2) {
            throw new IllegalArgumentException("a coupling flow needs dimension >= 2, got " + d);
        }
        int half = (d + 1) / 2;
        int[] first = range(0, half);
        int[] second = range(half, d);
        List<Transform.Spec> out = new ArrayList<>();
        for (int k = 0; k < c.transforms(); k++) {
            if (k > 0 && d > 2) {
                out.add(Permutation.Spec.random(d, seed + 1000 + k));
            }
            int[] a = k % 2 == 0 ? first : second;
            int[] b = k % 2 == 0 ? second : first;
            out.add(c.kind() == Kind.NSF
                    ? new SplineCoupling.Spec(a, b, c.hidden(), c.bins(), c.bound(), SplineCoupling.DEFAULT_MINIMUM,
                            SplineCoupling.DEFAULT_MINIMUM, SplineCoupling.DEFAULT_MINIMUM)
                    : new AffineCouplingBounded.Spec(a, b, c.hidden(), c.clamp()));
        }
        out.add(standardize);
        return out;
    }

    /** A preset flow for {@code data} (standardised with the data's mean and deviation), initialised from seed. */
    public static Flow create(Config c, Dataset data, long seed) {
        return Flow.create(c.base().spec(data.dim()), transforms(c, data.dim(), Standardize.Spec.of(data), seed),
                seed);
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int j = from; j < to; j++) {
            r[j - from] = j;
        }
        return r;
    }
}

package org.kdeflow.cli.bench;

import java.util.List;
import java.util.Locale;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.random.NumpyRandomState;

/**
 * Test densities of the project's own for the quality benchmark, beside the homework's six: curved, multi-modal,
 * heavy-tailed, 5-D and 8-D, each with an exact log-density (so its entropy floor is known) and exact sampling. They
 * were written after the flow and fit defaults were frozen, and are drawn with seeds of their own (training 101,
 * test 102) that no default was chosen on.
 */
final class OwnSets {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private OwnSets() {
    }

    /** The sets by name. */
    static List<String> names() {
        return List.of("banana", "ring8", "student3", "warp5", "mix8");
    }

    static Density of(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "banana" -> new Warp(new double[] {1.0, 0.5}, 0.0, 0.4);
            case "ring8" -> ring(8, 2.5, 0.25);
            case "student3" -> new Student(3, 0.6);
            case "warp5" -> new Warp(new double[] {1.0, 0.6, 0.5, 0.4, 0.3}, 0.8, 0.3);
            case "mix8" -> FullMixture.random(8, 4, 3.0, 7);
            default -> throw new IllegalArgumentException("unknown set '" + name + "' (expected one of " + names()
                    + ")");
        };
    }

    private static GaussianMixture ring(int m, double radius, double sigma) {
        double[][] c = new double[m][];
        for (int k = 0; k < m; k++) {
            double a = 2 * Math.PI * k / m;
            c[k] = new double[] {radius * Math.cos(a), radius * Math.sin(a)};
        }
        return GaussianMixture.isotropic(c, sigma);
    }

    /**
     * A triangular warp of a standard normal: x₁ = s₁z₁, x_j = s_j z_j + a·sin(x_{j−1}) + b·(x_{j−1}² − 1) for
     * j &gt; 1. Its Jacobian is triangular with diagonal s, so log p(x) = log N(z; 0, I) − Σ log s_j with z recovered
     * coordinate by coordinate.
     */
    private record Warp(double[] s, double a, double b) implements Density {
        @Override
        public int dim() {
            return s.length;
        }

        @Override
        public void logDensity(double[] x, int n, double[] out) {
            int d = s.length;
            double logDet = 0;
            for (double v : s) {
                logDet += Math.log(v);
            }
            for (int r = 0; r < n; r++) {
                double q = 0;
                for (int j = 0; j < d; j++) {
                    double mean = j == 0 ? 0 : a * Math.sin(x[r * d + j - 1])
                            + b * (x[r * d + j - 1] * x[r * d + j - 1] - 1);
                    double z = (x[r * d + j] - mean) / s[j];
                    q += z * z;
                }
                out[r] = -0.5 * q - 0.5 * d * LOG_2PI - logDet;
            }
        }

        @Override
        public Dataset sample(int n, NumpyRandomState rng) {
            int d = s.length;
            double[] x = new double[n * d];
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < d; j++) {
                    double mean = j == 0 ? 0 : a * Math.sin(x[r * d + j - 1])
                            + b * (x[r * d + j - 1] * x[r * d + j - 1] - 1);
                    x[r * d + j] = mean + s[j] * rng.gauss();
                }
            }
            return Dataset.of(x, n, d);
        }
    }

    /**
     * The bivariate Student t with ν degrees of freedom and correlation ρ (unit scales):
     * p(x) = Γ((ν+2)/2) / (Γ(ν/2) ν π √(1−ρ²)) · (1 + xᵀΣ⁻¹x/ν)^{−(ν+2)/2}; sampled as x = L·g / √(w/ν) with
     * g ~ N(0, I), w ~ χ²_ν (a sum of ν squared normals for integer ν).
     */
    private record Student(int nu, double rho) implements Density {
        @Override
        public int dim() {
            return 2;
        }

        @Override
        public void logDensity(double[] x, int n, double[] out) {
            double det = 1 - rho * rho;
            // Γ(ν/2 + 1)/Γ(ν/2) = ν/2
            double logC = Math.log(nu / 2.0) - Math.log(nu * Math.PI) - 0.5 * Math.log(det);
            for (int r = 0; r < n; r++) {
                double u = x[2 * r];
                double v = x[2 * r + 1];
                double q = (u * u - 2 * rho * u * v + v * v) / det;
                out[r] = logC - (nu + 2) / 2.0 * Math.log1p(q / nu);
            }
        }

        @Override
        public Dataset sample(int n, NumpyRandomState rng) {
            double[] x = new double[2 * n];
            double c = Math.sqrt(1 - rho * rho);
            for (int r = 0; r < n; r++) {
                double g1 = rng.gauss();
                double g2 = rng.gauss();
                double w = 0;
                for (int k = 0; k < nu; k++) {
                    double e = rng.gauss();
                    w += e * e;
                }
                double f = 1 / Math.sqrt(w / nu);
                x[2 * r] = g1 * f;
                x[2 * r + 1] = (rho * g1 + c * g2) * f;
            }
            return Dataset.of(x, n, 2);
        }
    }

    /**
     * An equal-weight mixture of M Gaussians with full covariances Σ_m = A_m A_mᵀ/d + 0.1·I (A_m with N(0, 1)
     * entries) and means N(0, spread²·I), drawn once from a fixed seed; log p by log-sum-exp over the components.
     */
    private record FullMixture(int d, double[][] mean, double[][] chol, double[] logDet) implements Density {
        static FullMixture random(int d, int m, double spread, long seed) {
            NumpyRandomState rng = new NumpyRandomState(seed);
            double[][] mean = new double[m][d];
            double[][] chol = new double[m][];
            double[] logDet = new double[m];
            for (int k = 0; k < m; k++) {
                for (int j = 0; j < d; j++) {
                    mean[k][j] = spread * rng.gauss();
                }
                double[] a = new double[d * d];
                for (int i = 0; i < a.length; i++) {
                    a[i] = rng.gauss();
                }
                double[] s = new double[d * d];
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        double v = 0;
                        for (int q = 0; q < d; q++) {
                            v += a[i * d + q] * a[j * d + q];
                        }
                        s[i * d + j] = v / d + (i == j ? 0.1 : 0);
                    }
                }
                chol[k] = cholesky(s, d);
                double ld = 0;
                for (int i = 0; i < d; i++) {
                    ld += 2 * Math.log(chol[k][i * d + i]);
                }
                logDet[k] = ld;
            }
            return new FullMixture(d, mean, chol, logDet);
        }

        private static double[] cholesky(double[] s, int d) {
            double[] l = new double[d * d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j <= i; j++) {
                    double v = s[i * d + j];
                    for (int q = 0; q < j; q++) {
                        v -= l[i * d + q] * l[j * d + q];
                    }
                    l[i * d + j] = i == j ? Math.sqrt(v) : v / l[j * d + j];
                }
            }
            return l;
        }

        @Override
        public int dim() {
            return d;
        }

        @Override
        public void logDensity(double[] x, int n, double[] out) {
            int m = mean.length;
            double[] lk = new double[m];
            double[] z = new double[d];
            for (int r = 0; r < n; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < m; k++) {
                    double[] l = chol[k];
                    double q = 0;
                    for (int i = 0; i < d; i++) {
                        double v = x[r * d + i] - mean[k][i];
                        for (int j = 0; j < i; j++) {
                            v -= l[i * d + j] * z[j];
                        }
                        z[i] = v / l[i * d + i];
                        q += z[i] * z[i];
                    }
                    lk[k] = -0.5 * q - 0.5 * d * LOG_2PI - 0.5 * logDet[k] - Math.log(m);
                    max = Math.max(max, lk[k]);
                }
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += Math.exp(lk[k] - max);
                }
                out[r] = max + Math.log(s);
            }
        }

        @Override
        public Dataset sample(int n, NumpyRandomState rng) {
            int m = mean.length;
            double[] x = new double[n * d];
            double[] g = new double[d];
            for (int r = 0; r < n; r++) {
                int k = Math.min(m - 1, (int) (rng.randomSample() * m));
                for (int i = 0; i < d; i++) {
                    g[i] = rng.gauss();
                }
                double[] l = chol[k];
                for (int i = 0; i < d; i++) {
                    double v = mean[k][i];
                    for (int j = 0; j <= i; j++) {
                        v += l[i * d + j] * g[j];
                    }
                    x[r * d + i] = v;
                }
            }
            return Dataset.of(x, n, d);
        }
    }
}

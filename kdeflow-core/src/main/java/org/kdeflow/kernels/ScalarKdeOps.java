package org.kdeflow.kernels;

/** Plain-Java {@link KdeOps}: {@link Math#exp} and straightforward loops. */
final class ScalarKdeOps implements KdeOps {
    static final ScalarKdeOps INSTANCE = new ScalarKdeOps();

    private ScalarKdeOps() {
    }

    static double exp0(double t) {
        return t < EXP_MIN ? 0.0 : Math.exp(t);
    }

    @Override
    public void gaussianSums(double[] zT, int stride, double[] w, int from, int to, int d, double[] y, int m,
                             double[] out) {
        sums(zT, stride, w, null, from, to, d, y, m, out);
    }

    @Override
    public void gaussianSumsScaled(double[] zT, int stride, double[] w, double[] c, int from, int to, int d,
                                   double[] y, int m, double[] out) {
        sums(zT, stride, w, c, from, to, d, y, m, out);
    }

    /** Both sums: the exponent's factor is cᵢ, or −½ when c is null. */
    private static void sums(double[] zT, int stride, double[] w, double[] c, int from, int to, int d, double[] y,
                             int m, double[] out) {
        for (int q = 0; q < m; q++) {
            double s = 0;
            int yo = q * d;
            for (int i = from; i < to; i++) {
                double r2 = 0;
                for (int j = 0; j < d; j++) {
                    double diff = zT[j * stride + i] - y[yo + j];
                    r2 += diff * diff;
                }
                s += w[i] * exp0((c == null ? -0.5 : c[i]) * r2);
            }
            out[q] += s;
        }
    }

    @Override
    public void exp(double[] x, int from, int to) {
        for (int k = from; k < to; k++) {
            x[k] = exp0(x[k]);
        }
    }

    @Override
    public void productAccumulate(double[] At, int g1p, double[] B, int g2, int nc, double[] F) {
        for (int b = 0; b < g2; b++) {
            int fo = b * g1p;
            for (int i = 0; i < nc; i++) {
                double bv = B[b * nc + i];
                if (bv == 0) {
                    continue;
                }
                int ao = i * g1p;
                for (int a = 0; a < g1p; a++) {
                    F[fo + a] += bv * At[ao + a];
                }
            }
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}

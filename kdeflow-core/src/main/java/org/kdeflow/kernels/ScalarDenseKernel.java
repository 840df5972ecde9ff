package org.kdeflow.kernels;

/** The plain-Java {@link DenseKernel}: loops ordered so that the innermost one walks contiguous memory. */
final class ScalarDenseKernel implements DenseKernel {
    static final ScalarDenseKernel INSTANCE = new ScalarDenseKernel();

    @Override
    public void forward(double[] x, int n, int in, int out, double[] w, int wOff, double[] wt, double[] b, int bOff,
            double[] y, boolean leaky) {
        for (int r = 0; r < n; r++) {
            int yr = r * out;
            int xr = r * in;
            System.arraycopy(b, bOff, y, yr, out);
            for (int i = 0; i < in; i++) {
                double xi = x[xr + i];
                int wr = i * out;
                for (int o = 0; o < out; o++) {
                    y[yr + o] += xi * wt[wr + o];
                }
            }
            if (leaky) {
                for (int o = 0; o < out; o++) {
                    double z = y[yr + o];
                    y[yr + o] = z > 0 ? z : DenseKernel.LEAKY_SLOPE * z;
                }
            }
        }
    }

    @Override
    public void backwardInput(double[] dy, int n, int in, int out, double[] w, int wOff, double[] wt, double[] dx,
            double[] hPrev) {
        for (int r = 0; r < n; r++) {
            int xr = r * in;
            int yr = r * out;
            for (int i = 0; i < in; i++) {
                dx[xr + i] = 0.0;
            }
            for (int o = 0; o < out; o++) {
                double g = dy[yr + o];
                int wr = wOff + o * in;
                for (int i = 0; i < in; i++) {
                    dx[xr + i] += g * w[wr + i];
                }
            }
            if (hPrev != null) {
                for (int i = 0; i < in; i++) {
                    if (!(hPrev[xr + i] > 0)) {
                        dx[xr + i] *= DenseKernel.LEAKY_SLOPE;
                    }
                }
            }
        }
    }

    @Override
    public void accumulateGradients(double[] dy, double[] x, int n, int in, int out, double[] g, int wOff,
            int bOff, double[] scratch) {
        for (int r = 0; r < n; r++) {
            int xr = r * in;
            int yr = r * out;
            for (int o = 0; o < out; o++) {
                double d = dy[yr + o];
                g[bOff + o] += d;
                int wr = wOff + o * in;
                for (int i = 0; i < in; i++) {
                    g[wr + i] += d * x[xr + i];
                }
            }
        }
    }

    @Override
    public String name() {
        return "scalar";
    }
}

package org.kdeflow.kernels;

/** The plain-Java {@link FloatDenseKernel}: straightforward loops, the fallback and the reference in tests. */
final class ScalarFloatDenseKernel implements FloatDenseKernel {
    static final ScalarFloatDenseKernel INSTANCE = new ScalarFloatDenseKernel();
    private static final float SLOPE = (float) DenseKernel.LEAKY_SLOPE;

    private ScalarFloatDenseKernel() {
    }

    @Override
    public void forward(float[] x, int n, int in, int out, float[] w, int wOff, float[] wt, float[] b, int bOff,
            float[] y, boolean leaky) {
        for (int r = 0; r < n; r++) {
            int xr = r * in;
            int yr = r * out;
            for (int o = 0; o < out; o++) {
                y[yr + o] = b[bOff + o];
            }
            for (int i = 0; i < in; i++) {
                float xi = x[xr + i];
                int wr = i * out;
                for (int o = 0; o < out; o++) {
                    y[yr + o] += xi * wt[wr + o];
                }
            }
            if (leaky) {
                for (int o = 0; o < out; o++) {
                    float z = y[yr + o];
                    y[yr + o] = z > 0 ? z : SLOPE * z;
                }
            }
        }
    }

    @Override
    public void backwardInput(float[] dy, int n, int in, int out, float[] w, int wOff, float[] wt, float[] dx,
            float[] hPrev) {
        for (int r = 0; r < n; r++) {
            int dr = r * in;
            for (int i = 0; i < in; i++) {
                dx[dr + i] = 0f;
            }
            for (int o = 0; o < out; o++) {
                float g = dy[r * out + o];
                int wr = wOff + o * in;
                for (int i = 0; i < in; i++) {
                    dx[dr + i] += g * w[wr + i];
                }
            }
            if (hPrev != null) {
                for (int i = 0; i < in; i++) {
                    if (!(hPrev[dr + i] > 0)) {
                        dx[dr + i] *= SLOPE;
                    }
                }
            }
        }
    }

    @Override
    public void accumulateGradients(float[] dy, float[] x, int n, int in, int out, float[] g, int wOff, int bOff) {
        for (int o = 0; o < out; o++) {
            int gr = wOff + o * in;
            float bs = 0f;
            for (int r = 0; r < n; r++) {
                float d = dy[r * out + o];
                bs += d;
                int xr = r * in;
                for (int i = 0; i < in; i++) {
                    g[gr + i] += d * x[xr + i];
                }
            }
            g[bOff + o] += bs;
        }
    }

    @Override
    public boolean adamUpdate(float[] x, float[] g, float[] m, float[] v, int len, float beta1, float beta2,
            float a1, float a2, float stepSize, float c2, float eps) {
        float check = 0f;
        for (int k = 0; k < len; k++) {
            float gk = g[k];
            float mk = beta1 * m[k] + a1 * gk;
            float vk = beta2 * v[k] + a2 * gk * gk;
            m[k] = mk;
            v[k] = vk;
            float denom = (float) Math.sqrt(vk) / c2 + eps;
            float xk = x[k] - mk / denom * stepSize;
            x[k] = xk;
            check += xk * 0f;
        }
        return check == 0f;
    }

    @Override
    public String name() {
        return "scalar";
    }
}

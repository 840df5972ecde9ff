package org.kdeflow.models;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The homework's {@code CouplingFlow} written out plainly from the formulas of the issue, independent of the library:
 * known weights by name, a file assembled byte by byte the way {@code safetensors.torch.save_file(model.state_dict(),
 * path)} lays it out, and log p(x) computed with nested loops (in double, and in float like PyTorch's default dtype).
 *
 * <pre>
 *   inverse of layer i:  s = σ ⊙ s_net(m⊙y),  t = t_net(m⊙y),  x = m⊙y + (1−m)⊙((y − t)⊙exp(−s)),
 *                        log|det J⁻¹| = −Σ (1−m)⊙s
 *   log p(x) = log N(z; 0, I) + Σᵢ log|det J⁻¹ᵢ|,  z = f₁⁻¹ ∘ … ∘ f_K⁻¹(x)
 *   net(u) = W₃·lrelu(W₂·lrelu(W₁·u + b₁) + b₂) + b₃,  lrelu(z) = max(z, 0.01·z)
 * </pre>
 */
final class NotebookFlowReference {
    private NotebookFlowReference() {
    }

    /** Known weights for a flow of K layers on d dimensions with the given hidden widths (state_dict order). */
    static Map<String, double[]> weights(int k, int d, int[] hidden, long seed) {
        Random r = new Random(seed);
        int[] w = new int[hidden.length + 2];
        w[0] = d;
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = d;
        Map<String, double[]> m = new LinkedHashMap<>();
        for (int i = 0; i < k; i++) {
            double[] mask = new double[d];
            for (int j = 0; j < d; j++) {
                // the notebook's F.one_hot(i % 2) for d = 2: [1, 0], [0, 1], ...; halves for larger d
                mask[j] = (j < d / 2) == (i % 2 == 0) ? 1 : 0;
            }
            m.put("layers." + i + ".mask", mask);
            double[] sf = new double[d];
            for (int j = 0; j < d; j++) {
                sf[j] = 0.5 * r.nextGaussian();
            }
            m.put("layers." + i + ".scale_factor", sf);
            for (String net : new String[] {"s_func", "t_func"}) {
                for (int l = 0; l + 1 < w.length; l++) {
                    double bound = 1 / Math.sqrt(w[l]);
                    double[] weight = new double[w[l + 1] * w[l]];
                    for (int q = 0; q < weight.length; q++) {
                        weight[q] = bound * (2 * r.nextDouble() - 1);
                    }
                    double[] bias = new double[w[l + 1]];
                    for (int q = 0; q < bias.length; q++) {
                        bias[q] = bound * (2 * r.nextDouble() - 1);
                    }
                    m.put("layers." + i + "." + net + "." + 2 * l + ".weight", weight);
                    m.put("layers." + i + "." + net + "." + 2 * l + ".bias", bias);
                }
            }
        }
        return m;
    }

    static int[] shapeOf(String name, Map<String, double[]> weights, int d) {
        double[] v = weights.get(name);
        if (name.endsWith(".weight")) {
            int out = weights.get(name.replace(".weight", ".bias")).length;
            return new int[] {out, v.length / out};
        }
        return new int[] {v.length};
    }

    /**
     * The bytes of {@code safetensors.torch.save_file(state_dict, path, metadata)}: header of compact JSON with
     * {@code __metadata__} first (when given) and tensors sorted by name (one dtype), padded with spaces to a multiple
     * of 8 bytes; data little-endian in the same order.
     */
    static byte[] torchFile(Map<String, double[]> weights, int d, boolean f32, Map<String, String> metadata) {
        List<String> names = new ArrayList<>(weights.keySet());
        Collections.sort(names);
        int size = f32 ? 4 : 8;
        StringBuilder h = new StringBuilder("{");
        if (metadata != null && !metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                h.append(first ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
                first = false;
            }
            h.append("},");
        }
        long offset = 0;
        for (int q = 0; q < names.size(); q++) {
            String name = names.get(q);
            int[] shape = shapeOf(name, weights, d);
            long len = (long) weights.get(name).length * size;
            h.append(q == 0 ? "" : ",").append('"').append(name).append("\":{\"dtype\":\"").append(f32 ? "F32" : "F64")
                    .append("\",\"shape\":[").append(shape[0]);
            for (int s = 1; s < shape.length; s++) {
                h.append(',').append(shape[s]);
            }
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + len).append("]}");
            offset += len;
        }
        h.append('}');
        while (h.length() % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + (int) offset).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (String name : names) {
            for (double v : weights.get(name)) {
                if (f32) {
                    b.putFloat((float) v);
                } else {
                    b.putDouble(v);
                }
            }
        }
        return b.array();
    }

    /** The weights as a float32 file stores them. */
    static Map<String, double[]> roundedToFloat(Map<String, double[]> weights) {
        Map<String, double[]> m = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : weights.entrySet()) {
            double[] v = e.getValue().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) v[i];
            }
            m.put(e.getKey(), v);
        }
        return m;
    }

    /** log p(x) for one point, in double. */
    static double logProb(Map<String, double[]> w, int k, double[] x) {
        int d = x.length;
        double[] y = x.clone();
        double logDet = 0;
        for (int i = k - 1; i >= 0; i--) {
            double[] m = w.get("layers." + i + ".mask");
            double[] sf = w.get("layers." + i + ".scale_factor");
            double[] my = new double[d];
            for (int j = 0; j < d; j++) {
                my[j] = m[j] * y[j];
            }
            double[] s = net(w, "layers." + i + ".s_func", my);
            double[] t = net(w, "layers." + i + ".t_func", my);
            double[] xn = new double[d];
            for (int j = 0; j < d; j++) {
                double sj = sf[j] * s[j];
                xn[j] = m[j] * y[j] + (1 - m[j]) * ((y[j] - t[j]) * Math.exp(-sj));
                logDet -= (1 - m[j]) * sj;
            }
            y = xn;
        }
        double sq = 0;
        for (double z : y) {
            sq += z * z;
        }
        return -0.5 * sq - 0.5 * d * Math.log(2 * Math.PI) + logDet;
    }

    static double[] net(Map<String, double[]> w, String prefix, double[] u) {
        double[] h = u;
        for (int l = 0; ; l++) {
            double[] weight = w.get(prefix + "." + 2 * l + ".weight");
            double[] bias = w.get(prefix + "." + 2 * l + ".bias");
            boolean last = !w.containsKey(prefix + "." + 2 * (l + 1) + ".weight");
            int out = bias.length;
            int in = h.length;
            double[] z = new double[out];
            for (int o = 0; o < out; o++) {
                double acc = bias[o];
                for (int q = 0; q < in; q++) {
                    acc += weight[o * in + q] * h[q];
                }
                z[o] = last ? acc : (acc > 0 ? acc : 0.01 * acc);
            }
            h = z;
            if (last) {
                return h;
            }
        }
    }

    /** log p(x) for one point computed entirely in float32, as the notebook's PyTorch model does. */
    static double logProbFloat(Map<String, double[]> w, int k, double[] x) {
        int d = x.length;
        float[] y = new float[d];
        for (int j = 0; j < d; j++) {
            y[j] = (float) x[j];
        }
        float logDet = 0;
        for (int i = k - 1; i >= 0; i--) {
            double[] m = w.get("layers." + i + ".mask");
            double[] sf = w.get("layers." + i + ".scale_factor");
            float[] my = new float[d];
            for (int j = 0; j < d; j++) {
                my[j] = (float) m[j] * y[j];
            }
            float[] s = netFloat(w, "layers." + i + ".s_func", my);
            float[] t = netFloat(w, "layers." + i + ".t_func", my);
            float[] xn = new float[d];
            for (int j = 0; j < d; j++) {
                float sj = (float) sf[j] * s[j];
                float mj = (float) m[j];
                xn[j] = mj * y[j] + (1 - mj) * ((y[j] - t[j]) * (float) Math.exp(-sj));
                logDet -= (1 - mj) * sj;
            }
            y = xn;
        }
        float sq = 0;
        for (float z : y) {
            sq += z * z;
        }
        return -0.5f * sq - 0.5f * d * (float) Math.log(2 * Math.PI) + logDet;
    }

    static float[] netFloat(Map<String, double[]> w, String prefix, float[] u) {
        float[] h = u;
        for (int l = 0; ; l++) {
            double[] weight = w.get(prefix + "." + 2 * l + ".weight");
            double[] bias = w.get(prefix + "." + 2 * l + ".bias");
            boolean last = !w.containsKey(prefix + "." + 2 * (l + 1) + ".weight");
            int out = bias.length;
            int in = h.length;
            float[] z = new float[out];
            for (int o = 0; o < out; o++) {
                float acc = (float) bias[o];
                for (int q = 0; q < in; q++) {
                    acc += (float) weight[o * in + q] * h[q];
                }
                z[o] = last ? acc : (acc > 0 ? acc : 0.01f * acc);
            }
            h = z;
            if (last) {
                return h;
            }
        }
    }
}

package org.kdeflow.spark;

import java.nio.ByteBuffer;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;

/**
 * A {@link KernelDensity} carried as its samples, normalised weights, H and kernel, for estimates whose kind the
 * model files cannot hold yet ({@link ModelSource#of} prefers the file bytes once they can). Executors rebuild it
 * with {@link KernelDensity#of(Dataset, double[], org.kdeflow.kde.Bandwidth, Kernel)}; renormalising ωᵢ = wᵢ/Σw
 * changes them by at most a rounding, so the rebuilt estimate equals the original to ~1e−16 relative.
 */
final class KdeSource implements ModelSource {
    private static final long serialVersionUID = 1L;

    private final double[] x;
    private final int n;
    private final int d;
    private final double[] weights;
    private final BandwidthSpec h;
    private final Kernel kernel;
    private final String label;
    private final String key;

    KdeSource(KernelDensity kde) {
        this.n = kde.size();
        this.d = kde.dim();
        this.x = kde.samples().toArray();
        this.weights = kde.weights();
        this.h = BandwidthSpec.of(kde.bandwidth());
        this.kernel = kde.kernel();
        this.label = kde.toString();
        ByteBuffer head = ByteBuffer.allocate(8 * (x.length + weights.length + h.values().length));
        for (double v : x) {
            head.putDouble(v);
        }
        for (double v : weights) {
            head.putDouble(v);
        }
        for (double v : h.values()) {
            head.putDouble(v);
        }
        this.key = "kde:" + ModelBytes.sha256(head.array(), ModelBytes.utf8(h.kind() + "/" + d + "/" + kernel));
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Density load() {
        return KernelDensity.of(Dataset.of(x, n, d), weights, h.toBandwidth(), kernel);
    }
}

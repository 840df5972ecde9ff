package org.kdeflow.spark;

import java.io.Serializable;
import org.kdeflow.kde.Bandwidth;

/**
 * A {@link Bandwidth} in a form that travels to executors: its kind and entries, rebuilt there by the same factory,
 * so the executors' H, H⁻¹ and log|det H| are bit for bit the driver's.
 */
record BandwidthSpec(Bandwidth.Kind kind, int dim, double[] values) implements Serializable {

    static BandwidthSpec of(Bandwidth h) {
        return switch (h.kind()) {
            case SCALAR -> new BandwidthSpec(h.kind(), h.dim(), new double[] {h.diagonal()[0]});
            case DIAGONAL -> new BandwidthSpec(h.kind(), h.dim(), h.diagonal());
            case FULL -> new BandwidthSpec(h.kind(), h.dim(), h.matrix());
        };
    }

    Bandwidth toBandwidth() {
        return switch (kind) {
            case SCALAR -> Bandwidth.scalar(values[0], dim);
            case DIAGONAL -> Bandwidth.diagonal(values);
            case FULL -> Bandwidth.full(values, dim);
        };
    }
}

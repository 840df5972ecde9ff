package org.kdeflow.cli.plot;

import java.awt.Color;

/**
 * The viridis colour map (perceptually uniform, readable in grey and by colour-blind readers): ten anchor colours at
 * t = 0, 1/9, …, 1, linearly interpolated in sRGB.
 */
public final class Colormap {
    private static final int[] VIRIDIS = {
        0x440154, 0x482878, 0x3e4989, 0x31688e, 0x26828e, 0x1f9e89, 0x35b779, 0x6ece58, 0xb5de2b, 0xfde725};

    private Colormap() {
    }

    /** The colour at t ∈ [0, 1] (clamped; NaN maps to light grey). */
    public static int viridisRgb(double t) {
        if (Double.isNaN(t)) {
            return 0xdddddd;
        }
        double u = Math.max(0.0, Math.min(1.0, t)) * (VIRIDIS.length - 1);
        int i = Math.min((int) u, VIRIDIS.length - 2);
        double f = u - i;
        int a = VIRIDIS[i];
        int b = VIRIDIS[i + 1];
        int r = (int) Math.round(((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f);
        int g = (int) Math.round(((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f);
        int bl = (int) Math.round((a & 0xff) * (1 - f) + (b & 0xff) * f);
        return (r << 16) | (g << 8) | bl;
    }

    /** {@link #viridisRgb} as a Color. */
    public static Color viridis(double t) {
        return new Color(viridisRgb(t));
    }
}

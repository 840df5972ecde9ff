package org.kdeflow.cli.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** "Nice" axis ticks: steps of 1, 2 or 5 × 10ᵏ giving about the requested number of ticks. */
final class Ticks {
    private Ticks() {
    }

    static double niceStep(double span, int target) {
        double raw = span / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / mag;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * mag;
    }

    /** Tick values inside [lo, hi]. */
    static List<Double> ticks(double lo, double hi, int target) {
        List<Double> t = new ArrayList<>();
        if (!(hi > lo)) {
            t.add(lo);
            return t;
        }
        double step = niceStep(hi - lo, target);
        double start = Math.ceil(lo / step - 1e-9) * step;
        for (double v = start; v <= hi + step * 1e-9; v += step) {
            t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return t;
    }

    static String format(double v, double step) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(step);
        if (a >= 1e-3 && Math.abs(v) < 1e5) {
            int decimals = Math.max(0, (int) Math.ceil(-Math.log10(a) - 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
        return String.format(Locale.ROOT, "%.2g", v);
    }
}

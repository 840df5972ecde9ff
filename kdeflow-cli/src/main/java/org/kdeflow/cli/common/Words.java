package org.kdeflow.cli.common;

import java.util.Locale;

/** Small pieces of the command line's English. */
public final class Words {
    private Words() {
    }

    /** "1 value", "2 values", "0 values". */
    public static String count(long n, String noun) {
        return count(n, noun, noun + "s");
    }

    /** "1 density", "2 densities": the count with the singular or the given plural. */
    public static String count(long n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    /** A byte count for people: "512 bytes", "3.2 MB", "14 GB" (powers of 1000, two significant digits above 10). */
    public static String bytes(long b) {
        if (b < 1000) {
            return b + " bytes";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = b;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return (v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v)) + " "
                + units[u];
    }

    /**
     * Text from a file or the command line for a one-line message: control characters replaced by '?', at most
     * {@code max} characters (with "..." when cut).
     */
    public static String abbreviate(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return s.length() <= max ? b.toString() : b.substring(0, max - 3) + "...";
    }
}

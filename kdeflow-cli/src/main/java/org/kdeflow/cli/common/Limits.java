package org.kdeflow.cli.common;

/**
 * Sizes checked before the work starts, so that an input too large for Java's arrays or for the heap ends in one line
 * saying what is too large and what fits, instead of an {@link OutOfMemoryError} or a
 * {@link NegativeArraySizeException} half-way.
 */
public final class Limits {
    /** The largest Java array, in elements. */
    public static final long MAX_ARRAY = Integer.MAX_VALUE - 8;
    /** The largest density-image grid per axis. */
    public static final int MAX_GRID = 4096;
    /** Copies of the points a command holds at once (samples, splits, batches, figures): a conservative 6. */
    public static final int COPIES = 6;
    /** The hint of every "too large" message. */
    public static final String HEAP_HINT = "Raise the heap with KDEFLOW_JAVA_OPTS=-Xmx<size> (./kdeflow passes it to "
            + "java), or use less data.";

    private Limits() {
    }

    /** Heap bytes available now: the maximum heap less what is in use (after one garbage collection if short). */
    public static long freeHeap() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /**
     * Checks that {@code n} points of {@code d} doubles, held {@link #COPIES} times, fit in one array and in the heap.
     *
     * @param what the option or file, for the message ("--n 300000000")
     * @throws InputException saying what is too large and how many points fit
     */
    public static void checkPoints(String what, long n, int d) {
        checkDoubles(what, n, d, COPIES, "points");
    }

    /**
     * Checks that {@code count} items of {@code width} doubles each fit in one array and, {@code copies} times over,
     * in the heap.
     */
    public static void checkDoubles(String what, long count, int width, int copies, String items) {
        long values = count * (long) width;
        if (count > MAX_ARRAY || values > MAX_ARRAY) {
            throw new InputException(what + ": " + count + " " + items + " of " + width + " values exceed the "
                    + "largest array Java can hold (" + MAX_ARRAY + " values); at most " + MAX_ARRAY / width + " "
                    + items + " fit");
        }
        long need = values * 8 * copies;
        long free = freeHeap();
        if (need > free) {
            System.gc();
            free = freeHeap();
        }
        if (need > free) {
            long fit = free / (8L * width * copies);
            throw new InputException(what + ": " + count + " " + items + " need about " + Words.bytes(need)
                    + " of memory but the Java heap has " + Words.bytes(free) + " free (of "
                    + Words.bytes(Runtime.getRuntime().maxMemory()) + "); at most about " + fit + " " + items
                    + " fit", HEAP_HINT, null);
        }
    }

    /** Checks a grid resolution G (G × G points per image). */
    public static void checkGrid(String option, int g) {
        if (g < 2 || g > MAX_GRID) {
            throw new InputException(option + " must be between 2 and " + MAX_GRID + ", got " + g);
        }
    }
}

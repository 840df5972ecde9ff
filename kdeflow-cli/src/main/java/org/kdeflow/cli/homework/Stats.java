package org.kdeflow.cli.homework;

/** Small summaries the stages and their text share. */
final class Stats {
    private Stats() {
    }

    /** The index of the smallest value (the first of equals). */
    static int argmin(double[] v) {
        int k = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] < v[k]) {
                k = i;
            }
        }
        return k;
    }

    /** The index of the largest value (the first of equals). */
    static int argmax(double[] v) {
        int k = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[k]) {
                k = i;
            }
        }
        return k;
    }

    /** The last element. */
    static double last(double[] v) {
        return v[v.length - 1];
    }
}

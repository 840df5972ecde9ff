package org.kdeflow.data;

import org.kdeflow.random.NumpyRandomState;

/**
 * The order in which an epoch visits a dataset in mini-batches of a fixed size, the last batch holding the rest
 * (PyTorch's {@code DataLoader(drop_last=False)}).
 *
 * <p>In fixed order every epoch visits 0, 1, …, n−1 (the homework's {@code DataLoader} without {@code shuffle}); when
 * reshuffled, each epoch draws a fresh permutation from the stream it was given, so the same seed gives the same
 * sequence of epochs.
 */
public final class MiniBatches {
    private final int n;
    private final int batchSize;
    private final NumpyRandomState rng;
    private final int[] order;

    private MiniBatches(int n, int batchSize, NumpyRandomState rng) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one point to make batches, got " + n);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.n = n;
        this.batchSize = batchSize;
        this.rng = rng;
        this.order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
    }

    /** Batches in the points' own order, the same every epoch. */
    public static MiniBatches fixed(int n, int batchSize) {
        return new MiniBatches(n, batchSize, null);
    }

    /** Batches in a new random order each epoch, drawn from {@code NumpyRandomState(seed)}. */
    public static MiniBatches reshuffled(int n, int batchSize, long seed) {
        return new MiniBatches(n, batchSize, new NumpyRandomState(seed));
    }

    /** Reshuffled batches continuing a given stream (for resuming from a checkpoint); the stream is used, not copied. */
    public static MiniBatches reshuffled(int n, int batchSize, NumpyRandomState rng) {
        return new MiniBatches(n, batchSize, rng);
    }

    /** Starts an epoch: reshuffles the order if this is a reshuffling schedule. */
    public void startEpoch() {
        if (rng != null) {
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            rng.shuffle(order);
        }
    }

    /** Number of batches per epoch, ⌈n / batchSize⌉. */
    public int batchCount() {
        return (n + batchSize - 1) / batchSize;
    }

    /** The batch size. */
    public int batchSize() {
        return batchSize;
    }

    /** First position (into {@link #order()}) of batch b. */
    public int from(int b) {
        return b * batchSize;
    }

    /** One past the last position of batch b. */
    public int to(int b) {
        return Math.min(n, (b + 1) * batchSize);
    }

    /** The current epoch's order (internal array: read it, don't modify it). */
    public int[] order() {
        return order;
    }

    /** Whether the order is redrawn each epoch. */
    public boolean isReshuffled() {
        return rng != null;
    }

    /** The stream that reshuffles (for checkpoints), or null in fixed order. */
    public NumpyRandomState.State rngState() {
        return rng == null ? null : rng.state();
    }
}

package org.kdeflow.train;

/**
 * Follows a training run: called once at the start, after every epoch (with its losses) and at the end. Returning
 * false from {@link #onEpoch} asks the trainer to stop after that epoch. All methods have empty defaults.
 */
public interface TrainingListener {

    /** A listener that does nothing. */
    TrainingListener NONE = new TrainingListener() {
    };

    /** Called before the first epoch (or the first epoch after a resume). */
    default void onStart(Plan plan) {
    }

    /** Called after each epoch; return false to stop training. */
    default boolean onEpoch(Epoch epoch) {
        return true;
    }

    /** Called once with the result, after the returned weights are in place. */
    default void onFinish(TrainingResult result) {
    }

    /**
     * What a run will do.
     *
     * @param firstEpoch 1-based number of the next epoch (1, or later after a resume)
     * @param epochs total epochs planned
     */
    record Plan(int firstEpoch, int epochs, int trainSize, int validSize, int batchesPerEpoch) {
    }

    /**
     * One finished epoch (1-based {@code epoch}); losses are means over batches of the batch-mean NLL, as the
     * homework's {@code train} reports them. {@code bestEpoch} is 0 while no finite validation loss was seen.
     */
    record Epoch(int epoch, int epochs, double trainLoss, double validLoss, int bestEpoch, double bestValidLoss,
            long elapsedNanos) {
    }
}

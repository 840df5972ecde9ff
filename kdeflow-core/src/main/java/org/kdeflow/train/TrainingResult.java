package org.kdeflow.train;

/**
 * The outcome of {@link Trainer#fit}: per-epoch losses (index e holds epoch e+1), the best epoch by validation loss
 * (1-based; 0 if none), which weights the model was left with, and why training stopped early if it did.
 *
 * @param stopReason null unless training had to stop (a non-finite loss or gradient, a request): then one sentence
 *     naming the epoch; early stopping is not such a stop
 * @param skippedBatches batches skipped because their loss or gradient was not finite (robust recipe)
 * @param earlyStopEpoch the epoch after which early stopping ended the run, 0 if it did not
 */
public record TrainingResult(double[] trainLosses, double[] validLosses, int bestEpoch, double bestValidLoss,
        double finalValidLoss, double wallSeconds, Weights returned, int epochsRun, int epochsPlanned,
        int trainSize, int validSize, String stopReason, long skippedBatches, int earlyStopEpoch) {

    /** Which weights the model holds after training. */
    public enum Weights {
        /** The snapshot with the lowest validation loss. */
        BEST,
        /** The weights after the last epoch that ran (the last finite ones if training stopped on a NaN). */
        FINAL
    }

    /** A result without skipped batches or early stopping (the notebook recipe's). */
    public TrainingResult(double[] trainLosses, double[] validLosses, int bestEpoch, double bestValidLoss,
            double finalValidLoss, double wallSeconds, Weights returned, int epochsRun, int epochsPlanned,
            int trainSize, int validSize, String stopReason) {
        this(trainLosses, validLosses, bestEpoch, bestValidLoss, finalValidLoss, wallSeconds, returned, epochsRun,
                epochsPlanned, trainSize, validSize, stopReason, 0, 0);
    }

    public TrainingResult {
        trainLosses = trainLosses.clone();
        validLosses = validLosses.clone();
    }

    @Override
    public double[] trainLosses() {
        return trainLosses.clone();
    }

    @Override
    public double[] validLosses() {
        return validLosses.clone();
    }

    /** Whether training ended normally: every planned epoch ran, or early stopping ended it. */
    public boolean completed() {
        return stopReason == null;
    }
}

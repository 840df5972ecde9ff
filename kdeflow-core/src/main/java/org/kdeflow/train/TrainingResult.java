package org.kdeflow.train;

/**
 * The outcome of {@link Trainer#fit}: per-epoch losses (index e holds epoch e+1), the best epoch by validation loss
 * (1-based; 0 if none), which weights the model was left with, and why training stopped early if it did.
 *
 * @param stopReason null when every planned epoch ran; otherwise one sentence naming the epoch
 */
public record TrainingResult(double[] trainLosses, double[] validLosses, int bestEpoch, double bestValidLoss,
        double finalValidLoss, double wallSeconds, Weights returned, int epochsRun, int epochsPlanned,
        int trainSize, int validSize, String stopReason) {

    /** Which weights the model holds after training. */
    public enum Weights {
        /** The snapshot with the lowest validation loss. */
        BEST,
        /** The weights after the last epoch that ran (the last finite ones if training stopped on a NaN). */
        FINAL
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

    /** Whether every planned epoch ran. */
    public boolean completed() {
        return stopReason == null;
    }
}

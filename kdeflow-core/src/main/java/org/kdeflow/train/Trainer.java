package org.kdeflow.train;

import java.util.Arrays;
import java.util.Locale;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.MiniBatches;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.nn.Adam;
import org.kdeflow.nn.Parameters;
import org.kdeflow.nn.Precision;
import org.kdeflow.random.NumpyRandomState;

/**
 * Maximum-likelihood training of a {@link Flow} by mini-batch Adam on the mean negative log-likelihood. Two recipes:
 *
 * <p><b>notebook</b> ({@link Options#defaults()}): the homework's {@code train(model, data, epochs, batch_size=64)},
 * step for step —
 * <ol>
 *   <li>split the data at random into ⌊0.9·N⌋ training and N − ⌊0.9·N⌋ validation points
 *       ({@link Dataset#randomSplit}, from {@code NumpyRandomState(seed)});</li>
 *   <li>each epoch, visit the training points in mini-batches of 64 in a fixed order (the homework's
 *       {@code DataLoader} does not reshuffle), taking one Adam step (lr 1e-3, PyTorch's defaults) on the batch's mean
 *       negative log-likelihood −mean log p(x);</li>
 *   <li>record the epoch's training loss (mean over batches of the batch means) and validation loss (the same
 *       average over the validation batches, after the epoch);</li>
 *   <li>keep a snapshot of the weights with the lowest validation loss;</li>
 *   <li>return the best snapshot, except — the homework's rule — with fewer than 500 validation points the final
 *       weights are kept.</li>
 * </ol>
 * A non-finite loss or gradient stops training with a message naming the epoch; the model is set back to the
 * weights it had after the previous epoch, so it never holds NaN weights.
 *
 * <p><b>robust</b> ({@link Options#robust()}), for every other flow: a fresh batch order every epoch; AdamW
 * (decoupled weight decay); a cosine learning-rate schedule over the planned steps; the gradient's global L2 norm
 * clipped; an exponential moving average of the weights, validated after every epoch, the best one returned;
 * optional early stopping when the validation loss has not improved for {@code patience} epochs; and a batch whose
 * loss or gradient is not finite is skipped and counted ({@link TrainingResult#skippedBatches()}) rather than
 * stopping the run, as long as some batch of the epoch succeeds. A freshly created flow gets its data-dependent initialisation ({@link Flow#initializeFromData}) from
 * {@link Session#initializeFromFirstBatch()}. How each default was chosen is in docs/flow.md.
 *
 * <p>The networks' products run in {@link Options#precision()} (float32 as PyTorch trains by default, or float64);
 * weights, optimizer state and everything else stay double, so snapshots, checkpoints and model files are double in
 * either case. With the same seed, data and initial weights, training gives bit-identical weights (one thread, no
 * reordering).
 *
 * <p>{@link #start} returns a {@link Session} that runs epoch by epoch and exports/imports its complete
 * {@link State} (epoch, weights, Adam moments and step, best snapshot, losses, shuffling stream), for checkpoints.
 */
public final class Trainer {

    /** Which weights training leaves in the model. */
    public enum Selection {
        /** The homework's rule: BEST, unless the validation set has fewer than 500 points, then FINAL. */
        NOTEBOOK,
        /** The snapshot with the lowest validation loss. */
        BEST,
        /** The weights after the last epoch. */
        FINAL
    }

    /** The learning rate over the run. */
    public enum Schedule {
        /** The same learning rate at every step. */
        CONSTANT,
        /** lr_t = lr·½(1 + cos(π·t/T)) over the T = epochs × batches planned steps (Loshchilov &amp; Hutter 2017). */
        COSINE
    }

    /** The two training recipes. */
    public enum Recipe {
        /** The homework's loop, bit for bit. */
        NOTEBOOK,
        /** The default for every flow but the homework's (see the class comment). */
        ROBUST;

        /** The recipe's options. */
        public Options options() {
            return this == NOTEBOOK ? Options.defaults() : Options.robust();
        }

        /** Parses "notebook" or "robust". */
        public static Recipe parse(String s) {
            return switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "notebook" -> NOTEBOOK;
                case "robust" -> ROBUST;
                default -> throw new IllegalArgumentException("unknown recipe '" + s + "' (expected notebook or robust)");
            };
        }
    }

    /** Validation sets smaller than this make the homework return the final weights. */
    public static final int NOTEBOOK_MIN_VALIDATION = 500;

    /**
     * Training settings; {@link #defaults()} are the homework's, {@link #robust()} the robust recipe's. Build
     * variations with the {@code with…} methods.
     *
     * @param epochs number of epochs (the most, with early stopping)
     * @param batchSize mini-batch size
     * @param learningRate Adam's (peak) step size
     * @param seed seeds the split (and the reshuffling stream, seed + 1)
     * @param trainFraction fraction of points for training
     * @param reshuffle a fresh batch order every epoch (false: fixed order)
     * @param selection which weights to return
     * @param precision the arithmetic of the networks' products
     * @param weightDecay AdamW's decoupled weight decay λ (0: plain Adam)
     * @param schedule the learning rate over the run
     * @param clipNorm the largest global L2 norm of a step's gradient (0: no clipping)
     * @param patience stop when the validation loss has not improved for this many epochs (0: never)
     * @param skipNonFinite skip (and count) a batch whose loss or gradient is not finite instead of stopping
     * @param emaDecay β of an exponential moving average of the weights, θ̄ ← β·θ̄ + (1 − β)·θ after every step
     *     (Polyak averaging; 0: none). With β &gt; 0 the validation loss, the best snapshot and the final weights
     *     are the averaged weights'.
     */
    public record Options(int epochs, int batchSize, double learningRate, long seed, double trainFraction,
            boolean reshuffle, Selection selection, Precision precision, double weightDecay, Schedule schedule,
            double clipNorm, int patience, boolean skipNonFinite, double emaDecay) {

        /** Options in double precision with the notebook's optimiser. */
        public Options(int epochs, int batchSize, double learningRate, long seed, double trainFraction,
                boolean reshuffle, Selection selection) {
            this(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, Precision.F64);
        }

        /** Options with the notebook's optimiser (Adam, constant rate, no clipping, no early stopping). */
        public Options(int epochs, int batchSize, double learningRate, long seed, double trainFraction,
                boolean reshuffle, Selection selection, Precision precision) {
            this(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision, 0.0,
                    Schedule.CONSTANT, 0.0, 0, false, 0.0);
        }

        /** Options without weight averaging. */
        public Options(int epochs, int batchSize, double learningRate, long seed, double trainFraction,
                boolean reshuffle, Selection selection, Precision precision, double weightDecay, Schedule schedule,
                double clipNorm, int patience, boolean skipNonFinite) {
            this(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision, weightDecay,
                    schedule, clipNorm, patience, skipNonFinite, 0.0);
        }

        public Options {
            if (precision == null) {
                throw new IllegalArgumentException("precision must not be null");
            }
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
                throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
            }
            if (seed < 0 || seed >= 0xffffffffL) {
                throw new IllegalArgumentException("seed must be between 0 and 2^32 - 2, got " + seed);
            }
            if (!(trainFraction > 0 && trainFraction < 1)) {
                throw new IllegalArgumentException("training fraction must be in (0, 1), got " + trainFraction);
            }
            if (selection == null) {
                throw new IllegalArgumentException("selection must not be null");
            }
            if (!(weightDecay >= 0) || !Double.isFinite(weightDecay)) {
                throw new IllegalArgumentException("weight decay must be a number >= 0, got " + weightDecay);
            }
            if (schedule == null) {
                throw new IllegalArgumentException("schedule must not be null");
            }
            if (!(clipNorm >= 0) || !Double.isFinite(clipNorm)) {
                throw new IllegalArgumentException("gradient clipping norm must be a number >= 0 (0: none), got "
                        + clipNorm);
            }
            if (patience < 0) {
                throw new IllegalArgumentException("patience must be >= 0 (0: no early stopping), got " + patience);
            }
            if (!(emaDecay >= 0 && emaDecay < 1)) {
                throw new IllegalArgumentException("the weight average's decay must be in [0, 1) (0: none), got "
                        + emaDecay);
            }
        }

        /** The homework's settings: 100 epochs, batches of 64, lr 1e-3, seed 0, 90/10 split, fixed order. */
        public static Options defaults() {
            return new Options(100, 64, 1e-3, 0, 0.9, false, Selection.NOTEBOOK);
        }

        /**
         * The robust recipe: 200 epochs of batches of 64 in a fresh order each epoch, AdamW with peak lr 2e-3 and
         * weight decay 1e-5, a cosine schedule to 0 over the run, gradients clipped at norm 10, an exponential
         * average of the weights (β = 0.995) validated each epoch on a 20 % split, the best average kept;
         * non-finite batches skipped. No early stopping: the schedule ends the run. (Chosen as docs/flow.md
         * describes.)
         */
        public static Options robust() {
            return new Options(200, 64, 2e-3, 0, 0.8, true, Selection.BEST, Precision.F64, 1e-5, Schedule.COSINE,
                    10.0, 0, true, 0.995);
        }

        public Options withEpochs(int e) {
            return new Options(e, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withBatchSize(int b) {
            return new Options(epochs, b, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withLearningRate(double lr) {
            return new Options(epochs, batchSize, lr, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withSeed(long s) {
            return new Options(epochs, batchSize, learningRate, s, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withTrainFraction(double f) {
            return new Options(epochs, batchSize, learningRate, seed, f, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withReshuffle(boolean r) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, r, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withSelection(Selection s) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, s, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withPrecision(Precision p) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, p,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withWeightDecay(double wd) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    wd, schedule, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withSchedule(Schedule s) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, s, clipNorm, patience, skipNonFinite, emaDecay);
        }

        public Options withClipNorm(double c) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, c, patience, skipNonFinite, emaDecay);
        }

        public Options withPatience(int pat) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, pat, skipNonFinite, emaDecay);
        }

        public Options withEmaDecay(double beta) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skipNonFinite, beta);
        }

        public Options withSkipNonFinite(boolean skip) {
            return new Options(epochs, batchSize, learningRate, seed, trainFraction, reshuffle, selection, precision,
                    weightDecay, schedule, clipNorm, patience, skip, emaDecay);
        }
    }

    private final Options options;

    public Trainer(Options options) {
        this.options = options;
    }

    /** A trainer with the homework's settings and the given number of epochs. */
    public static Trainer notebook(int epochs) {
        return new Trainer(Options.defaults().withEpochs(epochs));
    }

    /** A trainer with the robust recipe. */
    public static Trainer robust() {
        return new Trainer(Options.robust());
    }

    public Options options() {
        return options;
    }

    /** Trains {@code flow} in place on {@code data}; see the class comment. */
    public TrainingResult fit(Flow flow, Dataset data) {
        return fit(flow, data, TrainingListener.NONE);
    }

    /** Trains {@code flow} in place, reporting to {@code listener}. */
    public TrainingResult fit(Flow flow, Dataset data, TrainingListener listener) {
        return start(flow, data).run(listener);
    }

    /** Trains the homework's flow in place on {@code data}. */
    public TrainingResult fit(CouplingFlow flow, Dataset data) {
        return fit(flow.asFlow(), data, TrainingListener.NONE);
    }

    /** Trains the homework's flow in place, reporting to {@code listener}. */
    public TrainingResult fit(CouplingFlow flow, Dataset data, TrainingListener listener) {
        return fit(flow.asFlow(), data, listener);
    }

    /** Prepares a run (split, batches, optimizer) without training yet. */
    public Session start(Flow flow, Dataset data) {
        return new Session(flow, split(flow.dim(), data), null, null);
    }

    /**
     * Prepares a run on weighted points: the loss of a batch is the weighted mean NLL −Σ ω_r log p(x_r) / Σ ω_r, the
     * validation loss the weighted mean over the validation points (null weights: equal). The split is the same as
     * without weights; a batch whose weights are all 0 takes no step.
     *
     * @throws IllegalArgumentException for a weight count other than the number of points, or a weight that is
     *     negative or not finite
     */
    public Session start(Flow flow, Dataset data, double[] weights) {
        if (weights == null) {
            return start(flow, data);
        }
        Dataset.Split split = split(flow.dim(), data);
        if (weights.length != data.size()) {
            throw new IllegalArgumentException("got " + weights.length + " weights for " + data.size() + " points");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || !Double.isFinite(weights[i])) {
                throw new IllegalArgumentException("weight " + i + " must be finite and >= 0, got " + weights[i]);
            }
        }
        int n = data.size();
        int first = split.first().size();
        int[] perm = new org.kdeflow.random.NumpyRandomState(options.seed()).permutation(n);
        double[] tw = new double[first];
        double[] vw = new double[n - first];
        for (int i = 0; i < n; i++) {
            if (i < first) {
                tw[i] = weights[perm[i]];
            } else {
                vw[i - first] = weights[perm[i]];
            }
        }
        return new Session(flow, split, tw, vw);
    }

    /** Prepares a run of the homework's flow. */
    public Session start(CouplingFlow flow, Dataset data) {
        return start(flow.asFlow(), data);
    }

    /**
     * Prepares a run on an explicit split (a resumed checkpoint's), instead of splitting {@code data} at random.
     */
    public Session start(Flow flow, Dataset.Split split) {
        return new Session(flow, split, null, null);
    }

    /** Prepares a run of the homework's flow on an explicit split. */
    public Session start(CouplingFlow flow, Dataset.Split split) {
        return start(flow.asFlow(), split);
    }

    /**
     * Everything a run needs to continue from where it is, for checkpoints: copies in and out.
     *
     * @param epochsDone epochs finished so far
     * @param weights the model's current weights
     * @param adam the optimizer's moments and step count
     * @param bestWeights the best snapshot so far (null if none)
     * @param bestEpoch 1-based epoch of the best snapshot (0 if none)
     * @param trainLosses losses of the finished epochs
     * @param shuffle the reshuffling stream's state (null in fixed order)
     * @param elapsedNanos training time so far
     * @param averageWeights the running average of the weights (null without averaging or before the first step)
     * @param skippedBatches batches skipped so far
     */
    public record State(int epochsDone, double[] weights, Adam.State adam, double[] bestWeights, int bestEpoch,
            double bestValidLoss, double[] trainLosses, double[] validLosses, NumpyRandomState.State shuffle,
            long elapsedNanos, double[] averageWeights, long skippedBatches) {

        /** A state without weight averaging or skipped batches. */
        public State(int epochsDone, double[] weights, Adam.State adam, double[] bestWeights, int bestEpoch,
                double bestValidLoss, double[] trainLosses, double[] validLosses, NumpyRandomState.State shuffle,
                long elapsedNanos) {
            this(epochsDone, weights, adam, bestWeights, bestEpoch, bestValidLoss, trainLosses, validLosses, shuffle,
                    elapsedNanos, null, 0);
        }

        public State {
            weights = weights.clone();
            averageWeights = averageWeights == null ? null : averageWeights.clone();
            bestWeights = bestWeights == null ? null : bestWeights.clone();
            trainLosses = trainLosses.clone();
            validLosses = validLosses.clone();
            if (trainLosses.length != epochsDone || validLosses.length != epochsDone) {
                throw new IllegalArgumentException("state has " + epochsDone + " epochs done but "
                        + trainLosses.length + " training and " + validLosses.length + " validation losses");
            }
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }

        @Override
        public double[] bestWeights() {
            return bestWeights == null ? null : bestWeights.clone();
        }

        /** The running average of the weights (null without averaging or before the first step). */
        @Override
        public double[] averageWeights() {
            return averageWeights == null ? null : averageWeights.clone();
        }

        @Override
        public double[] trainLosses() {
            return trainLosses.clone();
        }

        @Override
        public double[] validLosses() {
            return validLosses.clone();
        }
    }

    private Dataset.Split split(int dim, Dataset data) {
        if (data.dim() != dim) {
            throw new IllegalArgumentException("data have dimension " + data.dim() + ", flow has dimension " + dim);
        }
        int nTrain = (int) (data.size() * options.trainFraction());
        if (nTrain < 1 || data.size() - nTrain < 1) {
            throw new IllegalArgumentException("need at least one training and one validation point; " + data.size()
                    + " points split " + options.trainFraction() + " give " + nTrain + " and "
                    + (data.size() - nTrain));
        }
        return data.randomSplit(options.trainFraction(), options.seed());
    }

    /** One training run, epoch by epoch. Not thread-safe. */
    public final class Session {
        private final Flow flow;
        private final Parameters p;
        private final Dataset train;
        private final Dataset valid;
        private MiniBatches batches;
        private final MiniBatches validBatches;
        private final Adam adam;
        private final Flow.Workspace ws;
        private final double[] batch;
        private final double[] trainWeights;
        private final double[] validWeights;
        private final double[] batchWeights;
        private final double[] lastGood;
        private final double[] trainLosses;
        private final double[] validLosses;
        private final long totalSteps;
        private double[] best;
        private double[] average;
        private final double[] swap;
        private int bestEpoch;
        private double bestValid = Double.POSITIVE_INFINITY;
        private int epoch;
        private long elapsedNanos;
        private long skipped;
        private String stopReason;
        private int earlyStopEpoch;

        private Session(Flow flow, Dataset.Split split, double[] trainWeights, double[] validWeights) {
            if (split.first().dim() != flow.dim() || split.second().dim() != flow.dim()) {
                throw new IllegalArgumentException("data have dimension " + split.first().dim()
                        + ", flow has dimension " + flow.dim());
            }
            if (split.first().size() < 1 || split.second().size() < 1) {
                throw new IllegalArgumentException("need at least one training and one validation point");
            }
            this.flow = flow;
            this.p = flow.parameters();
            this.train = split.first();
            this.valid = split.second();
            int bs = options.batchSize();
            this.batches = options.reshuffle()
                    ? MiniBatches.reshuffled(train.size(), bs, options.seed() + 1)
                    : MiniBatches.fixed(train.size(), bs);
            this.validBatches = MiniBatches.fixed(valid.size(), bs);
            int cap = Math.min(bs, Math.max(train.size(), valid.size()));
            this.adam = new Adam(p.size(), options.learningRate(), options.weightDecay());
            this.ws = flow.workspace(cap, options.precision());
            this.batch = new double[cap * flow.dim()];
            this.trainWeights = trainWeights;
            this.validWeights = validWeights;
            this.batchWeights = trainWeights == null ? null : new double[cap];
            this.lastGood = new double[p.size()];
            this.trainLosses = new double[options.epochs()];
            this.validLosses = new double[options.epochs()];
            this.totalSteps = (long) options.epochs() * batches.batchCount();
            this.swap = options.emaDecay() > 0 ? new double[p.size()] : null;
        }

        /**
         * Data-dependent initialisation of a freshly created flow ({@link Flow#initializeFromData}, e.g. ActNorm) on
         * the first training batch, before the first epoch. Not for a flow that has been trained already: it would
         * reset such layers.
         */
        public void initializeFromFirstBatch() {
            if (epoch > 0) {
                throw new IllegalStateException("data-dependent initialisation comes before the first epoch");
            }
            int m = Math.min(options.batchSize(), train.size());
            train.copyRows(0, m, batch);
            flow.initializeFromData(batch, m);
        }

        public Dataset trainSet() {
            return train;
        }

        public Dataset validSet() {
            return valid;
        }

        /** Epochs finished. */
        public int epochsDone() {
            return epoch;
        }

        public boolean finished() {
            return epoch >= options.epochs() || stopReason != null || earlyStopEpoch > 0;
        }

        /** Why the run stopped abnormally (a non-finite loss, a request), or null. Early stopping is not abnormal. */
        public String stopReason() {
            return stopReason;
        }

        /** Batches skipped so far because their loss or gradient was not finite. */
        public long skippedBatches() {
            return skipped;
        }

        private double learningRate(long step) {
            if (options.schedule() == Schedule.CONSTANT) {
                return options.learningRate();
            }
            double f = Math.min(1.0, (double) step / totalSteps);
            return options.learningRate() * 0.5 * (1 + Math.cos(Math.PI * f));
        }

        /**
         * Runs one epoch: training steps over every batch, then the validation loss. Returns false (and sets
         * {@link #stopReason()}) when training had to stop on a non-finite loss or gradient; the weights are then
         * those after the previous epoch.
         */
        public boolean runEpoch() {
            if (finished()) {
                throw new IllegalStateException("training has finished");
            }
            long t0 = System.nanoTime();
            int e = epoch + 1;
            System.arraycopy(p.values(), 0, lastGood, 0, lastGood.length);
            batches.startEpoch();
            int[] order = batches.order();
            double sum = 0;
            int nb = batches.batchCount();
            int good = 0;
            for (int b = 0; b < nb; b++) {
                int from = batches.from(b);
                int to = batches.to(b);
                train.copyRows(order, from, to, batch);
                double loss;
                if (trainWeights == null) {
                    loss = flow.lossAndGradient(batch, to - from, ws);
                } else {
                    double total = 0;
                    for (int r = from; r < to; r++) {
                        batchWeights[r - from] = trainWeights[order[r]];
                        total += batchWeights[r - from];
                    }
                    if (total == 0) {
                        continue;
                    }
                    loss = flow.lossAndGradient(batch, batchWeights, to - from, ws);
                }
                boolean finite = Double.isFinite(loss) && clipGradient();
                if (!finite) {
                    if (options.skipNonFinite()) {
                        skipped++;
                        continue;
                    }
                    if (!Double.isFinite(loss)) {
                        return fail("epoch " + e + ": the training loss (" + loss + ") of batch " + (b + 1) + " of "
                                + nb + " is not finite");
                    }
                    return fail("epoch " + e + ": the gradient of batch " + (b + 1) + " of " + nb
                            + " is not finite");
                }
                long step = adam.steps();
                if (!adam.step(p, learningRate(step))) {
                    if (options.skipNonFinite()) {
                        // the update overflowed: undo this epoch's damage by returning to the epoch's start
                        p.copyFrom(lastGood);
                        skipped++;
                        continue;
                    }
                    return fail("epoch " + e + ": the gradient of batch " + (b + 1) + " of " + nb
                            + " is not finite");
                }
                if (swap != null) {
                    average();
                }
                sum += loss;
                good++;
            }
            if (good == 0) {
                return fail("epoch " + e + ": the loss or gradient of every batch was not finite");
            }
            double trainLoss = sum / good;
            if (swap != null) {
                // evaluate (and snapshot) the averaged weights; training goes on from the raw ones
                System.arraycopy(p.values(), 0, swap, 0, swap.length);
                p.copyFrom(average);
            }
            double validLoss = validationLoss();
            if (!Double.isFinite(validLoss)) {
                return fail("epoch " + e + ": the validation loss is not finite (" + validLoss + ")");
            }
            trainLosses[epoch] = trainLoss;
            validLosses[epoch] = validLoss;
            epoch = e;
            if (validLoss < bestValid) {
                bestValid = validLoss;
                bestEpoch = e;
                if (best == null) {
                    best = new double[p.size()];
                }
                System.arraycopy(p.values(), 0, best, 0, best.length);
            } else if (options.patience() > 0 && e - bestEpoch >= options.patience() && e < options.epochs()) {
                earlyStopEpoch = e;
            }
            if (swap != null) {
                p.copyFrom(swap);
            }
            elapsedNanos += System.nanoTime() - t0;
            return true;
        }

        /** θ̄ ← β·θ̄ + (1 − β)·θ (θ̄ starts at the weights after the first step). */
        private void average() {
            double[] v = p.values();
            if (average == null) {
                average = v.clone();
                return;
            }
            double b = options.emaDecay();
            double c = 1 - b;
            for (int k = 0; k < v.length; k++) {
                average[k] = b * average[k] + c * v[k];
            }
        }

        /** Scales the gradient to the clipping norm when it is longer; false when it is not finite. */
        private boolean clipGradient() {
            double[] g = p.gradients();
            if (options.clipNorm() <= 0) {
                // Without skipping, a non-finite gradient needs no pass of its own: it makes Adam's update non-finite,
                // which Adam reports, and the run stops with the same message.
                return !options.skipNonFinite() || p.gradientsFinite();
            }
            double s = 0;
            for (double v : g) {
                s += v * v;
            }
            if (!Double.isFinite(s)) {
                return false;
            }
            double norm = Math.sqrt(s);
            if (norm > options.clipNorm()) {
                double c = options.clipNorm() / norm;
                for (int k = 0; k < g.length; k++) {
                    g[k] *= c;
                }
            }
            return true;
        }

        private boolean fail(String why) {
            p.copyFrom(lastGood);
            stopReason = "training stopped at " + why + "; keeping the weights from "
                    + (epoch == 0 ? "before training" : "after epoch " + epoch);
            return false;
        }

        /**
         * The current weights' mean validation loss: mean over fixed-order batches of the batch-mean NLL (the
         * networks' products in the training precision).
         */
        public double validationLoss() {
            double sum = 0;
            int nb = validBatches.batchCount();
            int[] order = validBatches.order();
            double weighted = 0;
            double total = 0;
            for (int b = 0; b < nb; b++) {
                int from = validBatches.from(b);
                int to = validBatches.to(b);
                valid.copyRows(order, from, to, batch);
                sum += flow.meanNegLogLikelihood(batch, to - from, ws);
                if (validWeights != null) {
                    for (int r = from; r < to; r++) {
                        double w = validWeights[order[r]];
                        if (w != 0) {
                            weighted -= w * ws.logProb(r - from);
                            total += w;
                        }
                    }
                }
            }
            if (validWeights != null) {
                return total > 0 ? weighted / total : sum / nb;
            }
            return sum / nb;
        }

        /** Runs the remaining epochs, then {@link #finish}. */
        public TrainingResult run(TrainingListener listener) {
            listener.onStart(new TrainingListener.Plan(epoch + 1, options.epochs(), train.size(), valid.size(),
                    batches.batchCount()));
            while (!finished()) {
                if (!runEpoch()) {
                    break;
                }
                boolean go = listener.onEpoch(new TrainingListener.Epoch(epoch, options.epochs(),
                        trainLosses[epoch - 1], validLosses[epoch - 1], bestEpoch, bestValid, elapsedNanos));
                if (!go && !finished()) {
                    stopReason = "training stopped by request after epoch " + epoch;
                }
            }
            TrainingResult r = finish();
            listener.onFinish(r);
            return r;
        }

        /** Puts the selected weights in the model and summarises the run. */
        public TrainingResult finish() {
            Selection sel = options.selection();
            if (sel == Selection.NOTEBOOK) {
                sel = valid.size() < NOTEBOOK_MIN_VALIDATION ? Selection.FINAL : Selection.BEST;
            }
            TrainingResult.Weights w = TrainingResult.Weights.FINAL;
            double finalValid = epoch > 0 ? validLosses[epoch - 1] : Double.NaN;
            if (sel == Selection.BEST && best != null) {
                p.copyFrom(best);
                w = TrainingResult.Weights.BEST;
            } else if (average != null) {
                p.copyFrom(average);
            }
            return new TrainingResult(Arrays.copyOf(trainLosses, epoch), Arrays.copyOf(validLosses, epoch),
                    bestEpoch, bestEpoch == 0 ? Double.NaN : bestValid, finalValid, elapsedNanos * 1e-9, w, epoch,
                    options.epochs(), train.size(), valid.size(), stopReason, skipped, earlyStopEpoch);
        }

        /** A snapshot of everything needed to continue this run later. */
        public State state() {
            return new State(epoch, p.values(), adam.state(), best, bestEpoch, bestValid,
                    Arrays.copyOf(trainLosses, epoch), Arrays.copyOf(validLosses, epoch), batches.rngState(),
                    elapsedNanos, average, skipped);
        }

        /**
         * Continues from a {@link #state()} taken with the same options, data and architecture: restores weights,
         * optimizer, best snapshot, losses and the shuffling stream.
         */
        public void restore(State s) {
            if (s.weights().length != p.size()) {
                throw new IllegalArgumentException("state holds " + s.weights().length + " weights, model has "
                        + p.size());
            }
            if (s.epochsDone() > options.epochs()) {
                throw new IllegalArgumentException("state has " + s.epochsDone() + " epochs done, more than the "
                        + options.epochs() + " planned");
            }
            if ((s.shuffle() != null) != options.reshuffle()) {
                throw new IllegalArgumentException("state was saved with reshuffle=" + (s.shuffle() != null)
                        + ", options say " + options.reshuffle());
            }
            p.copyFrom(s.weights());
            adam.restore(s.adam());
            best = s.bestWeights();
            bestEpoch = s.bestEpoch();
            bestValid = s.bestValidLoss();
            epoch = s.epochsDone();
            System.arraycopy(s.trainLosses(), 0, trainLosses, 0, epoch);
            System.arraycopy(s.validLosses(), 0, validLosses, 0, epoch);
            if (s.shuffle() != null) {
                batches = MiniBatches.reshuffled(train.size(), options.batchSize(),
                        NumpyRandomState.fromState(s.shuffle()));
            }
            elapsedNanos = s.elapsedNanos();
            average = s.averageWeights();
            skipped = s.skippedBatches();
            stopReason = null;
        }
    }
}

package org.kdeflow.cli.homework;

import java.util.List;
import org.kdeflow.nn.Precision;

/**
 * The homework's settings. {@link #full} is the homework as written; {@link #quick} runs the same pipeline with
 * smaller samples and few epochs (for tests and a first look).
 *
 * <p>Seeds: {@code seed} is the data seed (the notebook's {@code sample_2d_datasets(seed=0)} and Part I's samples);
 * fresh test samples use {@code seed + 1} (the "seed 1" by default); model initialisation uses
 * {@code seed + 8} (the notebook's {@code torch.manual_seed(8)}).
 *
 * @param quick whether this is the reduced run
 * @param seed the data seed
 * @param partOneN Part I sample size (10000)
 * @param partOneH the bandwidths compared in Part I Task 3 (0.1, 0.5, 1)
 * @param grid points per axis of every density image (100)
 * @param heldOutN Part I held-out samples per distribution
 * @param curveH number of bandwidths on the bias–variance curve
 * @param toyN Part II Task 1 sample size (1000)
 * @param testN fresh samples each model is scored on (20000)
 * @param layerSamples samples drawn through the layers for the panels (1000)
 * @param epochScale factor on every epoch count (1 for the homework)
 * @param nScale factor on every Part II training-set size (1 for the homework)
 * @param trainSeeds training seeds per configuration of Tasks 10–12: modelSeed, modelSeed + 1, …; the first is the
 *     one the figures and model files show (Task 9 trains with the first only)
 * @param precision the arithmetic of the networks' products in training (F32: PyTorch's default, as the notebook
 *     trains); models are scored and saved in double either way
 * @param beyond whether to add "Beyond the homework" (the spline flow and fit's choice on the Task 9 sets)
 */
public record HomeworkConfig(boolean quick, long seed, int partOneN, List<Double> partOneH, int grid, int heldOutN,
        int curveH, int toyN, int testN, int layerSamples, double epochScale, double nScale, int trainSeeds,
        Precision precision, boolean beyond) {

    /** The most training seeds a configuration may have. */
    public static final int MAX_TRAIN_SEEDS = 16;

    public HomeworkConfig {
        if (seed < 0 || seed > 0xFFFF_FFFFL - 8 - MAX_TRAIN_SEEDS) {
            throw new IllegalArgumentException("--seed must be in 0.." + (0xFFFF_FFFFL - 8 - MAX_TRAIN_SEEDS)
                    + " (numpy's seed range, less the training seeds), got " + seed);
        }
        if (trainSeeds < 1 || trainSeeds > MAX_TRAIN_SEEDS) {
            throw new IllegalArgumentException("training seeds must be 1.." + MAX_TRAIN_SEEDS + ", got " + trainSeeds);
        }
        if (precision == null) {
            throw new IllegalArgumentException("precision must not be null");
        }
        partOneH = List.copyOf(partOneH);
    }

    /** The homework's settings. */
    public static HomeworkConfig full(long seed) {
        return new HomeworkConfig(false, seed, 10_000, List.of(0.1, 0.5, 1.0), 100, 4000, 16, 1000, 20_000, 1000,
                1.0, 1.0, 5, Precision.F32, false);
    }

    /** The same pipeline, small: 6 % of Part I's samples, 1/10 of Part II's, 1/50 of the epochs, a 32×32 grid. */
    public static HomeworkConfig quick(long seed) {
        return new HomeworkConfig(true, seed, 600, List.of(0.1, 0.5, 1.0), 32, 500, 6, 200, 1000, 200,
                0.02, 0.1, 2, Precision.F32, false);
    }

    public long testSeed() {
        return seed + 1;
    }

    public long modelSeed() {
        return seed + 8;
    }

    /** These settings with "Beyond the homework" on or off. */
    public HomeworkConfig withBeyond(boolean on) {
        return new HomeworkConfig(quick, seed, partOneN, partOneH, grid, heldOutN, curveH, toyN, testN, layerSamples,
                epochScale, nScale, trainSeeds, precision, on);
    }

    /** The training seeds of Tasks 10–12, the headline one first. */
    public long[] trainingSeeds() {
        long[] s = new long[trainSeeds];
        for (int k = 0; k < trainSeeds; k++) {
            s[k] = modelSeed() + k;
        }
        return s;
    }

    /** An epoch count of the homework scaled for this run (at least 2). */
    public int epochs(int homeworkEpochs) {
        return Math.max(2, (int) Math.round(homeworkEpochs * epochScale));
    }

    /** A training-set size of the homework scaled for this run (at least 100). */
    public int n(int homeworkN) {
        return Math.max(100, (int) Math.round(homeworkN * nScale));
    }
}

package org.kdeflow.spark;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.train.Trainer;

/**
 * Fitting a model to data that do not fit one machine: fit on a uniform sample collected to the driver, then score
 * everywhere ({@link Scoring}).
 *
 * <p>Why a sample: training a flow is a long sequence of small gradient steps, each depending on the last; spreading
 * one step over a cluster costs more in communication than the step itself, while a flow of a few thousand
 * parameters stops gaining from more data long before 10⁹ rows. The trade-off: a model trained on m rows sees
 * rare regions through m rows only — a tail holding a fraction ε of the mass contributes about ε·m training points,
 * and its density is learned only as well as those allow. Scoring, in contrast, is embarrassingly parallel.
 *
 * <p>The estimator is one function ({@link Estimator}), so any kdeflow estimator plugs in.
 */
public final class DriverTraining {

    /** Fits a density to a sample: today's flow trainer, or any estimator with the same shape. */
    @FunctionalInterface
    public interface Estimator {
        Density fit(org.kdeflow.data.Dataset sample);
    }

    private DriverTraining() {
    }

    /**
     * Fits {@code estimator} on a uniform sample of at most {@code sampleSize} rows of {@code columns}, drawn with
     * {@code seed} (the same seed and partitioning give the same sample, so the same model).
     *
     * @throws IllegalArgumentException if a column is missing or not numeric, a value is not finite, the data have
     *     no rows, or sampleSize &lt; 1
     */
    public static Density fitOnSample(Dataset<Row> data, List<String> columns, int sampleSize, long seed,
                                      Estimator estimator) {
        if (sampleSize < 1) {
            throw new IllegalArgumentException("the training sample needs at least 1 row, got " + sampleSize);
        }
        return estimator.fit(Samples.uniform(data, columns, null, sampleSize, seed).data());
    }

    /**
     * The homework's coupling flow (K layers, networks d → 32 → 32 → d), initialised from {@code options.seed()} and
     * trained by {@link Trainer} with {@code options}.
     */
    public static Estimator couplingFlow(int layers, Trainer.Options options) {
        return sample -> {
            CouplingFlow flow = CouplingFlow.create(new CouplingFlow.Architecture(sample.dim(), layers,
                    new int[] {32, 32}), options.seed());
            new Trainer(options).fit(flow, sample);
            return flow;
        };
    }
}

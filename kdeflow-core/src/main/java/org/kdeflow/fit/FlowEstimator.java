package org.kdeflow.fit;

import java.util.Objects;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.flow.Flow;
import org.kdeflow.flow.Flows;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingResult;

/**
 * A preset flow ({@link Flows}) trained by maximum likelihood with a {@link Trainer} recipe — by default the robust
 * one. The flow is built for the data it is fitted to (its standardisation uses those points only) and initialised
 * from {@code seed}; training stops early on the recipe's validation split and keeps the best weights.
 *
 * @param name the name in reports (default: the preset's label)
 * @param config the preset
 * @param options the training recipe
 * @param seed initialises the flow (the split is seeded by the options)
 */
public record FlowEstimator(String name, Flows.Config config, Trainer.Options options, long seed)
        implements DensityEstimator {

    /**
     * Effective arithmetic rate assumed for the cost model of {@link #expectedSeconds} (floating-point operations per
     * second on one core; about two thirds of what a spline flow's training reached on this 2-core machine, so plans
     * err towards fewer candidates).
     */
    static final double ASSUMED_FLOPS = 6e9;

    public FlowEstimator {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(options, "options");
    }

    /** The preset trained with the robust recipe, named by its label. */
    public static FlowEstimator robust(Flows.Config config, long seed) {
        return new FlowEstimator(config.label(), config, Trainer.Options.robust(), seed);
    }

    /** The untrained flow this estimator starts from for {@code data}. */
    public Flow initial(Dataset data) {
        return Flows.create(config, data, seed);
    }

    @Override
    public Density fit(Dataset data, double[] weights) {
        Flow flow = initial(data);
        train(flow, data, weights);
        return flow;
    }

    /**
     * Trains {@code flow} (fresh from {@link #initial}) in place: its data-dependent initialisation on the first
     * training batch, then the recipe; returns the run's summary.
     */
    public TrainingResult train(Flow flow, Dataset data, double[] weights) {
        Trainer.Session session = new Trainer(options).start(flow, data, weights);
        session.initializeFromFirstBatch();
        TrainingResult r = session.run(org.kdeflow.train.TrainingListener.NONE);
        if (!r.completed()) {
            throw new IllegalArgumentException(name + ": " + r.stopReason());
        }
        return r;
    }

    /** Parameter count of the preset for d dimensions. */
    long parameters(int d) {
        Dataset probe = Dataset.of(probeData(d), 2, d);
        return Flows.create(config, probe, 0).parameters().size();
    }

    private static double[] probeData(int d) {
        double[] x = new double[2 * d];
        for (int j = 0; j < d; j++) {
            x[d + j] = 1;
        }
        return x;
    }

    /**
     * Cost model: each training row costs about 6 floating-point operations per parameter (forward, weight and input
     * gradients of the conditioners) plus the spline's element-wise work, every validation row 2 per parameter, over
     * the recipe's epochs, at {@link #ASSUMED_FLOPS} (float32 products: 0.7 of the time). With early stopping a run
     * usually ends well before the planned epochs; the estimate assumes half of them.
     */
    @Override
    public double expectedSeconds(int n, int d) {
        double p = parameters(d);
        double rows = n * options.trainFraction() * 6 + n * (1 - options.trainFraction()) * 2;
        double epochs = options.patience() > 0 ? options.epochs() * 0.5 : options.epochs();
        double precision = options.precision() == org.kdeflow.nn.Precision.F32 ? 0.7 : 1.0;
        return precision * epochs * rows * (p + 40.0 * config.bins() * d) / ASSUMED_FLOPS;
    }

    /** More parameters, more cost; flows always cost more than a KDE's bandwidth search. */
    @Override
    public double cost() {
        return 10 + Math.log10(Math.max(10, parameters(2)));
    }

    @Override
    public long parameterCount(Density fitted) {
        return fitted instanceof Flow f ? f.parameters().size() : 0;
    }
}

package org.kdeflow.cli.homework;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.cli.homework.PartTwoSpecs.Spec;
import org.kdeflow.cli.homework.PartTwoSpecs.Toy;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Entropy;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.BandwidthSelectors;
import org.kdeflow.kde.Kernel;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.train.Trainer;
import org.kdeflow.train.TrainingResult;

/**
 * Part II's numbers: each configuration's flow trained by the notebook's loop for every training seed, scored on
 * fresh samples; the likelihood-cross-validated KDE of each training set; the entropy floor of each distribution.
 *
 * <p>Configurations that differ only in their number of epochs share one run. The notebook's loop has a constant
 * learning rate and a fixed batch order, so the weights and losses after e epochs of a longer run are, bit for bit,
 * those of a run of e epochs ({@code PartTwoExperimentsTest}); a run is read at each epoch count a task asks for.
 * (Task 9's GaussiansRot(5), Task 10's K = 4 and Task 11's N = 1500 are one run read at 500, 250 and 400 epochs.)
 */
final class PartTwoExperiments {
    private PartTwoExperiments() {
    }

    /**
     * A model's log-density at the fresh test points and its summaries.
     *
     * @param nll the mean negative log-likelihood (nats per point)
     * @param standardError sd(log p)/√n
     * @param q01 the 1 % quantile of log p
     * @param median the median of log p
     * @param logp log p at every test point (in the test set's order)
     */
    record Scores(double nll, double standardError, double q01, double median, double[] logp) {
        static Scores of(double[] lp) {
            double nll = 0;
            for (double v : lp) {
                nll -= v;
            }
            nll /= lp.length;
            double[] sorted = lp.clone();
            Arrays.sort(sorted);
            double q01 = sorted[(int) Math.floor(0.01 * (sorted.length - 1))];
            double median = sorted[sorted.length / 2];
            double var = 0;
            for (double v : lp) {
                var += (v + nll) * (v + nll);
            }
            double se = Math.sqrt(var / (lp.length - 1) / lp.length);
            return new Scores(nll, se, q01, median, lp);
        }
    }

    /**
     * One trained model.
     *
     * @param seed the training seed (weights, split)
     * @param density p(x) on the toy's grid (only for the headline seed, else null)
     */
    record Trained(Spec spec, long seed, TrainingResult result, Scores scores, double[] density) {
    }

    /**
     * The KDE with the leave-one-out likelihood-cross-validated h fitted to a training set.
     *
     * @param density f̂ on the toy's grid
     */
    record KdeFit(double h, double nll, double[] density) {
    }

    /**
     * One run of the notebook's loop: a training set, a depth and a seed, read after each spec's epochs.
     *
     * @param readings the specs this run answers, by increasing epochs
     * @param headline whether this is the headline seed (figures, model files)
     */
    record Training(Toy toy, int n, int layers, long seed, List<Spec> readings, boolean headline) {
        int epochs() {
            return readings.get(readings.size() - 1).epochs();
        }

        /** A name for the progress display and the timings. */
        String name() {
            return String.join("+", readings.stream().map(Spec::id).toList()) + (headline ? "" : " seed " + seed);
        }

        /** Relative cost: millions of sample-layer-epochs (Moons' 1000 epochs of 1500 points with K = 4 is 6). */
        double cost() {
            return (double) n * epochs() * layers / 1e6;
        }
    }

    /**
     * The runs for {@code specs}: every spec with the headline seed, and those of Tasks 10–12 with every further
     * training seed; specs with the same data, depth and seed share a run.
     */
    static List<Training> trainings(List<Spec> specs, HomeworkConfig c) {
        List<Training> out = new ArrayList<>();
        long[] seeds = c.trainingSeeds();
        for (int k = 0; k < seeds.length; k++) {
            Map<String, List<Spec>> groups = new LinkedHashMap<>();
            for (Spec s : specs) {
                if (k == 0 || !s.task().equals("task9")) {
                    groups.computeIfAbsent(s.toy().key() + "/" + s.n() + "/" + s.layers(), x -> new ArrayList<>())
                            .add(s);
                }
            }
            for (List<Spec> g : groups.values()) {
                List<Spec> byEpochs = new ArrayList<>(g);
                byEpochs.sort(Comparator.comparingInt(Spec::epochs));
                Spec first = byEpochs.get(0);
                out.add(new Training(first.toy(), first.n(), first.layers(), seeds[k], byEpochs, k == 0));
            }
        }
        return out;
    }

    /** What a reading hands back besides its scores: the flow, for the headline's figures and model file. */
    @FunctionalInterface
    interface Reader {
        void read(Spec spec, CouplingFlow flow, TrainingResult result) throws Exception;
    }

    /**
     * Trains one run and reads it after each spec's epochs: the selected weights (the homework's rule) are scored
     * on {@code test}, handed to {@code reader} and, for the headline seed, evaluated on the grid.
     *
     * @param stop polled after every epoch; true stops the run with an exception
     * @param status told "epoch/epochs" now and then
     */
    static List<Trained> train(Training t, HomeworkConfig c, Dataset test, Reader reader,
            java.util.function.BooleanSupplier stop, java.util.function.Consumer<String> status) throws Exception {
        Dataset data = t.toy().sample(t.n(), c.seed());
        CouplingFlow flow = CouplingFlow.homework(t.layers(), t.seed());
        Trainer trainer = new Trainer(Trainer.Options.defaults().withEpochs(t.epochs()).withSeed(t.seed())
                .withPrecision(c.precision()));
        Trainer.Session session = trainer.start(flow, data);
        int every = Math.max(1, t.epochs() / 50);
        List<Trained> out = new ArrayList<>();
        for (Spec s : t.readings()) {
            while (session.epochsDone() < s.epochs()) {
                if (!session.runEpoch()) {
                    throw new IllegalStateException(s.id() + ": " + session.stopReason());
                }
                if (session.epochsDone() % every == 0) {
                    status.accept(session.epochsDone() + "/" + t.epochs());
                }
                if (stop.getAsBoolean()) {
                    throw new IllegalStateException(s.id() + ": training stopped after epoch " + session.epochsDone()
                            + " because another job failed");
                }
            }
            out.add(read(session, flow, s, t, c, test, reader));
        }
        return out;
    }

    /** The model a run of {@code s.epochs()} epochs would have returned; the session goes on afterwards. */
    private static Trained read(Trainer.Session session, CouplingFlow flow, Spec s, Training t, HomeworkConfig c,
            Dataset test, Reader reader) throws Exception {
        Trainer.State state = session.state();
        TrainingResult r = session.finish(); // puts the weights the homework's rule selects in the flow
        r = new TrainingResult(r.trainLosses(), r.validLosses(), r.bestEpoch(), r.bestValidLoss(),
                r.finalValidLoss(), r.wallSeconds(), r.returned(), r.epochsRun(), s.epochs(), r.trainSize(),
                r.validSize(), r.stopReason(), r.skippedBatches(), r.earlyStopEpoch());
        Scores scores = Scores.of(flow.logDensity(test));
        double[] density = null;
        if (t.headline()) {
            Grid grid = PartTwoSpecs.grid(s.toy(), c);
            density = flow.density(grid.points(), grid.size());
        }
        reader.read(s, flow, r);
        session.restore(state); // the run continues from the last epoch's weights
        return new Trained(s, t.seed(), r, scores, density);
    }

    /** The likelihood-cross-validated KDE of a training set, scored on {@code test} and evaluated on the grid. */
    static KdeFit kde(Toy toy, int n, HomeworkConfig c, Dataset test) {
        Dataset data = toy.sample(n, c.seed());
        KernelDensity kde = KernelDensity.of(data, BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR,
                Kernel.GAUSSIAN, 500)).withThreads(1);
        Grid grid = PartTwoSpecs.grid(toy, c);
        return new KdeFit(kde.bandwidth().diagonal()[0], -kde.meanLogDensity(test), kde.densityOnGrid(grid));
    }

    /** The limit density's differential entropy, by the trapezoidal rule on a 200×200 grid over its window. */
    static double entropy(Toy t) {
        double[] w = t.window();
        double pad = 0.6;
        return Entropy.onGrid(t.limit(), new Grid(w[0] - pad, w[1] + pad, w[2] - pad, w[3] + pad, 200, 200));
    }
}

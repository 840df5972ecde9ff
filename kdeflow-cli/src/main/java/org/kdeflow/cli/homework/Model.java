package org.kdeflow.cli.homework;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.kdeflow.cli.homework.PartTwoExperiments.KdeFit;
import org.kdeflow.cli.homework.PartTwoExperiments.Scores;
import org.kdeflow.cli.homework.PartTwoExperiments.Trained;
import org.kdeflow.cli.homework.PartTwoSpecs.Spec;
import org.kdeflow.train.TrainingResult;

/**
 * One configuration of Part II as the figures and the text read it: its trainings, one per training seed (the
 * headline seed first: the one the figures, tables and model files show), the KDE of the same training set and the
 * distribution's entropy floor. The gap = NLL − floor estimates KL(p‖model).
 */
record Model(Spec spec, List<Trained> seeds, KdeFit kde, double entropy) {

    Model {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException(spec.id() + ": no trainings");
        }
        seeds = List.copyOf(seeds);
    }

    /** The headline training. */
    Trained headline() {
        return seeds.get(0);
    }

    TrainingResult result() {
        return headline().result();
    }

    Scores scores() {
        return headline().scores();
    }

    double testNll() {
        return scores().nll();
    }

    double gap() {
        return testNll() - entropy;
    }

    double kdeGap() {
        return kde.nll() - entropy;
    }

    double[] density() {
        return headline().density();
    }

    /** A measure of every training seed's model. */
    Spread overSeeds(ToDoubleFunction<Trained> measure) {
        double[] v = new double[seeds.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = measure.applyAsDouble(seeds.get(k));
        }
        return new Spread(v);
    }

    /** The test NLL over seeds. */
    Spread nllOverSeeds() {
        return overSeeds(t -> t.scores().nll());
    }

    /** The gap to the entropy floor over seeds. */
    Spread gapOverSeeds() {
        return overSeeds(t -> t.scores().nll() - entropy);
    }

    /** The median log p over seeds. */
    Spread medianOverSeeds() {
        return overSeeds(t -> t.scores().median());
    }

    /** The 1 % quantile of log p over seeds. */
    Spread q01OverSeeds() {
        return overSeeds(t -> t.scores().q01());
    }

    /** The final training loss over seeds. */
    Spread trainLossOverSeeds() {
        return overSeeds(t -> Stats.last(t.result().trainLosses()));
    }

    /**
     * The standard error of the seed-averaged test NLL that comes from the finite test set alone: sd over the test
     * points of the seeds' mean log p, over √n (the headline's own standard error without per-point values).
     */
    double testPointStandardError() {
        if (scores().logp() == null || seeds.size() == 1) {
            return scores().standardError();
        }
        return pointError(meanLogp());
    }

    /** Per test point, the mean over the training seeds of log p (a new array; needs per-point values). */
    double[] meanLogp() {
        double[] u = new double[scores().logp().length];
        for (Trained t : seeds) {
            double[] lp = t.scores().logp();
            for (int i = 0; i < u.length; i++) {
                u[i] += lp[i] / seeds.size();
            }
        }
        return u;
    }

    /** The standard error of a mean over test points: their sd over √n. */
    static double pointError(double[] perPoint) {
        return new Spread(perPoint).sd() / Math.sqrt(perPoint.length);
    }

    /** Summaries of a measure over training seeds. */
    record Spread(double[] values) {
        Spread {
            values = values.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }

        int count() {
            return values.length;
        }

        double mean() {
            double s = 0;
            for (double v : values) {
                s += v;
            }
            return s / values.length;
        }

        /** The sample standard deviation (n − 1 in the denominator; 0 for one value). */
        double sd() {
            if (values.length < 2) {
                return 0;
            }
            double m = mean();
            double s = 0;
            for (double v : values) {
                s += (v - m) * (v - m);
            }
            return Math.sqrt(s / (values.length - 1));
        }

        /** The median (the mean of the middle two for an even count). */
        double median() {
            double[] v = values.clone();
            java.util.Arrays.sort(v);
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        }

        double min() {
            double m = Double.POSITIVE_INFINITY;
            for (double v : values) {
                m = Math.min(m, v);
            }
            return m;
        }

        double max() {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                m = Math.max(m, v);
            }
            return m;
        }
    }
}

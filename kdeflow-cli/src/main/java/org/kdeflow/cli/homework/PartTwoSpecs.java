package org.kdeflow.cli.homework;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.kdeflow.cli.common.Distribution;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.data.ToyDatasets.Kind;
import org.kdeflow.density.Density;

/** What Part II trains: the toy distributions and the configurations of Tasks 9–12. */
final class PartTwoSpecs {
    private PartTwoSpecs() {
    }

    /** The tasks with trainings, in report order. */
    static final List<String> TASKS = List.of("task9", "task10", "task11", "task12");

    /** A toy distribution: the data set's kind and number of Gaussians (GaussiansRot only). */
    record Toy(Kind kind, int gaussians) {
        String key() {
            return kind == Kind.GAUSSIANS_ROT ? kind.homeworkName() + gaussians : kind.homeworkName();
        }

        String label() {
            return kind == Kind.GAUSSIANS_ROT ? kind.homeworkName() + "(" + gaussians + ")" : kind.homeworkName();
        }

        /** The N → ∞ density of the toy set. */
        Density limit() {
            return Distribution.of(kind).truth(new Distribution.Params(gaussians, null));
        }

        /** n points exactly as the notebook's {@code sample_2d_datasets} draws them with {@code seed}. */
        Dataset sample(int n, long seed) {
            return ToyDatasets.sample2dDatasets(kind, n, seed, gaussians);
        }

        /** A window around the data for the density images and the entropy integral: {x0, x1, y0, y1}. */
        double[] window() {
            return switch (kind) {
                case CIRCLES -> new double[] {-1.6, 1.6, -1.6, 1.6};
                case MOONS -> new double[] {-1.6, 2.6, -1.1, 1.6};
                case GAUSSIANS_GRID -> new double[] {-2.2, 4.2, -2.2, 4.2};
                case GAUSSIANS_ROT -> new double[] {-4.2, 4.2, -4.2, 4.2};
            };
        }
    }

    /**
     * One training the homework asks for.
     *
     * @param task {@code task9} … {@code task12}
     * @param id the model's name in files and metrics ({@code t9-Moons}, {@code t10-K2})
     * @param label its name in the text ({@code K = 2})
     * @param n the training-set size
     * @param layers K, the number of coupling layers
     * @param epochs the number of epochs
     */
    record Spec(String task, String id, String label, Toy toy, int n, int layers, int epochs) {
    }

    static final Toy ROT5 = new Toy(Kind.GAUSSIANS_ROT, 5);

    /** The homework's trainings, in report order, scaled by the run's settings. */
    static List<Spec> specs(HomeworkConfig c) {
        List<Spec> s = new ArrayList<>();
        for (Kind k : Kind.values()) {
            Toy toy = new Toy(k, 5);
            s.add(new Spec("task9", "t9-" + toy.key(), toy.label(), toy, c.n(1500), 4,
                    c.epochs(k == Kind.MOONS ? 1000 : 500)));
        }
        s.add(new Spec("task10", "t10-K2", "K = 2", ROT5, c.n(1500), 2, c.epochs(250)));
        s.add(new Spec("task10", "t10-K4", "K = 4", ROT5, c.n(1500), 4, c.epochs(250)));
        s.add(new Spec("task11", "t11-N1500", "N = " + c.n(1500), ROT5, c.n(1500), 4, c.epochs(400)));
        s.add(new Spec("task11", "t11-N3000", "N = " + c.n(3000), ROT5, c.n(3000), 4, c.epochs(400)));
        s.add(new Spec("task12", "t12-G3", "3 Gaussians", new Toy(Kind.GAUSSIANS_ROT, 3), c.n(1500), 4,
                c.epochs(250)));
        s.add(new Spec("task12", "t12-G7", "7 Gaussians", new Toy(Kind.GAUSSIANS_ROT, 7), c.n(1500), 4,
                c.epochs(250)));
        return s;
    }

    /** The specs of one task, in report order. */
    static List<Spec> of(List<Spec> specs, String task) {
        return specs.stream().filter(s -> s.task().equals(task)).toList();
    }

    /** Distinct limit densities of the specs, in first-use order. */
    static Map<String, Toy> toys(List<Spec> specs) {
        Map<String, Toy> toys = new LinkedHashMap<>();
        for (Spec s : specs) {
            toys.put(s.toy().key(), s.toy());
        }
        return toys;
    }

    /** A task's title in captions. */
    static String title(String task) {
        return switch (task) {
            case "task9" -> "Task 9";
            case "task10" -> "Task 10: GaussiansRot(5), K = 2 and K = 4";
            case "task11" -> "Task 11: GaussiansRot(5), N = 1500 and N = 3000";
            default -> "Task 12: GaussiansRot with 3 and 7 Gaussians";
        };
    }

    /** The grid of a toy's density images. */
    static Grid grid(Toy t, HomeworkConfig c) {
        double[] w = t.window();
        return new Grid(w[0], w[1], w[2], w[3], c.grid(), c.grid());
    }
}

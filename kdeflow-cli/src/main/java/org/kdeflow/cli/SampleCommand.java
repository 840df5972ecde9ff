package org.kdeflow.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.ToyDatasets;
import org.kdeflow.density.GaussianMixture;
import org.kdeflow.density.Spiral;
import org.kdeflow.random.NumpyRandomState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow sample}: draws points from a named distribution and writes them as CSV ({@code x,y}), optionally
 * with a scatter plot; {@code --all} writes the homework's Task 1 figures.
 */
@Command(name = "sample",
        mixinStandardHelpOptions = true,
        description = {
            "Draw points from a toy data set or a Part I distribution and write them as CSV (x,y).",
            "Toy sets (circles, moons, gaussians-grid, gaussians-rot) are the same points as scikit-learn's "
                + "generators for the same seed; mixture and spiral are the homework's Part I distributions."},
        footer = {"", "Examples:",
            "  kdeflow sample --dist moons --n 1500 --seed 0 --out moons.csv --plot moons.png",
            "  kdeflow sample --dist mixture --sigma 1 --out mix.csv",
            "  kdeflow sample --all --out figures/task1"})
public final class SampleCommand implements Callable<Integer> {

    /** The distributions {@code --dist} accepts, by their command-line names. */
    public static final List<String> NAMES = List.of("circles", "moons", "gaussians-grid", "gaussians-rot",
            "mixture", "spiral");

    /** Default n for the toy sets (the homework's Part II Task 1). */
    public static final int TOY_N = 1000;
    /** Default n for the Part I distributions (the homework's Part I Task 1). */
    public static final int PART1_N = 10000;

    @Option(names = "--dist", paramLabel = "NAME",
            description = "Distribution (case-insensitive): ${COMPLETION-CANDIDATES}; also GaussiansGrid, "
                    + "GaussiansRot.",
            completionCandidates = Names.class)
    String dist;

    @Option(names = "--all", description = "Write the homework's Task 1 samples and figures (PNG and SVG) into the "
            + "folder given by --out: mixture σ = 0.5 and 1 and spiral (n = 10000), the four toy sets (n = 1000).")
    boolean all;

    @Option(names = "--n", paramLabel = "N",
            description = "Number of points (default 1000 for toy sets, 10000 for mixture and spiral).")
    Integer n;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the numpy-compatible random stream, 0 … 2^32-1 (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--num-gaussians", paramLabel = "G", defaultValue = "5",
            description = "Number of gaussians for gaussians-rot (default ${DEFAULT-VALUE}).")
    int numGaussians;

    @Option(names = "--sigma", paramLabel = "S",
            description = "Component std of mixture (default 0.5; the homework also uses 1), or the radial std of "
                    + "spiral (default 0.5, the homework's variance 0.25).")
    Double sigma;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "Output CSV file (a folder with --all).")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE", description = "Also draw a scatter plot (.png or .svg).")
    Path plot;

    @Option(names = "--model", paramLabel = "MODEL.safetensors",
            description = "Sample from a saved flow (kdeflow train --save, or a PyTorch state_dict) instead of "
                    + "--dist; --n defaults to 1000.")
    Path model;

    @Option(names = "--with-log-prob", description = "With --model: add a log_prob column, log p(x) of each point.")
    boolean withLogProb;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Candidates for the help text. */
    static final class Names extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Names() {
            super(NAMES);
        }
    }

    /** Points drawn from a distribution: a file name, a label naming the distribution, the seed and the points. */
    public record Drawn(String name, String label, long seed, Dataset points) {
        /** The label with n and the seed, for a figure's title. */
        public String title() {
            return label + ", n = " + points.size() + ", seed " + seed;
        }
    }

    @Override
    public Integer call() throws IOException {
        if (all) {
            if (dist != null || plot != null || n != null || sigma != null) {
                throw usage("--all draws the homework's fixed set; it cannot be combined with --dist, --n, --sigma "
                        + "or --plot");
            }
            validateCommon();
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw usage("--out " + out + " is a file; --all writes into a folder");
            }
            writeAll(out, seed, numGaussians);
            spec.commandLine().getOut().println("wrote the Task 1 samples and figures to " + out);
            return 0;
        }
        if (model != null || withLogProb) {
            return sampleModel();
        }
        if (dist == null) {
            throw usage("missing --dist NAME (one of " + String.join(", ", NAMES) + "), --model FILE or --all");
        }
        validateCommon();
        if (n != null && n <= 0) {
            throw usage("--n must be a positive number of points, got " + n);
        }
        if (plot != null) {
            checkPlotExtension(plot);
        }
        if (Files.isDirectory(out)) {
            throw usage("--out " + out + " is a folder; give a CSV file name");
        }
        Drawn drawn = draw();
        CsvData.write(out, drawn.points(), List.of("x", "y"));
        if (plot != null) {
            Plots.scatter(drawn.title(), drawn.points().toArray(), drawn.points().size(), null).save(plot);
        }
        spec.commandLine().getOut().println("wrote " + drawn.points().size() + " points to " + out
                + (plot != null ? " and " + plot : ""));
        return 0;
    }

    /** {@code --model}: x ~ the flow (z ~ N(0, I) pushed through the layers), optionally with log p(x). */
    private Integer sampleModel() throws IOException {
        if (model == null) {
            throw usage("--with-log-prob needs --model (the log-probability of a flow's samples)");
        }
        if (dist != null || all || sigma != null) {
            throw usage("--model samples from a saved flow; it cannot be combined with --dist, --all or --sigma");
        }
        validateCommon();
        if (n != null && n <= 0) {
            throw usage("--n must be a positive number of points, got " + n);
        }
        if (plot != null) {
            checkPlotExtension(plot);
        }
        ModelFiles.checkOutputFile(out, "--out");
        org.kdeflow.flow.CouplingFlow flow = ModelFiles.loadModel(model).flow();
        if (plot != null && flow.dim() != 2) {
            throw new InputException("--plot draws 2-D points; the model " + model + " has dimension " + flow.dim());
        }
        int count = n == null ? TOY_N : n;
        var s = flow.sampleWithLogProbability(count, new NumpyRandomState(seed));
        int d = flow.dim();
        List<String> columns = ModelFiles.columns(d);
        if (withLogProb) {
            List<String> c = new ArrayList<>(columns);
            c.add("log_prob");
            ScoreCommand.writeScores(out, s.x().toArray(), count, d, s.logProb(), c);
        } else {
            CsvData.write(out, s.x(), columns);
        }
        if (plot != null) {
            Plots.scatter("Samples of " + model.getFileName() + ", n = " + count + ", seed " + seed,
                    s.x().toArray(), count, null).save(plot);
        }
        spec.commandLine().getOut().println("wrote " + count + " points" + (withLogProb ? " with log_prob" : "")
                + " to " + out + (plot != null ? " and " + plot : ""));
        return 0;
    }

    /** The points this invocation asks for; the single place that decides where samples come from. */
    Drawn draw() {
        return drawDistribution(dist, n, seed, numGaussians, sigma);
    }

    private void validateCommon() {
        if (numGaussians < 1) {
            throw usage("--num-gaussians must be at least 1, got " + numGaussians);
        }
        if (seed < 0 || seed > 0xffffffffL) {
            throw usage("--seed must be between 0 and 2^32-1 (4294967295), got " + seed);
        }
        if (sigma != null && !(sigma > 0 && Double.isFinite(sigma))) {
            throw usage("--sigma must be a positive number, got " + sigma);
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private void checkPlotExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".png") && !name.endsWith(".svg")) {
            throw usage("--plot must name a .png or .svg file, got " + file);
        }
    }

    /**
     * Draws n points (null: the default for the distribution) from a named distribution.
     *
     * @param name  one of {@link #NAMES}, case-insensitive; also the homework's {@code GaussiansGrid},
     *              {@code GaussiansRot}, {@code Circles}, {@code Moons}
     * @param sigma mixture component std or spiral radial std (null: 0.5); not accepted for the toy sets
     * @throws IllegalArgumentException for an unknown name (listing the valid ones) or bad parameters
     */
    public static Drawn drawDistribution(String name, Integer n, long seed, int numGaussians, Double sigma) {
        String key = name.toLowerCase(Locale.ROOT).replace("_", "-");
        switch (key) {
            case "mixture": {
                double s = sigma == null ? 0.5 : sigma;
                int count = n == null ? PART1_N : n;
                Dataset x = GaussianMixture.homework(s).sample(count, new NumpyRandomState(seed));
                return new Drawn("mixture", "Gaussian mixture (σ = " + fmt(s) + ")", seed, x);
            }
            case "spiral": {
                double s = sigma == null ? Spiral.DEFAULT_STD : sigma;
                int count = n == null ? PART1_N : n;
                Dataset x = new Spiral(s).sample(count, new NumpyRandomState(seed));
                return new Drawn("spiral", "Spiral (radial std " + fmt(s) + ")", seed, x);
            }
            default:
                break;
        }
        ToyDatasets.Kind kind;
        try {
            kind = ToyDatasets.Kind.parse(key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown distribution '" + name + "'; valid names: "
                    + String.join(", ", NAMES) + " (also GaussiansGrid, GaussiansRot)");
        }
        if (sigma != null) {
            throw new IllegalArgumentException("--sigma applies to mixture and spiral only; " + kind.cliName()
                    + " uses the homework's fixed noise");
        }
        int count = n == null ? TOY_N : n;
        Dataset x = ToyDatasets.sample2dDatasets(kind, count, seed, numGaussians);
        String label = kind == ToyDatasets.Kind.GAUSSIANS_ROT
                ? kind.homeworkName() + " (" + numGaussians + " gaussians)" : kind.homeworkName();
        return new Drawn(kind.cliName(), label, seed, x);
    }

    private static String fmt(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? String.valueOf((long) v) : String.valueOf(v);
    }

    /**
     * The homework's Task 1: mixture σ = 0.5, mixture σ = 1 and spiral with n = 10000, and the four toy sets with
     * n = 1000, each as {@code NAME.csv}, {@code NAME.png} and {@code NAME.svg}, plus the panels
     * {@code task1-part1.*} and {@code task1-part2.*}. Each file is written atomically; other files in the folder are
     * left alone.
     */
    public static void writeAll(Path folder, long seed, int numGaussians) throws IOException {
        List<Drawn> part1 = List.of(
                rename(drawDistribution("mixture", PART1_N, seed, numGaussians, 0.5), "mixture-sigma0.5"),
                rename(drawDistribution("mixture", PART1_N, seed, numGaussians, 1.0), "mixture-sigma1"),
                drawDistribution("spiral", PART1_N, seed, numGaussians, null));
        List<Drawn> part2 = new ArrayList<>();
        for (ToyDatasets.Kind k : ToyDatasets.Kind.values()) {
            part2.add(drawDistribution(k.cliName(), TOY_N, seed, numGaussians, null));
        }
        Files.createDirectories(folder);
        for (List<Drawn> group : List.of(part1, part2)) {
            for (Drawn d : group) {
                CsvData.write(folder.resolve(d.name() + ".csv"), d.points(), List.of("x", "y"));
                var fig = Plots.scatter(d.title(), d.points().toArray(), d.points().size(), null);
                fig.save(folder.resolve(d.name() + ".png"));
                fig.save(folder.resolve(d.name() + ".svg"));
            }
        }
        var p1 = Plots.scatterPanels("Part I, Task 1: n = " + PART1_N + " samples each, seed " + seed,
                part1.stream().map(Drawn::label).toList(),
                part1.stream().map(d -> d.points().toArray()).toList(), null, 3, false);
        p1.save(folder.resolve("task1-part1.png"));
        p1.save(folder.resolve("task1-part1.svg"));
        var p2 = Plots.scatterPanels("Part II, Task 1: n = " + TOY_N + " samples each, seed " + seed,
                part2.stream().map(Drawn::label).toList(),
                part2.stream().map(d -> d.points().toArray()).toList(), null, 4);
        p2.save(folder.resolve("task1-part2.png"));
        p2.save(folder.resolve("task1-part2.svg"));
    }

    private static Drawn rename(Drawn d, String name) {
        return new Drawn(name, d.label(), d.seed(), d.points());
    }
}

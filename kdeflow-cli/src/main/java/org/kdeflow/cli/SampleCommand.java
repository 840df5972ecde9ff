package org.kdeflow.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.Distribution;
import org.kdeflow.cli.common.DistributionOptions;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Limits;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.common.Words;
import org.kdeflow.cli.io.CsvWriter;
import org.kdeflow.cli.io.ModelFiles;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.data.Dataset;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.random.NumpyRandomState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow sample}: draws points from a named distribution or a saved model (any kind: a flow, a kernel density
 * estimate, a mixture) and writes them as CSV, optionally with a scatter plot; {@code --all} writes the homework's
 * Task 1 figures.
 */
@Command(name = "sample",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Draw points from a toy data set, a Part I distribution or a saved model and write them as CSV (x,y).",
            "The toy sets (circles, moons, gaussians-grid, gaussians-rot) are the same points as scikit-learn's "
                + "generators for the same seed; mixture and spiral are the homework's Part I distributions.",
            "A model is any file kdeflow saves: a flow (z ~ base pushed through the layers), a kernel density "
                + "estimate (scipy's resample: a sample picked by weight plus kernel noise, folded into its bounds), "
                + "a mixture or ensemble (a component picked by weight, then its draw)."},
        footer = {"", "Examples:",
            "  kdeflow sample --dist moons --n 1500 --seed 0 --out moons.csv --plot moons.png",
            "  kdeflow sample --dist mixture --sigma 1 --out mix.csv",
            "  kdeflow sample --model moons.safetensors --n 1000 --with-log-prob --out flow.csv",
            "  kdeflow sample --model kde.safetensors --n 500 --seed 3 --out kde-draws.csv",
            "  kdeflow sample --all --out figures/task1"})
public final class SampleCommand implements Callable<Integer> {

    @Mixin
    DistributionOptions source = new DistributionOptions();

    @Option(names = "--n", paramLabel = "N",
            description = "Number of points (default: 1000 for a toy set or a model, 10000 for mixture and spiral).")
    Integer n;

    @Option(names = "--all", description = "Write the homework's Task 1 samples and figures (PNG and SVG) into the "
            + "folder --out: mixture σ = 0.5 and 1 and spiral (n = 10000), the four toy sets (n = 1000).")
    boolean all;

    @Option(names = "--model", paramLabel = "MODEL.safetensors",
            description = "Sample from a saved model instead of --dist: a flow (kdeflow train --save, or a "
                    + "PyTorch state_dict), a KDE (kdeflow kde --save), a mixture or ensemble.")
    Path model;

    @Option(names = "--with-log-prob", description = "With --model: add a log_prob column, log p(x) of each point "
            + "(a flow's from the same pass; a KDE's or mixture's by evaluating its density at the draws).")
    boolean withLogProb;

    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "Output CSV file (a folder with --all).")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE", description = "Also draw a scatter plot (.png or .svg).")
    Path plot;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (all) {
            return writeAll();
        }
        boolean fromModel = model != null || withLogProb;
        if (fromModel && model == null) {
            throw usage("--with-log-prob needs --model (the log-probability of a model's samples)");
        }
        if (fromModel && (source.given() || source.sigmaGiven())) {
            throw usage("--model samples from a saved model; it cannot be combined with --dist or --sigma");
        }
        if (!fromModel && !source.given()) {
            throw usage("missing --dist NAME (one of " + String.join(", ", Distribution.names())
                    + "), --model FILE or --all");
        }
        source.check(DistributionOptions.MAX_SEED);
        if (n != null && n <= 0) {
            throw usage("--n must be a positive number of points, got " + n);
        }
        checkPlotExtension();
        Outputs outputs = Outputs.of("kdeflow sample");
        Outputs.Output csv = outputs.file("--out", out);
        Outputs.Output png = outputs.file("--plot", plot);
        Sampled s;
        try (Outputs.Staged staged = outputs.begin()) {
            s = fromModel ? fromModel() : fromDistribution();
            if (png != null && s.d() != 2) {
                throw new InputException("--plot draws 2-D points; the model " + model + " has dimension " + s.d());
            }
            if (s.logProb() != null) {
                CsvWriter.write(staged.path(csv), s.columns(), s.x(), s.n(), s.d(), s.logProb());
            } else {
                CsvWriter.write(staged.path(csv), s.columns(), s.x(), s.n(), s.d());
            }
            if (png != null) {
                Plots.scatter(s.title(), s.x(), s.n(), null).save(staged.path(png));
            }
            staged.commit();
        }
        spec.commandLine().getOut().println("wrote " + Words.count(s.n(), "point") + (s.logProb() != null ? " with log_prob"
                : "") + " to " + out + (plot != null ? " and " + plot : ""));
        return 0;
    }

    /** Points to write: row-major n×d, their column names, a title for the plot, log p(x) or null. */
    private record Sampled(String title, double[] x, int n, int d, List<String> columns, double[] logProb) {
    }

    private Sampled fromDistribution() {
        Distribution.Drawn drawn = source.draw(n, "--n");
        return new Sampled(drawn.title(), drawn.points().toArray(), drawn.points().size(), 2, List.of("x", "y"),
                null);
    }

    /**
     * {@code --model}: n draws of the model with {@code --seed}, optionally with log p(x): a flow's from the sampling
     * pass (z ~ base, x = T(z), log p = log p_Z(z) − Σ log|det J|), any other model's by evaluating its log-density
     * at the draws.
     */
    private Sampled fromModel() {
        Density density = ModelFiles.load(model);
        int d = density.dim();
        int count = n == null ? Distribution.TOY_N : n;
        Limits.checkPoints("--n " + count, count, d);
        NumpyRandomState rng = new NumpyRandomState(source.seed());
        Dataset x;
        double[] logp = null;
        if (density instanceof CouplingFlow cf && withLogProb) {
            Flow.Sample s = cf.sampleWithLogProbability(count, rng);
            x = s.x();
            logp = s.logProb();
        } else if (density instanceof Flow f && withLogProb) {
            Flow.Sample s = f.sampleWithLogDensity(count, rng);
            x = s.x();
            logp = s.logProb();
        } else {
            x = density.sample(count, rng);
            if (withLogProb) {
                logp = new double[count];
                density.logDensity(x.toArray(), count, logp);
            }
        }
        List<String> columns = new ArrayList<>(CsvWriter.defaultColumns(d));
        if (withLogProb) {
            columns.add("log_prob");
        }
        return new Sampled("Samples of " + model.getFileName() + ", n = " + count + ", seed " + source.seed(),
                x.toArray(), count, d, columns, logp);
    }

    /**
     * {@code --all}: the homework's Task 1, mixture σ = 0.5, mixture σ = 1 and spiral with n = 10000 and the four toy
     * sets with n = 1000, each as {@code KEY.csv}, {@code KEY.png} and {@code KEY.svg}, plus the panels
     * {@code task1-part1.*} and {@code task1-part2.*}, in the folder {@code --out}.
     */
    private Integer writeAll() throws IOException {
        if (source.given() || plot != null || n != null || source.sigmaGiven() || model != null || withLogProb) {
            throw usage("--all draws the homework's fixed set; it cannot be combined with --dist, --n, --sigma, "
                    + "--model or --plot");
        }
        source.check(DistributionOptions.MAX_SEED);
        long seed = source.seed();
        Distribution.Params p = source.params();
        Outputs outputs = Outputs.of("kdeflow sample --all");
        Outputs.Output dir = outputs.folder("--out", out);
        try (Outputs.Staged staged = outputs.begin()) {
            Path folder = staged.path(dir);
            int n1 = Distribution.PART1_N;
            List<Distribution.Drawn> part1 = List.of(
                    Distribution.MIXTURE.draw(n1, seed, new Distribution.Params(p.numGaussians(), 0.5)),
                    Distribution.MIXTURE.draw(n1, seed, new Distribution.Params(p.numGaussians(), 1.0)),
                    Distribution.SPIRAL.draw(n1, seed, p));
            List<Distribution.Drawn> part2 = new ArrayList<>();
            for (Distribution d : Distribution.values()) {
                if (d.isToySet()) {
                    part2.add(d.draw(Distribution.TOY_N, seed, p));
                }
            }
            for (List<Distribution.Drawn> group : List.of(part1, part2)) {
                for (Distribution.Drawn d : group) {
                    CsvWriter.write(folder.resolve(d.key() + ".csv"), List.of("x", "y"), d.points().toArray(),
                            d.points().size(), 2);
                    saveBoth(Plots.scatter(d.title(), d.points().toArray(), d.points().size(), null), folder, d.key());
                }
            }
            saveBoth(Plots.scatterPanels("Part I, Task 1: n = " + Distribution.PART1_N + " samples each, seed " + seed,
                    part1.stream().map(Distribution.Drawn::label).toList(),
                    part1.stream().map(d -> d.points().toArray()).toList(), null, 3, false), folder, "task1-part1");
            saveBoth(Plots.scatterPanels("Part II, Task 1: n = " + Distribution.TOY_N + " samples each, seed " + seed,
                    part2.stream().map(Distribution.Drawn::label).toList(),
                    part2.stream().map(d -> d.points().toArray()).toList(), null, 4), folder, "task1-part2");
            staged.commit();
        }
        spec.commandLine().getOut().println("wrote the Task 1 samples and figures to " + out);
        return 0;
    }

    private static void saveBoth(Figure f, Path folder, String name) throws IOException {
        f.save(folder.resolve(name + ".png"));
        f.save(folder.resolve(name + ".svg"));
    }

    private void checkPlotExtension() {
        if (plot == null) {
            return;
        }
        String name = plot.getFileName() == null ? "" : plot.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".png") && !name.endsWith(".svg")) {
            throw usage("--plot must name a .png or .svg file, got " + plot);
        }
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}

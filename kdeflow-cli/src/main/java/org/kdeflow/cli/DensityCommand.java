package org.kdeflow.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Limits;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.io.ModelFiles;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.FlowFigures;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.density.Density;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.random.NumpyRandomState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow density}: the density image p(x) on a grid of any saved 2-D model, and for a flow (the homework's
 * coupling flow or a v2 flow) also the samples after each layer, as {@code kdeflow train --out} draws them.
 */
@Command(name = "density", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw the figures of a saved 2-D model: a flow (as 'kdeflow train' does), a kernel density "
                + "estimate, a mixture or an ensemble.",
            "DIR gets density.png/.svg, p(x) = exp(log p(x)) on a G x G grid with a colour bar, and for a flow also "
                + "layers.png/.svg, 1000 samples after each layer (transform).",
            "Without --range the domain is that of 5000 samples of the model: per axis the percentiles 0.5 and 99.5, "
                + "widened by 15 percent of their distance."},
        footer = {"", "Examples:",
            "  kdeflow density --model moons.safetensors --grid 200 --range -1.5,2.5,-1,1.5 --out figures/moons",
            "  kdeflow density --model kde.safetensors --out figures/kde"})
public final class DensityCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "MODEL.safetensors", required = true,
            description = "The model (any kind kdeflow saves, d = 2).")
    Path model;

    @Option(names = "--grid", paramLabel = "G", defaultValue = "100",
            description = "Grid resolution G x G, 2 … 4096 (default ${DEFAULT-VALUE}).")
    int grid;

    @Option(names = "--range", paramLabel = "x0,x1,y0,y1", split = ",",
            description = "Domain of the density image (default: around the model's samples).")
    double[] range;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the samples (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Output folder.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Limits.checkGrid("--grid", grid);
        if (seed < 0 || seed > 0xffffffffL) {
            throw new InputException("--seed must be between 0 and 2^32-1, got " + seed);
        }
        if (range != null) {
            if (range.length != 4) {
                throw new InputException("--range needs four numbers x0,x1,y0,y1, got " + range.length);
            }
            for (double v : range) {
                if (!Double.isFinite(v)) {
                    throw new InputException("--range values must be finite numbers, got " + v);
                }
            }
            if (!(range[0] < range[1]) || !(range[2] < range[3])) {
                throw new InputException("--range must have x0 < x1 and y0 < y1, got " + range[0] + "," + range[1]
                        + "," + range[2] + "," + range[3]);
            }
        }
        Limits.checkDoubles("--grid " + grid, (long) grid * grid, 1, 4, "grid points");
        Outputs outputs = Outputs.of("kdeflow density");
        Outputs.Output dir = outputs.folder("--out", out);
        Map<String, Figure> figures;
        try (Outputs.Staged staged = outputs.begin()) {
            Density density = ModelFiles.load(model);
            if (density.dim() != 2) {
                throw new InputException(model + ": the figures need a 2-D model; this one ("
                        + ModelFiles.describe(density) + ") has dimension " + density.dim());
            }
            double[] r = range != null ? range.clone()
                    : FlowFigures.robustRange(List.of(density.sample(5000, new NumpyRandomState(seed)).toArray()),
                    0.5);
            String name = model.getFileName().toString();
            Grid g = new Grid(r[0], r[1], r[2], r[3], grid, grid);
            double[] p = density instanceof KernelDensity kde ? kde.densityOnGrid(g) : density.density(g.points(),
                    g.size());
            String panel = name + ", " + grid + " x " + grid + " grid";
            NumpyRandomState rng = new NumpyRandomState(seed);
            List<Dataset> steps = density instanceof CouplingFlow cf ? cf.sampleEachStep(1000, rng)
                    : density instanceof Flow f ? f.sampleEachStep(1000, rng) : null;
            if (steps != null) {
                figures = FlowFigures.of(steps.size() - 1, panel, g, p, steps, name);
            } else {
                figures = new LinkedHashMap<>();
                figures.put("density", Plots.densityPanels(ModelFiles.describe(density) + ": p(x)", List.of(panel),
                        g, List.of(p), 1, true, "p(x)"));
            }
            Path folder = staged.path(dir);
            for (Map.Entry<String, Figure> e : figures.entrySet()) {
                e.getValue().save(folder.resolve(e.getKey() + ".png"));
                e.getValue().save(folder.resolve(e.getKey() + ".svg"));
            }
            staged.commit();
        }
        spec.commandLine().getOut().println("wrote " + String.join(" and ", figures.keySet().stream()
                .map(k -> k + ".png/.svg").toList()) + " to " + out);
        return 0;
    }
}

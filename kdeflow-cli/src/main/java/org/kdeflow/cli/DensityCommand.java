package org.kdeflow.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.cli.common.Limits;
import org.kdeflow.cli.common.Outputs;
import org.kdeflow.cli.io.ModelFiles;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.FlowFigures;
import org.kdeflow.data.Grid;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.random.NumpyRandomState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kdeflow density}: the figures {@code kdeflow train --out} draws, for a saved 2-D flow: the density image
 * p(x) on a grid and the samples after each coupling layer.
 */
@Command(name = "density", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw the figures of a saved 2-D flow, as 'kdeflow train' does.",
            "DIR gets density.png/.svg, p(x) = exp(log p(x)) on a G x G grid with a colour bar, and layers.png/.svg, "
                + "1000 samples after each coupling layer.",
            "Without --range the domain is that of 5000 samples of the model: per axis the percentiles 0.5 and 99.5, "
                + "widened by 15 percent of their distance."},
        footer = {"", "Example:",
            "  kdeflow density --model moons.safetensors --grid 200 --range -1.5,2.5,-1,1.5 --out figures/moons"})
public final class DensityCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "MODEL.safetensors", required = true, description = "The flow (d = 2).")
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
        try (Outputs.Staged staged = outputs.begin()) {
            CouplingFlow flow = ModelFiles.loadModel(model).flow();
            if (flow.dim() != 2) {
                throw new InputException(model + ": the figures need a 2-D flow; this one has dimension "
                        + flow.dim());
            }
            double[] r = range != null ? range.clone()
                    : FlowFigures.robustRange(List.of(flow.sample(5000, new NumpyRandomState(seed)).toArray()), 0.5);
            String name = model.getFileName().toString();
            Grid g = new Grid(r[0], r[1], r[2], r[3], grid, grid);
            Map<String, Figure> figures = FlowFigures.of(flow.numLayers(), name + ", " + grid + " x " + grid
                    + " grid", g, flow.density(g.points(), g.size()),
                    flow.sampleEachStep(1000, new NumpyRandomState(seed)), name);
            Path folder = staged.path(dir);
            for (Map.Entry<String, Figure> e : figures.entrySet()) {
                e.getValue().save(folder.resolve(e.getKey() + ".png"));
                e.getValue().save(folder.resolve(e.getKey() + ".svg"));
            }
            staged.commit();
        }
        spec.commandLine().getOut().println("wrote density.png/.svg and layers.png/.svg to " + out);
        return 0;
    }
}

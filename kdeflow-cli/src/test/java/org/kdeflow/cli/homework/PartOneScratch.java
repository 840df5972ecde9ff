package org.kdeflow.cli.homework;

import java.nio.file.Path;
import java.util.List;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.kde.*;
import org.kdeflow.random.NumpyRandomState;

/** Timing scratch, not a test. */
public final class PartOneScratch {
    public static void main(String[] a) throws Exception {
        for (int rep = 0; rep < 2; rep++) {
        var d = PartOneStage.distributions().get(0);
        long t = System.nanoTime();
        Dataset train = d.density().sample(10000, new NumpyRandomState(0));
        Dataset test = d.density().sample(4000, new NumpyRandomState(1));
        t = lap("sample", t);
        Plots.scatter("x", train.toArray(), train.size(), null).save(Path.of("/tmp/sc.png"));
        t = lap("scatter", t);
        Grid grid = Grid.square(d.lo(), d.hi(), d.lo(), d.hi(), 100);
        var r = KdeStudy.run(d.density(), train, test, grid, List.of(Bandwidth.scalar(0.1, 2), Bandwidth.scalar(0.5, 2), Bandwidth.scalar(1, 2)), Kernel.GAUSSIAN, new double[0], null);
        t = lap("study 3h", t);
        KdeStudy.run(d.density(), train, test, grid, List.of(), Kernel.GAUSSIAN, KdeStudy.logSpace(0.02, 2, 25), null);
        t = lap("curve", t);
        BandwidthSelectors.likelihoodCV(Bandwidth.Kind.SCALAR, Kernel.GAUSSIAN, 1000).select(train, null);
        t = lap("lcv", t);
        Plots.densityPanels("x", List.of("a", "b", "c", "d"), grid, List.of(r.truth(), r.truth(), r.truth(), r.truth()), 4, true, "density").save(Path.of("/tmp/dp.png"));
        t = lap("panels", t);
        }
    }

    static long lap(String what, long t) {
        long now = System.nanoTime();
        System.out.printf("%-10s %8.1f ms%n", what, (now - t) / 1e6);
        return now;
    }
}

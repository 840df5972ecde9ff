package org.kdeflow.cli.homework;

import java.util.ArrayList;
import java.util.List;
import org.kdeflow.cli.homework.PartTwoSpecs.Spec;
import org.kdeflow.cli.plot.ColorCap;
import org.kdeflow.cli.plot.Figure;
import org.kdeflow.cli.plot.Plots;
import org.kdeflow.cli.plot.Series;
import org.kdeflow.cli.report.ReportDocument;
import org.kdeflow.data.Dataset;
import org.kdeflow.data.Grid;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.random.NumpyRandomState;

/** Part II's figures, drawn from the numbers the experiments computed. */
final class PartTwoFigures {
    private PartTwoFigures() {
    }

    /** Task 1: one toy set. */
    static Figure data(String name, Dataset d) {
        return Plots.scatter(name + " (N = " + d.size() + ")", d.toArray(), d.size(), null);
    }

    /** Task 9's second plot: {@code samples} points from the prior and after each coupling layer, shared axes. */
    static Figure layers(Spec s, CouplingFlow flow, int samples, long seed) {
        List<Dataset> steps = flow.sampleEachStep(samples, new NumpyRandomState(seed));
        List<String> titles = new ArrayList<>();
        List<double[]> xys = new ArrayList<>();
        for (int k = 0; k < steps.size(); k++) {
            titles.add(k == 0 ? "z₀ ∼ N(0, I) (prior)" : k == steps.size() - 1 ? "x = f" + sub(k) + "(z" + sub(k - 1)
                    + ")" : "z" + sub(k) + " = f" + sub(k) + "(z" + sub(k - 1) + ")");
            xys.add(steps.get(k).toArray());
        }
        return Plots.scatterPanels(s.label() + ": " + samples + " samples after each coupling layer", titles, xys,
                null, Plots.columnsFor(steps.size()));
    }

    private static String sub(int k) {
        StringBuilder sb = new StringBuilder();
        for (char ch : Integer.toString(k).toCharArray()) {
            sb.append((char) ('₀' + (ch - '0')));
        }
        return sb.toString();
    }

    /** A density figure and the caption's sentence about its colour scale. */
    record Drawn(Figure figure, String note) {
    }

    /** The true density, the headline flow of each model and (Task 9) the KDE, on one shared colour scale. */
    static Drawn density(String title, List<Model> ms, boolean withKde, HomeworkConfig c) {
        Grid grid = PartTwoSpecs.grid(ms.get(0).spec().toy(), c);
        List<String> titles = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        String lastTruth = null;
        for (Model m : ms) {
            String key = m.spec().toy().key();
            if (!key.equals(lastTruth)) {
                titles.add("true density, " + m.spec().toy().label());
                values.add(m.spec().toy().limit().density(grid.points(), grid.size()));
                lastTruth = key;
            }
            titles.add("flow, " + m.spec().label());
            values.add(m.density());
            if (withKde) {
                titles.add("KDE, h = " + ReportDocument.number(m.kde().h()) + " (LCV)");
                values.add(m.kde().density());
            }
        }
        ColorCap shown = ColorCap.of(values.get(0), values);
        Figure f = Plots.densityPanels(title + ": p(x) on a " + c.grid() + "×" + c.grid() + " grid", titles, grid,
                values, Plots.columnsFor(values.size()), true, "p(x)", shown.colorMax());
        return new Drawn(f, shown.note(ReportDocument::number));
    }

    /**
     * Training and validation loss per epoch of each model's headline training, one panel per model (two to a row),
     * the epoch of the best validation loss marked.
     */
    static Figure losses(String title, List<Model> ms) {
        List<Plots.LossCurves> curves = new ArrayList<>();
        for (Model m : ms) {
            curves.add(new Plots.LossCurves(m.spec().label(), m.result().trainLosses(), m.result().validLosses(),
                    m.result().bestEpoch()));
        }
        return Plots.lossPanels(title + ": loss per epoch (headline seed)", curves, 2);
    }
}

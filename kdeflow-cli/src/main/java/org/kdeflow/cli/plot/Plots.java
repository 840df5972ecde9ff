package org.kdeflow.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import org.kdeflow.data.Grid;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The project's figures. Each method takes plain arrays (row-major n×2 for points) and returns a {@link Figure}; none
 * computes a density. Scatter plots keep x and y on one scale, draw small translucent markers so that thousands of
 * points read as a density, and use the ggplot look of the homework's notebook.
 */
public final class Plots {
    private static final int POINT_RGB = 0x1f77b4;
    private static final Color[] LINE_COLORS = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private Plots() {
    }

    /**
     * Columns for n panels: one row up to three, two rows above (5 layer panels: 3 + 2; 4 densities: 2 × 2), so
     * that no panel shrinks below a third of the text width.
     */
    public static int columnsFor(int n) {
        return n <= 3 ? n : (n + 1) / 2;
    }

    /**
     * A scatter plot of n points.
     *
     * @param xy row-major n×2 coordinates
     * @param range {x0, x1, y0, y1}, or null to fit the points; widened so both axes have the same scale
     */
    public static Figure scatter(String title, double[] xy, int n, double[] range) {
        XYChart chart = scatterChart(title, xy, n, squareRange(range != null ? range : fitRange(List.of(xy))),
                560, 590, 10_000 < n ? 2 : 3, 13);
        return new ChartGrid(null, List.of(chart), 1, 560, 590);
    }

    /**
     * Scatter panels sharing one pair of axes (for instance the samples after each flow layer).
     *
     * @param xys one row-major n×2 array per panel
     * @param range {x0, x1, y0, y1} shared by all panels, or null to fit all points
     */
    public static Figure scatterPanels(String title, List<String> panelTitles, List<double[]> xys, double[] range,
            int columns) {
        return scatterPanels(title, panelTitles, xys, range, columns, true);
    }

    /**
     * Scatter panels, either on one shared pair of axes or each fitted to its own points.
     *
     * @param range {x0, x1, y0, y1} for every panel, or null to fit the points
     * @param sharedAxes with a null range: fit all panels' points together (true) or each panel alone (false)
     */
    public static Figure scatterPanels(String title, List<String> panelTitles, List<double[]> xys, double[] range,
            int columns, boolean sharedAxes) {
        if (panelTitles.size() != xys.size()) {
            throw new IllegalArgumentException(xys.size() + " panels but " + panelTitles.size() + " titles");
        }
        double[] all = range != null ? squareRange(range) : sharedAxes ? squareRange(fitRange(xys)) : null;
        List<XYChart> charts = new ArrayList<>();
        for (int i = 0; i < xys.size(); i++) {
            double[] p = xys.get(i);
            double[] r = all != null ? all : squareRange(fitRange(List.of(p)));
            charts.add(scatterChart(panelTitles.get(i), p, p.length / 2, r, 300, 322, p.length / 2 > 2000 ? 2 : 3,
                    12));
        }
        return new ChartGrid(title, charts, columns, 300, 322);
    }

    /**
     * Images of values on a grid (e.g. densities) with a viridis colour bar.
     *
     * @param values one array per panel, laid out as {@link Grid#points()}
     * @param sharedScale one colour scale (and one colour bar) for all panels, so they compare directly
     */
    public static Figure densityPanels(String title, List<String> panelTitles, Grid grid, List<double[]> values,
            int columns, boolean sharedScale, String colorbarLabel) {
        return densityPanels(title, panelTitles, grid, values, columns, sharedScale, colorbarLabel, Double.NaN);
    }

    /**
     * Density images on one shared colour scale whose top is {@code colorMax}: larger values are drawn in the top
     * colour, so one spike does not darken everything else. The values themselves are not changed.
     *
     * @param colorMax the top of the colour scale, or NaN to use the largest value
     */
    public static Figure densityPanels(String title, List<String> panelTitles, Grid grid, List<double[]> values,
            int columns, boolean sharedScale, String colorbarLabel, double colorMax) {
        return new DensityPanels(title, panelTitles, grid, values, columns, sharedScale, colorMax, colorbarLabel,
                "x", "y");
    }

    /**
     * A line chart.
     *
     * @param verticalMarkers x positions marked by dashed vertical lines (may be null or empty)
     */
    public static Figure lines(String title, String xLabel, String yLabel, boolean logX, boolean logY,
            List<Series> series, double[] verticalMarkers) {
        int w = series.size() > 1 ? 780 : 640;
        XYChart chart = new XYChartBuilder().width(w).height(420).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).theme(Styler.ChartTheme.GGPlot2).build();
        var st = chart.getStyler();
        st.setXAxisLogarithmic(logX);
        st.setYAxisLogarithmic(logY);
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendVisible(series.size() > 1);
        boolean anyPoints = series.stream().anyMatch(Series::points);
        st.setMarkerSize(anyPoints ? 11 : 4);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        // one tick-label format on log axes: plain decimals (0.001, 0.01, 1, 10), never 1E-3
        if (logX) {
            st.setXAxisDecimalPattern(LOG_TICKS);
        }
        if (logY) {
            st.setYAxisDecimalPattern(LOG_TICKS);
        }
        int k = 0;
        int shape = 0;
        double[] lo = {Double.POSITIVE_INFINITY};
        for (Series s : series) {
            XYSeries xs = chart.addSeries(s.name(), s.x(), s.y());
            Color c = LINE_COLORS[k % LINE_COLORS.length];
            xs.setLineColor(c);
            xs.setMarkerColor(c);
            if (s.points()) {
                xs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                xs.setMarker(POINT_MARKERS[shape++ % POINT_MARKERS.length]);
            } else {
                xs.setLineStyle(new BasicStroke(2f));
                xs.setMarker(s.x().length > 40 || anyPoints ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            }
            for (double v : s.x()) {
                lo[0] = Math.min(lo[0], v);
            }
            k++;
        }
        if (!logX && equallySpaced(series)) {
            Series first = series.get(0);
            offLattice(chart, lo[0] - 0.5 * (first.x()[1] - first.x()[0]), first.y()[0]);
        }
        if (verticalMarkers != null) {
            for (double v : verticalMarkers) {
                chart.addAnnotation(new AnnotationLine(v, true, false));
            }
            st.setAnnotationLineColor(new Color(0x444444));
            st.setAnnotationLineStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f));
        }
        return new ChartGrid(null, List.of(chart), 1, w, 420);
    }

    /**
     * XChart puts the ticks of an axis whose values are all equally spaced on the values themselves (1, 54, 107, …);
     * one invisible point (x, y) off that lattice makes it choose round ticks instead.
     */
    private static void offLattice(XYChart chart, double x, double y) {
        XYSeries anchor = chart.addSeries(" ", new double[] {x}, new double[] {y});
        anchor.setMarker(SeriesMarkers.NONE);
        anchor.setLineColor(new Color(0, 0, 0, 0));
        anchor.setShowInLegend(false);
    }

    private static final org.knowm.xchart.style.markers.Marker[] POINT_MARKERS = {
        SeriesMarkers.DIAMOND, SeriesMarkers.SQUARE, SeriesMarkers.TRIANGLE_UP, SeriesMarkers.CIRCLE};

    /** Whether every series' x values lie on one lattice of equal steps (as epochs do) and there are 3 or more. */
    private static boolean equallySpaced(List<Series> series) {
        Series first = series.get(0);
        if (first.x().length < 3) {
            return false;
        }
        double x0 = first.x()[0];
        double step = first.x()[1] - x0;
        if (!(step > 0)) {
            return false;
        }
        for (Series s : series) {
            for (double v : s.x()) {
                double r = (v - x0) / step;
                if (Math.abs(r - Math.rint(r)) > 1e-9) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Log-axis tick labels: plain decimals down to 10⁻⁶. */
    private static final String LOG_TICKS = "0.######";

    /**
     * One model's loss curves for {@link #lossPanels}.
     *
     * @param train mean training NLL per epoch (epoch e at index e − 1)
     * @param valid mean validation NLL per epoch, same length
     * @param bestEpoch the epoch of the smallest validation loss, marked by a labelled dashed line (≤ 0: none)
     */
    public record LossCurves(String name, double[] train, double[] valid, int bestEpoch) {
        public LossCurves {
            if (train.length == 0 || train.length != valid.length) {
                throw new IllegalArgumentException("'" + name + "': " + train.length + " training but "
                        + valid.length + " validation losses");
            }
            train = train.clone();
            valid = valid.clone();
        }
    }

    /**
     * Small multiples of loss curves, one panel per model, {@code columns} to a row, each with its own axes: x ticks
     * at round epochs from 0 to the last, training (blue) and validation (red) loss, the best epoch labelled.
     */
    public static Figure lossPanels(String title, List<LossCurves> models, int columns) {
        List<XYChart> charts = new ArrayList<>();
        int w = 420;
        int h = 300;
        for (LossCurves m : models) {
            int n = m.train().length;
            double[] ep = new double[n];
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int e = 0; e < n; e++) {
                ep[e] = e + 1;
                lo = Math.min(lo, Math.min(m.train()[e], m.valid()[e]));
                hi = Math.max(hi, Math.max(m.train()[e], m.valid()[e]));
            }
            XYChart chart = new XYChartBuilder().width(w).height(h).title(m.name()).xAxisTitle("epoch")
                    .yAxisTitle("mean NLL (nats)").theme(Styler.ChartTheme.GGPlot2).build();
            var st = chart.getStyler();
            double step = Ticks.niceStep(n, 5);
            st.setXAxisMin(0.0);
            st.setXAxisMax(Math.ceil(n / step) * step);
            st.setXAxisDecimalPattern("0");
            double pad = 0.08 * Math.max(hi - lo, 1e-9);
            st.setYAxisMin(lo - pad);
            st.setYAxisMax(hi + 2 * pad);
            st.setLegendPosition(Styler.LegendPosition.InsideNE);
            st.setMarkerSize(0);
            st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            XYSeries t = chart.addSeries("train", ep, m.train());
            t.setLineColor(LINE_COLORS[0]);
            t.setLineStyle(new BasicStroke(1.6f));
            t.setMarker(SeriesMarkers.NONE);
            XYSeries v = chart.addSeries("valid", ep, m.valid());
            v.setLineColor(LINE_COLORS[1]);
            v.setLineStyle(new BasicStroke(1.6f));
            v.setMarker(SeriesMarkers.NONE);
            offLattice(chart, 0.5, m.train()[0]);
            if (m.bestEpoch() > 0) {
                chart.addAnnotation(new AnnotationLine(m.bestEpoch(), true, false));
                // the label sits half-way up, below the legend and above the settled curves, on whichever side
                // of the line has room
                boolean left = m.bestEpoch() > 0.6 * n;
                AnnotationText label = new AnnotationText((left ? "best epoch " + m.bestEpoch() + " →"
                        : "← best epoch " + m.bestEpoch()), m.bestEpoch() + (left ? -0.17 : 0.17) * n,
                        lo + 0.5 * (hi - lo), false);
                chart.addAnnotation(label);
                st.setAnnotationTextFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                st.setAnnotationTextFontColor(new Color(0x333333));
                st.setAnnotationLineColor(new Color(0x444444));
                st.setAnnotationLineStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {5f, 4f}, 0f));
            }
            charts.add(chart);
        }
        return new ChartGrid(title, charts, columns, w, h);
    }

    private static XYChart scatterChart(String title, double[] xy, int n, double[] r, int w, int h, int marker,
            int titleSize) {
        if (xy.length < 2 * n) {
            throw new IllegalArgumentException("expected " + 2 * n + " coordinates, got " + xy.length);
        }
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = xy[2 * i];
            y[i] = xy[2 * i + 1];
        }
        XYChart chart = new XYChartBuilder().width(w).height(h).title(title).xAxisTitle("x").yAxisTitle("y")
                .theme(Styler.ChartTheme.GGPlot2).build();
        var st = chart.getStyler();
        st.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        st.setLegendVisible(false);
        st.setMarkerSize(marker);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, titleSize));
        st.setXAxisMin(r[0]);
        st.setXAxisMax(r[1]);
        st.setYAxisMin(r[2]);
        st.setYAxisMax(r[3]);
        st.setXAxisDecimalPattern("0.#");
        st.setYAxisDecimalPattern("0.#");
        XYSeries s = chart.addSeries("points", x, y);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(pointColor(n));
        return chart;
    }

    /** Marker colour whose opacity falls with the number of points, so dense regions stay readable. */
    static Color pointColor(int n) {
        double alpha = Math.max(0.2, Math.min(0.85, 24.0 / Math.sqrt(Math.max(1, n))));
        return new Color((POINT_RGB >> 16) & 0xff, (POINT_RGB >> 8) & 0xff, POINT_RGB & 0xff,
                (int) Math.round(255 * alpha));
    }

    /** min/max of all points padded by 5 %. */
    static double[] fitRange(List<double[]> sets) {
        double x0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (double[] p : sets) {
            for (int i = 0; i + 1 < p.length; i += 2) {
                x0 = Math.min(x0, p[i]);
                x1 = Math.max(x1, p[i]);
                y0 = Math.min(y0, p[i + 1]);
                y1 = Math.max(y1, p[i + 1]);
            }
        }
        if (!Double.isFinite(x0) || !Double.isFinite(y0)) {
            return new double[] {-1, 1, -1, 1};
        }
        double px = Math.max(1e-9, 0.05 * (x1 - x0));
        double py = Math.max(1e-9, 0.05 * (y1 - y0));
        return new double[] {x0 - px, x1 + px, y0 - py, y1 + py};
    }

    /** Widens the shorter side of {x0, x1, y0, y1} about its centre so both spans are equal. */
    static double[] squareRange(double[] r) {
        if (r.length != 4 || !(r[1] > r[0]) || !(r[3] > r[2])) {
            throw new IllegalArgumentException("range must be {x0, x1, y0, y1} with x0 < x1 and y0 < y1");
        }
        double span = Math.max(r[1] - r[0], r[3] - r[2]);
        double cx = 0.5 * (r[0] + r[1]);
        double cy = 0.5 * (r[2] + r[3]);
        return new double[] {cx - span / 2, cx + span / 2, cy - span / 2, cy + span / 2};
    }
}

package org.kdeflow.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.List;
import org.kdeflow.data.Grid;
import org.knowm.xchart.AnnotationLine;
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
        st.setMarkerSize(4);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        int k = 0;
        for (Series s : series) {
            XYSeries xs = chart.addSeries(s.name(), s.x(), s.y());
            xs.setLineColor(LINE_COLORS[k % LINE_COLORS.length]);
            xs.setMarkerColor(LINE_COLORS[k % LINE_COLORS.length]);
            xs.setLineStyle(new BasicStroke(2f));
            xs.setMarker(s.x().length > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            k++;
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

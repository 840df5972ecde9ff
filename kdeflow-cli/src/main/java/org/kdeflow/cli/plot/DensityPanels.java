package org.kdeflow.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;
import org.kdeflow.data.Grid;

/**
 * Images of values on a grid (densities), one panel each, with axes, a title per panel and a viridis colorbar: one
 * shared by all panels when they share a colour scale, else one per panel. Panels keep the data's aspect ratio.
 */
final class DensityPanels implements Figure {
    private static final int PLOT = 260;
    private static final int LEFT = 52;
    private static final int BOTTOM = 44;
    private static final int TOP = 26;
    private static final int GAP = 14;
    private static final int BAR = 14;
    private static final int BAR_LABELS = 58;
    private static final int TITLE = 34;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    private static final Font PANEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private final String title;
    private final List<String> panelTitles;
    private final Grid grid;
    private final List<double[]> values;
    private final int columns;
    private final boolean shared;
    private final double colorMax;
    private final String barLabel;
    private final String xLabel;
    private final String yLabel;
    private final int plotW;
    private final int plotH;
    private final int cellW;
    private final int cellH;
    private final int rows;

    DensityPanels(String title, List<String> panelTitles, Grid grid, List<double[]> values, int columns,
            boolean shared, double colorMax, String barLabel, String xLabel, String yLabel) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no panels to draw");
        }
        if (panelTitles.size() != values.size()) {
            throw new IllegalArgumentException(values.size() + " panels but " + panelTitles.size() + " titles");
        }
        for (int k = 0; k < values.size(); k++) {
            int n = values.get(k).length;
            if (n != grid.size()) {
                throw new IllegalArgumentException("panel " + (k + 1) + " ('" + panelTitles.get(k) + "') has " + n
                        + (n == 1 ? " value" : " values") + " but the grid has " + grid.size() + " points");
            }
        }
        this.title = title;
        this.panelTitles = List.copyOf(panelTitles);
        this.grid = grid;
        this.values = values.stream().map(double[]::clone).toList();
        this.columns = Math.max(1, Math.min(columns, values.size()));
        this.rows = (values.size() + this.columns - 1) / this.columns;
        this.shared = shared;
        this.colorMax = colorMax;
        this.barLabel = barLabel;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        double aspect = (grid.x1() - grid.x0()) / (grid.y1() - grid.y0());
        if (aspect >= 1) {
            plotW = (int) Math.round(PLOT * Math.min(aspect, 2.5));
            plotH = (int) Math.round(plotW / aspect);
        } else {
            plotH = PLOT;
            plotW = (int) Math.round(PLOT * Math.max(aspect, 0.4));
        }
        cellW = LEFT + plotW + GAP + (shared ? 0 : BAR + BAR_LABELS + 16);
        cellH = TOP + plotH + BOTTOM;
    }

    @Override
    public int width() {
        return columns * cellW + (shared ? BAR + BAR_LABELS + 10 : 0) + 10;
    }

    @Override
    public int height() {
        return TITLE + rows * cellH;
    }

    private static double[] range(List<double[]> vs) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] v : vs) {
            for (double x : v) {
                if (Double.isFinite(x)) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
        }
        if (!Double.isFinite(lo)) {
            return new double[] {0, 1};
        }
        if (lo >= 0) {
            lo = 0; // densities: the scale starts at zero
        }
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        return new double[] {lo, hi};
    }

    @Override
    public void paint(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.BLACK);
        g.setFont(TITLE_FONT);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, (width() - fm.stringWidth(title)) / 2, 22);
        double[] sharedRange = shared ? range(values) : null;
        if (sharedRange != null && colorMax > sharedRange[0] && colorMax < sharedRange[1]) {
            sharedRange[1] = colorMax; // values above saturate at the top colour
        }
        for (int p = 0; p < values.size(); p++) {
            int ox = (p % columns) * cellW + LEFT;
            int oy = TITLE + (p / columns) * cellH + TOP;
            double[] r = shared ? sharedRange : range(List.of(values.get(p)));
            paintPanel(g, ox, oy, values.get(p), r, panelTitles.get(p));
            if (!shared) {
                paintBar(g, ox + plotW + GAP, oy, plotH, r);
            }
        }
        if (shared) {
            int bx = columns * cellW;
            int by = TITLE + TOP;
            int bh = rows * cellH - TOP - BOTTOM;
            paintBar(g, bx, by, bh, sharedRange);
        }
    }

    private void paintPanel(Graphics2D g, int ox, int oy, double[] v, double[] r, String panelTitle) {
        int nx = grid.nx();
        int ny = grid.ny();
        BufferedImage img = new BufferedImage(nx, ny, BufferedImage.TYPE_INT_RGB);
        for (int iy = 0; iy < ny; iy++) {
            for (int ix = 0; ix < nx; ix++) {
                double t = (v[iy * nx + ix] - r[0]) / (r[1] - r[0]);
                img.setRGB(ix, ny - 1 - iy, Colormap.viridisRgb(t));
            }
        }
        Object old = g.getRenderingHint(RenderingHints.KEY_INTERPOLATION);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(img, ox, oy, plotW, plotH, null);
        if (old != null) {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, old);
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(ox, oy, plotW, plotH);
        g.setFont(PANEL_FONT);
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        g.drawString(panelTitle, ox + (plotW - fm.stringWidth(panelTitle)) / 2, oy - 8);
        g.setFont(TICK_FONT);
        fm = g.getFontMetrics();
        double xs = plotW / (grid.x1() - grid.x0());
        double stepX = Ticks.niceStep(grid.x1() - grid.x0(), 5);
        for (double t : Ticks.ticks(grid.x0(), grid.x1(), 5)) {
            int px = ox + (int) Math.round((t - grid.x0()) * xs);
            g.drawLine(px, oy + plotH, px, oy + plotH + 4);
            String s = Ticks.format(t, stepX);
            g.drawString(s, px - fm.stringWidth(s) / 2, oy + plotH + 6 + fm.getAscent());
        }
        double ys = plotH / (grid.y1() - grid.y0());
        double stepY = Ticks.niceStep(grid.y1() - grid.y0(), 5);
        for (double t : Ticks.ticks(grid.y0(), grid.y1(), 5)) {
            int py = oy + plotH - (int) Math.round((t - grid.y0()) * ys);
            g.drawLine(ox - 4, py, ox, py);
            String s = Ticks.format(t, stepY);
            g.drawString(s, ox - 6 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        g.setFont(PANEL_FONT);
        fm = g.getFontMetrics();
        g.drawString(xLabel, ox + (plotW - fm.stringWidth(xLabel)) / 2, oy + plotH + 36);
        AffineTransform at = g.getTransform();
        g.rotate(-Math.PI / 2, ox - 38, oy + plotH / 2.0);
        g.drawString(yLabel, ox - 38 - fm.stringWidth(yLabel) / 2, oy + plotH / 2 + 4);
        g.setTransform(at);
    }

    private void paintBar(Graphics2D g, int bx, int by, int bh, double[] r) {
        for (int k = 0; k < bh; k++) {
            g.setColor(Colormap.viridis(1.0 - k / (double) (bh - 1)));
            g.fillRect(bx, by + k, BAR, 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(bx, by, BAR, bh);
        g.setFont(TICK_FONT);
        FontMetrics fm = g.getFontMetrics();
        double step = Ticks.niceStep(r[1] - r[0], 5);
        for (double t : Ticks.ticks(r[0], r[1], 5)) {
            int py = by + bh - (int) Math.round((t - r[0]) / (r[1] - r[0]) * bh);
            g.drawLine(bx + BAR, py, bx + BAR + 3, py);
            g.drawString(Ticks.format(t, step), bx + BAR + 5, py + fm.getAscent() / 2 - 1);
        }
        if (barLabel != null && !barLabel.isEmpty()) {
            g.setFont(PANEL_FONT);
            fm = g.getFontMetrics();
            AffineTransform at = g.getTransform();
            int cx = bx + BAR + BAR_LABELS;
            int cy = by + bh / 2;
            g.rotate(-Math.PI / 2, cx, cy);
            g.drawString(barLabel, cx - fm.stringWidth(barLabel) / 2, cy + 4);
            g.setTransform(at);
        }
    }
}

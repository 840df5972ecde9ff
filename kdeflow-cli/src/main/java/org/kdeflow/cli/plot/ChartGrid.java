package org.kdeflow.cli.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.util.List;
import org.knowm.xchart.internal.chartpart.Chart;

/** XChart charts laid out in a grid of equal cells under an optional overall title. */
final class ChartGrid implements Figure {
    private static final int TITLE = 34;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 15);

    private final String title;
    private final List<? extends Chart<?, ?>> charts;
    private final int columns;
    private final int rows;
    private final int cellW;
    private final int cellH;

    ChartGrid(String title, List<? extends Chart<?, ?>> charts, int columns, int cellW, int cellH) {
        this.title = title;
        this.charts = List.copyOf(charts);
        this.columns = Math.max(1, Math.min(columns, charts.size()));
        this.rows = (charts.size() + this.columns - 1) / this.columns;
        this.cellW = cellW;
        this.cellH = cellH;
    }

    private int top() {
        return title == null || title.isEmpty() ? 0 : TITLE;
    }

    @Override
    public int width() {
        return columns * cellW;
    }

    @Override
    public int height() {
        return top() + rows * cellH;
    }

    @Override
    public void paint(Graphics2D g) {
        if (top() > 0) {
            g.setColor(Color.BLACK);
            g.setFont(TITLE_FONT);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(title, (width() - fm.stringWidth(title)) / 2, 22);
        }
        for (int i = 0; i < charts.size(); i++) {
            AffineTransform at = g.getTransform();
            g.translate((i % columns) * cellW, top() + (i / columns) * cellH);
            Graphics2D sub = (Graphics2D) g.create(0, 0, cellW, cellH);
            try {
                charts.get(i).paint(sub, cellW, cellH);
            } finally {
                sub.dispose();
            }
            g.setTransform(at);
        }
    }
}

package org.kdeflow.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.kdeflow.formats.AtomicFiles;

/**
 * A block diagram of boxes, circles, labels and arrows, drawn once as a list of shapes and written either as SVG
 * (text, exact) or as PNG (Java2D, at a chosen scale). Coordinates are in CSS pixels, y down.
 *
 * <p>Labels may carry a subscript: {@code "y_1:j"} draws "y" with the subscript "1:j"; a leading {@code '*'} makes
 * the base bold italic, as vectors are set in the equations ({@code "*y_1:j"}).
 */
public final class Diagram {
    /** Fill for boxes that are learned functions. */
    public static final String NETWORK = "#dbe9f6";
    /** Fill for element-wise operations. */
    public static final String OPERATION = "#fde5c8";

    private static final String FONT = "DejaVu Sans";
    private final int width;
    private final int height;
    private final List<Shape> shapes = new ArrayList<>();

    private sealed interface Shape permits Box, Circle, Label, Arrow {
    }

    private record Box(double cx, double cy, double w, double h, String label, String fill) implements Shape {
    }

    private record Circle(double cx, double cy, double r, String label, String fill) implements Shape {
    }

    private record Label(double x, double y, String text, double size, String anchor, String color) implements Shape {
    }

    private record Arrow(double[] xy, boolean head) implements Shape {
    }

    public Diagram(int width, int height) {
        this.width = width;
        this.height = height;
    }

    /** A rounded box centred at (cx, cy). */
    public Diagram box(double cx, double cy, double w, double h, String label, String fill) {
        shapes.add(new Box(cx, cy, w, h, label, fill));
        return this;
    }

    /** A circle centred at (cx, cy) holding a symbol. */
    public Diagram circle(double cx, double cy, double r, String label, String fill) {
        shapes.add(new Circle(cx, cy, r, label, fill));
        return this;
    }

    /** A label; {@code anchor} is "start", "middle" or "end"; y is the text's baseline. */
    public Diagram label(double x, double y, String text, double size, String anchor) {
        shapes.add(new Label(x, y, text, size, anchor, "#111111"));
        return this;
    }

    /** A grey annotation. */
    public Diagram note(double x, double y, String text, double size, String anchor) {
        shapes.add(new Label(x, y, text, size, anchor, "#666666"));
        return this;
    }

    /** A poly-line through (x0, y0, x1, y1, …) ending in an arrow head. */
    public Diagram arrow(double... xy) {
        shapes.add(new Arrow(xy.clone(), true));
        return this;
    }

    /** A poly-line without a head (a wire that branches). */
    public Diagram line(double... xy) {
        shapes.add(new Arrow(xy.clone(), false));
        return this;
    }

    /** A small dot marking a branch point. */
    public Diagram dot(double x, double y) {
        shapes.add(new Circle(x, y, 3, "", "#111111"));
        return this;
    }

    /** The SVG document. */
    public String toSvg() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
                width, height, width, height));
        s.append("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\""
                + " markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#111\"/></marker></defs>\n");
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
        for (Shape sh : shapes) {
            if (sh instanceof Box b) {
                s.append(String.format(Locale.ROOT,
                        "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" rx=\"6\" fill=\"%s\" stroke=\"#222\""
                                + " stroke-width=\"1.5\"/>%n", b.cx - b.w / 2, b.cy - b.h / 2, b.w, b.h, b.fill));
                svgText(s, b.cx, b.cy + 6, b.label, 17, "middle", "#111111");
            } else if (sh instanceof Circle c) {
                s.append(String.format(Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\" stroke=\"#222\" stroke-width=\"%s\"/>%n",
                        c.cx, c.cy, c.r, c.fill, c.label.isEmpty() ? "0" : "1.5"));
                if (!c.label.isEmpty()) {
                    svgText(s, c.cx, c.cy + 7, c.label, 20, "middle", "#111111");
                }
            } else if (sh instanceof Label l) {
                svgText(s, l.x, l.y, l.text, l.size, l.anchor, l.color);
            } else if (sh instanceof Arrow a) {
                StringBuilder pts = new StringBuilder();
                for (int i = 0; i < a.xy.length; i += 2) {
                    pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", a.xy[i], a.xy[i + 1]));
                }
                s.append("<polyline points=\"").append(pts.toString().trim())
                        .append("\" fill=\"none\" stroke=\"#111\" stroke-width=\"1.6\"")
                        .append(a.head ? " marker-end=\"url(#head)\"" : "").append("/>\n");
            }
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void svgText(StringBuilder s, double x, double y, String text, double size, String anchor,
            String color) {
        Parsed p = Parsed.of(text);
        s.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" font-family=\"%s, sans-serif\" font-size=\"%.1f\" text-anchor=\"%s\""
                        + " fill=\"%s\">", x, y, FONT, size, anchor, color));
        s.append("<tspan").append(p.bold ? " font-weight=\"bold\" font-style=\"italic\"" : "").append('>');
        escape(p.base, s);
        s.append("</tspan>");
        if (!p.sub.isEmpty()) {
            s.append(String.format(Locale.ROOT, "<tspan dy=\"%.1f\" font-size=\"%.1f\">", size * 0.3, size * 0.7));
            escape(p.sub, s);
            s.append("</tspan>");
        }
        s.append("</text>\n");
    }

    private static void escape(String t, StringBuilder s) {
        Node.escape(t, s, false);
    }

    private record Parsed(String base, String sub, boolean bold) {
        static Parsed of(String text) {
            boolean bold = text.startsWith("*");
            String t = bold ? text.substring(1) : text;
            int u = t.indexOf('_');
            return u < 0 ? new Parsed(t, "", bold) : new Parsed(t.substring(0, u), t.substring(u + 1), bold);
        }
    }

    /** Writes the SVG file atomically. */
    public void saveSvg(Path file) throws IOException {
        AtomicFiles.write(file, toSvg().getBytes(StandardCharsets.UTF_8));
    }

    /** Renders with Java2D at {@code scale} device pixels per CSS pixel and writes a PNG atomically. */
    public void savePng(Path file, double scale) throws IOException {
        BufferedImage img = new BufferedImage((int) Math.ceil(width * scale), (int) Math.ceil(height * scale),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.scale(scale, scale);
            draw(g);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        AtomicFiles.write(file, bytes.toByteArray());
    }

    private void draw(Graphics2D g) {
        Color ink = new Color(0x11, 0x11, 0x11);
        for (Shape sh : shapes) {
            if (sh instanceof Box b) {
                RoundRectangle2D r = new RoundRectangle2D.Double(b.cx - b.w / 2, b.cy - b.h / 2, b.w, b.h, 12, 12);
                g.setColor(Color.decode(b.fill));
                g.fill(r);
                g.setColor(ink);
                g.setStroke(new BasicStroke(1.5f));
                g.draw(r);
                drawText(g, b.cx, b.cy + 6, b.label, 17, "middle", ink);
            } else if (sh instanceof Circle c) {
                Ellipse2D e = new Ellipse2D.Double(c.cx - c.r, c.cy - c.r, 2 * c.r, 2 * c.r);
                g.setColor(Color.decode(c.fill));
                g.fill(e);
                if (!c.label.isEmpty()) {
                    g.setColor(ink);
                    g.setStroke(new BasicStroke(1.5f));
                    g.draw(e);
                    drawText(g, c.cx, c.cy + 7, c.label, 20, "middle", ink);
                }
            } else if (sh instanceof Label l) {
                drawText(g, l.x, l.y, l.text, l.size, l.anchor, Color.decode(l.color));
            } else if (sh instanceof Arrow a) {
                g.setColor(ink);
                g.setStroke(new BasicStroke(1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
                Path2D path = new Path2D.Double();
                path.moveTo(a.xy[0], a.xy[1]);
                int n = a.xy.length;
                double ex = a.xy[n - 2];
                double ey = a.xy[n - 1];
                double px = a.xy[n - 4];
                double py = a.xy[n - 3];
                double len = Math.hypot(ex - px, ey - py);
                double ux = (ex - px) / len;
                double uy = (ey - py) / len;
                for (int i = 2; i < n; i += 2) {
                    boolean last = i == n - 2;
                    path.lineTo(last && a.head ? ex - 8 * ux : a.xy[i], last && a.head ? ey - 8 * uy : a.xy[i + 1]);
                }
                g.draw(path);
                if (a.head) {
                    Path2D head = new Path2D.Double();
                    head.moveTo(ex, ey);
                    head.lineTo(ex - 11 * ux - 5 * uy, ey - 11 * uy + 5 * ux);
                    head.lineTo(ex - 11 * ux + 5 * uy, ey - 11 * uy - 5 * ux);
                    head.closePath();
                    g.fill(head);
                }
            }
        }
    }

    private static void drawText(Graphics2D g, double x, double y, String text, double size, String anchor,
            Color color) {
        Parsed p = Parsed.of(text);
        Font base = new Font(FONT, p.bold ? Font.BOLD | Font.ITALIC : Font.PLAIN, 1).deriveFont((float) size);
        Font sub = new Font(FONT, Font.PLAIN, 1).deriveFont((float) (size * 0.7));
        FontMetrics fb = g.getFontMetrics(base);
        FontMetrics fs = g.getFontMetrics(sub);
        double w = fb.getStringBounds(p.base, g).getWidth() + (p.sub.isEmpty() ? 0 : fs.getStringBounds(p.sub, g).getWidth());
        double x0 = switch (anchor) {
            case "middle" -> x - w / 2;
            case "end" -> x - w;
            default -> x;
        };
        g.setColor(color);
        g.setFont(base);
        g.drawString(p.base, (float) x0, (float) y);
        if (!p.sub.isEmpty()) {
            g.setFont(sub);
            g.drawString(p.sub, (float) (x0 + fb.getStringBounds(p.base, g).getWidth()), (float) (y + size * 0.3));
        }
    }
}

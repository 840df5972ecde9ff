package org.kdeflow.cli.plot;

import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.svg.SVGProcessor;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.kdeflow.formats.AtomicFiles;

/**
 * A finished figure: something that paints itself onto a canvas of a fixed logical size.
 *
 * <p>{@link #save} writes PNG (at {@link #PNG_SCALE}× the logical size, for sharp text) or SVG, chosen by the file's
 * extension, atomically.
 */
public interface Figure {

    /** PNG pixels per logical pixel. */
    int PNG_SCALE = 2;

    /** Logical width in pixels. */
    int width();

    /** Logical height in pixels. */
    int height();

    /** Paints the whole figure at the origin of {@code g}, in logical pixels. */
    void paint(Graphics2D g);

    /** Renders to an image at {@code scale}× the logical size, on a white background. */
    default BufferedImage toImage(int scale) {
        BufferedImage img = new BufferedImage(width() * scale, height() * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.scale(scale, scale);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width(), height());
            paint(g);
        } finally {
            g.dispose();
        }
        return img;
    }

    /**
     * Writes the figure to {@code file}: {@code .png} or {@code .svg} by extension.
     *
     * @throws IllegalArgumentException for any other extension
     */
    default void save(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            BufferedImage img = toImage(PNG_SCALE);
            AtomicFiles.write(file, out -> {
                if (!ImageIO.write(img, "png", out)) {
                    throw new IOException("no PNG writer available");
                }
            });
        } else if (name.endsWith(".svg")) {
            VectorGraphics2D g = new VectorGraphics2D();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width(), height());
            paint(g);
            var doc = new SVGProcessor().getDocument(g.getCommands(), new PageSize(0, 0, width(), height()));
            AtomicFiles.write(file, doc::writeTo);
        } else {
            throw new IllegalArgumentException("figure file must end in .png or .svg: " + file);
        }
    }
}

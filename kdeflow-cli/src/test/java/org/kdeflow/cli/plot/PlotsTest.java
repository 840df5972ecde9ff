package org.kdeflow.cli.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.data.Grid;
import org.kdeflow.random.NumpyRandomState;

class PlotsTest {
    @TempDir
    Path dir;

    static double[] gaussianCloud(int n, long seed) {
        NumpyRandomState rng = new NumpyRandomState(seed);
        double[] xy = new double[2 * n];
        rng.fillGauss(xy);
        return xy;
    }

    @Test
    void scatterWritesPngAtTwiceTheLogicalSizeAndSvg() throws Exception {
        Figure f = Plots.scatter("cloud", gaussianCloud(2000, 1), 2000, null);
        f.save(dir.resolve("s.png"));
        f.save(dir.resolve("s.svg"));
        BufferedImage img = ImageIO.read(dir.resolve("s.png").toFile());
        assertEquals(2 * f.width(), img.getWidth());
        assertEquals(2 * f.height(), img.getHeight());
        String svg = Files.readString(dir.resolve("s.svg"));
        assertTrue(svg.contains("<svg"), "SVG root element");
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary files left behind");
        }
    }

    @Test
    void rejectsUnknownExtensionWithoutWriting() {
        Figure f = Plots.scatter("cloud", gaussianCloud(10, 1), 10, null);
        assertThrows(IllegalArgumentException.class, () -> f.save(dir.resolve("s.jpg")));
        assertTrue(!Files.exists(dir.resolve("s.jpg")));
    }

    @Test
    void densityPanelsColourTheHighestValueYellowAndZeroPurple() throws Exception {
        Grid grid = Grid.square(-3, 3, -3, 3, 50);
        double[] v = bump(grid);
        double[] half = v.clone();
        for (int k = 0; k < half.length; k++) {
            half[k] *= 0.5;
        }
        Figure f = Plots.densityPanels("two", List.of("full", "half"), grid, List.of(v, half), 2, true, "density");
        BufferedImage img = f.toImage(1);
        int peak = Colormap.viridisRgb(1.0);
        int zero = Colormap.viridisRgb(0.0);
        boolean sawPeak = false;
        boolean sawZero = false;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                sawPeak |= rgb == peak;
                sawZero |= rgb == zero;
            }
        }
        assertTrue(sawPeak && sawZero, "colour scale spans the data from 0 to the peak");
    }

    /** exp(−|x|²/2) on the grid: peak 1 at the origin. */
    static double[] bump(Grid grid) {
        double[] p = grid.points();
        double[] v = new double[grid.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = Math.exp(-0.5 * (p[2 * k] * p[2 * k] + p[2 * k + 1] * p[2 * k + 1]));
        }
        return v;
    }

    static int countRgb(BufferedImage img, int rgb) {
        int c = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                c += (img.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return c;
    }

    @Test
    void aColourCapSaturatesValuesAboveItWithoutChangingThem() {
        Grid grid = Grid.square(-3, 3, -3, 3, 40);
        double[] v = bump(grid);
        double[] copy = v.clone();
        int top = Colormap.viridisRgb(1.0);
        int auto = countRgb(Plots.densityPanels("a", List.of("f"), grid, List.of(v), 1, true, "d").toImage(1), top);
        int capped = countRgb(Plots.densityPanels("a", List.of("f"), grid, List.of(v), 1, true, "d", 0.25)
                .toImage(1), top);
        assertTrue(capped > 10 * Math.max(1, auto), "cap at a quarter of the peak: " + capped + " vs " + auto);
        assertArrayEquals(copy, v, 0.0);
    }

    @Test
    void viridisEndsAndMiddleAreTheAnchors() {
        assertEquals(0x440154, Colormap.viridisRgb(0));
        assertEquals(0xfde725, Colormap.viridisRgb(1));
        assertEquals(0x440154, Colormap.viridisRgb(-5));
    }

    @Test
    void squareRangeEqualisesSpansAboutTheCentre() {
        assertArrayEquals(new double[] {-2, 2, -1, 3}, Plots.squareRange(new double[] {-2, 2, 0, 2}), 1e-15);
    }

    @Test
    void ticksAreNiceAndInsideTheRange() {
        assertEquals(List.of(0.0, 0.5, 1.0, 1.5, 2.0), Ticks.ticks(0, 2, 5));
        assertEquals("0.25", Ticks.format(0.25, 0.05));
    }

    @Test
    void linesWithMarkersAndLogAxisRender() throws Exception {
        Figure f = Plots.lines("ISE", "h", "ISE", true, false,
                List.of(new Series("a", new double[] {0.1, 0.5, 1}, new double[] {3, 1, 2})), new double[] {0.4});
        f.save(dir.resolve("l.png"));
        assertTrue(Files.size(dir.resolve("l.png")) > 1000);
    }

    @Test
    void moreThanThreePanelsTakeTwoRows() {
        assertEquals(1, Plots.columnsFor(1));
        assertEquals(3, Plots.columnsFor(3));
        assertEquals(2, Plots.columnsFor(4));
        assertEquals(3, Plots.columnsFor(5)); // the prior and four layers: 3 + 2
    }

    @Test
    void lossPanelsAreSmallMultiplesTwoToARow() throws Exception {
        double[] t = {3, 2, 1.5, 1.4, 1.35};
        double[] v = {3.1, 2.2, 1.6, 1.5, 1.55};
        List<Plots.LossCurves> m = List.of(new Plots.LossCurves("a", t, v, 4), new Plots.LossCurves("b", t, v, 0),
                new Plots.LossCurves("c", t, v, 2));
        Figure f = Plots.lossPanels("losses", m, 2);
        assertEquals(2 * 420, f.width());
        assertEquals(34 + 2 * 300, f.height()); // the title, then 2 rows for 3 panels
        f.save(dir.resolve("loss.png"));
        assertTrue(Files.size(dir.resolve("loss.png")) > 1000);
        assertThrows(IllegalArgumentException.class, () -> new Plots.LossCurves("x", t, new double[] {1}, 1));
    }

    @Test
    void markedPointsAreLargeEnoughToSee() throws Exception {
        // one point alone, drawn as a marker: its colour must cover a visible area (a 4 px dot would not)
        Figure f = Plots.lines("p", "h", "ISE", true, true,
                List.of(Series.points("h", new double[] {0.5}, new double[] {0.01})), null);
        BufferedImage img = f.toImage(1);
        int hits = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                hits += (img.getRGB(x, y) & 0xffffff) == 0x1f77b4 ? 1 : 0;
            }
        }
        assertTrue(hits > 40, "marker pixels: " + hits);
    }
}

package org.kdeflow.cli.report;

import com.openhtmltopdf.mathmlsupport.MathMLDrawer;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.svgsupport.BatikSVGDrawer;
import com.openhtmltopdf.util.XRLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.kdeflow.formats.AtomicFiles;

/**
 * Writes a {@link ReportDocument} into a folder as {@code index.html} and renders the same document to
 * {@code report.pdf} with openhtmltopdf (MathML and SVG drawers on). The figures must already be in the folder.
 *
 * <p>Fonts: the PDF embeds DejaVu (Serif, Sans, Mono) from the usual system font folders when they are there, so that
 * Greek letters and operators (σ, θ, ⊙, ≤) print; without them openhtmltopdf falls back to the PDF base fonts, which
 * lack those glyphs. The HTML names the same families and lets the browser fall back.
 */
public final class ReportWriter {
    /** The HTML file name. */
    public static final String HTML = "index.html";
    /** The PDF file name. */
    public static final String PDF = "report.pdf";

    private static final List<String> FONT_DIRS = List.of(
            "/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF",
            "/usr/local/share/fonts", "/Library/Fonts", "C:\\Windows\\Fonts");

    /**
     * The {@code mathsize} of inline formulas in the PDF, chosen by eye so that their letters match the 10.5 pt body
     * text (the MathML layout's sizes are not the text's points).
     */
    static final String PDF_INLINE_MATH = "14pt";

    private ReportWriter() {
    }

    /** Writes {@code index.html}; returns its path. Every referenced figure must exist in {@code folder}. */
    public static Path writeHtml(ReportDocument doc, Path folder) throws IOException {
        for (String f : doc.figureFiles()) {
            if (!Files.isRegularFile(folder.resolve(f))) {
                throw new IOException("the report refers to a figure that was not written: " + folder.resolve(f));
            }
        }
        Path html = folder.resolve(HTML);
        AtomicFiles.write(html, doc.toXhtmlString().getBytes(StandardCharsets.UTF_8));
        return html;
    }

    /** Renders the document to {@code report.pdf} in {@code folder}, images resolved against that folder. */
    public static Path writePdf(ReportDocument doc, Path folder) throws IOException {
        String base = folder.toAbsolutePath().toUri().toString();
        Path pdf = folder.resolve(PDF);
        AtomicFiles.write(pdf, (OutputStream out) -> render(doc.toPrintXhtmlString(PDF_INLINE_MATH), base, out));
        return pdf;
    }

    /**
     * Renders a one-page document with a formula, an SVG and the fonts to nowhere. The first rendering in a JVM
     * spends seconds loading and initialising the PDF, MathML and SVG libraries; calling this on a spare thread
     * while other work runs takes that off the critical path.
     */
    public static void warmUp() {
        ReportDocument d = new ReportDocument("warm-up");
        d.section("s", "s").paragraph("σ θ ⊙ ", MathML.inline(MathML.frac(MathML.vec("x"), MathML.sub("y", "1:j"))))
                .equation(MathML.display(MathML.underover("∑", "k", "d"), MathML.hat("f")));
        String xhtml = d.toXhtmlString().replace("</body>", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
                + "height=\"10\"><rect width=\"5\" height=\"5\"/></svg></body>");
        try {
            render(xhtml, null, OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the real rendering reports any problem
        }
    }

    private static void render(String xhtml, String base, OutputStream out) throws IOException {
        quietLogs();
        {
            PdfRendererBuilder b = new PdfRendererBuilder();
            b.useFastMode();
            b.withHtmlContent(xhtml, base);
            b.useSVGDrawer(new BatikSVGDrawer());
            MathMLDrawer math = new MathMLDrawer();
            b.useMathMLDrawer(math);
            registerFonts(b, math);
            b.withProducer("kdeflow");
            b.toStream(out);
            b.run();
        }
    }

    /** Strong references: java.util.logging keeps loggers weakly, and a collected logger forgets its level. */
    private static final java.util.logging.Logger[] QUIET = {
        java.util.logging.Logger.getLogger("com.openhtmltopdf"), java.util.logging.Logger.getLogger("org.apache.pdfbox"),
        java.util.logging.Logger.getLogger("org.apache.fontbox")};

    private static void quietLogs() {
        XRLog.setLoggingEnabled(false);
        for (java.util.logging.Logger l : QUIET) {
            l.setLevel(Level.OFF);
        }
    }

    /**
     * The DejaVu faces for the text and, the serif ones, for the formulas too: the MathML drawer lays out with the
     * fonts it is given, so that formulas and body text share one serif face and size.
     */
    private static void registerFonts(PdfRendererBuilder b, MathMLDrawer math) {
        String[][] faces = {
            {"DejaVuSerif.ttf", "DejaVu Serif", "400", "NORMAL"},
            {"DejaVuSerif-Bold.ttf", "DejaVu Serif", "700", "NORMAL"},
            {"DejaVuSerif-Italic.ttf", "DejaVu Serif", "400", "ITALIC"},
            {"DejaVuSerif-BoldItalic.ttf", "DejaVu Serif", "700", "ITALIC"},
            {"DejaVuSans.ttf", "DejaVu Sans", "400", "NORMAL"},
            {"DejaVuSans-Bold.ttf", "DejaVu Sans", "700", "NORMAL"},
            {"DejaVuSans-Oblique.ttf", "DejaVu Sans", "400", "ITALIC"},
            {"DejaVuSansMono.ttf", "DejaVu Sans Mono", "400", "NORMAL"},
        };
        for (String[] f : faces) {
            for (String dir : FONT_DIRS) {
                Path p = Path.of(dir, f[0]);
                if (Files.isRegularFile(p)) {
                    b.useFont(p.toFile(), f[1], Integer.valueOf(f[2]),
                            PdfRendererBuilder.FontStyle.valueOf(f[3]), true);
                    if (f[1].equals("DejaVu Serif")) {
                        math.addFontFile(p.toFile(), f[1], Integer.valueOf(f[2]),
                                PdfRendererBuilder.FontStyle.valueOf(f[3]));
                    }
                    break;
                }
            }
        }
    }
}

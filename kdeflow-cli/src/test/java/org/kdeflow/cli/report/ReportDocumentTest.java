package org.kdeflow.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ReportDocumentTest {

    private static Document parse(String xhtml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xhtml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void textThatLooksLikeMarkupIsEscapedAndTheDocumentParses() throws Exception {
        ReportDocument r = new ReportDocument("a < b & \"c\"");
        r.section("s1", "x > y").paragraph("<script>alert(1)</script> & more", MathML.inline("a", "<", "b"));
        Document d = parse(r.toXhtmlString());
        assertEquals(0, d.getElementsByTagName("script").getLength());
        assertEquals("a < b & \"c\"", d.getElementsByTagName("title").item(0).getTextContent());
        NodeList math = d.getElementsByTagNameNS(MathML.NS, "math");
        assertEquals(1, math.getLength());
        assertEquals("a<b", math.item(0).getTextContent());
    }

    @Test
    void controlCharactersAndBadNamesAreRefused() {
        ReportDocument r = new ReportDocument("t");
        r.section("s", "s").paragraph("bell \u0007");
        assertThrows(IllegalArgumentException.class, r::toXhtmlString);
        assertThrows(IllegalArgumentException.class, () -> new Node.Element("a b"));
        assertThrows(IllegalArgumentException.class, () -> r.section("bad id", "x"));
        assertThrows(IllegalArgumentException.class, () -> r.section("s", "again"));
    }

    @Test
    void figuresAndTablesAreNumberedInDocumentOrderNotCreationOrder() throws Exception {
        ReportDocument r = new ReportDocument("t");
        ReportDocument.Section first = r.section("first", "First");
        ReportDocument.Section second = r.section("second", "Second");
        second.figure("b.png", "made first");
        second.table("table made first", List.of("h"), List.of(List.of(1)));
        first.figure("a.png", "made second");
        first.figures(List.of("c.png", "d.png"), "made third", 50);
        Document d = parse(r.toXhtmlString());
        NodeList captions = d.getElementsByTagName("p");
        StringBuilder order = new StringBuilder();
        for (int i = 0; i < captions.getLength(); i++) {
            Element p = (Element) captions.item(i);
            if ("caption".equals(p.getAttribute("class"))) {
                order.append(p.getTextContent()).append('|');
            }
        }
        assertEquals("Figure 1. made second|Figure 2. made third|Figure 3. made first|", order.toString());
        assertEquals(List.of("a.png", "c.png", "d.png", "b.png"), r.figureFiles());
        assertTrue(d.getElementsByTagName("caption").item(0).getTextContent().startsWith("Table 1. "));
        // numbering is recomputed, not accumulated, when the document is rendered twice
        assertEquals(r.toXhtmlString(), r.toXhtmlString());
    }

    @Test
    void figuresMustStayInsideTheReportFolder() {
        ReportDocument.Section s = new ReportDocument("t").section("s", "s");
        assertThrows(IllegalArgumentException.class, () -> s.figure("../etc/passwd", "x"));
        assertThrows(IllegalArgumentException.class, () -> s.figure("/abs.png", "x"));
        assertThrows(IllegalArgumentException.class, () -> s.figure("http://host/x.png", "x"));
        assertThrows(IllegalArgumentException.class, () -> s.figures(List.of("a.png", "../b.png"), "x", 50));
        assertThrows(IllegalArgumentException.class, () -> s.figures(List.of("a.png", "b.png"), "x", 101));
    }

    @Test
    void imagesThatDoNotFitOneRowWrapAndEveryImageLinksToItsFile() throws Exception {
        ReportDocument r = new ReportDocument("t");
        r.section("s", "s").figures(List.of("a.png", "b.png", "c.png"), "three", 45).figure("d.png", "one", 60);
        Document d = parse(r.toXhtmlString());
        // 45 % each: two to a row, so three images take two rows
        assertEquals(2, d.getElementsByTagName("tr").getLength());
        NodeList links = d.getElementsByTagName("a");
        List<String> hrefs = new java.util.ArrayList<>();
        for (int i = 0; i < links.getLength(); i++) {
            Element a = (Element) links.item(i);
            if (a.getElementsByTagName("img").getLength() == 1) {
                assertEquals(a.getAttribute("href"),
                        ((Element) a.getElementsByTagName("img").item(0)).getAttribute("src"));
                hrefs.add(a.getAttribute("href"));
            }
        }
        assertEquals(List.of("a.png", "b.png", "c.png", "d.png"), hrefs);
        // the link is the block that carries the figure's width (an image's own % is lost inside a link in the PDF)
        assertTrue(((Element) links.item(links.getLength() - 1)).getAttribute("style").contains("width:60%"));
    }

    @Test
    void numbersInProseDoNotBreakAndEquationsStayWithTheirIntroduction() throws Exception {
        ReportDocument r = new ReportDocument("t");
        r.section("s", "s").paragraph("NLL −2.427 and 1.121e-4 at N = 1500, h = 0.5")
                .equation(MathML.display("a")).equation(MathML.display("b"));
        Document d = parse(r.toXhtmlString());
        NodeList spans = d.getElementsByTagName("span");
        List<String> kept = new java.util.ArrayList<>();
        for (int i = 0; i < spans.getLength(); i++) {
            kept.add(spans.item(i).getTextContent());
        }
        // integers cannot break; a sign, a decimal point or an exponent could
        assertEquals(List.of("−2.427", "1.121e-4", "0.5"), kept);
        NodeList divs = d.getElementsByTagName("div");
        Element keep = null;
        for (int i = 0; i < divs.getLength(); i++) {
            if ("keep".equals(((Element) divs.item(i)).getAttribute("class"))) {
                assertEquals(null, keep, "one group");
                keep = (Element) divs.item(i);
            }
        }
        assertEquals(1, keep.getElementsByTagName("p").getLength());
        assertEquals(2, keep.getElementsByTagNameNS(MathML.NS, "math").getLength());
    }

    @Test
    void aTableRowOfTheWrongLengthIsRefused() {
        ReportDocument.Section s = new ReportDocument("t").section("s", "s");
        assertThrows(IllegalArgumentException.class,
                () -> s.table("x", List.of("a", "b"), List.of(List.of(1))));
    }

    @Test
    void numbersReadLikeAPersonWroteThem() {
        assertEquals("0.1", ReportDocument.number(0.1));
        assertEquals("1500", ReportDocument.number(1500));
        assertEquals("2.145", ReportDocument.number(2.1447197));
        assertEquals("8.96e-4", ReportDocument.number(8.96e-4));
        assertEquals("−0.02673", ReportDocument.number(-0.026731));
        assertEquals("1.235e5", ReportDocument.number(123456.7));
        assertEquals("NaN", ReportDocument.number(Double.NaN));
    }

    @Test
    void aMeanAndItsSpreadReadAtOnePrecision() {
        // the spread to 2 significant digits, the mean to its last decimal place
        assertEquals("0.568 ± 0.074", ReportDocument.plusMinus(0.5679, 0.07442));
        assertEquals("−0.15 ± 0.39", ReportDocument.plusMinus(-0.1481, 0.3895));
        assertEquals("0.00 ± 0.20", ReportDocument.plusMinus(-0.002812, 0.1973)); // no "−0.00"
        assertEquals("1700 ± 3700", ReportDocument.plusMinus(1675, 3744));
        assertEquals("2.145", ReportDocument.plusMinus(2.1447197, 0));
    }

    @Test
    void htmlRefusesAMissingFigureAndPdfRendersMathAndImages(@TempDir Path dir) throws Exception {
        ReportDocument r = new ReportDocument("t");
        ReportDocument.Section s = r.section("s", "S");
        s.equation(MathML.display(MathML.frac("a", "b"), MathML.mo("="), MathML.sub(MathML.vec("x"), "1:j")));
        s.figure("graph.svg", "a drawing");
        assertThrows(java.io.IOException.class, () -> ReportWriter.writeHtml(r, dir));
        new Diagram(100, 50).box(50, 25, 60, 30, "s", Diagram.NETWORK).saveSvg(dir.resolve("graph.svg"));
        ReportWriter.writeHtml(r, dir);
        ReportWriter.writePdf(r, dir);
        byte[] pdf = Files.readAllBytes(dir.resolve("report.pdf"));
        assertEquals("%PDF", new String(pdf, 0, 4, StandardCharsets.ISO_8859_1));
        assertTrue(pdf.length > 2000);
        parse(Files.readString(dir.resolve("index.html")));
    }

    @Test
    void diagramsWriteParsableSvgAndAPngOfTheRequestedScale(@TempDir Path dir) throws Exception {
        Diagram g = new Diagram(200, 100).box(50, 50, 60, 30, "*y_1:j", Diagram.NETWORK).circle(150, 50, 15, "⊙",
                Diagram.OPERATION).arrow(80, 50, 135, 50);
        g.saveSvg(dir.resolve("g.svg"));
        g.savePng(dir.resolve("g.png"), 2);
        Document svg = parse(Files.readString(dir.resolve("g.svg")));
        assertEquals("svg", svg.getDocumentElement().getLocalName());
        assertTrue(Files.readString(dir.resolve("g.svg")).contains(">1:j</tspan>"));
        var img = javax.imageio.ImageIO.read(dir.resolve("g.png").toFile());
        assertEquals(400, img.getWidth());
        assertEquals(200, img.getHeight());
    }
}

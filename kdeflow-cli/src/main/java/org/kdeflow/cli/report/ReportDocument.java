package org.kdeflow.cli.report;

import static org.kdeflow.cli.report.Node.el;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.kdeflow.cli.report.Node.Element;

/**
 * A report as a tree of numbered sections holding paragraphs, display equations, figures (image files that sit beside
 * the HTML) and tables. {@link #toXhtml()} turns it into one well-formed XHTML document that browsers show as HTML and
 * openhtmltopdf turns into a PDF.
 *
 * <p>Usage: {@code ReportDocument r = new ReportDocument("Title"); Section s = r.section("part1", "Part I");
 * s.paragraph("Text with ", MathML.inline("h"), " inline."); s.figure("a.png", "Caption.");}
 */
public final class ReportDocument {
    private final String title;
    private final List<Element> front = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();
    private int figures;
    private int tables;

    public ReportDocument(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    /** A paragraph shown under the title, before the contents. */
    public ReportDocument lead(Object... parts) {
        front.add(el("p", parts).attr("class", "lead"));
        return this;
    }

    /** Adds a top-level section. {@code id} must be unique: it names the anchor and the checks in tests. */
    public Section section(String id, String heading) {
        Section s = new Section(this, id, heading, 2);
        for (Section other : sections) {
            if (other.allIds().contains(id)) {
                throw new IllegalArgumentException("duplicate section id '" + id + "'");
            }
        }
        sections.add(s);
        return s;
    }

    public List<Section> sections() {
        return List.copyOf(sections);
    }

    int nextFigure() {
        return ++figures;
    }

    int nextTable() {
        return ++tables;
    }

    /** The image files the report refers to (relative paths), in order of appearance. */
    public List<String> figureFiles() {
        List<String> files = new ArrayList<>();
        for (Element img : toXhtml().findAll("img")) {
            files.add(img.attr("src"));
        }
        return files;
    }

    /** The whole document as an XHTML tree with its style sheet inline. */
    public Element toXhtml() {
        Element head = el("head",
                el("meta").attr("charset", "utf-8"),
                el("title", title),
                el("style", Style.CSS));
        Element toc = el("ol").attr("class", "toc");
        for (Section s : sections) {
            toc.add(s.tocEntry());
        }
        Element body = el("body", el("h1", title));
        body.add(front);
        body.add(el("nav", el("h2", "Contents").attr("class", "toc-title"), toc));
        for (Section s : sections) {
            body.add(s.toXhtml());
        }
        // figures and tables are numbered in the order they appear, whatever order they were added in
        java.util.Map<String, Integer> counters = new java.util.HashMap<>();
        for (Element span : body.findAll("span")) {
            String kind = span.attr("data-kind");
            if (kind != null) {
                span.text(kind + " " + counters.merge(kind, 1, Integer::sum) + ". ");
            }
        }
        return el("html", head, body).attr("xmlns", "http://www.w3.org/1999/xhtml").attr("lang", "en");
    }

    /** The document as text: an HTML5 doctype followed by the XHTML tree. */
    public String toXhtmlString() {
        return text(toXhtml());
    }

    private static String text(Element html) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n");
        html.write(sb);
        sb.append('\n');
        return sb.toString();
    }

    /**
     * The document for the PDF renderer: as {@link #toXhtmlString}, with every inline formula given the size
     * {@code inlineMathSize} ({@code mathsize}), since that renderer lays out each formula at one fixed size of its
     * own whatever the text around it.
     */
    public String toPrintXhtmlString(String inlineMathSize) {
        Element html = toXhtml();
        for (Element m : html.findAll("math")) {
            if (!"block".equals(m.attr("display"))) {
                m.attr("mathsize", inlineMathSize);
            }
        }
        return text(html);
    }

    /** A section: heading, numbered figures and tables, sub-sections. Methods return the section for chaining. */
    public static final class Section {
        private final ReportDocument doc;
        private final String id;
        private final String heading;
        private final int level;
        private final List<Object> content = new ArrayList<>();

        Section(ReportDocument doc, String id, String heading, int level) {
            if (!id.matches("[A-Za-z][A-Za-z0-9_-]*")) {
                throw new IllegalArgumentException("section id must be letters, digits, '-' or '_': '" + id + "'");
            }
            this.doc = doc;
            this.id = id;
            this.heading = heading;
            this.level = level;
        }

        public String id() {
            return id;
        }

        public String heading() {
            return heading;
        }

        /** A paragraph: strings become text, elements (inline math, {@link #em}, {@link #code}) are kept. */
        public Section paragraph(Object... parts) {
            content.add(el("p", unbroken(parts)));
            return this;
        }

        /** A bulleted list, one item per element of {@code items} (each a string, element, or list of parts). */
        public Section bullets(List<?> items) {
            Element ul = el("ul");
            for (Object item : items) {
                ul.add(el("li", unbroken(item instanceof List<?> l ? l.toArray() : new Object[] {item})));
            }
            content.add(ul);
            return this;
        }

        /** A display equation (a {@code <math display="block">} element). */
        public Section equation(Element math) {
            if (!math.name().equals("math")) {
                throw new IllegalArgumentException("an equation must be a <math> element, not <" + math.name() + ">");
            }
            Element eq = el("div", math).attr("class", "equation");
            // the paragraph that introduces equations and the equations themselves stay on one page
            int last = content.size() - 1;
            if (last >= 0 && content.get(last) instanceof Element e
                    && (e.name().equals("p") || "keep".equals(e.attr("class")))) {
                Element keep = "keep".equals(e.attr("class")) ? e : el("div", e).attr("class", "keep");
                content.set(last, keep.add(eq));
            } else {
                content.add(eq);
            }
            return this;
        }

        /** A figure at full text width. */
        public Section figure(String file, String caption) {
            return figure(file, caption, 100);
        }

        /**
         * A figure: {@code file} relative to the report's folder, shown at {@code widthPercent} of the text width and
         * numbered "Figure n." in front of the caption.
         */
        public Section figure(String file, String caption, int widthPercent) {
            checkFigureFile(file);
            if (widthPercent < 1 || widthPercent > 100) {
                throw new IllegalArgumentException("figure width must be 1..100 %: " + widthPercent);
            }
            int n = doc.nextFigure();
            Element img = el("img").attr("src", file).attr("alt", caption).attr("style", "width:100%");
            content.add(el("div", linked(file, img, widthPercent), el("p", label("Figure"), caption)
                    .attr("class", "caption")).attr("class", "figure").attr("id", id + "-fig" + n));
            return this;
        }

        /**
         * Several images under one number and caption, each {@code widthPercent} of the text width, as many to a row
         * as fit (⌊100 / widthPercent⌋), rows left-aligned from the top. Each image links to its full-size file.
         */
        public Section figures(List<String> files, String caption, int widthPercent) {
            for (String file : files) {
                checkFigureFile(file);
            }
            if (widthPercent < 1 || widthPercent > 100) {
                throw new IllegalArgumentException("figure width must be 1..100 %: " + widthPercent);
            }
            int n = doc.nextFigure();
            int perRow = Math.max(1, Math.min(files.size(), 100 / widthPercent));
            // table rows: the layout both browsers and openhtmltopdf agree on for images side by side
            Element tbody = el("tbody");
            Element tr = null;
            for (int k = 0; k < files.size(); k++) {
                if (k % perRow == 0) {
                    tr = el("tr");
                    tbody.add(tr);
                }
                String file = files.get(k);
                tr.add(el("td", linked(file, el("img").attr("src", file).attr("alt", caption)
                        .attr("style", "width:100%"), 100)).attr("style", "width:" + widthPercent + "%"));
            }
            Element row = el("table", tbody).attr("class", "images");
            content.add(el("div", row, el("p", label("Figure"), caption)
                    .attr("class", "caption")).attr("class", "figure").attr("id", id + "-fig" + n));
            return this;
        }

        private static void checkFigureFile(String file) {
            if (file.contains("..") || file.startsWith("/") || file.contains(":")) {
                throw new IllegalArgumentException("a figure must be a file inside the report's folder: '" + file + "'");
            }
        }

        /**
         * An image wrapped in a link to its file, so that a reader opens the figure at full size; the link is the
         * block that takes {@code widthPercent} of the width (both renderers size a 100 % image inside it alike).
         */
        private static Element linked(String file, Element img, int widthPercent) {
            return el("a", img).attr("href", file).attr("class", "figure-link").attr("title", "full size: " + file)
                    .attr("style", "display:block;width:" + widthPercent + "%;margin:0 auto");
        }

        /**
         * A table with a header row; cells are strings, numbers (formatted with {@link #number}) or elements.
         * Numeric columns are right-aligned.
         */
        public Section table(String caption, List<String> header, List<List<Object>> rows) {
            int n = doc.nextTable();
            Element thead = el("tr");
            for (String h : header) {
                thead.add(el("th", h));
            }
            Element tbody = el("tbody");
            for (List<Object> r : rows) {
                if (r.size() != header.size()) {
                    throw new IllegalArgumentException("table '" + caption + "': a row has " + r.size()
                            + " cells, the header " + header.size());
                }
                Element tr = el("tr");
                for (Object cell : r) {
                    Element td = el("td");
                    if (cell instanceof Fixed f) {
                        td.add(f.text()).attr("class", "num");
                    } else if (cell instanceof Number num) {
                        td.add(number(num.doubleValue())).attr("class", "num");
                    } else if (cell != null) {
                        td.add(cell);
                    }
                    tr.add(td);
                }
                tbody.add(tr);
            }
            content.add(el("table",
                    el("caption", label("Table"), caption),
                    el("thead", thead), tbody).attr("id", id + "-tab" + n));
            return this;
        }

        /** A sub-section (one heading level down). */
        public Section subsection(String subId, String subHeading) {
            if (doc.sections.stream().anyMatch(s -> s.allIds().contains(subId))) {
                throw new IllegalArgumentException("duplicate section id '" + subId + "'");
            }
            Section s = new Section(doc, subId, subHeading, Math.min(level + 1, 5));
            content.add(s);
            return s;
        }

        List<String> allIds() {
            List<String> ids = new ArrayList<>();
            ids.add(id);
            for (Object o : content) {
                if (o instanceof Section s) {
                    ids.addAll(s.allIds());
                }
            }
            return ids;
        }

        Element tocEntry() {
            Element li = el("li", el("a", heading).attr("href", "#" + id));
            Element sub = el("ol");
            for (Object o : content) {
                if (o instanceof Section s) {
                    sub.add(s.tocEntry());
                }
            }
            if (!sub.children().isEmpty()) {
                li.add(sub);
            }
            return li;
        }

        Element toXhtml() {
            Element sec = el("section", el("h" + level, heading)).attr("id", id);
            for (Object o : content) {
                sec.add(o instanceof Section s ? s.toXhtml() : o);
            }
            return sec;
        }
    }

    private static Element label(String kind) {
        return el("span", kind + " ").attr("class", "label").attr("data-kind", kind);
    }

    /** Emphasised text. */
    public static Element em(String text) {
        return el("em", text);
    }

    /** Bold text. */
    public static Element strong(String text) {
        return el("strong", text);
    }

    /** Monospaced text (commands, file names). */
    public static Element code(String text) {
        return el("code", text);
    }

    /**
     * A number with a sign, a decimal point or an exponent (−2.427, 0.1045, 1.121e-4), which must not break, with the
     * brackets and punctuation that touch it ("(−2.417", "1.121e-4),").
     */
    private static final java.util.regex.Pattern BREAKABLE_NUMBER = java.util.regex.Pattern.compile(
            "\\(?([−+-]?\\d+(?:\\.\\d+)?(?:e[−+-]?\\d+)?)[)\\],;:%×]*");

    /**
     * Parts for a paragraph with every number that a line break could split (one with a sign, a decimal point or an
     * exponent) put in a {@code <span class="nobr">}; other parts are kept as they are.
     */
    static Object[] unbroken(Object... parts) {
        List<Object> out = new ArrayList<>();
        for (Object p : parts) {
            if (!(p instanceof String s)) {
                out.add(p);
                continue;
            }
            java.util.regex.Matcher m = BREAKABLE_NUMBER.matcher(s);
            int from = 0;
            while (m.find()) {
                String n = m.group();
                if (!m.group(1).matches("\\d+")) { // an integer alone cannot break
                    if (m.start() > from) {
                        out.add(s.substring(from, m.start()));
                    }
                    out.add(el("span", n).attr("class", "nobr"));
                    from = m.end();
                }
            }
            if (from < s.length()) {
                out.add(s.substring(from));
            }
        }
        return out.toArray();
    }

    /**
     * A number for prose and tables: 4 significant digits, plain notation between 1e-3 and 1e5, scientific otherwise,
     * always with a '.' decimal separator; NaN and infinities spelt out.
     */
    public static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return minus(String.format(Locale.ROOT, "%d", (long) v));
        }
        double a = Math.abs(v);
        String s;
        if (a >= 1e-3 && a < 1e5) {
            s = new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
        } else {
            String[] me = String.format(Locale.ROOT, "%.3e", v).split("e");
            String mant = me[0].contains(".") ? me[0].replaceAll("0+$", "").replaceAll("\\.$", "") : me[0];
            s = mant + "e" + Integer.parseInt(me[1]);
        }
        return minus(s);
    }

    /** A table cell with a fixed number of decimals (a column that reads at one precision), right-aligned. */
    public record Fixed(double value, int decimals) {
        public Fixed {
            if (decimals < 0 || decimals > 12) {
                throw new IllegalArgumentException("decimals must be 0..12, got " + decimals);
            }
        }

        /** The value with {@code decimals} decimals, '−' for minus. */
        public String text() {
            return fixed(value, decimals);
        }
    }

    /** v with a fixed number of decimals and a '−' for minus (never "−0.000"); NaN and infinities spelt out. */
    public static String fixed(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return number(v);
        }
        java.math.BigDecimal b = new java.math.BigDecimal(v).setScale(decimals, java.math.RoundingMode.HALF_EVEN);
        return minus(b.signum() == 0 ? b.abs().toPlainString() : b.toPlainString());
    }

    /**
     * "m ± s" for a mean and its spread: s to 2 significant digits and m to the same last decimal place, so the two
     * read at one precision (0.568 ± 0.074, −0.15 ± 0.39, 1675 ± 3744 → 1700 ± 3700); s = 0 gives {@link #number}(m).
     */
    public static String plusMinus(double mean, double sd) {
        if (!(sd > 0) || Double.isInfinite(sd) || !Double.isFinite(mean)) {
            return number(mean) + (sd > 0 ? " ± " + number(sd) : "");
        }
        java.math.BigDecimal s = new java.math.BigDecimal(sd).round(new java.math.MathContext(2));
        int scale = s.scale();
        java.math.BigDecimal m = new java.math.BigDecimal(mean).setScale(scale, java.math.RoundingMode.HALF_EVEN);
        return minus(plain(m, scale)) + " ± " + plain(s, scale);
    }

    private static String plain(java.math.BigDecimal v, int scale) {
        return scale >= 0 ? v.setScale(scale, java.math.RoundingMode.HALF_EVEN).toPlainString()
                : v.setScale(scale, java.math.RoundingMode.HALF_EVEN).toBigInteger().toString();
    }

    private static String minus(String s) {
        return s.startsWith("-") ? "−" + s.substring(1) : s;
    }
}

package org.kdeflow.cli.report;

import java.util.List;
import org.kdeflow.cli.report.Node.Element;

/**
 * A small builder for presentation MathML: the subset that both browsers (MathML Core) and openhtmltopdf's MathML
 * renderer draw. Strings passed where a node is expected become tokens: digits become {@code <mn>}, operators and
 * brackets {@code <mo>}, anything else {@code <mi>}.
 */
public final class MathML {
    /** The MathML namespace. */
    public static final String NS = "http://www.w3.org/1998/Math/MathML";

    private static final String OPERATORS = "+-−=()[]{}|,;:⊙⊖⊕∘·×/<>≤≥≈∑Σ∏→↦⁻…";

    private MathML() {
    }

    /** A display (block) formula. */
    public static Element display(Object... content) {
        return new Element("math").attr("xmlns", NS).attr("display", "block").add(row(content));
    }

    /** An inline formula. */
    public static Element inline(Object... content) {
        return new Element("math").attr("xmlns", NS).add(row(content));
    }

    /** {@code <mrow>} of the given parts (strings become tokens). */
    public static Element row(Object... parts) {
        Element r = new Element("mrow");
        for (Object p : parts) {
            r.add(node(p));
        }
        return r;
    }

    static Object node(Object p) {
        if (p instanceof String s) {
            return tok(s);
        }
        if (p instanceof Number n) {
            return mn(n.toString());
        }
        if (p instanceof List<?> list) {
            return row(list.toArray());
        }
        return p;
    }

    /**
     * A short expression such as {@code "j+1:d"} split into tokens: runs of digits become {@code <mn>}, letters
     * {@code <mi>} (one each), operator characters {@code <mo>}.
     */
    public static Element expr(String s) {
        Element r = new Element("mrow");
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isDigit(c)) {
                int j = i;
                while (j < s.length() && (Character.isDigit(s.charAt(j)) || s.charAt(j) == '.')) {
                    j++;
                }
                r.add(mn(s.substring(i, j)));
                i = j;
            } else if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c)) {
                r.add(mi(String.valueOf(c)));
                i++;
            } else {
                r.add(mo(String.valueOf(c)));
                i++;
            }
        }
        return r;
    }

    /** A token from a string: number, operator or identifier. */
    public static Element tok(String s) {
        if (s.matches("[0-9]+(\\.[0-9]+)?")) {
            return mn(s);
        }
        if (s.length() == 1 && OPERATORS.indexOf(s.charAt(0)) >= 0 || s.equals("log") || s.equals("exp")
                || s.equals("det") || s.equals("diag")) {
            return s.length() == 1 ? mo(s) : mi(s);
        }
        return mi(s);
    }

    public static Element mi(String s) {
        return new Element("mi").add(s);
    }

    /** An upright identifier (function names, units). */
    public static Element upright(String s) {
        return new Element("mi").attr("mathvariant", "normal").add(s);
    }

    public static Element mn(String s) {
        return new Element("mn").add(s);
    }

    public static Element mo(String s) {
        return new Element("mo").add(s);
    }

    public static Element text(String s) {
        return new Element("mtext").add(s);
    }

    /** A little horizontal space, in em. */
    public static Element space(double em) {
        return new Element("mspace").attr("width", em + "em");
    }

    /** A bold vector symbol such as 𝐱 (bold italic in both renderers). */
    public static Element vec(String s) {
        return new Element("mi").attr("mathvariant", "bold-italic").attr("style", "font-weight:bold").add(s);
    }

    /** A subscript; a string index is split with {@link #expr}. */
    public static Element sub(Object base, Object index) {
        return new Element("msub").add(node(base), index instanceof String s ? expr(s) : wrap(index));
    }

    public static Element sup(Object base, Object exponent) {
        return new Element("msup").add(node(base), wrap(exponent));
    }

    public static Element subsup(Object base, Object index, Object exponent) {
        return new Element("msubsup").add(node(base), wrap(index), wrap(exponent));
    }

    public static Element frac(Object numerator, Object denominator) {
        return new Element("mfrac").add(wrap(numerator), wrap(denominator));
    }

    public static Element sqrt(Object... content) {
        return new Element("msqrt").add(row(content));
    }

    /** A hat accent over a symbol, as in f̂. */
    public static Element hat(Object base) {
        return new Element("mover").attr("accent", "true").add(wrap(base), mo("^"));
    }

    /** A big operator with limits below and above, e.g. a sum. */
    public static Element underover(String operator, Object under, Object over) {
        return new Element("munderover").add(mo(operator), wrap(under), wrap(over));
    }

    /** A big operator with a limit below. */
    public static Element under(String operator, Object under) {
        return new Element("munder").add(mo(operator), wrap(under));
    }

    /** Content in round brackets. */
    public static Element paren(Object... content) {
        return row(mo("("), row(content), mo(")"));
    }

    /** Content between vertical bars. */
    public static Element abs(Object... content) {
        return row(mo("|"), row(content), mo("|"));
    }

    /** A matrix in square brackets; each row is a list of cells. */
    public static Element matrix(List<List<Object>> rows) {
        Element table = new Element("mtable");
        for (List<Object> r : rows) {
            Element tr = new Element("mtr");
            for (Object cell : r) {
                tr.add(new Element("mtd").add(wrap(cell)));
            }
            table.add(tr);
        }
        return row(mo("["), table, mo("]"));
    }

    /**
     * Aligned equations: each line is {left, relation, right}, laid out as a three-column table so the relations line
     * up (the one alignment construct both renderers share).
     */
    public static Element aligned(List<Object[]> lines) {
        String[] align = {"right", "center", "left"};
        Element table = new Element("mtable").attr("class", "aligned").attr("columnalign", "right center left")
                .attr("columnspacing", "0.3em");
        for (Object[] line : lines) {
            Element tr = new Element("mtr");
            for (int i = 0; i < line.length; i++) {
                tr.add(new Element("mtd").attr("columnalign", align[Math.min(i, 2)]).add(wrap(line[i])));
            }
            table.add(tr);
        }
        return table;
    }

    private static Element wrap(Object o) {
        Object n = node(o);
        if (n instanceof Element e) {
            return e;
        }
        throw new IllegalArgumentException("not a MathML part: " + o);
    }
}

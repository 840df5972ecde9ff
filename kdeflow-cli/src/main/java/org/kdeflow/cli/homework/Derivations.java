package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.MathML.abs;
import static org.kdeflow.cli.report.MathML.aligned;
import static org.kdeflow.cli.report.MathML.display;
import static org.kdeflow.cli.report.MathML.frac;
import static org.kdeflow.cli.report.MathML.inline;
import static org.kdeflow.cli.report.MathML.matrix;
import static org.kdeflow.cli.report.MathML.mi;
import static org.kdeflow.cli.report.MathML.mn;
import static org.kdeflow.cli.report.MathML.mo;
import static org.kdeflow.cli.report.MathML.paren;
import static org.kdeflow.cli.report.MathML.row;
import static org.kdeflow.cli.report.MathML.space;
import static org.kdeflow.cli.report.MathML.sqrt;
import static org.kdeflow.cli.report.MathML.sub;
import static org.kdeflow.cli.report.MathML.subsup;
import static org.kdeflow.cli.report.MathML.sup;
import static org.kdeflow.cli.report.MathML.text;
import static org.kdeflow.cli.report.MathML.under;
import static org.kdeflow.cli.report.MathML.underover;
import static org.kdeflow.cli.report.MathML.upright;
import static org.kdeflow.cli.report.MathML.vec;
import static org.kdeflow.cli.report.ReportDocument.em;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.kdeflow.cli.report.Diagram;
import org.kdeflow.cli.report.Node.Element;
import org.kdeflow.cli.report.ReportDocument.Section;

/**
 * The homework's pen-and-paper answers, set in MathML: Part I's estimator and the quality measures the report uses,
 * and Part II Tasks 2–5 and 7 (the affine coupling layer's inverse, its computational graph, Jacobian and
 * log-determinants, and the composition rule).
 */
final class Derivations {
    /** File name of the inverse coupling layer's computational graph (Part II, Task 2). */
    static final String GRAPH_SVG = "coupling-inverse-graph.svg";
    static final String GRAPH_PNG = "coupling-inverse-graph.png";

    private Derivations() {
    }

    // ---- symbols -------------------------------------------------------------------------------------------------

    private static Element x(String range) {
        return sub(vec("x"), range);
    }

    private static Element y(String range) {
        return sub(vec("y"), range);
    }

    private static Element s() {
        return vec("s");
    }

    private static Element t() {
        return vec("t");
    }

    private static Element call(Object f, Object arg) {
        return row(f, paren(arg));
    }

    private static Element exp(Object... arg) {
        return row(upright("exp"), paren(arg));
    }

    /** "log" and the thin space (3/18 em, as in TeX) that separates it from its argument. */
    private static Element log() {
        return row(upright("log"), space(0.17));
    }

    private static Element det() {
        return upright("det");
    }

    private static Element d(Object num, Object den) {
        return frac(row(upright("d"), num), row(upright("d"), den));
    }

    private static Element partial(Object num, Object den) {
        return frac(row(mo("∂"), num), row(mo("∂"), den));
    }

    private static Element sumK(String k, String from, Object to) {
        return underover("∑", row(mi(k), mo("="), from), to);
    }

    // ---- Part I --------------------------------------------------------------------------------------------------

    /** The estimator of Part I with the homework's kernel and H = hI. */
    static void kdeEstimator(Section s) {
        s.paragraph("The estimate of a density f from N i.i.d. samples ", inline(sub(vec("x"), "i")),
                " with bandwidth matrix H and kernel K is");
        s.equation(display(row(fhat(), paren(vec("x")), mo("="),
                frac(1, "N"), frac(1, abs(mi("H"))), sumK("i", "1", "N"),
                mi("K"), paren(sup(mi("H"), row(mo("−"), mn("1"))), space(0.12),
                        paren(sub(vec("x"), "i"), mo("−"), vec("x"))))));
        s.paragraph("with the separable Gaussian kernel ", inline(mi("K"), paren(vec("u")), mo("="),
                mi("k"), paren(sub(mi("u"), "1")), mi("k"), paren(sub(mi("u"), "2"))), ", ",
                inline(mi("k"), paren(mi("u")), mo("="), frac(1, sqrt(2, mi("π"))),
                        exp(mo("−"), frac(sup(mi("u"), 2), 2)), mo(".")),
                " For H = hI (|H| = h², the determinant's absolute value) this is");
        s.equation(display(fhat(), paren(vec("x")), mo("="), frac(1, row("N", sup(mi("h"), 2))),
                sumK("i", "1", "N"), mi("k"), paren(frac(row(sub(mi("x"), "i1"), mo("−"), sub(mi("x"), "1")), "h")),
                mi("k"), paren(frac(row(sub(mi("x"), "i2"), mo("−"), sub(mi("x"), "2")), "h")), mo(",")));
        s.paragraph("a sum of N Gaussian bumps of standard deviation h, one on each sample. Its quality is measured in "
                + "three ways. On a grid of G points with cell area ΔA, the integrated squared error and the maximum "
                + "error against the true density are");
        s.equation(display(aligned(List.of(
                new Object[] {row(upright("ISE"), paren("h")), mo("="),
                    row(mo("∫"), sup(paren(row(sub(fhat(), "h"), paren(vec("x")), mo("−"), mi("f"),
                            paren(vec("x")))), 2), upright("d"), vec("x"), mo("≈"), sub(mo("∑"), "g"),
                        sup(paren(row(sub(fhat(), "h"), paren(sub(vec("x"), "g")), mo("−"), mi("f"),
                                paren(sub(vec("x"), "g")))), 2), mi("Δ"), mi("A"), mo(","))},
                new Object[] {row(upright("max err"), paren("h")), mo("="),
                    row(sub(upright("max"), "g"), abs(sub(fhat(), "h"), paren(sub(vec("x"), "g")), mo("−"),
                            mi("f"), paren(sub(vec("x"), "g"))), mo(","))}))));
        s.paragraph("and, without knowing f, the mean log-likelihood of M held-out samples ",
                inline(sub(vec("x"), "m"), mo("′")), " drawn independently of the training samples:");
        s.equation(display(mi("L"), paren("h"), mo("="), frac(1, "M"), sumK("m", "1", "M"), log(),
                sub(fhat(), "h"), paren(sub(vec("x"), "m"), mo("′")), mo(".")));
        s.paragraph(inline(mi("L"), paren("h")), " is what the cross-validated bandwidth maximises with the training samples themselves, each "
                + "left out of its own estimate (leave-one-out likelihood cross-validation):");
        s.equation(display(sub(mi("h"), "LCV"), mo("="), under("argmax", mi("h")), frac(1, "N"), sumK("i", "1", "N"),
                log(), subsup(fhat(), "h", row(mo("−"), mi("i"))), paren(sub(vec("x"), "i")), mo(","),
                text("  "), subsup(fhat(), "h", row(mo("−"), mi("i"))), paren(vec("x")), mo("="),
                frac(1, row(paren("N", mo("−"), 1), sup(mi("h"), 2))), under("∑", row(mi("n"), mo("≠"), mi("i"))),
                mi("K"), paren(frac(row(sub(vec("x"), "n"), mo("−"), vec("x")), "h")), mo(".")));
    }

    /** Why the entropy is the floor of every held-out negative log-likelihood. */
    static void entropyFloor(Section s) {
        s.paragraph("Every model q below is scored by its mean negative log-likelihood (NLL, in nats) on fresh samples "
                + "of the true density f. In expectation that is the cross-entropy, which splits into f's differential "
                + "entropy and a Kullback–Leibler divergence that is never negative:");
        s.equation(display(sub(mi("E"), row(vec("x"), mo("∼"), mi("f"))), mo("["), mo("−"), log(), mi("q"),
                paren(vec("x")), mo("]"), mo("="), sub(mi("h"), "f"), mo("+"), row(upright("KL"), paren(mi("f"),
                        mo("‖"), mi("q"))), mo("≥"), sub(mi("h"), "f"), mo("="), mo("−"), mo("∫"), mi("f"),
                log(), mi("f"), text(" "), upright("d"), vec("x"), mo(".")));
        s.paragraph("So the entropy of the limit density is the best NLL any model can reach, and ",
                em("NLL − entropy"), " is the model's KL divergence from the truth: the gap the tables report.");
    }

    // ---- Part II -------------------------------------------------------------------------------------------------

    /** The forward coupling layer as the homework writes it. */
    static void couplingForward(Section s) {
        s.paragraph("The affine coupling layer keeps the first j coordinates and scales and shifts the rest with "
                + "functions of the first (s and t are neural networks, ⊙ the element-wise product):");
        s.equation(display(aligned(List.of(
                new Object[] {y("1:j"), mo("="), x("1:j")},
                new Object[] {y("j+1:d"), mo("="), row(exp(call(s(), x("1:j"))), mo("⊙"), x("j+1:d"), mo("+"),
                        call(t(), x("1:j")), mo("."))}))));
    }

    /** Task 2: the inverse, with the computational graph written beside the report. */
    static void task2(Section s, Path folder) throws IOException {
        s.paragraph("Because ", inline(y("1:j"), mo("="), x("1:j")), ", the inverse can evaluate s and t on the "
                + "kept half of y: they are known before anything is inverted. Solving the second line for ",
                inline(x("j+1:d")), " gives");
        s.equation(display(aligned(List.of(
                new Object[] {x("1:j"), mo("="), y("1:j")},
                new Object[] {x("j+1:d"), mo("="), row(paren(y("j+1:d"), mo("−"), call(t(), y("1:j"))), mo("⊙"),
                        exp(mo("−"), call(s(), y("1:j"))), mo("."))}))));
        s.paragraph("No network is ever inverted: s and t may be arbitrary (non-invertible) functions, and the inverse "
                + "costs as much as the forward pass. In masked form, with m the binary mask of kept coordinates, ",
                inline(vec("x"), mo("="), mi("m"), mo("⊙"), vec("y"), mo("+"), paren(1, mo("−"), mi("m")), mo("⊙"),
                        paren(vec("y"), mo("−"), call(t(), row(mi("m"), mo("⊙"), vec("y")))), mo("⊙"),
                        exp(mo("−"), call(s(), row(mi("m"), mo("⊙"), vec("y"))))),
                ". The computational graph, input y on the left, output x on the right:");
        Diagram g = inverseGraph();
        g.saveSvg(folder.resolve(GRAPH_SVG));
        g.savePng(folder.resolve(GRAPH_PNG), 2.0);
        s.figure(GRAPH_SVG, "The inverse affine coupling layer x = f⁻¹(y) as a computational graph. The kept half "
                + "y₁:ⱼ passes through unchanged and feeds the networks s and t; the other half has t subtracted (⊖) "
                + "and is multiplied element-wise (⊙) by exp(−s).", 80);
    }

    /** The drawing of Task 2's graph. */
    static Diagram inverseGraph() {
        Diagram g = new Diagram(720, 330);
        double top = 60;
        double bottom = 270;
        g.label(20, top + 7, "*y_1:j", 20, "start");
        g.label(20, bottom + 7, "*y_j+1:d", 20, "start");
        g.label(700, top + 7, "*x_1:j", 20, "end");
        g.label(700, bottom + 7, "*x_j+1:d", 20, "end");
        // the identity wire and the branch feeding s and t
        g.arrow(80, top, 628, top);
        g.dot(130, top);
        g.line(130, top, 130, 200);
        g.arrow(130, 135, 218, 135);
        g.arrow(130, 200, 218, 200);
        g.box(255, 135, 74, 40, "s", Diagram.NETWORK);
        g.box(255, 200, 74, 40, "t", Diagram.NETWORK);
        g.arrow(292, 135, 358, 135);
        g.box(410, 135, 104, 40, "exp(−·)", Diagram.OPERATION);
        // y2 − t
        g.arrow(110, bottom, 322, bottom);
        g.line(292, 200, 345, 200);
        g.arrow(345, 200, 345, bottom - 22);
        g.circle(345, bottom, 22, "−", Diagram.OPERATION);
        g.note(335, bottom - 30, "−", 15, "end");
        g.note(315, bottom - 6, "+", 15, "end");
        // times exp(−s)
        g.line(462, 135, 530, 135);
        g.arrow(530, 135, 530, bottom - 22);
        g.arrow(367, bottom, 508, bottom);
        g.circle(530, bottom, 22, "⊙", Diagram.OPERATION);
        g.arrow(552, bottom, 612, bottom);
        g.note(255, 235, "networks (learned)", 12, "middle");
        g.note(410, 105, "element-wise", 12, "middle");
        return g;
    }

    /** Task 3: the Jacobian and its structure. */
    static void task3(Section s) {
        s.paragraph("Differentiating y = f(x) block by block (rows: ", inline(y("1:j")), ", ", inline(y("j+1:d")),
                "; columns: ", inline(x("1:j")), ", ", inline(x("j+1:d")), "):");
        s.equation(display(d(vec("y"), vec("x")), mo("="), matrix(List.of(
                List.of(sub(mi("I"), "j"), mn0()),
                List.of(partial(y("j+1:d"), x("1:j")), row(upright("diag"), paren(exp(call(s(), x("1:j")))))))),
                mo(","), text("  "), partial(y("j+1:d"), x("1:j")), mo("="),
                row(upright("diag"), paren(exp(call(s(), x("1:j"))), mo("⊙"), x("j+1:d"))),
                partial(s(), x("1:j")), mo("+"), partial(t(), x("1:j")), mo(".")));
        s.paragraph("The upper-right block is zero because ", inline(y("1:j")), " does not depend on ",
                inline(x("j+1:d")), ", and the lower-right block is diagonal because each ", inline(sub(mi("y"), "k")),
                ", k > j, depends only on its own ", inline(sub(mi("x"), "k")), ". So the Jacobian is ",
                em("lower triangular"), " (block lower-triangular with an identity and a diagonal block on the "
                        + "diagonal): its determinant is the product of the diagonal entries, and the lower-left block "
                        + "— the only part that involves the networks' derivatives — never has to be computed.");
    }

    /** Task 4: log|det J|. */
    static void task4(Section s) {
        s.paragraph("The determinant of a triangular matrix is the product of its diagonal, ",
                inline(row(det(), d(vec("y"), vec("x")), mo("="), sup(1, "j"), mo("·"),
                        underover("∏", row(mi("k"), mo("="), 1), row(mi("d"), mo("−"), mi("j"))),
                        exp(call(sub(mi("s"), "k"), x("1:j"))))), ", which is positive, so");
        s.equation(display(log(), abs(det(), d(vec("y"), vec("x"))), mo("="),
                sumK("k", "1", row(mi("d"), mo("−"), mi("j"))), call(sub(mi("s"), "k"), x("1:j")), mo(".")));
        s.paragraph("One sum over the network's output, no determinant and no matrix: this is why the scale is "
                + "exponentiated. In the implementation s is the network output times a learned per-dimension "
                + "scale_factor (initialised to 0, so every layer starts as a pure shift with log-determinant 0), "
                + "and the sum runs over the unmasked coordinates: ",
                inline(log(), abs(det(), mi("J")), mo("="), sub(mo("∑"), "k"), paren(1, mo("−"), sub(mi("m"), "k")),
                        sub(mi("s"), "k")), ".");
    }

    /** Task 5: the inverse's log-det. */
    static void task5(Section s) {
        s.paragraph("By the inverse function theorem ", inline(d(vec("x"), vec("y")), mo("="),
                sup(paren(d(vec("y"), vec("x"))), row(mo("−"), mn1()))), " (evaluated at x = f⁻¹(y)), and ",
                inline(det(), sup(mi("A"), row(mo("−"), mn1())), mo("="), frac(1, row(det(), mi("A")))),
                ". Directly, the inverse's Jacobian is lower triangular too, with diagonal ",
                inline(sub(mi("I"), "j")), " and ", inline(upright("diag"), paren(exp(mo("−"), call(s(), y("1:j"))))),
                ":");
        s.equation(display(log(), abs(det(), d(vec("x"), vec("y"))), mo("="), mo("−"),
                sumK("k", "1", row(mi("d"), mo("−"), mi("j"))), call(sub(mi("s"), "k"), y("1:j")), mo("="), mo("−"),
                log(), abs(det(), d(vec("y"), vec("x"))), sub(mo("|"), row(vec("x"), mo("="), sup(mi("f"),
                        row(mo("−"), mn1())), paren(vec("y")))), mo(".")));
        s.paragraph("Since ", inline(y("1:j"), mo("="), x("1:j")), ", s is evaluated at the same point in both "
                + "directions, so the forward and inverse log-determinants cancel exactly — the property the tests "
                + "check for every bijection.");
    }

    /** Task 7: composition. */
    static void task7(Section s) {
        s.paragraph("For y = f₁(z) and x = f₂(y), the chain rule gives ",
                inline(d(vec("x"), vec("z")), mo("="), d(vec("x"), vec("y")), d(vec("y"), vec("z"))),
                ", and the determinant of a product is the product of the determinants, so the log-determinants add:");
        s.equation(display(log(), abs(det(), d(vec("x"), vec("z"))), mo("="), log(),
                abs(det(), d(vec("x"), vec("y"))), mo("+"), log(), abs(det(), d(vec("y"), vec("z"))), mo("="),
                sumK("k", "1", row(mi("d"), mo("−"), mi("j"))), call(subsup(mi("s"), "k", row(paren(2))),
                        row(sub(mi("m"), "2"), mo("⊙"), vec("y"))), mo("+"),
                sumK("k", "1", row(mi("d"), mo("−"), mi("j"))), call(subsup(mi("s"), "k", row(paren(1))),
                        row(sub(mi("m"), "1"), mo("⊙"), vec("z"))), mo(".")));
        s.paragraph("(", inline(sub(mi("m"), "1")), " and ", inline(sub(mi("m"), "2")), " are the two layers' "
                + "masks; the sums run over each layer's transformed coordinates.) For K layers, ",
                inline(vec("x"), mo("="), sub(mi("f"), "K"), mo("∘"), mo("…"), mo("∘"), sub(mi("f"), "1"),
                        paren(sub(vec("z"), "0"))), ", the change of variables accumulates one term per layer; "
                + "log p(x) runs the inverses from the last layer down to the prior:");
        s.equation(display(log(), sub(mi("p"), "X"), paren(vec("x")), mo("="), log(), sub(mi("p"), "Z"),
                paren(sub(vec("z"), "0")), mo("+"), sumK("k", "1", "K"), log(), abs(det(),
                        frac(row(mo("∂"), subsup(mi("f"), "k", row(mo("−"), mn1()))), row(mo("∂"), sub(vec("z"), "k")))),
                mo(","), text("  "), sub(vec("z"), "K"), mo("="), vec("x"), mo(","), text(" "),
                sub(vec("z"), row(mi("k"), mo("−"), mn1())), mo("="), subsup(mi("f"), "k", row(mo("−"), mn1())),
                paren(sub(vec("z"), "k")), mo(".")));
        s.paragraph("The whole flow's log-determinant is the sum of the layers', each a sum of its own s outputs, "
                + "so the density costs one pass through the layers.");
    }

    private static Element fhat() {
        return org.kdeflow.cli.report.MathML.hat(mi("f"));
    }

    private static Element mn0() {
        return org.kdeflow.cli.report.MathML.mn("0");
    }

    private static Element mn1() {
        return org.kdeflow.cli.report.MathML.mn("1");
    }
}

package org.kdeflow.cli.homework;

import java.nio.file.Files;
import java.nio.file.Path;
import org.kdeflow.cli.report.ReportDocument;
import org.kdeflow.cli.report.ReportWriter;

/** Writes the derivations alone to a folder, for looking at them. Not a test. */
public final class DerivationsScratch {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        ReportDocument doc = new ReportDocument("Derivations");
        var p1 = doc.section("part1", "Part I");
        Derivations.kdeEstimator(p1);
        Derivations.entropyFloor(p1);
        var p2 = doc.section("part2", "Part II");
        Derivations.couplingForward(p2);
        Derivations.task2(p2.subsection("t2", "Task 2"), dir);
        Derivations.task3(p2.subsection("t3", "Task 3"));
        Derivations.task4(p2.subsection("t4", "Task 4"));
        Derivations.task5(p2.subsection("t5", "Task 5"));
        Derivations.task7(p2.subsection("t7", "Task 7"));
        p2.table("A table", java.util.List.of("h", "ISE", "name"), java.util.List.of(
                java.util.List.of(0.1, 1.234567e-5, "σ = ½ mixture"), java.util.List.of(1, 0.5, "spiral θ")));
        if (args.length > 1) { ReportWriter.writePdf(doc, dir); }
        long t0 = System.nanoTime();
        ReportWriter.writeHtml(doc, dir);
        long t1 = System.nanoTime();
        ReportWriter.writePdf(doc, dir);
        long t2 = System.nanoTime();
        System.out.printf("html %.0f ms, pdf %.0f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }
}

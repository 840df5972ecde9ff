package org.kdeflow.cli.homework;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kdeflow.cli.Main;
import org.kdeflow.formats.AtomicFiles;
import org.kdeflow.formats.StagedOutputs;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code kdeflow homework --quick} end to end: the report's structure, determinism, and that a failed run leaves an
 * existing folder as it was. One quick run (with the PDF) is shared by the structure checks.
 */
class HomeworkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static Path report;
    static String stdout;
    static String stderr;
    static int exit;

    @BeforeAll
    static void runQuick() {
        report = tmp.resolve("results");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true),
                "homework", "--quick", "--beyond", "--out", report.toString(), "--threads", "2", "--no-progress");
        stdout = out.toString();
        stderr = err.toString();
    }

    @Test
    void exitsCleanlyAndNamesTheReport() {
        assertEquals(0, exit, stderr);
        assertEquals(report.resolve("index.html").toString(), stdout.trim());
        assertEquals("", stderr, "quiet when not on a terminal");
    }

    @Test
    void htmlIsWellFormedXhtmlWithEveryTaskSection() throws Exception {
        Document doc = parse(report.resolve("index.html"));
        Set<String> ids = new HashSet<>();
        NodeList sections = doc.getElementsByTagName("section");
        for (int i = 0; i < sections.getLength(); i++) {
            ids.add(((Element) sections.item(i)).getAttribute("id"));
        }
        for (String id : List.of("p1-task1", "p1-task2", "p1-task3", "p1-task4", "p2-task1", "p2-task2", "p2-task3",
                "p2-task4", "p2-task5", "p2-task6-8", "p2-task7", "p2-task9", "p2-task10", "p2-task11", "p2-task12",
                "beyond", "appendix-losses", "appendix-run")) {
            assertTrue(ids.contains(id), "section " + id + " missing; have " + ids);
        }
        for (String id : ids) {
            assertTrue(hasContent(byId(sections, id)), "section " + id + " has no content under its heading");
        }
        // the derivations are MathML, not pictures of formulas
        assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/1998/Math/MathML", "math").getLength() >= 20);
        // nothing is fetched from the network
        String html = Files.readString(report.resolve("index.html"));
        assertFalse(html.contains("http://") && html.replaceAll("xmlns=\"http://[^\"]*\"", "").contains("http://"),
                "the report must not refer to the network");
        assertFalse(html.contains("https://"));
    }

    @Test
    void everyReferencedFigureExistsAndIsAnImage() throws Exception {
        Document doc = parse(report.resolve("index.html"));
        NodeList imgs = doc.getElementsByTagName("img");
        assertTrue(imgs.getLength() >= 1);
        for (int i = 0; i < imgs.getLength(); i++) {
            String src = ((Element) imgs.item(i)).getAttribute("src");
            Path f = report.resolve(src);
            assertTrue(Files.isRegularFile(f), "missing figure " + src);
            byte[] head;
            try (var in = Files.newInputStream(f)) {
                head = in.readNBytes(8);
            }
            boolean png = head[0] == (byte) 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G';
            boolean svg = new String(head).startsWith("<svg") || new String(head).startsWith("<?xml");
            assertTrue(png || svg, src + " is neither PNG nor SVG");
        }
    }

    @Test
    void pdfAndMetricsAreWritten() throws Exception {
        byte[] pdf = Files.readAllBytes(report.resolve("report.pdf"));
        assertTrue(pdf.length > 10_000, "PDF too small: " + pdf.length);
        assertEquals("%PDF", new String(pdf, 0, 4));
        JsonNode m = JSON.readTree(report.resolve("metrics.json").toFile());
        assertEquals("quick", m.path("settings").path("mode").asText());
        assertEquals(0, m.path("settings").path("seeds").path("data").asLong());
        assertEquals(1, m.path("settings").path("seeds").path("test").asLong());
        assertEquals(2, m.path("settings").path("seeds").path("training_seeds_per_configuration").asInt());
        assertEquals("f32", m.path("settings").path("training_precision").asText());
        // --beyond: the spline flow and fit's choice on each Task 9 set, scored on the same fresh points
        for (String set : List.of("Circles", "Moons", "GaussiansGrid", "GaussiansRot5")) {
            JsonNode b = m.path("beyond").path(set);
            assertTrue(Double.isFinite(b.path("nsf_test_nll").asDouble(Double.NaN)), set);
            assertTrue(b.path("fit_cv_log_likelihood").has(b.path("fit_chosen").asText()), set);
            assertTrue(Files.isRegularFile(report.resolve("beyond-" + set + ".png")), set);
        }
        String html = Files.readString(report.resolve("index.html"));
        for (String task : List.of("Task 10", "Task 11", "Task 12")) {
            assertTrue(html.contains(task + ": ") && html.contains("over 2 training seeds"), "no seed table for " + task);
        }
        assertTrue(m.path("timings").path("total_s").asDouble() > 0);
        for (String stage : List.of("compute", "derivations", "part1-kde", "part2-flows", "report-html", "report-pdf")) {
            assertTrue(m.path("timings").path("stages").has(stage), "no timing for " + stage);
        }
        assertFalse(m.path("software").path("java").asText().isEmpty());
        // no temporary folders left beside the report
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".results")), "temporary folder left");
        }
    }

    @Test
    void savedModelsScoreAsReported() throws Exception {
        JsonNode m = JSON.readTree(report.resolve("metrics.json").toFile());
        JsonNode moons = m.path("part2").path("task9").path("t9-Moons");
        HomeworkConfig c = HomeworkConfig.quick(0);
        var flow = org.kdeflow.models.FlowModelFile.load(report.resolve("models").resolve("t9-Moons.safetensors"));
        var test = org.kdeflow.data.ToyDatasets.sample2dDatasets(org.kdeflow.data.ToyDatasets.Kind.MOONS, c.testN(),
                c.testSeed(), 5);
        // F64 files round-trip exactly; the tolerance only covers summation order
        assertEquals(moons.path("test_nll").asDouble(), -flow.meanLogDensity(test), 1e-12);
        assertEquals(4, flow.numLayers());
        try (Stream<Path> s = Files.list(report.resolve("models"))) {
            assertEquals(10, s.count(), "one model per training of Tasks 9-12");
        }
    }

    @Test
    void sameSeedSameNumbers() throws Exception {
        Path again = tmp.resolve("again");
        new Homework(HomeworkConfig.quick(0).withBeyond(true), 1, Progress.QUIET, false)
                .run(again); // one thread: order-independent
        ObjectNode a = (ObjectNode) JSON.readTree(report.resolve("metrics.json").toFile());
        ObjectNode b = (ObjectNode) JSON.readTree(again.resolve("metrics.json").toFile());
        for (String runOnly : List.of("timings", "machine")) { // how long, and on how many threads
            a.remove(runOnly);
            b.remove(runOnly);
        }
        assertEquals(a, b);
        assertEquals(JSON.writeValueAsString(a), JSON.writeValueAsString(b), "same order too");
        // figures are the same bytes too (PNG encoding is deterministic)
        for (String f : listFigures(report)) {
            assertArrayEquals(Files.readAllBytes(report.resolve(f)), Files.readAllBytes(again.resolve(f)), f);
        }
        Path model = Path.of("models", "t10-K2.safetensors");
        assertArrayEquals(Files.readAllBytes(report.resolve(model)), Files.readAllBytes(again.resolve(model)));
        AtomicFiles.deleteRecursively(again);
    }

    @Test
    void aFailedRunLeavesTheExistingFolderAlone() throws Exception {
        Path existing = tmp.resolve("existing");
        AtomicFiles.writeFolder(existing, d -> { // an earlier report: a kdeflow output folder (stamped)
            Files.writeString(d.resolve("index.html"), "the user's old report");
            Files.writeString(d.resolve("metrics.json"), "{\"software\": {\"kdeflow\": \"0.0\"}}");
        });
        Stage failing = new Stage() {
            @Override
            public String name() {
                return "failing";
            }

            @Override
            public Finish plan(Run run, Run.Jobs jobs) {
                // the most expensive job starts first: it writes part of a figure, then the disk fills up
                jobs.add("half a figure", Double.MAX_VALUE, () -> {
                    Files.writeString(run.dir.resolve("partial.png"), "half a figure");
                    throw new IOException("disk full (simulated)");
                });
                return () -> {
                    throw new AssertionError("not reached");
                };
            }
        };
        Homework h = new Homework(HomeworkConfig.quick(0), 1, Progress.QUIET, false, stages -> {
            List<Stage> l = new ArrayList<>(stages);
            l.add(1, failing);
            return l;
        });
        IOException e = assertThrows(IOException.class, () -> h.run(existing));
        assertTrue(e.getMessage().contains("disk full"));
        assertEquals("the user's old report", Files.readString(existing.resolve("index.html")));
        try (Stream<Path> s = Files.list(existing)) {
            assertEquals(3, s.count(), "nothing added to the old folder (index.html, metrics.json, its stamp)");
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".existing")
                    || p.getFileName().toString().startsWith(".kdeflow-staging")), "temporary folder left");
        }
        AtomicFiles.deleteRecursively(existing);
    }

    /**
     * SIGKILL a child {@code homework --quick} writing over an earlier report at three points (its staging folder just
     * made; the first figure staged; three seconds later): each time the old report is intact, byte for byte; the
     * next command that writes there (the next child, then a {@code sample}) removes the killed run's staging
     * folder.
     */
    @Test
    void aKilledRunLeavesTheOldReportAndTheNextRunRemovesItsStaging() throws Exception {
        Path old = tmp.resolve("killed");
        copyTree(report, old);
        Map<String, String> before = snapshot(old);
        List<String> cmd = new ArrayList<>(org.kdeflow.cli.ChildAccess.java(Main.class));
        cmd.addAll(List.of("homework", "--quick", "--no-pdf", "--threads", "1", "--no-progress", "--out",
                old.toString()));
        for (int point = 0; point < 3; point++) {
            Set<Path> staleBefore = staging();
            Process child = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("child.log").toFile()).start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                Path mine = null;
                while (mine == null && child.isAlive() && System.nanoTime() < deadline) {
                    Set<Path> now = staging();
                    now.removeAll(staleBefore);
                    mine = now.isEmpty() ? null : now.iterator().next();
                    Thread.sleep(5);
                }
                assertTrue(mine != null, "the child staged its report: " + Files.readString(tmp.resolve("child.log")));
                if (point >= 1) {
                    Path staged = mine.resolve("new").resolve("killed");
                    while (child.isAlive() && countFiles(staged) == 0 && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                }
                if (point == 2) {
                    Thread.sleep(3000);
                }
                assertTrue(child.isAlive(), "killed before it finished");
                child.destroyForcibly(); // SIGKILL
                child.waitFor(30, TimeUnit.SECONDS);
            } finally {
                child.destroyForcibly();
            }
            assertEquals(before, snapshot(old), "the old report is intact after a kill at point " + point);
        }
        // each child removed the staging folder of the one killed before it; the last one's is left
        assertEquals(1, staging().size(), "the last killed run's staging folder");
        org.kdeflow.cli.Run next = org.kdeflow.cli.Run.of("sample", "--dist", "moons", "--n", "10", "--out",
                tmp.resolve("next.csv").toString());
        assertEquals(0, next.code(), next.err());
        assertEquals(Set.of(), staging(), "the next run removed the dead runs' staging folders");
        assertEquals(before, snapshot(old));
        AtomicFiles.deleteRecursively(old);
        Files.delete(tmp.resolve("next.csv"));
        Files.delete(tmp.resolve("child.log"));
    }

    private static Set<Path> staging() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().startsWith(StagedOutputs.STAGING_PREFIX))
                    .collect(java.util.stream.Collectors.toCollection(HashSet::new));
        }
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path q = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(q);
                } else {
                    Files.copy(p, q);
                }
            }
        }
    }

    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> m = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                m.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "/"
                        : Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p))) + ":" + Files.size(p));
            }
        }
        return m;
    }

    @Test
    void aFolderThatIsNotAReportOrAFileIsNeverReplaced() throws Exception {
        Path mine = tmp.resolve("my-documents");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("thesis.tex"), "years of work");
        Path file = tmp.resolve("a-file.txt");
        Files.writeString(file, "data");
        for (Path out : List.of(mine, file)) {
            StringWriter err = new StringWriter();
            int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                    "homework", "--quick", "--out", out.toString());
            assertEquals(2, code, err.toString());
            assertTrue(err.toString().contains("--out"), err.toString());
        }
        assertEquals("years of work", Files.readString(mine.resolve("thesis.tex")));
        assertEquals("data", Files.readString(file));
        AtomicFiles.deleteRecursively(mine);
        Files.delete(file);
    }

    @Test
    void badThreadsIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                "homework", "--quick", "--threads", "0", "--out", tmp.resolve("never").toString());
        assertEquals(2, code);
        assertTrue(err.toString().contains("--threads"), err.toString());
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    private static List<String> listFigures(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".png") || n.endsWith(".svg"))
                    .sorted().toList();
        }
    }

    private static Element byId(NodeList sections, String id) {
        for (int i = 0; i < sections.getLength(); i++) {
            Element e = (Element) sections.item(i);
            if (id.equals(e.getAttribute("id"))) {
                return e;
            }
        }
        throw new AssertionError(id);
    }

    private static Document parse(Path html) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(Files.readAllBytes(html)));
    }

    /** A paragraph, figure, table or list directly under the section (sub-sections do not count). */
    private static boolean hasContent(Element section) {
        for (org.w3c.dom.Node c = section.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element e && Set.of("p", "div", "table", "ul").contains(e.getLocalName())) {
                return true;
            }
        }
        return false;
    }
}

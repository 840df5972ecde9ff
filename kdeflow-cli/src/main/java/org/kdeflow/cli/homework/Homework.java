package org.kdeflow.cli.homework;

import static org.kdeflow.cli.report.ReportDocument.code;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.kdeflow.cli.report.ReportDocument;
import org.kdeflow.cli.report.ReportWriter;
import org.kdeflow.cli.common.Outputs;

/**
 * Runs every task of the homework and writes the report folder: {@code index.html}, {@code report.pdf},
 * {@code metrics.json} and the figures beside them.
 *
 * <p>The folder is filled in a staging folder next to the target and moved into place only when everything
 * succeeded ({@link Outputs}): an existing folder is never half-overwritten. Stages run one after the
 * other; inside a stage, independent jobs (trainings, figures, per-distribution estimates) run in parallel on
 * {@code threads} threads. Each stage's wall time goes to {@code metrics.json} under {@code timings.stages}.
 */
public final class Homework {
    /** The metrics file name. */
    public static final String METRICS = "metrics.json";

    private final HomeworkConfig config;
    private final int threads;
    private final Progress progress;
    private final boolean pdf;
    private final java.util.function.UnaryOperator<List<Stage>> stageEditor;

    /**
     * @param threads worker threads for independent jobs (≥ 1)
     * @param pdf whether to render {@code report.pdf}
     */
    public Homework(HomeworkConfig config, int threads, Progress progress, boolean pdf) {
        this(config, threads, progress, pdf, java.util.function.UnaryOperator.identity());
    }

    /** For tests: {@code stageEditor} may change the stage list (for instance add one that fails). */
    Homework(HomeworkConfig config, int threads, Progress progress, boolean pdf,
            java.util.function.UnaryOperator<List<Stage>> stageEditor) {
        this.stageEditor = stageEditor;
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        }
        this.config = config;
        this.threads = threads;
        this.progress = progress;
        this.pdf = pdf;
    }

    /** The stages in the order they run. */
    static List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        stages.add(new DerivationsStage());
        stages.addAll(ComputeStages.all());
        return stages;
    }

    /**
     * Runs everything and puts the finished folder at {@code out}, replacing it only when the whole run succeeded. The
     * folder is a {@link Outputs} folder output: an existing {@code out} must be empty or an earlier kdeflow output
     * (its stamp lists every file in it); a folder holding anything else, or a file, is refused before anything runs,
     * so a mistyped {@code --out} cannot delete a user's files.
     *
     * @throws org.kdeflow.cli.common.InputException when {@code out} cannot be written (exit code 2)
     */
    public void run(Path out) throws IOException {
        Outputs outputs = Outputs.of("kdeflow homework");
        Outputs.Output report = outputs.folder("--out", out);
        try (Outputs.Staged staged = outputs.begin()) {
            fill(staged.path(report));
            staged.commit();
        }
    }

    /** Fills {@code dir} (normally a fresh temporary folder). */
    void fill(Path dir) throws IOException {
        long start = System.nanoTime();
        Metrics metrics = new Metrics();
        ReportDocument doc = new ReportDocument("Kernel density estimation and normalizing flows — Homework 1"
                + (config.quick() ? " (quick run)" : ""));
        HomeworkSections sections = new HomeworkSections(doc, config);
        recordSettings(metrics);
        // daemon threads: interrupted (Ctrl-C), the JVM exits and the staging folder is removed (see Outputs)
        ExecutorService pool = Executors.newFixedThreadPool(threads, daemonThreads());
        Thread warmUp = null;
        if (pdf) {
            warmUp = new Thread(ReportWriter::warmUp, "pdf-warm-up");
            warmUp.setDaemon(true);
            warmUp.setPriority(Thread.MIN_PRIORITY);
            warmUp.start();
        }
        try {
            Run run = new Run(config, dir, metrics, doc, sections, pool, threads, progress);
            List<Stage> stages = stageEditor.apply(stages());
            List<Run.Jobs> jobs = new ArrayList<>();
            List<Stage.Finish> finishes = new ArrayList<>();
            List<Run.Job<?>> all = new ArrayList<>();
            for (Stage stage : stages) {
                Run.Jobs js = new Run.Jobs();
                finishes.add(stage.plan(run, js));
                jobs.add(js);
                all.addAll(js.list());
            }
            timed("compute", metrics, () -> run.parallel("compute", all));
            for (int k = 0; k < stages.size(); k++) {
                Stage stage = stages.get(k);
                double cpu = 0;
                for (Run.Job<?> j : jobs.get(k).list()) {
                    cpu += metrics.at("timings", "jobs", "compute").path(j.name()).asDouble();
                }
                metrics.put(cpu, "timings", "job_seconds_by_stage", stage.name());
                timed(stage.name(), metrics, finishes.get(k)::run);
            }
            Map<String, Double> stageTimes = new LinkedHashMap<>();
            metrics.at("timings", "stages").fields().forEachRemaining(e -> stageTimes.put(e.getKey(),
                    e.getValue().asDouble()));
            writeRunAppendix(sections, stageTimes, metrics);
            timed("report-html", metrics, () -> ReportWriter.writeHtml(doc, dir));
            if (pdf) {
                warmUp.join();
                timed("report-pdf", metrics, () -> ReportWriter.writePdf(doc, dir));
            }
            metrics.put((System.nanoTime() - start) / 1e9, "timings", "total_s");
            metrics.write(dir.resolve(METRICS));
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        } finally {
            // after a failure, jobs already running finish (numerical loops do not poll for interrupts) before the
            // caller deletes the temporary folder, so none of them writes into a folder being deleted
            pool.shutdownNow();
            try {
                pool.awaitTermination(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    private void timed(String name, Metrics metrics, Step step) throws Exception {
        progress.stageStarted(name);
        long t0 = System.nanoTime();
        step.run();
        double s = (System.nanoTime() - t0) / 1e9;
        metrics.put(s, "timings", "stages", name);
        progress.stageFinished(name, s);
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "homework-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Software, machine, seeds and settings: what it takes to reproduce the numbers. */
    private void recordSettings(Metrics m) {
        Properties v = versions();
        m.putText(v.getProperty("version", "unknown"), "software", "kdeflow");
        m.putText(System.getProperty("java.version"), "software", "java");
        m.putText(System.getProperty("java.vm.name"), "software", "java_vm");
        m.putText(System.getProperty("os.name") + " " + System.getProperty("os.arch"), "software", "os");
        for (String lib : List.of("openhtmltopdf", "xchart", "jackson", "picocli")) {
            m.putText(v.getProperty(lib, "unknown"), "software", lib);
        }
        m.putText(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "present" : "absent",
                "software", "vector_api_module");
        m.put(Runtime.getRuntime().availableProcessors(), "machine", "processors");
        m.put(threads, "machine", "threads");
        m.putText(config.quick() ? "quick" : "full", "settings", "mode");
        m.put(config.seed(), "settings", "seeds", "data");
        m.put(config.testSeed(), "settings", "seeds", "test");
        m.put(config.modelSeed(), "settings", "seeds", "model");
        m.put(config.trainSeeds(), "settings", "seeds", "training_seeds_per_configuration");
        m.putText(config.precision().name().toLowerCase(java.util.Locale.ROOT), "settings", "training_precision");
        m.put(config.partOneN(), "settings", "part1_n");
        m.put(config.grid(), "settings", "grid");
        m.put(config.heldOutN(), "settings", "part1_held_out_n");
        m.put(config.toyN(), "settings", "toy_n");
        m.put(config.testN(), "settings", "test_n");
        m.put(config.layerSamples(), "settings", "layer_samples");
    }

    static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = Homework.class.getResourceAsStream("/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // versions are informative only
        }
        return p;
    }

    private void writeRunAppendix(HomeworkSections s, Map<String, Double> stageTimes, Metrics metrics) {
        Properties v = versions();
        s.reproducibility.paragraph("Produced by ", code("kdeflow homework" + (config.quick() ? " --quick" : "")
                + " --seed " + config.seed() + " --threads " + threads), " with kdeflow "
                + v.getProperty("version", "unknown") + " on Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + "), " + Runtime.getRuntime().availableProcessors()
                + " processors. Seeds: data " + config.seed() + " (the notebook's sample_2d_datasets seed), fresh "
                + "test samples " + config.testSeed() + ", model initialisation " + config.modelSeed()
                + " (the notebook's torch.manual_seed(8)). The same seed gives the same numbers, figures and "
                + "model files, whatever the number of threads; only the timings differ.");
        List<List<Object>> rows = new ArrayList<>();
        double sum = 0;
        for (Map.Entry<String, Double> e : stageTimes.entrySet()) {
            rows.add(List.of(e.getKey(), e.getValue()));
            sum += e.getValue();
        }
        rows.add(List.of("all of the above", sum));
        s.reproducibility.table("Wall time of each stage in seconds (this run; the HTML and PDF writing come after "
                + "this table is made and are in metrics.json under timings.stages). compute: every stage's independent "
                + "jobs together on " + threads + " threads; the stage rows: combining their results into figures, "
                + "tables and text.", List.of("stage", "seconds"), rows);
        List<List<Object>> jobs = new ArrayList<>();
        metrics.at("timings", "jobs", "compute").fields().forEachRemaining(e -> jobs.add(List.of(e.getKey(),
                e.getValue().asDouble())));
        jobs.sort((a, b) -> Double.compare((Double) b.get(1), (Double) a.get(1)));
        s.reproducibility.table("The ten longest jobs of the compute stage, wall time in seconds (they overlap: "
                + "the pool runs " + threads + " at a time).", List.of("job", "seconds"),
                jobs.subList(0, Math.min(10, jobs.size())));
        List<List<Object>> sw = new ArrayList<>();
        metrics.at("software").fields().forEachRemaining(e -> sw.add(List.of(e.getKey(), e.getValue().asText())));
        s.reproducibility.table("Software.", List.of("component", "version"), sw);
    }
}

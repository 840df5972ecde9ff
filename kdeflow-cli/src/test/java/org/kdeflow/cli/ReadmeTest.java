package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The README, executed: its shell blocks run in order in an empty folder, and its Java example compiles against
 * kdeflow-core and runs, so that what a reader copies works as written.
 *
 * <p>Shell blocks are the fenced blocks without a language (or {@code sh}); their lines are split like a shell does
 * (quotes, {@code #} comments, {@code ;} between commands). {@code ./kdeflow …} runs the command line in this JVM
 * with its relative paths resolved against that folder (as if it were the working directory); the Java example runs
 * in a JVM of its own there. {@code mvn …} is skipped (this test is part of that build); anything else fails the
 * test, so the README cannot grow a step this test does not run. To stay within seconds, sizes shrink: every
 * {@code --epochs E} becomes at most {@code KDEFLOW_DOCTEST_EPOCHS} (default 2) and a {@code train} without it
 * trains that many, {@code homework} gets {@code --quick --no-pdf}, {@code kde --homework} {@code --n 1000 --grid 20},
 * {@code bench kde} {@code --quick --reps 1}, {@code bench flow} {@code --quick --n 300 --repeats 1}, {@code fit}'s
 * {@code --budget} at most 3 seconds, and the Java example's training and selection likewise. With
 * {@code KDEFLOW_DOCTEST_EPOCHS=all} every command runs exactly as written (minutes).
 */
class ReadmeTest {
    private static final Pattern FENCE = Pattern.compile("^```\\s*(\\w*)\\s*$");

    @TempDir
    Path dir;

    static Path readme() {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path p = module.resolveSibling("README.md");
        assertTrue(Files.isRegularFile(p), "README at " + p);
        return p;
    }

    record Block(String language, int line, List<String> lines) {
    }

    static List<Block> blocks(List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        Block open = null;
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = FENCE.matcher(lines.get(i));
            if (m.matches()) {
                if (open == null) {
                    open = new Block(m.group(1), i + 1, new ArrayList<>());
                } else {
                    blocks.add(open);
                    open = null;
                }
            } else if (open != null) {
                open.lines().add(lines.get(i));
            }
        }
        assertTrue(open == null, "unclosed code block in the README");
        return blocks;
    }

    /** A shell line as words per command: quotes group, # starts a comment, ; separates commands. */
    static List<List<String>> commands(String line) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                w = w == null ? new StringBuilder() : w;
            } else if (c == '#' && w == null) {
                break;
            } else if (c == ';' || Character.isWhitespace(c)) {
                if (w != null) {
                    words.add(w.toString());
                    w = null;
                }
                if (c == ';' && !words.isEmpty()) {
                    commands.add(words);
                    words = new ArrayList<>();
                }
            } else {
                w = w == null ? new StringBuilder().append(c) : w.append(c);
            }
        }
        assertEquals(0, quote, "unbalanced quotes in: " + line);
        if (w != null) {
            words.add(w.toString());
        }
        if (!words.isEmpty()) {
            commands.add(words);
        }
        return commands;
    }

    /** The command with sizes shrunk as the class comment says, or as written with KDEFLOW_DOCTEST_EPOCHS=all. */
    static List<String> shrink(List<String> args, String setting) {
        List<String> a = new ArrayList<>(args);
        if ("all".equals(setting)) {
            return a;
        }
        int epochs = setting == null || setting.isBlank() ? 2 : Integer.parseInt(setting.strip());
        for (int i = 0; i + 1 < a.size(); i++) {
            if (a.get(i).equals("--epochs")) {
                a.set(i + 1, Integer.toString(Math.min(epochs, Integer.parseInt(a.get(i + 1)))));
            }
        }
        if (a.get(0).equals("kde") && a.contains("--homework")) {
            a.addAll(List.of("--n", "1000", "--grid", "20"));
        }
        if (a.get(0).equals("train") && !a.contains("--epochs")) {
            a.addAll(List.of("--epochs", Integer.toString(epochs)));
        }
        if (a.get(0).equals("fit")) {
            for (int i = 0; i + 1 < a.size(); i++) {
                if (a.get(i).equals("--budget")) {
                    a.set(i + 1, Double.toString(Math.min(3, Double.parseDouble(a.get(i + 1)))));
                }
            }
        }
        if (a.get(0).equals("homework")) {
            a.addAll(List.of("--quick", "--no-pdf"));
        }
        if (a.size() >= 2 && a.get(0).equals("bench") && a.get(1).equals("kde")) {
            a.addAll(List.of("--quick", "--reps", "1"));
        }
        if (a.size() >= 2 && a.get(0).equals("bench") && a.get(1).equals("flow")) {
            a.addAll(List.of("--quick", "--n", "300", "--repeats", "1", "--epochs", Integer.toString(epochs)));
        }
        return a;
    }

    @Test
    void theShellBlocksRunInOrderAndTheJavaExampleCompilesAndRuns() throws Exception {
        List<Block> blocks = blocks(Files.readAllLines(readme(), StandardCharsets.UTF_8));
        String setting = System.getenv("KDEFLOW_DOCTEST_EPOCHS");
        List<List<String>> run = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        Block java = null;
        for (Block b : blocks) {
            if (b.language().equals("java")) {
                assertTrue(java == null, "one Java example (line " + b.line() + ")");
                java = b;
                continue;
            }
            if (!b.language().isEmpty() && !b.language().equals("sh")) {
                continue; // xml, python, text: not commands to run here
            }
            for (String line : b.lines()) {
                for (List<String> c : commands(line)) {
                    if (c.get(0).equals("mvn")) {
                        continue;
                    }
                    assertEquals("./kdeflow", c.get(0), "README line '" + line + "' (block at line " + b.line()
                            + "): only ./kdeflow and mvn commands are run by this test");
                    run.add(shrink(c.subList(1, c.size()), setting));
                    shown.add(String.join(" ", c));
                }
            }
        }
        assertTrue(run.size() >= 10, "the tour's commands: " + shown);
        for (int i = 0; i < run.size(); i++) {
            List<String> args = inFolder(run.get(i), dir);
            Run r = Run.of(args.toArray(String[]::new));
            assertEquals(0, r.code(), shown.get(i) + " (run as " + args + "): " + r.err());
        }
        assertTrue(Files.isRegularFile(dir.resolve("tour/values.csv")) && Files.isRegularFile(dir.resolve(
                "tour/moons.safetensors")) && Files.isRegularFile(dir.resolve("results/index.html")));
        assertTrue(java != null, "the README has its Java example");
        runJava(shrinkJava(String.join("\n", java.lines()) + "\n", setting));
        assertTrue(Files.isRegularFile(dir.resolve("tour/example.safetensors")), "the example saved its flow");
    }

    /**
     * The command with every relative path option ({@code --out tour/x.csv}: the options picocli converts to a
     * {@link Path}) resolved against {@code folder}, so that it runs in this JVM as it would with {@code folder} as
     * the working directory.
     */
    static List<String> inFolder(List<String> args, Path folder) {
        CommandLine cl = Main.commandLine();
        int i = 0;
        while (i < args.size() && cl.getSubcommands().containsKey(args.get(i))) {
            cl = cl.getSubcommands().get(args.get(i));
            i++;
        }
        List<String> a = new ArrayList<>(args);
        for (; i < a.size(); i++) {
            String word = a.get(i);
            int eq = word.indexOf('=');
            String name = word.startsWith("--") && eq > 0 ? word.substring(0, eq) : word;
            CommandLine.Model.OptionSpec o = word.startsWith("-") ? cl.getCommandSpec().findOption(name) : null;
            if (o == null || o.type() != Path.class) {
                continue;
            }
            if (eq > 0 && word.startsWith("--")) {
                a.set(i, name + "=" + folder.resolve(word.substring(eq + 1)));
            } else if (i + 1 < a.size()) {
                a.set(i + 1, folder.resolve(a.get(i + 1)).toString());
                i++;
            }
        }
        for (CommandLine.Model.OptionSpec o : cl.getCommandSpec().options()) { // defaults such as --out results
            if (o.type() == Path.class && o.defaultValue() != null && java.util.Arrays.stream(o.names())
                    .noneMatch(n -> args.contains(n) || args.stream().anyMatch(w -> w.startsWith(n + "=")))) {
                a.addAll(List.of(o.longestName(), folder.resolve(o.defaultValue()).toString()));
            }
        }
        return a;
    }

    /**
     * The Java example with {@code Trainer.notebook(E)} and {@code Trainer.Options.robust()} shrunk like
     * {@code --epochs E}, and its selection budget to 2 seconds.
     */
    static String shrinkJava(String source, String setting) {
        if ("all".equals(setting)) {
            return source;
        }
        int epochs = setting == null || setting.isBlank() ? 2 : Integer.parseInt(setting.strip());
        Matcher m = Pattern.compile("Trainer\\.notebook\\((\\d+)\\)").matcher(source);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, "Trainer.notebook(" + Math.min(epochs, Integer.parseInt(m.group(1))) + ")");
        }
        return m.appendTail(b).toString().replace("Trainer.Options.robust()",
                "Trainer.Options.robust().withEpochs(" + epochs + ")").replace(".withBudget(10)", ".withBudget(2)");
    }

    /** Compiles the example as {@code Example.java} against this JVM's class path and runs it in {@code dir}. */
    void runJava(String source) throws Exception {
        Path src = Files.createDirectories(dir.resolve("example-src")).resolve("Example.java");
        Files.writeString(src, source);
        Path classes = Files.createDirectories(dir.resolve("example-classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        String cp = System.getProperty("java.class.path");
        boolean ok = javac.getTask(diagnostics, null, null, List.of("-cp", cp, "-d", classes.toString(),
                "-proc:none"), null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(src)).call();
        assertTrue(ok, "the README's Java example compiles against kdeflow-core:\n" + diagnostics);
        List<String> cmd = new ArrayList<>(Child.java(Main.class));
        int main = cmd.indexOf(Main.class.getName());
        cmd.set(main - 1, classes + java.io.File.pathSeparator + cp);
        cmd.set(main, "Example");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the example finishes");
        assertEquals(0, p.exitValue(), "the example runs: " + out);
        assertTrue(out.contains("held-out NLL: spline flow "), out);
    }
}

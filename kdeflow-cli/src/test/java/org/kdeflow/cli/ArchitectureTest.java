package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line's dependency picture reads one way down: commands → (homework, plot, report, io) → common →
 * core. A command uses no other command; the shared packages import nothing above them; core imports nothing of the
 * command line. Read from the sources, so a new import that breaks the picture fails here.
 */
class ArchitectureTest {
    private static final Pattern IMPORT = Pattern.compile(
            "^import (?:static )?org\\.kdeflow\\.(\\w+(?:\\.\\w+)*)\\.\\w+;", Pattern.MULTILINE);
    private static final Pattern COMMAND = Pattern.compile("\\b(\\w+Command)\\b");

    static Path root() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize().getParent();
    }

    static List<Path> sources(String module, String pkg) throws IOException {
        Path dir = root().resolve(module).resolve("src/main/java/org/kdeflow").resolve(pkg.replace('.', '/'));
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    /** The org.kdeflow packages a source file imports from (e.g. "cli.io", "kde"). */
    static List<String> imports(Path file) throws IOException {
        List<String> packages = new ArrayList<>();
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
            packages.add(m.group(1));
        }
        return packages;
    }

    @Test
    void sharedPackagesImportNothingAboveThem() throws IOException {
        Map<String, List<String>> forbidden = Map.of(
                "cli/common", List.of("cli.io", "cli.plot", "cli.report", "cli.homework", "cli.bench", "cli"),
                "cli/io", List.of("cli.plot", "cli.report", "cli.homework", "cli.bench", "cli"),
                "cli/plot", List.of("cli.io", "cli.common", "cli.report", "cli.homework", "cli.bench", "cli"),
                "cli/report", List.of("cli.io", "cli.common", "cli.plot", "cli.homework", "cli.bench", "cli"));
        for (var e : forbidden.entrySet()) {
            for (Path f : sources("kdeflow-cli", e.getKey())) {
                for (String p : imports(f)) {
                    assertTrue(!e.getValue().contains(p), f.getFileName() + " (" + e.getKey() + ") imports " + p);
                }
            }
        }
        for (Path f : sources("kdeflow-core", "")) {
            for (String p : imports(f)) {
                assertTrue(!p.startsWith("cli"), f + " imports " + p);
            }
            if (f.toString().contains("/formats/")) {
                assertEquals(List.of(), imports(f).stream().filter(p -> !p.equals("formats")).toList(),
                        f.getFileName() + ": formats imports nothing of kdeflow");
            }
        }
    }

    @Test
    void noCommandUsesAnotherCommand() throws IOException {
        List<Path> commands = sources("kdeflow-cli", "cli").stream()
                .filter(p -> p.getParent().endsWith("cli") && p.getFileName().toString().endsWith("Command.java"))
                .toList();
        assertTrue(commands.size() >= 7, commands.toString());
        for (Path f : sources("kdeflow-cli", "cli")) {
            String own = f.getFileName().toString().replace(".java", "");
            String text = Files.readString(f);
            Matcher m = COMMAND.matcher(text);
            while (m.find()) {
                String used = m.group(1);
                boolean isCommand = commands.stream().anyMatch(c -> c.getFileName().toString().equals(used + ".java"));
                boolean allowed = used.equals(own) || own.equals("Main") // Main lists the commands
                        || (own.equals("BenchCommand") && used.endsWith("BenchCommand")); // and bench its own
                assertTrue(!isCommand || allowed, own + " uses " + used);
            }
        }
    }
}

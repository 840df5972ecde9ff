package org.kdeflow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs kdeflow commands in a child JVM (its own working directory, locale or fate: killed). As a program it runs
 * each command given, separated by {@code ---}, with {@link Main#execute}, and prints {@code EXIT <code>} and
 * {@code ERR <first line of stderr>} for each.
 */
public final class Child {
    private Child() {
    }

    public static void main(String[] args) {
        List<String> cmd = new ArrayList<>();
        for (int i = 0; i <= args.length; i++) {
            if (i == args.length || args[i].equals("---")) {
                StringWriter err = new StringWriter();
                int code = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true),
                        cmd.toArray(String[]::new));
                System.out.println("EXIT " + code);
                System.out.println("ERR " + err.toString().lines().findFirst().orElse(""));
                System.out.println("LINES " + err.toString().lines().count());
                cmd.clear();
            } else {
                cmd.add(args[i]);
            }
        }
    }

    /** The command that starts a JVM like this one (same class path and vector module) running {@code main}. */
    static List<String> java(Class<?> main) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector")); // the same dense kernel as this JVM
        }
        cmd.addAll(List.of("-Djava.awt.headless=true", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                main.getName()));
        return cmd;
    }

    /** Runs {@code commands} (each a kdeflow command line) in one child JVM in {@code dir}; returns its output. */
    static List<String> run(Path dir, java.util.Map<String, String> env, List<List<String>> commands)
            throws Exception {
        List<String> cmd = java(Child.class);
        for (int i = 0; i < commands.size(); i++) {
            if (i > 0) {
                cmd.add("---");
            }
            cmd.addAll(commands.get(i));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + out);
        }
        return out.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
    }
}

package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plain-Java kernels in a fresh JVM: without the {@code jdk.incubator.vector} module (as {@code java -jar
 * kdeflow.jar} without {@code --add-modules} runs) and with the module but {@code -Dkdeflow.vector=false}. The
 * choice is made once per JVM, when the kernels are first used, so only a new JVM tests it.
 */
class PlainJavaKernelsTest {
    @TempDir
    Path dir;

    private List<String> runChild(boolean withModule, String... flags) throws Exception {
        List<String> cmd = Child.java(Child.class);
        if (!withModule) {
            int i = cmd.indexOf("--add-modules");
            if (i >= 0) {
                cmd.remove(i);
                cmd.remove(i);
            }
        }
        cmd.addAll(1, List.of(flags));
        cmd.addAll(List.of("sample", "--dist", "moons", "--n", "300", "--out", "a.csv", "---",
                "kde", "--data", "a.csv", "--bandwidth", "lcv", "--at", "a.csv", "--out", "v.csv", "---",
                "train", "--data", "a.csv", "--epochs", "2", "--save", "m.safetensors", "--quiet", "---",
                "score", "--model", "m.safetensors", "--data", "a.csv", "--out", "s.csv"));
        Process p = new ProcessBuilder(new ArrayList<>(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        return out.lines().filter(l -> l.startsWith("EXIT") || l.startsWith("ERR ")).toList();
    }

    private void assertAllSucceeded(List<String> lines) throws Exception {
        assertEquals(8, lines.size(), String.join("\n", lines));
        for (int k = 0; k < 4; k++) {
            assertEquals("EXIT 0", lines.get(2 * k), String.join("\n", lines));
        }
        assertTrue(Files.size(dir.resolve("s.csv")) > 0);
    }

    @Test
    void withoutTheVectorModule() throws Exception {
        assertAllSucceeded(runChild(false));
    }

    @Test
    void withTheSwitchOff() throws Exception {
        assertAllSucceeded(runChild(true, "-Dkdeflow.vector=false"));
    }
}

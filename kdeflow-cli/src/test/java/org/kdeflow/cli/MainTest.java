package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.kdeflow.cli.common.ExitCodes;

class MainTest {

    static Run run(String... args) {
        return Run.of(args);
    }

    @Test
    void versionAndHelpExitZero() {
        Run v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("kdeflow "), v.out());
        Run h = run("--help");
        assertEquals(0, h.code());
        assertTrue(h.out().contains("Usage: kdeflow"), h.out());
    }

    @Test
    void unknownCommandIsAUsageErrorWithOneClearLineAndNoStackTrace() {
        Run r = run("frobnicate");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().startsWith("kdeflow: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    /**
     * Every command's help renders without picocli's formatting warning (an unescaped '%' once printed one), and the
     * top-level list shows each command's first description line whole: a sentence ending in a full stop.
     */
    @Test
    void everyHelpRendersCleanlyAndTheCommandListShowsWholeSentences() {
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>(List.of(Main.commandLine()));
            int commands = 0;
            while (!todo.isEmpty()) {
                picocli.CommandLine cl = todo.pop();
                String usage = cl.getUsageMessage();
                assertTrue(usage.contains("Usage: "), usage);
                String[] description = cl.getCommandSpec().usageMessage().description();
                assertTrue(description.length > 0 && description[0].strip().endsWith("."),
                        cl.getCommandName() + ": " + String.join(" ", description));
                todo.addAll(cl.getSubcommands().values());
                commands++;
            }
            assertTrue(commands >= 10, "commands checked: " + commands);
        } finally {
            System.setErr(original);
        }
        assertEquals("", captured.toString(), "no warning while rendering the help texts");
    }
}

package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}

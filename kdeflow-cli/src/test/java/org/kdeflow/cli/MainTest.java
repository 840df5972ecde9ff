package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
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
        assertEquals(Main.EXIT_USAGE, r.code());
        assertTrue(r.err().startsWith("kdeflow: "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }
}

package org.kdeflow.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the {@code kdeflow} command line in-process: its exit code and what it printed. */
public record Run(int code, String out, String err) {

    /** Runs {@code kdeflow args…} with captured output streams. */
    public static Run of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }
}

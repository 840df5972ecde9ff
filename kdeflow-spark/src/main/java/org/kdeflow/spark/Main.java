package org.kdeflow.spark;

import java.io.PrintWriter;
import org.kdeflow.spark.cli.BenchCommand;
import org.kdeflow.spark.cli.KdeCommand;
import org.kdeflow.spark.cli.ScoreCommand;
import org.kdeflow.spark.cli.TrainCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code kdeflow-spark} command, for {@code spark-submit --class org.kdeflow.spark.Main kdeflow-spark.jar …} or,
 * without a cluster, {@code ./kdeflow-spark …} (Spark in local mode). Exit codes: 0 success, 2 bad usage or input,
 * 1 anything else.
 */
@Command(name = "kdeflow-spark", mixinStandardHelpOptions = true, version = "kdeflow-spark 0.1.0",
        description = "kdeflow on Apache Spark: score any kdeflow model over a table, exact and binned KDE, "
                + "bandwidths and flow training on a sample.",
        subcommands = {CommandLine.HelpCommand.class, ScoreCommand.class, KdeCommand.class, TrainCommand.class,
            BenchCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces for errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given streams and returns the exit code. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            boolean usage = e instanceof IllegalArgumentException || isAnalysisError(e);
            line.getErr().println("kdeflow-spark: error: " + message(e));
            if (verbose(parsed)) {
                e.printStackTrace(line.getErr());
            } else if (!usage) {
                line.getErr().println("Run again with --verbose for the stack trace.");
            }
            line.getErr().flush();
            return usage ? EXIT_USAGE : EXIT_FAILURE;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("kdeflow-spark: " + e.getMessage());
            e.getCommandLine().getErr().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help' for more information.");
            return EXIT_USAGE;
        });
        return cl.execute(args);
    }

    /** Spark's errors about the query itself (a missing path or column): bad input, not a failure. */
    private static boolean isAnalysisError(Throwable e) {
        return e.getClass().getName().equals("org.apache.spark.sql.AnalysisException");
    }

    private static String message(Throwable e) {
        if (e instanceof IllegalArgumentException || isAnalysisError(e)) {
            String m = e.getMessage();
            return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}

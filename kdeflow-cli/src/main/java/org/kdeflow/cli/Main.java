package org.kdeflow.cli;

import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code kdeflow} command. Exit codes: 0 success, 2 bad usage or input, 1 anything else. */
@Command(name = "kdeflow",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Density estimation for the JVM: kernel density estimation and normalizing flows.",
        subcommands = {CommandLine.HelpCommand.class, SampleCommand.class, KdeCommand.class, TrainCommand.class,
            ScoreCommand.class, DensityCommand.class, BenchCommand.class, HomeworkCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad usage or bad input. */
    public static final int EXIT_USAGE = 2;
    /** Exit code for any other failure. */
    public static final int EXIT_FAILURE = 1;

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
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

    /** Runs the command line with the given streams and returns the exit code (for tests and embedding). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }

    /** The configured command line: subcommands, exit codes and error handling. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(Main::handleExecutionException);
        cl.setParameterExceptionHandler(Main::handleParameterException);
        return cl;
    }

    private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println("kdeflow: " + e.getMessage());
        String path = cl.getCommandSpec().qualifiedName();
        err.println("Try '" + path + " --help' for more information.");
        err.flush();
        return EXIT_USAGE;
    }

    private static int handleExecutionException(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = isVerbose(parsed);
        int code;
        String message;
        if (e instanceof InputException || e instanceof IllegalArgumentException) {
            code = EXIT_USAGE;
            message = e.getMessage();
        } else if (e instanceof NoSuchFileException nsf) {
            code = EXIT_USAGE;
            message = "no such file: " + nsf.getFile();
        } else {
            code = EXIT_FAILURE;
            message = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        err.println("kdeflow: error: " + message);
        if (verbose) {
            e.printStackTrace(err);
        } else if (code == EXIT_FAILURE) {
            err.println("Run again with --verbose for the stack trace.");
        }
        err.flush();
        return code;
    }

    private static boolean isVerbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /** Reads the version Maven wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws Exception {
            Properties p = new Properties();
            try (var in = Main.class.getResourceAsStream("/version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"kdeflow " + p.getProperty("version", "unknown"),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}

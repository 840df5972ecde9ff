package org.kdeflow.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import org.kdeflow.cli.common.Errors;
import org.kdeflow.cli.common.PathConverter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code kdeflow} command. Exit codes ({@link org.kdeflow.cli.common.ExitCodes}): 0 success, 2 bad usage or
 * input, 1 anything else; every failure is reported by {@link Errors}. A command is a class with a picocli
 * {@code @Command} listed in {@code subcommands} below.
 */
@Command(name = "kdeflow",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Density estimation for the JVM: kernel density estimation and normalizing flows.",
        subcommands = {CommandLine.HelpCommand.class, SampleCommand.class, KdeCommand.class, TrainCommand.class,
            FitCommand.class, ScoreCommand.class, DensityCommand.class, BenchCommand.class, HomeworkCommand.class})
public final class Main implements Runnable {

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

    /**
     * Runs the command line with the given streams and returns the exit code (for tests and embedding). Nothing
     * escapes: errors too ({@link OutOfMemoryError}) become one line and an exit code.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        try {
            CommandLine cl = commandLine();
            cl.setOut(out);
            cl.setErr(err);
            return cl.execute(args);
        } catch (Throwable t) { // what picocli lets through: Errors thrown by a command
            return Errors.print(t, err, Arrays.asList(args).contains("--verbose"));
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The configured command line: subcommands, converters, exit codes and error handling. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.registerConverter(Path.class, new PathConverter());
        cl.setExecutionExceptionHandler((e, c, parsed) -> Errors.print(e, c.getErr(), isVerbose(parsed)));
        cl.setParameterExceptionHandler((e, args) -> Errors.print(e, e.getCommandLine().getErr(),
                Arrays.asList(args).contains("--verbose")));
        return cl;
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

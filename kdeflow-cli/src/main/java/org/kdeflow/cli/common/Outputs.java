package org.kdeflow.cli.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.kdeflow.formats.OutputException;
import org.kdeflow.formats.StagedOutputs;

/**
 * A command's outputs, declared up front and written all together: the command line's face of
 * {@link StagedOutputs}. Declaring an output names its option, so that every refusal reads
 * {@code --save /proc/m.safetensors: cannot write in /proc (no such file or directory)}.
 *
 * <pre>{@code
 * Outputs outs = Outputs.of("kdeflow train");
 * Outputs.Output dir = outs.folder("--out", out);      // null path: no output
 * Outputs.Output model = outs.file("--save", save);
 * try (Outputs.Staged s = outs.begin()) {              // checked here, before any work (exit 2)
 *     ... write into s.path(dir), s.path(model) ...
 *     s.commit();                                       // all in place, or none
 * }
 * }</pre>
 */
public final class Outputs {
    private final String command;
    private final List<Output> outputs = new ArrayList<>();

    private Outputs(String command) {
        this.command = command;
    }

    /** The outputs of {@code command} ("kdeflow train", written into folder stamps). */
    public static Outputs of(String command) {
        return new Outputs(command);
    }

    /** One declared output. */
    public record Output(String option, Path path, StagedOutputs.Kind kind) {
    }

    /** Declares a file output; returns null (no output) when {@code path} is null. */
    public Output file(String option, Path path) {
        return add(option, path, StagedOutputs.Kind.FILE);
    }

    /** Declares a folder output, replaced as a whole; returns null (no output) when {@code path} is null. */
    public Output folder(String option, Path path) {
        return add(option, path, StagedOutputs.Kind.FOLDER);
    }

    private Output add(String option, Path path, StagedOutputs.Kind kind) {
        if (path == null) {
            return null;
        }
        Output o = new Output(option, path, kind);
        outputs.add(o);
        return o;
    }

    /**
     * Checks every output and stages it.
     *
     * @throws InputException naming the option, the path and why it cannot be written
     */
    public Staged begin() {
        List<StagedOutputs.Target> targets = new ArrayList<>();
        for (Output o : outputs) {
            targets.add(o.kind() == StagedOutputs.Kind.FILE ? StagedOutputs.Target.file(o.path())
                    : StagedOutputs.Target.folder(o.path(), command));
        }
        try {
            return new Staged(StagedOutputs.begin(targets));
        } catch (OutputException e) {
            throw refusal(e);
        }
    }

    private InputException refusal(OutputException e) {
        for (Output o : outputs) {
            if (o.path().equals(e.target())) {
                return new InputException(o.option() + " " + o.path() + ": " + e.reason(), e);
            }
        }
        return new InputException(e.getMessage(), e);
    }

    /** The staged outputs of one run. */
    public final class Staged implements AutoCloseable {
        private final StagedOutputs staged;

        private Staged(StagedOutputs staged) {
            this.staged = staged;
        }

        /** Where to write {@code o}: an empty folder, or a file path in the staging area (null for no output). */
        public Path path(Output o) {
            return o == null ? null : staged.path(outputs.indexOf(o));
        }

        /** Leaves {@code o} as it is: the commit does not touch it (an output that has nothing new this time). */
        public void keep(Output o) {
            staged.keep(outputs.indexOf(o));
        }

        /**
         * Puts every output in place, all together.
         *
         * @throws InputException naming the option and path that could not be written; then none was
         */
        public void commit() {
            try {
                staged.commit();
            } catch (OutputException e) {
                throw refusal(e);
            }
        }

        /** Removes what was staged and not committed. */
        @Override
        public void close() {
            staged.close();
        }
    }
}

package org.kdeflow.cli.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.formats.OutputException;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.models.TrainingCheckpoint;

/** Reads model and checkpoint files for the commands, turning every problem with the file into one clear line. */
public final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * Loads a flow written by kdeflow or by PyTorch ({@code safetensors.torch.save_file(model.state_dict(), path)}).
     *
     * @throws InputException naming the file and the problem (missing, a folder, unreadable, not a model, damaged)
     */
    public static FlowModelFile.Loaded loadModel(Path file) {
        return load(file, "model", FlowModelFile::read);
    }

    /** Reads a training checkpoint written by {@code kdeflow train --checkpoint}. */
    public static TrainingCheckpoint.Contents loadCheckpoint(Path file) {
        return load(file, "checkpoint", TrainingCheckpoint::read);
    }

    private interface Reader<T> {
        T read(Path file) throws IOException;
    }

    private static <T> T load(Path file, String what, Reader<T> reader) {
        checkReadable(file, what);
        try {
            return reader.read(file);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage(), e);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the " + what + " file (" + OutputException.reasonOf(e)
                    + ")", e);
        }
    }

    private static void checkReadable(Path file, String what) {
        if (!Files.exists(file)) {
            throw new InputException("no such " + what + " file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new InputException(file + ": is a folder, expected a " + what + " file (.safetensors)");
        }
        if (!Files.isRegularFile(file)) {
            throw new InputException(file + ": is not a regular file, expected a " + what + " file (.safetensors)");
        }
    }
}

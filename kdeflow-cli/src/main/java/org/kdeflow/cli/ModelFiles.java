package org.kdeflow.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.kdeflow.models.FlowModelFile;
import org.kdeflow.models.TrainingCheckpoint;

/** Reads model and checkpoint files for the commands, turning every problem with the file into one clear line. */
final class ModelFiles {
    private ModelFiles() {
    }

    /**
     * Loads a flow written by kdeflow or by PyTorch ({@code safetensors.torch.save_file(model.state_dict(), path)}).
     *
     * @throws InputException naming the file and the problem (missing, a folder, unreadable, not a model)
     */
    static FlowModelFile.Loaded loadModel(Path file) {
        checkReadable(file, "model");
        try {
            return FlowModelFile.read(file);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage(), e);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the model file: " + describe(e), e);
        }
    }

    /** Reads a training checkpoint written by {@code kdeflow train --checkpoint}. */
    static TrainingCheckpoint.Contents loadCheckpoint(Path file) {
        checkReadable(file, "checkpoint");
        try {
            return TrainingCheckpoint.read(file);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage(), e);
        } catch (IOException e) {
            throw new InputException(file + ": cannot read the checkpoint: " + describe(e), e);
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

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Column names for points of dimension d: x, y for d = 2, else x1 … xd. */
    static List<String> columns(int d) {
        if (d == 2) {
            return List.of("x", "y");
        }
        String[] c = new String[d];
        for (int j = 0; j < d; j++) {
            c[j] = "x" + (j + 1);
        }
        return List.of(c);
    }

    /** The output must be a file name, not a folder. */
    static void checkOutputFile(Path out, String option) {
        if (Files.isDirectory(out)) {
            throw new InputException(option + " " + out + " is a folder; give a file name");
        }
    }
}

package org.kdeflow.cli.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.density.Density;
import org.kdeflow.density.MixtureDensity;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.flow.Flow;
import org.kdeflow.formats.OutputException;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.ModelFile;
import org.kdeflow.models.TrainingCheckpoint;

/** Reads model and checkpoint files for the commands, turning every problem with the file into one clear line. */
public final class ModelFiles {
    /** The metadata key every training checkpoint has ({@link TrainingCheckpoint}) and no model file has. */
    private static final String CHECKPOINT_KEY = "checkpoint.version";

    private ModelFiles() {
    }

    /**
     * Loads any kdeflow model through {@link ModelFile}: the homework's {@code CouplingFlow} (also as PyTorch wrote
     * it, {@code safetensors.torch.save_file(model.state_dict(), path)}), a kernel density estimate ({@code kde}), a
     * flow ({@code flow}) or a mixture or ensemble ({@code mixture}).
     *
     * @throws InputException naming the file and the problem (missing, a folder, unreadable, a checkpoint, not a
     *                        model, of an unknown kind, damaged)
     */
    public static Density load(Path file) {
        return load(file, "model", f -> {
            SafeTensors st = SafeTensors.read(f);
            if (st.metadata().containsKey(CHECKPOINT_KEY)) {
                throw new InputException(f + ": is a training checkpoint, not a model file; continue it with "
                        + "'kdeflow train ... --resume " + f + " --save MODEL.safetensors'");
            }
            return ModelFile.fromSafeTensors(st, f.toString());
        });
    }

    /**
     * A short description of a model for the commands' report lines, e.g. {@code CouplingFlow, d = 2, K = 4, hidden
     * 32x32}, {@code KDE of 1500 samples, d = 2, gaussian kernel, adaptive, bounds 0:inf,0:1}, {@code flow, d = 2, 4
     * transforms, 9802 parameters}, {@code mixture of 3 models (kde, flow, flow), d = 2}.
     */
    public static String describe(Density model) {
        if (model instanceof CouplingFlow cf) {
            CouplingFlow.Architecture a = cf.architecture();
            StringBuilder h = new StringBuilder();
            for (int w : a.hidden()) {
                h.append(h.length() == 0 ? "" : "x").append(w);
            }
            return "CouplingFlow, d = " + a.dim() + ", K = " + a.layers() + ", hidden " + h;
        }
        if (model instanceof KernelDensity kde) {
            return "KDE of " + kde.size() + " samples, d = " + kde.dim() + ", "
                    + kde.kernel().name().toLowerCase(Locale.ROOT) + " kernel" + (kde.isAdaptive() ? ", adaptive" : "")
                    + (kde.bounds().isBounded() ? ", bounds " + kde.bounds() : "");
        }
        if (model instanceof Flow f) {
            return "flow, d = " + f.dim() + ", " + f.size() + " transforms, " + f.parameters().size() + " parameters";
        }
        if (model instanceof MixtureDensity m) {
            List<String> kinds = new ArrayList<>();
            for (Density c : m.components()) {
                kinds.add(c instanceof KernelDensity ? "kde" : c instanceof Flow || c instanceof CouplingFlow ? "flow"
                        : c instanceof MixtureDensity ? "mixture" : c.getClass().getSimpleName());
            }
            return "mixture of " + m.size() + " models (" + String.join(", ", kinds) + "), d = " + m.dim();
        }
        return model.getClass().getSimpleName() + ", d = " + model.dim();
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

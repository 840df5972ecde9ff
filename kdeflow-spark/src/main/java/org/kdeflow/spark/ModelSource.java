package org.kdeflow.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import org.kdeflow.density.Density;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.ModelFile;

/**
 * Where executors get a model from. The source is what Spark broadcasts; each executor JVM builds the model from
 * it once per {@link #key()} and keeps it (see {@link Models}), so no model class needs to be serializable.
 *
 * <p>The usual source is a model file's bytes ({@link #file}, {@link #bytes}): any kind {@link ModelFile} reads —
 * KDE, flow, ensemble, mixture, the homework's coupling flow — with no change here when a new kind is added.
 */
public interface ModelSource extends Serializable {

    /** Equal for equal models (a content hash): the executors' cache key. */
    String key();

    /** Names the model in messages (a file name). */
    String label();

    /** Builds the model. Called once per key per JVM. */
    Density load();

    /**
     * The bytes of a model file, checked by loading it once here.
     *
     * @throws IllegalArgumentException if the file is not a model kdeflow reads (the message names the file)
     * @throws IOException if it cannot be read
     */
    static ModelSource file(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(Files.exists(file) ? file + ": is not a regular file, expected a model "
                    + "file (.safetensors)" : "no such model file: " + file);
        }
        if (Files.size(file) > SafeTensors.MAX_FILE_BYTES) {
            throw new IllegalArgumentException(file + ": " + Files.size(file) + " bytes, over the "
                    + SafeTensors.MAX_FILE_BYTES + "-byte limit of a model file");
        }
        return bytes(Files.readAllBytes(file), file.toString());
    }

    /**
     * A model file's bytes (copied), checked by loading them once here.
     *
     * @throws IllegalArgumentException if they are not a model kdeflow reads (the message starts with label)
     */
    static ModelSource bytes(byte[] safetensors, String label) {
        ModelBytes source = new ModelBytes(safetensors.clone(), label);
        source.load();
        return source;
    }

    /**
     * The source for a model in memory: its model-file bytes when {@link ModelFile} can save its kind; for a
     * {@link KernelDensity} whose kind has no file format yet, its samples, weights, H and kernel.
     *
     * @throws IllegalArgumentException if the model can be neither saved nor carried otherwise
     */
    static ModelSource of(Density model) {
        SafeTensors st;
        try {
            st = ModelFile.toSafeTensors(model, null);
        } catch (IllegalArgumentException e) {
            if (model instanceof KernelDensity kde) {
                return new KdeSource(kde);
            }
            throw e;
        }
        return new ModelBytes(st.toBytes(SafeTensors.DType.F64), model.toString());
    }
}

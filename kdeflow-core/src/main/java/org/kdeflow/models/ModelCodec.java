package org.kdeflow.models;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.kdeflow.density.Density;
import org.kdeflow.formats.Tensor;

/**
 * How one kind of model is written to named tensors plus a JSON description (its <em>spec</em>), and read back.
 * {@link ModelFile} keeps one codec per kind; a new kind of model plugs in by adding its codec to
 * {@link ModelFile#CODECS}, without touching the others. Codecs nest: a mixture writes each component through the
 * component's own codec under the prefix {@code components.{i}.}.
 *
 * <p>Reading must treat the file as hostile: every missing, mis-shaped or non-finite tensor and every malformed spec
 * field ends in an {@link IllegalArgumentException} whose message starts with {@code label} and names the tensor or
 * field.
 */
public interface ModelCodec {

    /** The kind this codec writes, the value of {@value ModelFile#KEY_MODEL} (e.g. {@code "kde"}). */
    String type();

    /** Whether this codec writes {@code model}. */
    boolean canWrite(Density model);

    /**
     * Adds the model's tensors to {@code tensors}, each name starting with {@code prefix}, and returns its spec (the
     * configuration needed to rebuild it, without the tensors). Keys are written in a fixed order.
     */
    ObjectNode write(Density model, String prefix, Map<String, Tensor> tensors);

    /**
     * Rebuilds a model from its spec and the tensors under {@code prefix}.
     *
     * @throws IllegalArgumentException naming {@code label} and the offending tensor or field
     */
    Density read(ObjectNode spec, String prefix, Map<String, Tensor> tensors, String label);
}

package org.kdeflow.spark;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.kdeflow.density.Density;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.models.ModelFile;

/** A model file's bytes, keyed by their SHA-256; executors parse them with {@link ModelFile#fromSafeTensors}. */
final class ModelBytes implements ModelSource {
    private static final long serialVersionUID = 1L;

    private final byte[] bytes;
    private final String label;
    private final String key;

    ModelBytes(byte[] bytes, String label) {
        this.bytes = bytes;
        this.label = label;
        this.key = "sha256:" + sha256(bytes);
    }

    static String sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public Density load() {
        return ModelFile.fromSafeTensors(SafeTensors.parse(bytes, label), label);
    }

    @Override
    public String toString() {
        return "ModelBytes[" + label + ", " + bytes.length + " bytes, " + key + "]";
    }
}

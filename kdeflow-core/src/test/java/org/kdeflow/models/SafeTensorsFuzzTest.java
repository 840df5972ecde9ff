package org.kdeflow.models;

import org.kdeflow.formats.SafeTensors;
import org.kdeflow.formats.SafeTensorsTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.formats.Tensor;

/**
 * Throws random corruptions of valid files at the reader: byte flips, interesting bytes, truncations, appended
 * bytes, rewritten header lengths and edits of the JSON header (numbers, dtypes, names, punctuation) with the length
 * field kept consistent so that the edit reaches the validation. The reader must either load the file or throw an
 * {@link IllegalArgumentException} with a one-line message; any other outcome (another exception, an error) fails.
 */
class SafeTensorsFuzzTest {

    enum Kind { FLIP, INTERESTING_BYTE, TRUNCATE, APPEND, LENGTH, NUMBER, DTYPE, NAME, PUNCTUATION, DELETE_SPAN }

    private static final byte[] INTERESTING = "{}[]\",:-09 .eE\u0000".getBytes(StandardCharsets.ISO_8859_1);
    private static final String[] NUMBERS = {"0", "1", "-1", "7", "8", "16", "4294967296", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "99999999999999999999999999", "2147483647", "2147483648",
        "1e3", "0.5", "-0", "1E400", "null", "\"8\"", "[]", "{}"};
    private static final String[] DTYPES = {"F32", "F64", "F16", "BF16", "I64", "U8", "BOOL", "", "f64", "F64 ",
        "F8_E4M3", "X"};

    @Provide
    Arbitrary<byte[]> validFiles() {
        return Arbitraries.longs().map(seed -> {
            Random r = new Random(seed);
            Map<String, Tensor> t = new LinkedHashMap<>();
            int count = 1 + r.nextInt(5);
            for (int k = 0; k < count; k++) {
                int rank = r.nextInt(4);
                int[] shape = new int[rank];
                int n = 1;
                for (int i = 0; i < rank; i++) {
                    shape[i] = r.nextInt(5);
                    n *= shape[i];
                }
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = r.nextGaussian();
                }
                t.put("layers." + k + (r.nextBoolean() ? ".weight" : ".bias"), Tensor.of(v, shape));
            }
            Map<String, String> meta = r.nextBoolean() ? Map.of("format", "pt") : Map.of();
            return SafeTensors.of(t, meta).toBytes(r.nextBoolean() ? DType.F32 : DType.F64);
        });
    }

    @Property(tries = 4000)
    void corruptedFilesLoadOrFailCleanly(@ForAll("validFiles") byte[] valid,
                                         @ForAll Kind kind,
                                         @ForAll long seed,
                                         @ForAll @IntRange(min = 1, max = 3) int rounds) {
        byte[] bytes = valid;
        Random r = new Random(seed);
        for (int i = 0; i < rounds; i++) {
            bytes = corrupt(bytes, i == 0 ? kind : Kind.values()[r.nextInt(Kind.values().length)], r);
        }
        SafeTensors st;
        try {
            st = SafeTensors.parse(bytes, "fuzz.safetensors");
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            Statistics.collect(kind, "rejected");
            return;
        } catch (Throwable e) {
            fail(kind + " gave " + e + " for " + new String(bytes, StandardCharsets.ISO_8859_1), e);
            return;
        }
        Statistics.collect(kind, "loaded");
        for (Map.Entry<String, Tensor> e : st.tensors().entrySet()) {
            long n = 1;
            for (int s : e.getValue().shape()) {
                n *= s;
            }
            assertEquals(n, e.getValue().size(), e.getKey());
        }
    }

    private static final byte[] MODEL;

    static {
        try {
            MODEL = FlowStateDictTest.resource("notebook_flow_f32.safetensors");
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The same corruptions of a real model file (written by PyTorch) through the model loader. */
    @Property(tries = 1000)
    void corruptedModelFilesLoadOrFailCleanly(@ForAll Kind kind, @ForAll long seed,
                                              @ForAll @IntRange(min = 1, max = 2) int rounds) {
        byte[] bytes = MODEL;
        Random r = new Random(seed);
        for (int i = 0; i < rounds; i++) {
            bytes = corrupt(bytes, i == 0 ? kind : Kind.values()[r.nextInt(Kind.values().length)], r);
        }
        try {
            FlowModelFile.fromSafeTensors(SafeTensors.parse(bytes, "model.safetensors"), "model.safetensors");
            Statistics.collect(kind, "loaded");
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            Statistics.collect(kind, "rejected");
        } catch (Throwable e) {
            fail(kind + " gave " + e, e);
        }
    }

    private static final byte[] CHECKPOINT = checkpoint();

    private static byte[] checkpoint() {
        org.kdeflow.train.Trainer.Options o = org.kdeflow.train.Trainer.Options.defaults().withEpochs(3)
                .withBatchSize(32).withReshuffle(true);
        org.kdeflow.flow.CouplingFlow f = org.kdeflow.flow.CouplingFlow.create(
                new org.kdeflow.flow.CouplingFlow.Architecture(2, 2, new int[] {4}), 1);
        org.kdeflow.train.Trainer.Session s = new org.kdeflow.train.Trainer(o).start(f,
                org.kdeflow.data.ToyDatasets.sample2dDatasets("moons", 60, 0, 5));
        s.runEpoch();
        try {
            java.nio.file.Path p = java.nio.file.Files.createTempFile("fuzz", ".ckpt");
            TrainingCheckpoint.save(p, f, o, s, null);
            byte[] b = java.nio.file.Files.readAllBytes(p);
            java.nio.file.Files.delete(p);
            return b;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The same corruptions of a training checkpoint through the checkpoint loader. */
    @Property(tries = 500)
    void corruptedCheckpointsLoadOrFailCleanly(@ForAll Kind kind, @ForAll long seed) {
        byte[] bytes = corrupt(CHECKPOINT, kind, new Random(seed));
        try {
            TrainingCheckpoint.fromSafeTensors(SafeTensors.parse(bytes, "run.ckpt"), "run.ckpt");
            Statistics.collect(kind, "loaded");
        } catch (IllegalArgumentException e) {
            assertNotNull(e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            Statistics.collect(kind, "rejected");
        } catch (Throwable e) {
            fail(kind + " gave " + e, e);
        }
    }

    static byte[] corrupt(byte[] b, Kind kind, Random r) {
        if (b.length < 8) {
            return b;
        }
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        boolean headerIntact = n >= 0 && n <= b.length - 8;
        switch (kind) {
            case FLIP: {
                byte[] c = b.clone();
                int pos = biasedPosition(c.length, headerIntact ? 8 + (int) n : c.length, r);
                c[pos] ^= (byte) (1 + r.nextInt(255));
                return c;
            }
            case INTERESTING_BYTE: {
                byte[] c = b.clone();
                int pos = biasedPosition(c.length, headerIntact ? 8 + (int) n : c.length, r);
                c[pos] = INTERESTING[r.nextInt(INTERESTING.length)];
                return c;
            }
            case TRUNCATE:
                return Arrays.copyOf(b, r.nextInt(b.length));
            case APPEND: {
                byte[] c = Arrays.copyOf(b, b.length + 1 + r.nextInt(16));
                for (int i = b.length; i < c.length; i++) {
                    c[i] = (byte) r.nextInt(256);
                }
                return c;
            }
            case LENGTH: {
                byte[] c = b.clone();
                long m = switch (r.nextInt(4)) {
                    case 0 -> n + r.nextInt(17) - 8;
                    case 1 -> r.nextLong();
                    case 2 -> 1L << r.nextInt(64);
                    default -> b.length - 8 + r.nextInt(3) - 1;
                };
                ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(0, m);
                return c;
            }
            default:
                break;
        }
        if (!headerIntact) {
            return b;
        }
        String header = new String(b, 8, (int) n, StandardCharsets.UTF_8);
        byte[] data = Arrays.copyOfRange(b, 8 + (int) n, b.length);
        String edited = switch (kind) {
            case NUMBER -> replaceRandomMatch(header, Pattern.compile("-?\\d+"), NUMBERS[r.nextInt(NUMBERS.length)], r);
            case DTYPE -> replaceRandomMatch(header, Pattern.compile("\"(F32|F64)\""),
                    "\"" + DTYPES[r.nextInt(DTYPES.length)] + "\"", r);
            case NAME -> replaceRandomMatch(header, Pattern.compile("\"[a-z_.0-9]+\":"),
                    new String[] {"\"layers.0.weight\":", "\"__metadata__\":", "\"dtype\":", "\"\":"}[r.nextInt(4)], r);
            case PUNCTUATION -> replaceRandomMatch(header, Pattern.compile("[\\[\\]{},:]"),
                    new String[] {"", "[", "]", "{", "}", ",", ":", "\"", "[[", "}}"}[r.nextInt(10)], r);
            case DELETE_SPAN -> {
                int from = r.nextInt(header.length() + 1);
                int to = Math.min(header.length(), from + r.nextInt(12));
                yield header.substring(0, from) + header.substring(to);
            }
            default -> header;
        };
        return SafeTensorsTest.file(edited, data);
    }

    static int biasedPosition(int length, int headerEnd, Random r) {
        return r.nextInt(4) < 3 ? r.nextInt(Math.max(1, Math.min(length, headerEnd))) : r.nextInt(length);
    }

    static String replaceRandomMatch(String s, Pattern p, String replacement, Random r) {
        Matcher m = p.matcher(s);
        int count = 0;
        while (m.find()) {
            count++;
        }
        if (count == 0) {
            return s;
        }
        int pick = r.nextInt(count);
        m.reset();
        for (int i = 0; i <= pick; i++) {
            m.find();
        }
        return s.substring(0, m.start()) + replacement + s.substring(m.end());
    }
}

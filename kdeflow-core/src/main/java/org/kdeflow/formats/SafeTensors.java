package org.kdeflow.formats;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.zip.CRC32;

/**
 * A safetensors file: named tensors of floating-point numbers plus a string-to-string {@code __metadata__} map.
 *
 * <p>Layout (the PyTorch ecosystem's weight format; safetensors project, {@code README.md} and {@code tensor.rs}):
 * <pre>
 *   bytes [0, 8)        N, the header length, unsigned 64-bit little-endian
 *   bytes [8, 8+N)      UTF-8 JSON object {"name": {"dtype": "F64", "shape": [..], "data_offsets": [b, e]}, ...,
 *                       "__metadata__": {"key": "value", ...}}, padded with spaces
 *   bytes [8+N, end)    the data section: each tensor's elements little-endian in C (row-major) order at
 *                       [b, e) relative to the start of the data section
 * </pre>
 * The tensors tile the data section exactly: sorted by offset, each begins where the previous one ends and the last
 * ends at the end of the file, and e − b = (product of the shape) × (size of the dtype).
 *
 * <p>kdeflow reads {@code F32} and {@code F64} tensors (as {@code double}) and writes {@code F64} (exact) or
 * {@code F32} (rounded to nearest). Like the reference writer it puts {@code __metadata__} first, orders tensors by
 * name (all have the same dtype), writes compact JSON and pads the header with spaces to a multiple of 8 bytes so the
 * data is aligned. The reader accepts any padding and any order. Files kdeflow writes ({@link #write}) also record a
 * CRC-32 of the data section ({@value #CHECKSUM_KEY}, see {@link Checksum}), which the reader verifies when present.
 *
 * <p>Reading is safe on hostile input: every inconsistency ends in an {@link IllegalArgumentException} naming the
 * file and, where there is one, the tensor; no allocation exceeds the size of the file. Values are returned as
 * stored, NaN and infinities included: callers that need finite numbers (model files) check them.
 *
 * <p>Instances are immutable; arrays are copied in and out.
 */
public final class SafeTensors {

    /** The reference reader's limit on the header (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** Largest file kdeflow reads whole into memory. */
    public static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16L;
    /** The reserved header key of the metadata map. */
    public static final String METADATA_KEY = "__metadata__";
    /** The metadata key of the data section's CRC-32, written by {@link Checksum#CRC32}. */
    public static final String CHECKSUM_KEY = "kdeflow.crc32";

    /**
     * Whether the writer records a checksum of the data section in {@code __metadata__}. With {@link #CRC32} the
     * metadata gains {@value #CHECKSUM_KEY}: the CRC-32 of bytes [8+N, end) as 8 lower-case hex digits, as
     * {@code format(zlib.crc32(data), '08x')} in Python. The reader checks it whenever a file has it, so a flipped bit
     * in the weights is an error instead of a silently different model; files without it (PyTorch's) load as
     * before. A checksum changes nothing else: the rest of the header and the data are the same bytes.
     */
    public enum Checksum {
        /** The reference writer's bytes, nothing added. */
        NONE,
        /** {@value SafeTensors#CHECKSUM_KEY} in the metadata. */
        CRC32
    }

    /** Most dimensions a shape may have. */
    private static final int MAX_RANK = 64;

    private static final JsonFactory JSON_FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** Element types kdeflow reads and writes. */
    public enum DType {
        /** IEEE 754 binary32. */
        F32(4),
        /** IEEE 754 binary64. */
        F64(8);

        private final int bytes;

        DType(int bytes) {
            this.bytes = bytes;
        }

        /** Bytes per element. */
        public int bytes() {
            return bytes;
        }

        /** Parses {@code f32}/{@code F32}/{@code f64}/{@code F64}. */
        public static DType parse(String s) {
            for (DType t : values()) {
                if (t.name().equalsIgnoreCase(s)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown dtype '" + s + "' (expected f32 or f64)");
        }
    }

    /** Dtypes of the format that kdeflow recognises but does not read, with their element sizes. */
    private static final Map<String, Integer> OTHER_DTYPES = Map.ofEntries(
            Map.entry("BOOL", 1), Map.entry("U8", 1), Map.entry("I8", 1), Map.entry("F8_E5M2", 1),
            Map.entry("F8_E4M3", 1), Map.entry("I16", 2), Map.entry("U16", 2), Map.entry("F16", 2),
            Map.entry("BF16", 2), Map.entry("I32", 4), Map.entry("U32", 4), Map.entry("I64", 8),
            Map.entry("U64", 8), Map.entry("C64", 8));

    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;
    private final boolean checksumVerified;

    private SafeTensors(Map<String, Tensor> tensors, Map<String, String> metadata, boolean checksumVerified) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
        this.checksumVerified = checksumVerified;
    }

    /**
     * A collection of tensors (iteration order kept) and metadata. Metadata keys keep the caller's order when the map
     * has one ({@link LinkedHashMap}, {@link SortedMap}) and are sorted otherwise ({@link Map#of}, {@link java.util.HashMap},
     * whose order changes from one JVM to the next), so that the same content always gives the same bytes. A
     * {@value #CHECKSUM_KEY} entry is dropped: the writer computes it from the data it writes.
     *
     * @throws IllegalArgumentException if a name is {@value #METADATA_KEY} or a key or value is null
     */
    public static SafeTensors of(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException("null tensor name or tensor");
            }
            if (e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
            }
            t.put(e.getKey(), e.getValue());
        }
        Map<String, String> m = new LinkedHashMap<>();
        if (metadata != null) {
            for (Map.Entry<String, String> e : ordered(metadata)) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("null metadata key or value");
                }
                if (!e.getKey().equals(CHECKSUM_KEY)) { // the writer computes it from the data it writes
                    m.put(e.getKey(), e.getValue());
                }
            }
        }
        return new SafeTensors(t, m, false);
    }

    private static List<Map.Entry<String, String>> ordered(Map<String, String> metadata) {
        List<Map.Entry<String, String>> entries = new ArrayList<>(metadata.entrySet());
        if (!(metadata instanceof LinkedHashMap) && !(metadata instanceof SortedMap)) {
            for (Map.Entry<String, String> e : entries) {
                if (e.getKey() == null) {
                    throw new IllegalArgumentException("null metadata key or value");
                }
            }
            entries.sort(Map.Entry.comparingByKey());
        }
        return entries;
    }

    /** The tensors by name, in the order of their data in the file (or as given to {@link #of}). */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}, or null. */
    public Tensor tensor(String name) {
        return tensors.get(name);
    }

    /**
     * The {@code __metadata__} map (empty when the file has none), without {@value #CHECKSUM_KEY}, which belongs to
     * the file's bytes rather than to its content.
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Whether these tensors were read from a file that recorded {@value #CHECKSUM_KEY}, and it matched. */
    public boolean checksumVerified() {
        return checksumVerified;
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * Reads a safetensors file.
     *
     * @throws IllegalArgumentException if the file is not a valid safetensors file of F32/F64 tensors (the message
     *                                  names the file and the tensor)
     * @throws IOException              if the file cannot be read (missing, unreadable)
     */
    public static SafeTensors read(Path file) throws IOException {
        String label = file.toString();
        long size;
        byte[] bytes;
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            size = ch.size();
            if (size > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(label + ": file of " + size + " bytes is too large to load");
            }
            bytes = new byte[(int) size];
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new IOException(label + ": file shrank while being read");
                }
            }
        }
        return parse(bytes, label);
    }

    /**
     * Parses the bytes of a safetensors file; {@code label} names the source in error messages.
     *
     * @throws IllegalArgumentException if the bytes are not a valid safetensors file of F32/F64 tensors
     */
    public static SafeTensors parse(byte[] bytes, String label) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < 8) {
            throw bad(label, "not a safetensors file: " + bytes.length + " bytes, shorter than the 8-byte header length");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // n is unsigned: a negative long is ≥ 2^63
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw bad(label, "header length " + Long.toUnsignedString(n) + " exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes (not a safetensors file?)");
        }
        if (n > bytes.length - 8L) {
            throw bad(label, "header length " + n + " runs past the end of the file (" + bytes.length
                    + " bytes; truncated or not a safetensors file?)");
        }
        int headerEnd = 8 + (int) n;
        checkUtf8(bytes, 8, (int) n, label);
        long dataLength = bytes.length - (long) headerEnd;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        // Streaming, so that memory stays proportional to the number of tensors, not to a tree of the header.
        try (JsonParser p = JSON_FACTORY.createParser(bytes, 8, (int) n)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad(label, "header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    readMetadata(label, p, t, metadata);
                } else {
                    entries.add(readEntry(label, name, p, t, dataLength));
                }
            }
            if (p.nextToken() != null) {
                throw bad(label, "header is not valid JSON (content after the object)");
            }
        } catch (IOException e) {
            throw bad(label, "header is not valid JSON (" + firstLine(e.getMessage()) + ")");
        }
        // The tensors must tile [0, dataLength) exactly.
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
        long expected = 0;
        for (Entry e : byOffset) {
            if (e.begin != expected) {
                throw bad(label, "tensor '" + abbreviate(e.name) + "': data_offsets [" + e.begin + ", " + e.end + "] "
                        + (e.begin < expected ? "overlap another tensor's data" : "leave a gap before them")
                        + " (expected to begin at " + expected + ")");
            }
            expected = e.end;
        }
        if (expected != dataLength) {
            throw bad(label, "the tensors cover " + expected + " bytes of data but the file holds " + dataLength
                    + " after the header (truncated, or extra bytes at the end)");
        }
        boolean checksummed = verifyChecksum(metadata, bytes, headerEnd, label);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (Entry e : byOffset) {
            int count = (int) e.count;
            double[] values = new double[count];
            int pos = headerEnd + (int) e.begin;
            if (e.dtype == DType.F64) {
                for (int i = 0; i < count; i++) {
                    values[i] = data.getDouble(pos + 8 * i);
                }
            } else {
                for (int i = 0; i < count; i++) {
                    values[i] = data.getFloat(pos + 4 * i);
                }
            }
            tensors.put(e.name, new Tensor(e.dtype, e.shape, values));
        }
        return new SafeTensors(tensors, metadata, checksummed);
    }

    /**
     * Checks {@value #CHECKSUM_KEY} against the data section when the metadata has it and removes it from
     * {@code metadata} (it describes the file's bytes, not its content). Returns whether there was one.
     */
    private static boolean verifyChecksum(Map<String, String> metadata, byte[] bytes, int dataStart, String label) {
        String stored = metadata.remove(CHECKSUM_KEY);
        if (stored == null) {
            return false;
        }
        if (!stored.matches("[0-9a-f]{8}")) {
            throw bad(label, "metadata " + CHECKSUM_KEY + " = '" + abbreviate(stored)
                    + "' is not a CRC-32 (8 lower-case hex digits)");
        }
        String actual = crc32(bytes, dataStart, bytes.length - dataStart);
        if (!actual.equals(stored)) {
            throw bad(label, "the data section is damaged: its CRC-32 is " + actual + " but the file records "
                    + stored + " (" + CHECKSUM_KEY + "); the file was changed or corrupted after kdeflow wrote it");
        }
        return true;
    }

    /** CRC-32 (ISO-HDLC, as zlib's and Python's {@code zlib.crc32}) of bytes [off, off+len) as 8 hex digits. */
    static String crc32(byte[] bytes, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(bytes, off, len);
        return String.format(Locale.ROOT, "%08x", crc.getValue());
    }

    private record Entry(String name, DType dtype, int[] shape, long count, long begin, long end) {
    }

    private static void readMetadata(String label, JsonParser p, JsonToken t, Map<String, String> out)
            throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw bad(label, "'" + METADATA_KEY + "' must be an object of strings, found " + kind(t));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw bad(label, "'" + METADATA_KEY + "' entry '" + abbreviate(key) + "' must be a string, found "
                        + kind(v));
            }
            out.put(key, p.getText());
        }
    }

    private static Entry readEntry(String label, String name, JsonParser p, JsonToken t, long dataLength)
            throws IOException {
        String where = "tensor '" + abbreviate(name) + "'";
        if (t != JsonToken.START_OBJECT) {
            throw bad(label, where + ": entry must be an object with dtype, shape and data_offsets, found " + kind(t));
        }
        String dtypeName = null;
        int[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "dtype":
                    if (v != JsonToken.VALUE_STRING) {
                        throw bad(label, where + ": dtype must be a string, found " + kind(v));
                    }
                    dtypeName = p.getText();
                    break;
                case "shape":
                    shape = readShape(label, where, p, v);
                    break;
                case "data_offsets":
                    offsets = readOffsets(label, where, p, v, dataLength);
                    break;
                default:
                    p.skipChildren(); // other fields carry nothing kdeflow needs
                    break;
            }
        }
        if (dtypeName == null || shape == null || offsets == null) {
            throw bad(label, where + ": entry lacks " + (dtypeName == null ? "dtype" : shape == null ? "shape"
                    : "data_offsets"));
        }
        DType dtype = null;
        int elementBytes;
        if (dtypeName.equals("F32")) {
            dtype = DType.F32;
            elementBytes = 4;
        } else if (dtypeName.equals("F64")) {
            dtype = DType.F64;
            elementBytes = 8;
        } else if (OTHER_DTYPES.containsKey(dtypeName)) {
            elementBytes = OTHER_DTYPES.get(dtypeName);
        } else {
            throw bad(label, where + ": unknown dtype '" + abbreviate(dtypeName) + "'");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw bad(label, where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
        }
        // The byte range lies within the file (< 2^31 bytes): stop multiplying once the count exceeds what it can
        // hold, so the product never overflows (count <= 2^31 and each dimension < 2^31 before each step).
        long limit = (end - begin) / elementBytes;
        long count = 1;
        for (int s : shape) {
            if (s == 0) {
                count = 0;
            }
        }
        for (int i = 0; i < shape.length && count != 0; i++) {
            count *= shape[i];
            if (count > limit + 1) {
                throw bad(label, where + ": shape " + Arrays.toString(shape) + " of " + dtypeName
                        + " needs more bytes than data_offsets [" + begin + ", " + end + "] hold");
            }
        }
        long needed = count * elementBytes;
        if (needed != end - begin) {
            throw bad(label, where + ": shape " + Arrays.toString(shape) + " of " + dtypeName + " needs " + needed
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        if (dtype == null) {
            throw bad(label, where + ": dtype " + dtypeName + " is not supported (kdeflow reads F32 and F64; in "
                    + "PyTorch save model.float() or model.double() instead)");
        }
        if (count > Integer.MAX_VALUE - 16) {
            throw bad(label, where + ": " + count + " elements are too many to load");
        }
        return new Entry(name, dtype, shape, count, begin, end);
    }

    private static int[] readShape(String label, String where, JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw bad(label, where + ": shape must be an array of non-negative integers, found " + kind(t));
        }
        int[] shape = new int[8];
        int rank = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (rank == MAX_RANK) {
                throw bad(label, where + ": shape has more than " + MAX_RANK + " dimensions");
            }
            if (v != JsonToken.VALUE_NUMBER_INT) {
                throw bad(label, where + ": shape must hold non-negative integers, found " + kind(v)
                        + (v.isScalarValue() ? " " + abbreviate(p.getText()) : ""));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getBigIntegerValue().signum() < 0 : p.getLongValue() < 0) {
                throw bad(label, where + ": shape must hold non-negative integers, found " + abbreviate(p.getText()));
            }
            if (p.getNumberType() != JsonParser.NumberType.INT) {
                throw bad(label, where + ": dimension " + abbreviate(p.getText()) + " of shape is too large");
            }
            if (rank == shape.length) {
                shape = Arrays.copyOf(shape, 2 * rank);
            }
            shape[rank++] = p.getIntValue();
        }
        return Arrays.copyOf(shape, rank);
    }

    private static long[] readOffsets(String label, String where, JsonParser p, JsonToken t, long dataLength)
            throws IOException {
        if (t != JsonToken.START_ARRAY) {
            throw bad(label, where + ": data_offsets must be two integers [begin, end], found " + kind(t));
        }
        long[] o = new long[2];
        int k = 0;
        JsonToken v;
        while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
            if (k == 2 || v != JsonToken.VALUE_NUMBER_INT) {
                throw bad(label, where + ": data_offsets must be two integers [begin, end]");
            }
            boolean inRange = p.getNumberType() != JsonParser.NumberType.BIG_INTEGER && p.getLongValue() >= 0
                    && p.getLongValue() <= dataLength;
            if (!inRange) {
                throw bad(label, where + ": data_offsets value " + abbreviate(p.getText()) + " lies outside the "
                        + dataLength + " bytes of data");
            }
            o[k++] = p.getLongValue();
        }
        if (k != 2) {
            throw bad(label, where + ": data_offsets must be two integers [begin, end]");
        }
        return o;
    }

    /** Checks that bytes [off, off+len) are valid UTF-8, decoding in small chunks (no copy of the header). */
    private static void checkUtf8(byte[] bytes, int off, int len, String label) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, off, len);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult r = dec.decode(in, out, true);
            if (r.isError()) {
                throw bad(label, "header is not valid UTF-8 (at byte " + in.position() + ")");
            }
            out.clear();
            if (r.isUnderflow()) {
                break;
            }
        }
        CoderResult r = dec.flush(out);
        if (r.isError()) {
            throw bad(label, "header is not valid UTF-8");
        }
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Writes the file atomically (a temporary file beside it, then a rename): values as {@code dtype}, with
     * kdeflow's {@linkplain Checksum#CRC32 checksum} of the data in the metadata.
     *
     * @throws IllegalArgumentException if {@code dtype} is F32 and a finite value lies outside float's range
     */
    public void write(Path file, DType dtype) throws IOException {
        write(file, dtype, Checksum.CRC32);
    }

    /** As {@link #write(Path, DType)}, with or without the checksum. */
    public void write(Path file, DType dtype, Checksum checksum) throws IOException {
        byte[] bytes = toBytes(dtype, checksum);
        AtomicFiles.write(file, bytes);
    }

    /** Writes the file atomically with F64 values (exact) and the checksum. */
    public void write(Path file) throws IOException {
        write(file, DType.F64);
    }

    /**
     * The bytes the reference serializer ({@code safetensors.torch.save_file}) writes for these tensors and metadata,
     * every tensor stored as {@code dtype}: metadata first, tensors by name, compact JSON padded with spaces to a
     * multiple of 8 bytes; no checksum.
     */
    public byte[] toBytes(DType dtype) {
        return toBytes(dtype, Checksum.NONE);
    }

    /**
     * The file's bytes as {@link #toBytes(DType)}, with {@value #CHECKSUM_KEY} appended to the metadata when
     * {@code checksum} is {@link Checksum#CRC32}. Metadata keys keep their order (the reference writer's order is that
     * of a hash map, i.e. arbitrary; kdeflow's is the caller's, so the same content gives the same bytes).
     */
    public byte[] toBytes(DType dtype, Checksum checksum) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(checksum, "checksum");
        byte[] data = dataBytes(dtype);
        Map<String, String> meta = metadata;
        if (checksum == Checksum.CRC32) {
            meta = new LinkedHashMap<>(metadata);
            meta.put(CHECKSUM_KEY, crc32(data, 0, data.length));
        }
        return assemble(dtype, meta, data);
    }

    private byte[] assemble(DType dtype, Map<String, String> meta, byte[] data) {
        List<String> names = sortedNames();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON_FACTORY.createGenerator(json, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (!meta.isEmpty()) {
                g.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> m : meta.entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (String name : names) {
                Tensor t = tensors.get(name);
                long len = (long) t.size() * dtype.bytes();
                g.writeObjectFieldStart(name);
                g.writeStringField("dtype", dtype.name());
                g.writeArrayFieldStart("shape");
                for (int s : t.shape) {
                    g.writeNumber(s);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + len);
                g.writeEndArray();
                g.writeEndObject();
                offset += len;
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int pad = (8 - json.size() % 8) % 8;
        for (int i = 0; i < pad; i++) {
            json.write(' ');
        }
        long size = 8L + json.size() + data.length;
        if (size > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("tensors too large for one file: " + size + " bytes");
        }
        ByteBuffer out = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.size());
        out.put(json.toByteArray());
        out.put(data);
        return out.array();
    }

    private List<String> sortedNames() {
        List<String> names = new ArrayList<>(tensors.keySet());
        Collections.sort(names);
        return names;
    }

    /** The data section: every tensor's elements as {@code dtype}, little-endian, tensors by name. */
    private byte[] dataBytes(DType dtype) {
        List<String> names = sortedNames();
        long total = 0;
        for (String name : names) {
            total += (long) tensors.get(name).size() * dtype.bytes();
        }
        if (total > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("tensors too large for one file: " + total + " bytes of data");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        for (String name : names) {
            Tensor t = tensors.get(name);
            if (dtype == DType.F64) {
                for (double x : t.values) {
                    out.putDouble(x);
                }
            } else {
                for (int i = 0; i < t.values.length; i++) {
                    double x = t.values[i];
                    float f = (float) x;
                    if (Float.isInfinite(f) && Double.isFinite(x)) {
                        throw new IllegalArgumentException("tensor '" + name + "': value " + x + " at index " + i
                                + " is outside the range of F32; write F64 instead");
                    }
                    out.putFloat(f);
                }
            }
        }
        return out.array();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static IllegalArgumentException bad(String label, String message) {
        return new IllegalArgumentException(label + ": " + message);
    }

    private static String kind(JsonToken t) {
        switch (t) {
            case START_OBJECT:
                return "an object";
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            default:
                return String.valueOf(t);
        }
    }

    /** Text from a file for a one-line message: control characters replaced by '?', at most 80 characters. */
    public static String abbreviate(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
        for (int i = 0; i < s.length() && b.length() < 80; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        return s.length() <= 80 ? b.toString() : b.substring(0, 77) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }
}

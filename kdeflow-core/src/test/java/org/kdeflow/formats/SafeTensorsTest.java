package org.kdeflow.formats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.formats.SafeTensors.DType;
import org.kdeflow.formats.Tensor;

public class SafeTensorsTest {

    @TempDir
    Path tmp;

    /** Assembles a file the way the format describes it: length, header bytes, data. */
    public static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return b.array();
    }

    static String padTo8(String header) {
        int n = header.getBytes(StandardCharsets.UTF_8).length;
        return header + " ".repeat((8 - n % 8) % 8);
    }

    static byte[] f32(double... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putFloat((float) x);
        }
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static SafeTensors sample() {
        Random r = new Random(7);
        double[] w = new double[6];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian() * 1e-3 + (i == 0 ? Math.PI : 0);
        }
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.of(w, 2, 3));
        t.put("b", Tensor.of(new double[] {Double.MIN_VALUE, -0.0}, 2));
        t.put("scalar", Tensor.of(new double[] {1.0 / 3}));
        t.put("empty", Tensor.of(new double[0], 0, 4));
        return SafeTensors.of(t, Map.of("format", "pt", "note", "ünïcode ✓ \"quoted\""));
    }

    @Test
    void roundTripF64IsExact() throws Exception {
        SafeTensors a = sample();
        Path p = tmp.resolve("a.safetensors");
        a.write(p);
        SafeTensors b = SafeTensors.read(p);
        assertEquals(a.metadata(), b.metadata());
        assertEquals(a.tensors().keySet(), Set.copyOf(b.tensors().keySet()));
        for (String name : a.tensors().keySet()) {
            Tensor x = a.tensor(name);
            Tensor y = b.tensor(name);
            assertArrayEquals(x.shape(), y.shape(), name);
            assertEquals(DType.F64, y.dtype());
            for (int i = 0; i < x.size(); i++) {
                // bit-for-bit, including -0.0 and subnormals
                assertEquals(Double.doubleToRawLongBits(x.get(i)), Double.doubleToRawLongBits(y.get(i)), name);
            }
        }
        assertEquals(0, (Files.size(p) - 8 - b.tensors().values().stream().mapToLong(t -> 8L * t.size()).sum()) % 8,
                "header padded to a multiple of 8");
    }

    @Test
    void roundTripF32IsFloatRounding() throws Exception {
        SafeTensors a = sample();
        Path p = tmp.resolve("a32.safetensors");
        a.write(p, DType.F32);
        SafeTensors b = SafeTensors.read(p);
        for (String name : a.tensors().keySet()) {
            Tensor x = a.tensor(name);
            Tensor y = b.tensor(name);
            assertEquals(DType.F32, y.dtype());
            for (int i = 0; i < x.size(); i++) {
                // writing F32 is exactly Java's (float) cast: round to nearest, relative error ≤ 2^-24
                assertEquals((double) (float) x.get(i), y.get(i), 0.0, name);
                assertEquals(x.get(i), y.get(i), Math.abs(x.get(i)) * 0x1p-24 + Float.MIN_VALUE, name);
            }
        }
    }

    @Test
    void writerMatchesTheReferenceSerializerByteForByte() {
        // The reference serializer (safetensors' tensor.rs) writes compact JSON, metadata first, tensors ordered by
        // name within a dtype, offsets contiguous, and pads the header with spaces to a multiple of 8 bytes.
        double[] v = {0, 1, 2, 3, 4, 5};
        SafeTensors st = SafeTensors.of(Map.of("attn0", Tensor.of(v, 1, 1, 2, 3)), Map.of());
        String header = "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}";
        byte[] expected = file(padTo8(header), f32(v));
        assertEquals(72, padTo8(header).length(), "65 bytes of JSON padded with 7 spaces");
        assertArrayEquals(expected, st.toBytes(DType.F32));

        Map<String, Tensor> two = new LinkedHashMap<>();
        two.put("b", Tensor.of(new double[] {1.5}, 1));
        two.put("a", Tensor.of(new double[] {-2.25, 3}, 2));
        String h2 = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]}}";
        assertArrayEquals(file(padTo8(h2), f64(-2.25, 3, 1.5)),
                SafeTensors.of(two, Map.of("format", "pt")).toBytes(DType.F64));
    }

    static byte[] resource(String name) throws Exception {
        try (var in = SafeTensorsTest.class.getResourceAsStream("/safetensors-crc/" + name)) {
            assertTrue(in != null, "resource " + name);
            return in.readAllBytes();
        }
    }

    /** The tensors of safetensors-crc/make_reference.py. */
    static SafeTensors crcSample() {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("weight", Tensor.of(new double[] {0.5, -1.25, 3.0, 1e-3, 0x1p-30, -0.0}, 2, 3));
        t.put("bias", Tensor.of(new double[] {0.1, 1.0 / 3.0}, 2));
        return SafeTensors.of(t, Map.of());
    }

    @Test
    void checksumIsTheReferenceWritersBytesWithOneMoreMetadataKey() throws Exception {
        // safetensors.torch.save_file(tensors, metadata={"kdeflow.crc32": format(zlib.crc32(data), "08x")}), written by
        // PyTorch 2.13 + safetensors 0.8.0 (make_reference.py): with the checksum on, kdeflow writes exactly these
        // bytes, so the CRC is zlib's CRC-32 and nothing else in the file changes.
        assertArrayEquals(resource("crc_f64.safetensors"), crcSample().toBytes(DType.F64, SafeTensors.Checksum.CRC32));
        assertArrayEquals(resource("crc_f32.safetensors"), crcSample().toBytes(DType.F32, SafeTensors.Checksum.CRC32));
        SafeTensors back = SafeTensors.parse(resource("crc_f64.safetensors"), "crc");
        assertTrue(back.checksumVerified());
        assertEquals(Map.of(), back.metadata(), "the checksum belongs to the bytes, not to the content");
        assertEquals(crcSample().tensors(), back.tensors());
        // Without the option the bytes are the reference writer's for an empty metadata map.
        assertFalse(SafeTensors.parse(crcSample().toBytes(DType.F64), "plain").checksumVerified());
    }

    @Test
    void writeRecordsTheChecksumAndTwoWritesGiveTheSameBytes() throws Exception {
        Path a = tmp.resolve("a.safetensors");
        Path b = tmp.resolve("b.safetensors");
        crcSample().write(a);
        crcSample().write(b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertArrayEquals(resource("crc_f64.safetensors"), Files.readAllBytes(a));
        assertTrue(SafeTensors.read(a).checksumVerified());
        // A checksum key handed in by the caller (say, metadata copied from a file read earlier) is replaced by the
        // writer's own.
        SafeTensors stale = SafeTensors.of(crcSample().tensors(), Map.of(SafeTensors.CHECKSUM_KEY, "00000000"));
        assertArrayEquals(resource("crc_f64.safetensors"), stale.toBytes(DType.F64, SafeTensors.Checksum.CRC32));
    }

    @Test
    void aFlippedBitInTheDataIsRefusedNamingTheFile() throws Exception {
        byte[] good = resource("crc_f64.safetensors");
        long n = ByteBuffer.wrap(good, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        for (int bit : new int[] {0, 7, 63}) {
            for (long at : new long[] {8 + n, good.length - 1}) {
                byte[] bad = good.clone();
                bad[(int) at] ^= (byte) (1 << (bit % 8));
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> SafeTensors.parse(bad, "m.safetensors"));
                assertTrue(e.getMessage().startsWith("m.safetensors: the data section is damaged"), e.getMessage());
            }
        }
        String header = new String(good, 8, (int) n, StandardCharsets.UTF_8);
        byte[] notHex = file(header.replace("405e3026", "405e302g"), java.util.Arrays.copyOfRange(good,
                8 + (int) n, good.length));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.parse(notHex, "m.safetensors"));
        assertTrue(e.getMessage().contains("is not a CRC-32"), e.getMessage());
    }

    @Test
    void metadataWithoutAnOrderIsWrittenSorted() {
        // Map.of iterates in an order that changes from one JVM to the next; the bytes must not.
        Map<String, String> unordered = Map.of("zeta", "1", "alpha", "2", "mid", "3", "beta", "4", "omega", "5");
        SafeTensors st = SafeTensors.of(Map.of(), unordered);
        assertEquals(List.of("alpha", "beta", "mid", "omega", "zeta"), List.copyOf(st.metadata().keySet()));
        Map<String, String> mine = new LinkedHashMap<>();
        mine.put("zeta", "1");
        mine.put("alpha", "2");
        assertEquals(List.of("zeta", "alpha"), List.copyOf(SafeTensors.of(Map.of(), mine).metadata().keySet()),
                "a caller's order is kept");
    }

    @Test
    void readsAHandWrittenFileWithAnyPaddingOrderAndLayout() {
        // Pretty-printed, tensors not in name order, metadata last, 37 spaces of padding, data in reverse order.
        String header = "{\n  \"z.weight\": {\"data_offsets\": [8, 20], \"shape\": [3], \"dtype\": \"F32\"},\n"
                + "  \"a.bias\": {\"dtype\": \"F64\", \"shape\": [], \"data_offsets\": [0, 8]},\n"
                + "  \"__metadata__\": {\"format\": \"pt\"}\n}" + " ".repeat(37);
        byte[] bytes = file(header, concat(f64(0.1), f32(1, -2.5, 1e-3)));
        SafeTensors st = SafeTensors.parse(bytes, "hand.safetensors");
        assertEquals(List.of("a.bias", "z.weight"), List.copyOf(st.tensors().keySet()), "offset order");
        assertEquals(Map.of("format", "pt"), st.metadata());
        assertEquals(0, st.tensor("a.bias").rank());
        assertEquals(0.1, st.tensor("a.bias").get(0), 0.0);
        assertArrayEquals(new double[] {1, -2.5, (float) 1e-3}, st.tensor("z.weight").values(), 0.0);
        assertEquals(DType.F32, st.tensor("z.weight").dtype());
        // No padding at all, no metadata, no tensors.
        assertTrue(SafeTensors.parse(file("{}", new byte[0]), "e").tensors().isEmpty());
    }

    @Test
    void copiesAtTheBoundary() {
        double[] v = {1, 2};
        Tensor t = Tensor.of(v, 2);
        v[0] = 99;
        assertEquals(1, t.get(0));
        t.values()[1] = 99;
        assertEquals(2, t.get(1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[3], 2, 2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[0], -1));
        assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.of(Map.of("__metadata__", t), Map.of()));
    }

    @Test
    void f32WriteRejectsValuesOutsideFloatRange() {
        SafeTensors st = SafeTensors.of(Map.of("big", Tensor.of(new double[] {1e300}, 1)), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> st.toBytes(DType.F32));
        assertTrue(e.getMessage().contains("'big'"), e.getMessage());
    }

    @Test
    void failedWriteLeavesTheOldFile() throws Exception {
        Path p = tmp.resolve("keep.safetensors");
        sample().write(p);
        byte[] before = Files.readAllBytes(p);
        SafeTensors bad = SafeTensors.of(Map.of("big", Tensor.of(new double[] {1e300}, 1)), Map.of());
        assertThrows(IllegalArgumentException.class, () -> bad.write(p, DType.F32));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (var s = Files.list(tmp)) {
            assertEquals(1, s.count(), "no temporary file left behind");
        }
    }

    static final byte[] TWO = f64(1, 2);

    static List<Object[]> corruptions() {
        String ok = "\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}";
        return List.of(
                new Object[] {"short", new byte[] {1, 2, 3}, "shorter than"},
                new Object[] {"huge header length", withLength(file("{" + ok + "}", TWO), 1L << 40), "exceeds the limit"},
                new Object[] {"header length ≥ 2^63", withLength(file("{" + ok + "}", TWO), -8), "exceeds the limit"},
                new Object[] {"header past end", withLength(file("{" + ok + "}", TWO), 5000), "past the end"},
                new Object[] {"not json", file("{\"x\":", TWO), "not valid JSON"},
                new Object[] {"trailing garbage", file("{" + ok + "}xyz", TWO), "not valid JSON"},
                new Object[] {"array header", file("[1,2]", TWO), "not a JSON object"},
                new Object[] {"duplicate key", file("{" + ok + "," + ok + "}", TWO), "Duplicate"},
                new Object[] {"bad utf-8", badUtf8(), "not valid UTF-8"},
                new Object[] {"entry not object", file("{\"x\":[1]}", TWO), "tensor 'x'"},
                new Object[] {"missing dtype", file("{\"x\":{\"shape\":[2],\"data_offsets\":[0,16]}}", TWO), "lacks dtype"},
                new Object[] {"unknown dtype", file("{\"x\":{\"dtype\":\"F65\",\"shape\":[2],\"data_offsets\":[0,16]}}", TWO), "unknown dtype 'F65'"},
                new Object[] {"unsupported dtype", file("{\"x\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]}}", TWO), "not supported"},
                new Object[] {"negative dim", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[-2],\"data_offsets\":[0,16]}}", TWO), "non-negative"},
                new Object[] {"fractional dim", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2.0],\"data_offsets\":[0,16]}}", TWO), "non-negative integers"},
                new Object[] {"huge dim", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,16]}}", TWO), "too large"},
                new Object[] {"overflowing product", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2147483647,2147483647,2147483647,4],\"data_offsets\":[0,16]}}", TWO), "needs more bytes"},
                new Object[] {"shape × size ≠ range", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[0,16]}}", TWO), "needs 24 bytes"},
                new Object[] {"F32 read as wrong size", file("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,16]}}", TWO), "needs 8 bytes"},
                new Object[] {"end < begin", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[16,0]}}", TWO), "end before"},
                new Object[] {"offset out of range", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,24]}}", TWO), "outside"},
                new Object[] {"negative offset", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[-8,8]}}", TWO), "outside"},
                new Object[] {"three offsets", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8,16]}}", TWO), "two integers"},
                new Object[] {"overlap", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                        + "\"y\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", TWO), "overlap"},
                new Object[] {"gap", file("{\"y\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", TWO), "gap"},
                new Object[] {"not covering", file("{\"x\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", TWO), "cover 8 bytes"},
                new Object[] {"truncated data", file("{" + ok + "}", f64(1)), "outside"},
                new Object[] {"metadata not strings", file("{\"__metadata__\":{\"a\":1}," + ok + "}", TWO), "must be a string"},
                new Object[] {"metadata array", file("{\"__metadata__\":[]," + ok + "}", TWO), "must be an object"},
                new Object[] {"deep nesting", file("{\"x\":{\"junk\":" + "[".repeat(5000) + "]".repeat(5000) + "}}", TWO),
                        "not valid JSON"},
                new Object[] {"nested entry", file("{\"x\":" + "[".repeat(50) + "]".repeat(50) + "}", TWO),
                        "entry must be an object"},
                new Object[] {"too many dimensions", file("{\"x\":{\"dtype\":\"F64\",\"shape\":["
                        + "1,".repeat(100) + "2],\"data_offsets\":[0,16]}}", TWO), "more than 64 dimensions"},
                new Object[] {"empty header", file("", TWO), "not a JSON object"},
                new Object[] {"control characters in a name", file("{\"a\\nb\\u2028\":{\"dtype\":\"F64\",\"shape\":[1],"
                        + "\"data_offsets\":[8,16]}}", TWO), "tensor 'a?b?'"});
    }

    static byte[] badUtf8() {
        byte[] b = file("{\"?\":{}}", TWO);
        b[10] = (byte) 0xFF;
        return b;
    }

    static byte[] withLength(byte[] b, long n) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(0, n);
        return c;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void rejectsWithAClearMessage(String what, byte[] bytes, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.parse(bytes, "m.safetensors"));
        assertTrue(e.getMessage().startsWith("m.safetensors: "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), what + ": " + e.getMessage());
        assertTrue(e.getMessage().lines().count() == 1 && !e.getMessage().contains("\u2028"),
                "one line: " + e.getMessage());
    }

    @Test
    void readsFromDiskAndNamesTheFile() throws Exception {
        Path p = tmp.resolve("bad.safetensors");
        Files.write(p, new byte[] {1, 0, 0});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> SafeTensors.read(tmp.resolve("missing")));
    }
}

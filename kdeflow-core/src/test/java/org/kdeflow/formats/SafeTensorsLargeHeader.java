package org.kdeflow.formats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Measures the reader on the largest header it accepts: N empty tensors (56 bytes of JSON each; 1,650,000 give 93 MB,
 * under the 100 MB limit). Not a test; run it by hand:
 * {@code java -Xmx1g -cp kdeflow-cli/target/kdeflow.jar kdeflow-core/src/test/java/org/kdeflow/formats/SafeTensorsLargeHeader.java 1650000}
 */
public final class SafeTensorsLargeHeader {
    private SafeTensorsLargeHeader() {
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        StringBuilder h = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            h.append(i > 0 ? "," : "").append("\"t").append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        byte[] hb = h.append('}').toString().getBytes(StandardCharsets.UTF_8);
        h = null;
        byte[] bytes = ByteBuffer.allocate(8 + hb.length).order(ByteOrder.LITTLE_ENDIAN).putLong(hb.length).put(hb)
                .array();
        hb = null;
        long t0 = System.nanoTime();
        SafeTensors st = SafeTensors.parse(bytes, "large");
        double seconds = (System.nanoTime() - t0) * 1e-9;
        Runtime rt = Runtime.getRuntime();
        System.out.printf("header %d MB, %d tensors, parsed in %.1f s, heap in use %d MB%n", bytes.length >> 20,
                st.tensors().size(), seconds, (rt.totalMemory() - rt.freeMemory()) >> 20);
    }
}

package org.kdeflow.cli.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.kdeflow.cli.common.InputException;
import org.kdeflow.data.Dataset;
import org.kdeflow.random.NumpyRandomState;

class CsvDataTest {
    @TempDir
    Path dir;

    Path file(String content) throws IOException {
        Path f = dir.resolve("data.csv");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void readsWithHeader() throws IOException {
        CsvData c = CsvData.read(file("x,y\n1,2\n-3.5e-1,.25\n"));
        assertEquals(List.of("x", "y"), c.columns());
        assertArrayEquals(new double[] {1, 2, -0.35, 0.25}, c.data().toArray(), 0.0);
    }

    @Test
    void readsWithoutHeaderAnyDimensionSkippingCommentsAndBlankLines() throws IOException {
        CsvData c = CsvData.read(file("# written by numpy\n1, 2, 3\n\n4,5,6\r\n"));
        assertFalse(c.hasHeader());
        assertEquals(3, c.data().dim());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, c.data().toArray(), 0.0);
    }

    @Test
    void roundTripsEveryDoubleExactly() throws IOException {
        NumpyRandomState rng = new NumpyRandomState(3);
        double[] x = new double[3000];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.gauss() * Math.pow(10, (i % 40) - 20);
        }
        x[0] = Double.MIN_VALUE;
        x[1] = -Double.MAX_VALUE;
        x[2] = 0.1;
        Dataset d = Dataset.of(x, 1000, 3);
        Path f = dir.resolve("out/round.csv");
        CsvData.write(f, d, List.of("a", "b", "c"));
        CsvData back = CsvData.read(f);
        assertEquals(List.of("a", "b", "c"), back.columns());
        assertArrayEquals(x, back.data().toArray(), 0.0);
        assertTrue(Files.readString(f).startsWith("a,b,c\n"));
        try (var s = Files.list(f.getParent())) {
            assertEquals(1, s.count(), "no temporary files left");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "nan | x,y\\n1,2\\n3,nan\\n | line 3, column 2 (y) | nan",
        "inf | 1,2\\n-inf,3\\n | line 2, column 1 | -inf",
        "overflow | 1,2\\n1e400,3\\n | line 2, column 1 | 1e400",
        "text | 1,2\\n3,abc\\n | line 2, column 2 | abc",
        "ragged | x,y\\n1,2\\n3,4,5\\n | line 3 has 3 values, expected 2 | line 3",
        "empty value | 1,2\\n3,\\n | line 2, column 2 | empty",
        "empty file | '' | empty file | empty",
        "header only | x,y\\n | no data rows | header"})
    void badContentNamesFileLineColumnAndValue(String name, String content, String where, String value)
            throws IOException {
        Path f = file(content.replace("\\n", "\n"));
        InputException e = assertThrows(InputException.class, () -> CsvData.read(f));
        String m = e.getMessage();
        assertTrue(m.startsWith(f.toString()), m);
        assertTrue(m.contains(where), m);
        assertTrue(m.contains(value), m);
        assertFalse(m.contains("\n"), "one line: " + m);
    }

    @Test
    void lineNumbersCountCommentsAndBlankLines() throws IOException {
        Path f = file("# c\nx,y\n\n1,2\n3,oops\n");
        InputException e = assertThrows(InputException.class, () -> CsvData.read(f));
        assertTrue(e.getMessage().contains("line 5, column 2 (y)"), e.getMessage());
    }

    @Test
    void missingFileAndDirectory() {
        Path missing = dir.resolve("nope.csv");
        InputException e = assertThrows(InputException.class, () -> CsvData.read(missing));
        assertTrue(e.getMessage().contains("no such file") && e.getMessage().contains("nope.csv"), e.getMessage());
        assertThrows(InputException.class, () -> CsvData.read(dir));
    }

    @Test
    void failedWriteKeepsTheOldFile() throws IOException {
        Path f = file("old\n");
        Dataset d = Dataset.of(new double[] {1, 2}, 1, 2);
        assertThrows(IllegalArgumentException.class, () -> CsvData.write(f, d, List.of("only-one")));
        assertEquals("old\n", Files.readString(f));
    }
}

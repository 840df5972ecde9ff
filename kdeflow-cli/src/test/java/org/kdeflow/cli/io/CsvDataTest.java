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

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "semicolons | x;y\\n1.5;2\\n-3;4e-1\\n",
        "tabs | x\\ty\\n1.5\\t2\\n-3\\t0.4\\n",
        "commas, a quoted header with a semicolon | \"a;b\",y\\n1.5,2\\n-3,0.4\\n",
        "comments and blank lines first | # savetxt\\n\\nx;y\\n1.5;2\\n-3;0.4\\n"})
    void detectsTheDelimiter(String what, String content) throws IOException {
        CsvData c = CsvData.read(file(content.replace("\\n", "\n").replace("\\t", "\t")));
        assertArrayEquals(new double[] {1.5, 2, -3, 0.4}, c.data().toArray(), 0.0, what);
        assertEquals(2, c.columns().size(), what);
    }

    @Test
    void columnsByNameOrNumberLeaveTheOthersUnread() throws IOException {
        Path f = file("id;label;x;y\n1;setosa;0.5;1.5\n2;virginica;-1;2.25\n");
        CsvData byName = CsvData.read(f, CsvOptions.DEFAULT.withColumns(List.of("y", "x")));
        assertEquals(List.of("y", "x"), byName.columns());
        assertArrayEquals(new double[] {1.5, 0.5, 2.25, -1}, byName.data().toArray(), 0.0);
        CsvData byNumber = CsvData.read(f, CsvOptions.DEFAULT.withColumns(List.of("3", "4")));
        assertEquals(List.of("x", "y"), byNumber.columns());
        assertArrayEquals(new double[] {0.5, 1.5, -1, 2.25}, byNumber.data().toArray(), 0.0);
        CsvData given = CsvData.read(f, CsvOptions.DEFAULT.withDelimiter(';').withColumns(List.of("1", "4")));
        assertArrayEquals(new double[] {1, 1.5, 2, 2.25}, given.data().toArray(), 0.0);
        // without a header, numbers only
        Path plain = Files.writeString(dir.resolve("plain.csv"), "1,2,3\n4,5,6\n");
        assertArrayEquals(new double[] {3, 1, 6, 4},
                CsvData.read(plain, CsvOptions.DEFAULT.withColumns(List.of("3", "1"))).data().toArray(), 0.0);
        InputException e = assertThrows(InputException.class,
                () -> CsvData.read(plain, CsvOptions.DEFAULT.withColumns(List.of("x"))));
        assertTrue(e.getMessage().contains("has no header row, so give column numbers"), e.getMessage());
        e = assertThrows(InputException.class, () -> CsvData.read(f, CsvOptions.DEFAULT.withColumns(List.of("x", "3"))));
        assertTrue(e.getMessage().contains("names column 3 twice"), e.getMessage());
    }

    @Test
    void aWeightsColumnIsReadAsWeightsAndNeverAsACoordinate() throws IOException {
        Path f = file("x,w,y\n1,0.5,2\n3,0,4\n5,2e-1,6\n");
        CsvData byName = CsvData.read(f, CsvOptions.DEFAULT.withWeights("w"));
        assertEquals(List.of("x", "y"), byName.columns());
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, byName.data().toArray(), 0.0);
        assertArrayEquals(new double[] {0.5, 0, 0.2}, byName.weights(), 0.0);
        CsvData byNumber = CsvData.read(f, CsvOptions.DEFAULT.withWeights("2").withColumns(List.of("y")));
        assertArrayEquals(new double[] {2, 4, 6}, byNumber.data().toArray(), 0.0);
        assertArrayEquals(new double[] {0.5, 0, 0.2}, byNumber.weights(), 0.0);
        assertEquals(null, CsvData.read(f, CsvOptions.DEFAULT.withColumns(List.of("x", "y"))).weights());
        // without a header: numbers, and the coordinates keep their default names
        Path plain = Files.writeString(dir.resolve("plain.csv"), "1,2,3\n4,5,6\n");
        CsvData p = CsvData.read(plain, CsvOptions.DEFAULT.withWeights("3"));
        assertArrayEquals(new double[] {3, 6}, p.weights(), 0.0);
        assertEquals(List.of("x", "y"), p.coordinateNames());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a negative weight | x,w\\n1,1\\n2,-0.5\\n | w | line 3, column 2 (w): weight -0.5 is negative",
        "a word | x,w\\n1,1\\n2,heavy\\n | w | line 3, column 2 (w): 'heavy' is not a number",
        "NaN | x,w\\n1,1\\n2,nan\\n | 2 | line 3, column 2 (w): value 'nan' is not finite",
        "all zero | x,w\\n1,0\\n2,0\\n | w | every weight in column 2 (w) is 0",
        "no such column | x,w\\n1,1\\n | v | --weights v: ",
        "beyond the last column | x,w\\n1,1\\n | 3 | --weights 3: ",
        "the only column | w\\n1\\n | w | no coordinates are left"})
    void badWeightsAreRefusedNamingLineAndColumn(String what, String content, String column, String message)
            throws IOException {
        Path f = file(content.replace("\\n", "\n"));
        InputException e = assertThrows(InputException.class,
                () -> CsvData.read(f, CsvOptions.DEFAULT.withWeights(column)), what);
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void columnsMayNotNameTheWeights() throws IOException {
        Path f = file("x,w\n1,1\n");
        InputException e = assertThrows(InputException.class,
                () -> CsvData.read(f, CsvOptions.DEFAULT.withWeights("w").withColumns(List.of("x", "w"))));
        assertTrue(e.getMessage().contains("--columns names column 2, the --weights column"), e.getMessage());
    }

    @Test
    void aTextColumnWithoutColumnsHintsAtThem() throws IOException {
        Path f = file("x,y,label\n1,2,a\n");
        InputException e = assertThrows(InputException.class, () -> CsvData.read(f));
        assertTrue(e.getMessage().endsWith("line 2, column 3 (label): 'a' is not a number"), e.getMessage());
        assertTrue(e.hint().contains("--columns"), e.hint());
        InputException comma = assertThrows(InputException.class, () -> CsvData.read(file("x;y\n1,5;2\n")));
        assertEquals("kdeflow reads decimal points, not decimal commas.", comma.hint());
    }

    @Test
    void limitsStopHostileFilesEarly() throws IOException {
        Path longLine = file("1,".repeat(100) + "1\n");
        InputException e = assertThrows(InputException.class,
                () -> CsvData.read(longLine, CsvOptions.DEFAULT.withMaxLineChars(64)));
        assertTrue(e.getMessage().endsWith("line 1 is longer than 64 characters: not a CSV file of numbers (or one "
                + "line holds far too many)"), e.getMessage());
        // a quoted field cannot hide an endless record behind short lines
        Path quoted = file("\"" + "a\n".repeat(100) + "\"\n");
        assertThrows(InputException.class, () -> CsvData.read(quoted, CsvOptions.DEFAULT.withMaxLineChars(64)));
        Path rows = file("x,y\n" + "1,2\n".repeat(30));
        InputException tooMany = assertThrows(InputException.class,
                () -> CsvData.read(rows, CsvOptions.DEFAULT.withMaxValues(40)));
        assertTrue(tooMany.getMessage().contains("more than 20 rows of 2 values do not fit in memory"),
                tooMany.getMessage());
        assertTrue(tooMany.getMessage().endsWith("at most 20 rows fit"), tooMany.getMessage());
        assertEquals(30, CsvData.read(rows, CsvOptions.DEFAULT.withMaxValues(60)).data().size(), "exactly full");
        Path notText = dir.resolve("bin.csv");
        Files.write(notText, new byte[] {'1', ',', (byte) 0xC3, '\n'});
        assertTrue(assertThrows(InputException.class, () -> CsvData.read(notText)).getMessage()
                .endsWith("is not UTF-8 text (a binary file?); expected a CSV file of numbers"));
    }

    @Test
    void delimiterOption() {
        assertEquals(';', CsvOptions.parseDelimiter(";"));
        assertEquals('\t', CsvOptions.parseDelimiter("tab"));
        assertEquals(null, CsvOptions.parseDelimiter("auto"));
        assertThrows(IllegalArgumentException.class, () -> CsvOptions.parseDelimiter("|"));
    }
}

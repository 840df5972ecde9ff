package org.kdeflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.kdeflow.cli.common.ExitCodes;
import org.kdeflow.cli.io.CsvData;
import org.kdeflow.data.Dataset;
import org.kdeflow.kde.Bandwidth;
import org.kdeflow.kde.KernelDensity;
import org.kdeflow.models.ModelFile;
import org.kdeflow.flow.CouplingFlow;
import org.kdeflow.formats.AtomicFiles;
import org.kdeflow.formats.SafeTensors;
import org.kdeflow.models.FlowModelFile;

/**
 * The command line against hostile input, as a new user would try it: every case asserts the exit code, one clear
 * stderr line (plus at most one hint) without a stack trace or an exception's name, nothing on stdout, and that no
 * file in the working folder was created, changed or removed (the user's files intact; no staging folder, lock or
 * temporary file left). {@code @name} in an argument is a path in the case's own folder.
 */
class HostileInputTest {
    private static final Pattern TRACE = Pattern.compile("\\tat |\\b[A-Z][A-Za-z]*(Exception|Error)\\b");

    @TempDir
    static Path fixtures;

    @TempDir
    Path dir;

    /**
     * A flow in 2-D and one in 3-D, a checkpoint of a short run, points in 2-D (also with a weights column), a KDE
     * model file in 2-D and one in 3-D.
     */
    @BeforeAll
    static void makeFixtures() throws IOException {
        CouplingFlow flow = CouplingFlow.homework(2, 3);
        FlowModelFile.save(flow, fixtures.resolve("m.safetensors"));
        FlowModelFile.save(CouplingFlow.create(new CouplingFlow.Architecture(3, 2, new int[] {4}), 1),
                fixtures.resolve("m3.safetensors"));
        StringBuilder pts = new StringBuilder("x,y\n");
        for (int i = 0; i < 50; i++) {
            pts.append(Math.sin(i)).append(',').append(Math.cos(1.3 * i)).append('\n');
        }
        Files.writeString(fixtures.resolve("pts.csv"), pts);
        StringBuilder wpts = new StringBuilder("x,y,w\n");
        for (int i = 0; i < 50; i++) {
            wpts.append(Math.abs(Math.sin(i))).append(',').append(0.5 + 0.4 * Math.cos(1.3 * i)).append(',')
                    .append(1 + i % 3).append('\n');
        }
        Files.writeString(fixtures.resolve("wpts.csv"), wpts);
        Dataset xy = CsvData.read(fixtures.resolve("pts.csv")).data();
        ModelFile.save(KernelDensity.of(xy, Bandwidth.scalar(0.3, 2)), fixtures.resolve("k.safetensors"));
        ModelFile.save(KernelDensity.of(Dataset.of(new double[] {0, 0, 0, 1, 2, 3}, 2, 3), Bandwidth.scalar(1, 3)),
                fixtures.resolve("k3.safetensors"));
        Run r = Run.of(trainArgs("--epochs", "2", "--checkpoint", fixtures.resolve("c.ckpt").toString()));
        assertEquals(0, r.code(), r.err());
    }

    /** A small training of the homework's flow on moons (300 points, K = 2, widths 8, no held-out set). */
    static String[] trainArgs(String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--flow", "homework", "--dist", "moons", "--n", "300",
                "--layers", "2",
                "--hidden", "8,8", "--batch", "32", "--test-n", "0", "--grid", "10", "--quiet"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    /** What a case needs in its folder before it runs. */
    interface Setup {
        void in(Path dir) throws Exception;
    }

    record Case(String name, int exit, String fragment, Setup setup, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, String fragment, Setup setup, String... args) {
        return new Case(name, ExitCodes.USAGE, fragment, setup, List.of(args));
    }

    static Case c(String name, String fragment, String... args) {
        return c(name, fragment, d -> { }, args);
    }

    // ---- setups

    static Setup userFolder(String name) {
        return d -> {
            Files.createDirectories(d.resolve(name));
            Files.writeString(d.resolve(name).resolve("user.txt"), "keep");
        };
    }

    static Setup file(String name, String content) {
        return d -> Files.writeString(d.resolve(name), content);
    }

    static Setup copy(String... names) {
        return d -> {
            for (String n : names) {
                Files.copy(fixtures.resolve(n), d.resolve(n));
            }
        };
    }

    static Setup all(Setup... setups) {
        return d -> {
            for (Setup s : setups) {
                s.in(d);
            }
        };
    }

    /** A kdeflow output folder (stamped) with one figure. */
    static Setup ours(String name) {
        return d -> AtomicFiles.writeFolder(d.resolve(name), f -> Files.writeString(f.resolve("a.png"), "png"));
    }

    static Setup flipped(String fixture, String name) {
        return d -> {
            byte[] b = Files.readAllBytes(fixtures.resolve(fixture));
            long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            b[(int) (8 + n + (b.length - 8 - n) / 2)] ^= 0x10; // one bit in the middle of the data section
            Files.write(d.resolve(name), b);
        };
    }

    /** The fixture with one text of its header replaced by another of the same length (the data untouched). */
    static Setup edited(String fixture, String name, String from, String to) {
        return d -> {
            byte[] b = Files.readAllBytes(fixtures.resolve(fixture));
            long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            String header = new String(b, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(header.contains(from) && from.length() == to.length(), header);
            byte[] edited = header.replace(from, to).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            System.arraycopy(edited, 0, b, 8, edited.length);
            Files.write(d.resolve(name), b);
        };
    }

    static Setup csvWithColumns(String name, int columns) {
        return d -> {
            StringBuilder b = new StringBuilder();
            for (int j = 0; j < columns; j++) {
                b.append(j == 0 ? "" : ",").append(j);
            }
            Files.writeString(d.resolve(name), b.append('\n'));
        };
    }

    static Stream<Case> cases() {
        String[] kde = {"kde", "--dist", "moons", "--n", "100", "--h", "0.5", "--grid", "10"};
        return Stream.of(
                // 1. never lose a user's file: a folder output replaces only an earlier output of kdeflow
                c("kde --dist into a user's folder", "is a folder kdeflow did not write (it holds user.txt)",
                        userFolder("o"), cat(kde, "--out", "@o")),
                c("kde --homework into a user's folder", "it holds user.txt", userFolder("o"),
                        "kde", "--homework", "--out", "@o"),
                c("kde --data into a user's folder", "it holds user.txt", all(userFolder("o"), copy("pts.csv")),
                        "kde", "--data", "@pts.csv", "--h", "0.5", "--out", "@o"),
                c("train into a user's folder", "it holds user.txt", userFolder("o"),
                        trainArgs("--epochs", "1", "--out", "@o")),
                c("density into a user's folder", "it holds user.txt", all(userFolder("o"), copy("m.safetensors")),
                        "density", "--model", "@m.safetensors", "--out", "@o"),
                c("sample --all into a user's folder", "it holds user.txt", userFolder("o"),
                        "sample", "--all", "--out", "@o"),
                c("homework into a user's folder", "it holds user.txt", userFolder("o"),
                        "homework", "--quick", "--out", "@o"),
                c("an earlier output with the user's notes added", "holds files kdeflow did not write (notes.txt)",
                        all(ours("o"), d -> Files.writeString(d.resolve("o/notes.txt"), "mine")),
                        cat(kde, "--out", "@o")),
                c("train --out names a file", "exists and is a file", file("afile", "keep me"),
                        trainArgs("--epochs", "1", "--out", "@afile")),
                c("kde --out names a file", "exists and is a file", file("afile", "keep me"),
                        cat(kde, "--out", "@afile")),
                c("homework --out names a file", "exists and is a file", file("afile", "keep me"),
                        "homework", "--quick", "--out", "@afile"),
                c("density --out names a file", "exists and is a file", all(file("afile", "k"), copy("m.safetensors")),
                        "density", "--model", "@m.safetensors", "--out", "@afile"),
                c("--out / (train)", "is the root of the file system", trainArgs("--epochs", "1", "--out", "/")),
                c("--out / (kde)", "is the root of the file system", cat(kde, "--out", "/")),
                c("an output below a file", "is a file, not a folder", file("afile", "k"),
                        "sample", "--dist", "moons", "--out", "@afile/x.csv"),
                c("--out is a symbolic link to a folder", "is a symbolic link",
                        d -> Files.createSymbolicLink(d.resolve("link"), Files.createDirectory(d.resolve("real"))),
                        trainArgs("--epochs", "1", "--out", "@link")),

                // 2. every output checked before any work
                c("train --save in /proc", "--save /proc/m.safetensors: cannot write in /proc",
                        trainArgs("--epochs", "400", "--out", "@o", "--save", "/proc/m.safetensors")),
                c("train --checkpoint in /proc", "--checkpoint /proc/c.ckpt: cannot write in /proc",
                        trainArgs("--epochs", "400", "--out", "@o", "--checkpoint", "/proc/c.ckpt")),
                c("train --save names a folder", "--save", d -> Files.createDirectory(d.resolve("f")),
                        trainArgs("--epochs", "400", "--save", "@f")),
                c("train --checkpoint names a folder", "is a folder; give a file name",
                        d -> Files.createDirectory(d.resolve("f")),
                        trainArgs("--epochs", "400", "--checkpoint", "@f")),
                c("sample --plot in /proc keeps the old CSV", "--plot /proc/p.png: cannot write in /proc",
                        file("out.csv", "old\n"), "sample", "--dist", "moons", "--out", "@out.csv", "--plot",
                        "/proc/p.png"),
                c("sample --out names a folder", "is a folder; give a file name",
                        d -> Files.createDirectory(d.resolve("f")), "sample", "--dist", "moons", "--out", "@f"),
                c("sample --out /dev/null", "is not a regular file", "sample", "--dist", "moons", "--out",
                        "/dev/null"),
                c("the same file for --out and --plot", "is given twice",
                        "sample", "--dist", "moons", "--out", "@p.png", "--plot", "@p.png"),
                c("--save inside --out", "lies inside the output folder",
                        trainArgs("--epochs", "1", "--out", "@o", "--save", "@o/m.safetensors")),
                c("bench kde --json in /proc", "--json /proc/b.json: cannot write", "bench", "kde", "--quick",
                        "--json", "/proc/b.json"),
                c("bench flow --json names a folder", "--json", d -> Files.createDirectory(d.resolve("f")),
                        "bench", "flow", "--json", "@f"),
                c("score --out in /sys", "--out /sys/s.csv: cannot write in /sys", copy("m.safetensors", "pts.csv"),
                        "score", "--model", "@m.safetensors", "--data", "@pts.csv", "--out", "/sys/s.csv"),
                c("kde --at --out names a folder", "is a folder; give a file name",
                        all(copy("pts.csv"), d -> Files.createDirectory(d.resolve("f"))),
                        "kde", "--data", "@pts.csv", "--h", "1", "--at", "@pts.csv", "--out", "@f"),
                c("homework --out in /proc", "--out /proc/r: cannot write in /proc", "homework", "--quick", "--out",
                        "/proc/r"),

                // 3. a failing command changes nothing
                c("a diverging training keeps the old model", "training diverged",
                        file("m.safetensors", "the user's old model"),
                        trainArgs("--epochs", "5", "--lr", "1e9", "--out", "@o", "--save", "@m.safetensors")),
                c("a training on an extreme point", "training stopped at epoch 1",
                        file("huge.csv", "x,y\n1e200,0\n0,1\n1,0\n0.5,0.5\n0.2,0.1\n"),
                        "train", "--flow", "homework", "--data", "@huge.csv", "--epochs", "3", "--grid", "10",
                        "--out", "@o"),
                c("a spline flow on values too large to standardise", "huge.csv: column 0",
                        file("huge.csv", "x,y\n1e200,0\n-1e200,1\n1,0\n0.5,0.5\n0.2,0.1\n"),
                        "train", "--data", "@huge.csv", "--epochs", "3", "--grid", "10", "--out", "@o"),
                c("kde on a singular H keeps our folder", "singular", all(ours("o"), copy("pts.csv")),
                        "kde", "--data", "@pts.csv", "--H", "1,1;1,1", "--out", "@o"),
                c("sample --model --plot of a 3-D flow keeps the old CSV", "--plot draws 2-D points",
                        all(copy("m3.safetensors"), file("out.csv", "old\n")),
                        "sample", "--model", "@m3.safetensors", "--out", "@out.csv", "--plot", "@p.png"),
                c("score of 3-column points keeps the old output", "has 3 columns but the model",
                        all(copy("m.safetensors"), file("three.csv", "1,2,3\n"), file("scored.csv", "old\n")),
                        "score", "--model", "@m.safetensors", "--data", "@three.csv", "--out", "@scored.csv"),

                // 4. huge and endless inputs
                c("kde --data /dev/zero", "/dev/zero: line 1 is longer than 1048576 characters",
                        "kde", "--data", "/dev/zero", "--h", "1", "--out", "@o"),
                c("train --data /dev/zero", "/dev/zero: line 1 is longer", "train", "--data", "/dev/zero",
                        "--out", "@o"),
                c("score --data /dev/zero", "/dev/zero: line 1 is longer", copy("m.safetensors"),
                        "score", "--model", "@m.safetensors", "--data", "/dev/zero", "--out", "@s.csv"),
                c("kde --data a 2 GB sparse file", "line 1 is longer", d -> {
                    try (RandomAccessFile f = new RandomAccessFile(d.resolve("sparse.csv").toFile(), "rw")) {
                        f.setLength(2L << 30);
                    }
                }, "kde", "--data", "@sparse.csv", "--h", "1", "--out", "@o"),
                c("a 2 MB line of digits", "line 1 is longer", file("long.csv", "1".repeat(2 << 20) + "\n"),
                        "kde", "--data", "@long.csv", "--h", "1", "--out", "@o"),
                c("20000 columns", "kdeflow reads at most 10000 columns", csvWithColumns("wide.csv", 20000),
                        "kde", "--data", "@wide.csv", "--h", "1", "--at", "@wide.csv", "--out", "@v.csv"),
                c("a binary file as --data", "is not UTF-8 text",
                        d -> Files.write(d.resolve("bin.csv"), new byte[] {1, (byte) 0xff, (byte) 0xfe, 10, 0, 2}),
                        "kde", "--data", "@bin.csv", "--h", "1", "--out", "@o"),
                c("sample --n 300000000", "--n 300000000: 300000000 points need about",
                        "sample", "--dist", "moons", "--n", "300000000", "--out", "@x.csv"),
                c("sample --n 2000000000", "exceed the largest array Java can hold",
                        "sample", "--dist", "moons", "--n", "2000000000", "--out", "@x.csv"),
                c("train --n 2000000000", "exceed the largest array",
                        "train", "--dist", "moons", "--n", "2000000000", "--epochs", "1", "--out", "@o"),
                c("kde --dist --n 2000000000", "exceed the largest array",
                        "kde", "--dist", "moons", "--n", "2000000000", "--out", "@o"),
                c("sample --model --n 2000000000", "exceed the largest array", copy("m.safetensors"),
                        "sample", "--model", "@m.safetensors", "--n", "2000000000", "--out", "@x.csv"),
                c("train --test-n 2000000000", "--test-n 2000000000",
                        "train", "--dist", "moons", "--test-n", "2000000000", "--epochs", "1", "--out", "@o"),
                c("kde --grid 5000", "--grid must be between 2 and 4096", 
                        "kde", "--dist", "moons", "--grid", "5000", "--out", "@o"),
                c("train --grid 100000", "--grid must be between 2 and 4096",
                        "train", "--dist", "moons", "--grid", "100000", "--out", "@o"),
                c("density --grid 5000", "--grid must be between 2 and 4096", copy("m.safetensors"),
                        "density", "--model", "@m.safetensors", "--grid", "5000", "--out", "@o"),
                c("train --hidden 20000,20000", "weights need about",
                        trainArgs("--hidden", "20000,20000", "--epochs", "1", "--out", "@o")),
                c("train --epochs 2000000000", "--epochs 2000000000",
                        trainArgs("--epochs", "2000000000", "--out", "@o")),
                c("sample --num-gaussians 2000000000", "--num-gaussians must be between 1 and 1000",
                        "sample", "--dist", "gaussians-rot", "--num-gaussians", "2000000000", "--out", "@x.csv"),

                // 9. messages
                c("resume with another --train-seed", "--train-seed 8, this command has 3", copy("c.ckpt"),
                        trainArgs("--epochs", "4", "--train-seed", "3", "--resume", "@c.ckpt", "--out", "@o")),
                c("kde --threads -1", "--threads must be between 1 and 1024, got -1",
                        cat(kde, "--threads", "-1", "--out", "@o")),
                c("kde --threads 0", "--threads must be between 1 and 1024, got 0",
                        cat(kde, "--threads", "0", "--out", "@o")),
                c("homework --threads 0", "--threads", "homework", "--quick", "--threads", "0", "--out", "@o"),
                c("a word for a number", "Invalid value for option '--epochs': 'x' is not an int",
                        trainArgs("--epochs", "x", "--out", "@o")),
                c("an unknown option", "Unknown option: '--frobnicate'", "sample", "--dist", "moons", "--out", "@x.csv",
                        "--frobnicate"),
                c("train without data", "missing the data: --dist NAME", "train", "--out", "@o"),
                c("train without an output", "nothing to write", "train", "--dist", "moons"),
                c("a delimiter that is none", "--delimiter must be ',', ';', 'tab' or 'auto', got '|'",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--delimiter", "|", "--out", "@o"),
                c("--columns without --data", "--columns applies to --data FILE.csv",
                        "train", "--dist", "moons", "--columns", "x,y", "--out", "@o"),
                c("--columns names a missing column", "has no column of that name; its columns: x, y",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--columns", "x,z", "--out", "@o"),
                c("--columns beyond the last column", "--columns 3:", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--columns", "1,3", "--out", "@o"),
                c("a label column without --columns", "'a' is not a number",
                        file("lab.csv", "x,y,label\n1,2,a\n3,4,b\n"),
                        "kde", "--data", "@lab.csv", "--h", "1", "--out", "@o"),
                c("decimal commas", "'1,5' is not a number", file("eu.csv", "x;y\n1,5;2\n3;4\n"),
                        "kde", "--data", "@eu.csv", "--h", "1", "--out", "@o"),

                // 10. checksums
                c("a flipped bit in a model", "the data section is damaged",
                        all(flipped("m.safetensors", "bad.safetensors"), copy("pts.csv")),
                        "score", "--model", "@bad.safetensors", "--data", "@pts.csv", "--out", "@s.csv"),
                c("a flipped bit in a checkpoint", "the data section is damaged", flipped("c.ckpt", "bad.ckpt"),
                        trainArgs("--epochs", "4", "--resume", "@bad.ckpt", "--out", "@o")),

                // earlier cases of the individual commands
                c("an unknown distribution", "unknown distribution 'swissroll'", "sample", "--dist", "swissroll",
                        "--out", "@x.csv"),
                c("--n 0", "--n must be a positive number", "sample", "--dist", "moons", "--n", "0", "--out",
                        "@x.csv"),
                c("--seed -1", "--seed must be between 0 and 4294967295", "sample", "--dist", "moons", "--seed", "-1",
                        "--out", "@x.csv"),
                c("--sigma 0", "--sigma must be a positive number", "sample", "--dist", "mixture", "--sigma", "0",
                        "--out", "@x.csv"),
                c("--sigma for a toy set", "--sigma applies to mixture and spiral only", "sample", "--dist", "moons",
                        "--sigma", "0.2", "--out", "@x.csv"),
                c("a plot that is not an image", "--plot must name a .png or .svg file", "sample", "--dist", "moons",
                        "--out", "@x.csv", "--plot", "@x.pdf"),
                c("a negative bandwidth", "h must be a finite number > 0", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--h", "-0.5", "--at", "@pts.csv", "--out", "@v.csv"),
                c("an unknown bandwidth rule", "unknown bandwidth rule 'magic'", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--bandwidth", "magic", "--at", "@pts.csv", "--out", "@v.csv"),
                c("an unknown kernel", "unknown kernel 'box'", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--kernel", "box", "--h", "1", "--out", "@o"),
                c("NaN in a CSV", "line 3, column 2 (y): value 'nan' is not finite", file("nan.csv", "x,y\n0,0\n1,nan\n"),
                        "kde", "--data", "@nan.csv", "--h", "1", "--out", "@o"),
                c("a ragged CSV", "line 3 has 3 values, expected 2", file("r.csv", "x,y\n0,0\n1,2,3\n"),
                        "kde", "--data", "@r.csv", "--h", "1", "--out", "@o"),
                c("a row of one value", "line 3 has 1 value, expected 2", file("r.csv", "x,y\n0,0\n1\n"),
                        "kde", "--data", "@r.csv", "--h", "1", "--out", "@o"),
                c("a missing data file", "no such file", "kde", "--data", "@nope.csv", "--h", "1", "--out", "@o"),
                c("a missing model", "no such model file", copy("pts.csv"),
                        "score", "--model", "@nope.safetensors", "--data", "@pts.csv", "--out", "@s.csv"),
                c("a folder as the model", "is a folder, expected a model file", all(copy("pts.csv"),
                        d -> Files.createDirectory(d.resolve("f"))),
                        "score", "--model", "@f", "--data", "@pts.csv", "--out", "@s.csv"),
                c("a truncated model", "lies outside the", all(copy("pts.csv"), d -> {
                    byte[] b = Files.readAllBytes(fixtures.resolve("m.safetensors"));
                    Files.write(d.resolve("t.safetensors"), java.util.Arrays.copyOf(b, b.length - 5));
                }), "score", "--model", "@t.safetensors", "--data", "@pts.csv", "--out", "@s.csv"),
                c("a CSV as the model", "header length", copy("pts.csv"),
                        "score", "--model", "@pts.csv", "--data", "@pts.csv", "--out", "@s.csv"),
                c("a checkpoint as the model", "is a training checkpoint, not a model file", copy("c.ckpt"),
                        "sample", "--model", "@c.ckpt", "--out", "@x.csv"),
                c("a model as the checkpoint", "not a kdeflow training checkpoint", copy("m.safetensors"),
                        trainArgs("--epochs", "4", "--resume", "@m.safetensors", "--out", "@o")),
                c("resume with another --lr", "--lr 0.001, this command has 0.01", copy("c.ckpt"),
                        trainArgs("--epochs", "4", "--lr", "0.01", "--resume", "@c.ckpt", "--out", "@o")),
                c("an ensemble with checkpoints", "--ensemble cannot be combined with --checkpoint",
                        "train", "--dist", "moons", "--ensemble", "2", "--checkpoint", "@c.ckpt", "--out", "@o"),
                c("the homework's flow with a mixture base", "--flow homework has the standard normal base only",
                        "train", "--dist", "moons", "--flow", "homework", "--base", "mixture:3", "--out", "@o"),
                c("an unknown flow", "--flow: unknown flow 'glow'",
                        "train", "--dist", "moons", "--flow", "glow", "--out", "@o"),
                c("a bad base", "--base: unknown base 'mixture:x'",
                        "train", "--dist", "moons", "--base", "mixture:x", "--out", "@o"),
                c("the robust recipe for the homework's flow", "--flow homework trains with the homework's loop",
                        "train", "--dist", "moons", "--flow", "homework", "--recipe", "robust", "--out", "@o"),
                c("more held-out rows than the file has", "leaves fewer than 2 to train on", copy("pts.csv"),
                        "train", "--data", "@pts.csv", "--test-n", "100000", "--out", "@o"),
                c("both --dist and --data", "give either --dist NAME or --data FILE.csv, not both", copy("pts.csv"),
                        "train", "--dist", "moons", "--data", "@pts.csv", "--out", "@o"),
                c("kde with --dist and --data", "exactly one of", copy("pts.csv"),
                        "kde", "--dist", "moons", "--data", "@pts.csv", "--out", "@o"),

                // 11. kde's options for weights, bounds, conditionals, marginals, boxes and model files
                c("--bounds not lower:upper", "--bounds 0:1:2: '0:1:2' (dimension 1) is not of the form lower:upper",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--bounds", "0:1:2", "--save", "@k.safetensors"),
                c("--bounds with a word", "--bounds 0:one,0:1: 'one' in '0:one' (dimension 1) is not a number or inf",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--bounds", "0:one,0:1", "--save", "@k.safetensors"),
                c("--bounds with lower > upper", "--bounds 1:0,-1:1: dimension 1 needs lower < upper, got [1.0, 0.0]",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--bounds", "1:0,-1:1", "--save", "@k.safetensors"),
                c("--bounds of another dimension", "--bounds 0:1 has 1 interval but the data have 2 coordinates (x, y)",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--bounds", "0:1", "--save", "@k.safetensors"),
                c("--bounds that leave out a point", "data row 1 of ", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--bounds", "0.1:inf,-inf:inf", "--save", "@k.safetensors"),
                c("--bounds keep an earlier model", "lies outside the box", all(copy("pts.csv"), copy("k.safetensors")),
                        "kde", "--data", "@pts.csv", "--bounds", "0:1,0:1", "--save", "@k.safetensors"),
                c("--bounds with --dist", "--bounds applies to --data FILE.csv",
                        cat(kde, "--bounds", "0:1,0:1", "--out", "@o")),
                c("a negative weight", "line 4, column 3 (w): weight -2 is negative; weights must be >= 0",
                        file("neg.csv", "x,y,w\n0,0,1\n1,1,1\n2,0,-2\n"),
                        "kde", "--data", "@neg.csv", "--weights", "w", "--save", "@k.safetensors"),
                c("a weight that is a word", "line 3, column 3 (w): 'heavy' is not a number",
                        file("word.csv", "x,y,w\n0,0,1\n1,1,heavy\n"),
                        "kde", "--data", "@word.csv", "--weights", "w", "--h", "1", "--at", "@word.csv", "--out",
                        "@v.csv"),
                c("weights that are all 0", "every weight in column 3 (w) is 0; at least one must be positive",
                        file("zero.csv", "x,y,w\n0,0,0\n1,1,0\n"),
                        "kde", "--data", "@zero.csv", "--weights", "3", "--save", "@k.safetensors"),
                c("--weights names no column", "--weights mass: ", copy("wpts.csv"),
                        "kde", "--data", "@wpts.csv", "--weights", "mass", "--save", "@k.safetensors"),
                c("--weights that --columns also names", "--columns names column 3, the --weights column",
                        copy("wpts.csv"), "kde", "--data", "@wpts.csv", "--columns", "x,w", "--weights", "w",
                        "--save", "@k.safetensors"),
                c("--weights without --data", "--weights applies to --data FILE.csv, which is missing",
                        cat(kde, "--weights", "w", "--out", "@o")),
                c("--given names an unknown column", "--given z: the data have no coordinate of that name or number; "
                        + "their coordinates: x, y", copy("wpts.csv"),
                        "kde", "--data", "@wpts.csv", "--weights", "w", "--given", "z=0.5", "--save", "@k.safetensors"),
                c("--given names the weights", "--given w: the data have no coordinate", copy("wpts.csv"),
                        "kde", "--data", "@wpts.csv", "--weights", "w", "--given", "w=1", "--box", "0:1"),
                c("--given without a value", "--given 'x': expected NAME=VALUE, e.g. --given x=0.5", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--given", "x", "--box", "0:1"),
                c("--given with a word", "--given x=half: 'half' is not a number", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--given", "x=half", "--box", "0:1"),
                c("--given with infinity", "--given x=inf: the value must be a finite number", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--given", "x=inf", "--box", "0:1"),
                c("--given every coordinate", "--given fixes every coordinate (x, y)", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--given", "x=0,y=0", "--box", "0:1"),
                c("--given the same coordinate twice", "--given names x twice", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--given", "x=0,1=0.5", "--box", "0:1"),
                c("--given outside --bounds", "--given y=2.0 lies outside the --bounds of y, [0.0, 1.0]",
                        copy("wpts.csv"), "kde", "--data", "@wpts.csv", "--weights", "w", "--bounds", "0:inf,0:1",
                        "--given", "y=2", "--box", "0:1"),
                c("--given where the estimate is 0", "--given x=50: conditional: the estimate is 0 at",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--kernel", "epanechnikov", "--h", "0.5",
                        "--given", "x=50", "--box", "0:1"),
                c("--marginal names an unknown column", "--marginal q: the data have no coordinate", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--marginal", "q", "--box", "0:1"),
                c("--marginal of a given coordinate", "--marginal x: x is fixed by --given", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--given", "x=0", "--marginal", "x", "--box", "0:1"),
                c("--marginal twice the same", "--marginal names y twice", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--marginal", "y,2", "--box", "0:1,0:1"),
                c("--box with lo > hi", "--box 1:0,0:1: dimension 1 needs lower < upper, got [1.0, 0.0]",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--box", "1:0,0:1"),
                c("--box of another dimension", "--box 0:1 has 1 interval but the estimate has 2 coordinates (x, y)",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--box", "0:1"),
                c("--box without a colon", "--box 0,1: '0' (dimension 1) is not of the form lower:upper",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--box", "0,1"),
                c("--box of an epanechnikov estimate with a full H",
                        "--box 0.0:1.0,0.0:1.0: integrateBox with the EPANECHNIKOV kernel needs a diagonal bandwidth",
                        copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--kernel", "epanechnikov", "--H", "1,0.5;0,1", "--box",
                        "0:1,0:1"),
                c("--save in /proc", "--save /proc/k.safetensors: cannot write in /proc", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--bandwidth", "adaptive", "--save", "/proc/k.safetensors"),
                c("--save names a folder", "--save", all(copy("pts.csv"), d -> Files.createDirectory(d.resolve("f"))),
                        "kde", "--data", "@pts.csv", "--save", "@f"),
                c("--save of two bandwidths", "--save takes one estimate; give a single --h value", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--h", "0.2,0.4", "--save", "@k.safetensors"),
                c("kde --data with nothing to write", "nothing to write: give --out", copy("pts.csv"),
                        "kde", "--data", "@pts.csv"),
                c("--save with --homework", "--save applies to --data FILE.csv",
                        "kde", "--homework", "--save", "@k.safetensors", "--out", "@o"),
                c("--bandwidth adaptive with the epanechnikov kernel",
                        "--bandwidth adaptive is implemented for the gaussian kernel only", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--kernel", "epanechnikov", "--bandwidth", "adaptive", "--box",
                        "0:1,0:1"),
                c("--bandwidth hpi --form scalar", "--bandwidth hpi: hpi selects a full or diagonal bandwidth matrix",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--bandwidth", "hpi", "--form", "scalar",
                        "--box", "0:1,0:1"),
                c("a marginal that leaves 1 coordinate for figures", "figures need 2", copy("pts.csv"),
                        "kde", "--data", "@pts.csv", "--marginal", "x", "--out", "@o"),
                c("a query of the joint for a conditional", "has 2 columns but the estimate has 1 coordinate (y)",
                        copy("pts.csv"), "kde", "--data", "@pts.csv", "--given", "x=0", "--at", "@pts.csv", "--out",
                        "@v.csv"),

                // 12. every kind of model file
                c("a flipped bit in a KDE file", "the data section is damaged",
                        all(flipped("k.safetensors", "bad.safetensors"), copy("pts.csv")),
                        "score", "--model", "@bad.safetensors", "--data", "@pts.csv", "--out", "@s.csv"),
                c("a KDE file of an unknown kind", "holds a model of unknown kind 'kdx'",
                        edited("k.safetensors", "u.safetensors", "\"kdeflow.model\":\"kde\"",
                                "\"kdeflow.model\":\"kdx\""), "sample", "--model", "@u.safetensors", "--out",
                        "@x.csv"),
                c("a KDE file with an unknown kernel", "spec field 'kernel' names an unknown kernel 'gaussiam'",
                        edited("k.safetensors", "g.safetensors", "gaussian", "gaussiam"),
                        "density", "--model", "@g.safetensors", "--out", "@o"),
                c("a KDE file whose spec is no JSON", "metadata kdeflow.spec is not valid JSON",
                        edited("k.safetensors", "j.safetensors", "{\\\"kernel", "[\\\"kernel"),
                        "score", "--model", "@j.safetensors", "--data", "@pts.csv", "--out", "@s.csv"),
                c("density of a 3-D KDE", "the figures need a 2-D model", copy("k3.safetensors"),
                        "density", "--model", "@k3.safetensors", "--out", "@o"),
                c("sample --plot of a 3-D KDE keeps the old CSV", "--plot draws 2-D points",
                        all(copy("k3.safetensors"), file("out.csv", "old\n")),
                        "sample", "--model", "@k3.safetensors", "--out", "@out.csv", "--plot", "@p.png"),
                c("score of 2-column points under a 3-D KDE", "has 2 columns but the model",
                        all(copy("k3.safetensors", "pts.csv")),
                        "score", "--model", "@k3.safetensors", "--data", "@pts.csv", "--out", "@s.csv"),

                // 13. fit
                c("fit --report into a user's folder", "it holds user.txt", all(userFolder("o"), copy("pts.csv")),
                        "fit", "--data", "@pts.csv", "--out", "@m.st", "--report", "@o"),
                c("fit --out in /proc", "--out /proc/m.st: cannot write in /proc", copy("pts.csv"),
                        "fit", "--data", "@pts.csv", "--out", "/proc/m.st"),
                c("fit --out names a folder", "is a folder", all(userFolder("o"), copy("pts.csv")),
                        "fit", "--data", "@pts.csv", "--out", "@o"),
                c("fit keeps an old model when --report cannot be written", "--report /proc/r",
                        all(copy("pts.csv"), file("m.st", "old")),
                        "fit", "--data", "@pts.csv", "--out", "@m.st", "--report", "/proc/r"),
                c("fit --budget 0", "--budget must be a positive number", copy("pts.csv"),
                        "fit", "--data", "@pts.csv", "--out", "@m.st", "--budget", "0"),
                c("fit --folds 1", "--folds must be between 2 and 100", copy("pts.csv"),
                        "fit", "--data", "@pts.csv", "--out", "@m.st", "--folds", "1"),
                c("fit --test-n leaves too few rows", "leaves fewer than --folds", copy("pts.csv"),
                        "fit", "--data", "@pts.csv", "--out", "@m.st", "--test-n", "1000000"),
                c("fit --weights names no column", "--weights w", copy("pts.csv"),
                        "fit", "--data", "@pts.csv", "--weights", "w", "--out", "@m.st"),
                c("fit --save-dtype f16", "--save-dtype must be f32 or f64", copy("pts.csv"),
                        "fit", "--data", "@pts.csv", "--out", "@m.st", "--save-dtype", "f16"),
                c("fit of a file that is not CSV", "is not UTF-8 text (a binary file?)", copy("m.safetensors"),
                        "fit", "--data", "@m.safetensors", "--out", "@m.st"));
    }

    static String[] cat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusesWithOneClearLineAndChangesNothing(Case k) throws Exception {
        k.setup().in(dir);
        Map<String, String> before = snapshot(dir);
        String[] args = k.args().stream().map(a -> a.startsWith("@") ? dir.resolve(a.substring(1)).toString() : a)
                .toArray(String[]::new);
        Run r = Run.of(args);
        assertEquals(k.exit(), r.code(), k.name() + ": " + r.err());
        List<String> lines = r.err().lines().toList();
        assertTrue(!lines.isEmpty() && lines.get(0).startsWith("kdeflow: error: "), r.err());
        assertTrue(lines.get(0).contains(k.fragment()), "expected '" + k.fragment() + "' in: " + r.err());
        assertTrue(lines.size() <= 2, "one line and at most one hint: " + r.err());
        assertFalse(TRACE.matcher(r.err()).find(), "no stack trace, no exception names: " + r.err());
        assertEquals("", r.out(), "nothing on stdout");
        assertEquals(before, snapshot(dir), "nothing created, changed or removed");
        assertTrue(Files.exists(Path.of("/dev/null")) && !Files.isRegularFile(Path.of("/dev/null")));
    }

    @Test
    void theSuiteCoversEveryDefectOfTheIssue() {
        assertTrue(cases().count() >= 80, "hostile cases: " + cases().count());
    }

    /** Every path below {@code dir} with a hash of its content (or its link target, or "/" for a folder). */
    static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = dir.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    m.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    m.put(rel, "/");
                } else if (Files.size(p) > (64 << 20)) {
                    m.put(rel, "size " + Files.size(p)); // the sparse file: not read whole
                } else {
                    m.put(rel, HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
                }
            }
        }
        return m;
    }

    /**
     * Cases that need their own process: {@code --out .} (the current folder) for each command that writes a folder,
     * and a non-ASCII file name where the locale cannot encode it ({@code LC_ALL=C}).
     */
    @Test
    void theCurrentFolderAndUnencodableNamesInAChildJvm() throws Exception {
        Path cwd = Files.createDirectories(dir.resolve("work"));
        Files.writeString(cwd.resolve("user.txt"), "keep");
        Map<String, String> before = snapshot(dir);
        List<String> out = Child.run(cwd, Map.of("LC_ALL", "C", "LANG", "C"), List.of(
                List.of("kde", "--dist", "moons", "--n", "100", "--h", "0.5", "--grid", "10", "--out", "."),
                List.of(trainArgs("--epochs", "1", "--out", ".")),
                List.of("sample", "--all", "--out", "."),
                List.of("homework", "--quick", "--out", "."),
                List.of("kde", "--dist", "moons", "--n", "100", "--h", "0.5", "--grid", "10", "--out", ".."),
                List.of("sample", "--dist", "moons", "--out", "r\u00e9sultats.csv")));
        assertEquals(18, out.size(), String.join("\n", out));
        for (int i = 0; i < 4; i++) {
            assertEquals("EXIT 2", out.get(3 * i), out.toString());
            assertTrue(out.get(3 * i + 1).startsWith("ERR kdeflow: error: --out .: is the current folder"),
                    out.get(3 * i + 1));
            assertEquals("LINES 1", out.get(3 * i + 2));
        }
        assertEquals("EXIT 2", out.get(12));
        assertTrue(out.get(13).contains("--out ..: holds the current folder"), out.get(13));
        assertEquals("EXIT 2", out.get(15));
        assertTrue(out.get(16).contains("has characters that file names cannot hold in this locale"), out.get(16));
        assertTrue(out.get(16).contains("LC_ALL=C.UTF-8"), out.get(16));
        assertFalse(TRACE.matcher(String.join("\n", out)).find(), String.join("\n", out));
        assertEquals(before, snapshot(dir), "nothing created, changed or removed");
    }

    /** The checksum key is in every model and checkpoint file kdeflow writes. */
    @Test
    void modelAndCheckpointFilesCarryTheChecksum() throws IOException {
        for (String f : List.of("m.safetensors", "c.ckpt")) {
            byte[] b = Files.readAllBytes(fixtures.resolve(f));
            long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertTrue(new String(b, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8)
                    .contains("\"" + SafeTensors.CHECKSUM_KEY + "\":\""), f);
            assertTrue(SafeTensors.read(fixtures.resolve(f)).checksumVerified(), f);
        }
    }
}

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes the single-precision twin of each double-precision kernel source given on the command line, so that every
 * hot loop is written once (in double) and its float version is derived at build time rather than kept as a
 * parallel copy. Run by the build (generate-sources):
 * <pre>
 *   java FloatTwins.java SOURCE_ROOT OUTPUT_ROOT org/kdeflow/kernels/DenseKernel.java …
 * </pre>
 * The rewriting is purely lexical and therefore deliberately simple; a source that is twinned must be written so that
 * these rules give correct float code:
 * <ul>
 *   <li>the type names {@code double}, {@code Double} and {@code DoubleVector} become {@code float}, {@code Float},
 *       {@code FloatVector};</li>
 *   <li>class names {@code XDenseKernel} become {@code XFloatDenseKernel} (the file name too);</li>
 *   <li>floating-point literals get an {@code f} suffix ({@code 0.0} → {@code 0.0f});</li>
 *   <li>a line ending in the comment {@code // double only} is dropped from the twin.</li>
 * </ul>
 * Anything a twin cannot express this way belongs outside the twinned files.
 */
public final class FloatTwins {
    private static final Pattern CLASS = Pattern.compile("\\b(Scalar|Vector)?DenseKernel\\b");
    private static final Pattern LITERAL = Pattern.compile(
            "(?<![\\w.])((?:\\d+\\.\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|\\d+[eE][+-]?\\d+)(?![\\w.])");

    private FloatTwins() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: FloatTwins SOURCE_ROOT OUTPUT_ROOT FILE...");
        }
        Path src = Path.of(args[0]);
        Path dst = Path.of(args[1]);
        for (int a = 2; a < args.length; a++) {
            Path in = src.resolve(args[a]);
            String name = in.getFileName().toString();
            String twinName = CLASS.matcher(name.replace(".java", "")).replaceAll("$1FloatDenseKernel") + ".java";
            Path out = dst.resolve(args[a]).resolveSibling(twinName);
            String text = twin(Files.readString(in, StandardCharsets.UTF_8), name);
            Files.createDirectories(out.getParent());
            if (!Files.exists(out) || !Files.readString(out, StandardCharsets.UTF_8).equals(text)) {
                Files.writeString(out, text, StandardCharsets.UTF_8);
            }
        }
    }

    static String twin(String source, String from) {
        StringBuilder b = new StringBuilder();
        b.append("// Generated at build time from ").append(from)
                .append(" by src/build/FloatTwins.java: edit the double source, not this file.\n");
        for (String line : source.split("\n", -1)) {
            if (line.stripTrailing().endsWith("// double only")) {
                continue;
            }
            String t = line.replace("DoubleVector", "FloatVector");
            t = t.replaceAll("\\bdouble\\b", "float").replaceAll("\\bDouble\\b", "Float");
            t = CLASS.matcher(t).replaceAll("$1FloatDenseKernel");
            Matcher m = LITERAL.matcher(t);
            t = m.replaceAll("$1f");
            b.append(t).append('\n');
        }
        b.setLength(b.length() - 1);
        return b.toString();
    }
}

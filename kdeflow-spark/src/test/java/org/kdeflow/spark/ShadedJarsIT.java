package org.kdeflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the packaged jars hold (run by failsafe after {@code package}): kdeflow-spark.jar carries kdeflow and its own
 * small dependencies but none of what a Spark cluster provides, and the CLI's kdeflow.jar carries no Spark at all,
 * which also shows that kdeflow-core does not depend on it.
 */
class ShadedJarsIT {
    static final List<String> CLUSTER = List.of("org/apache/spark/", "scala/", "org/apache/hadoop/",
            "com/fasterxml/jackson/", "org/apache/commons/math3/");

    static List<String> entries(Path jar) throws IOException {
        assertTrue(Files.isRegularFile(jar), jar + " is built by mvn package");
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.stream().map(e -> e.getName()).collect(Collectors.toList());
        }
    }

    @Test
    void sparkJarHoldsKdeflowButNothingTheClusterProvides() throws IOException {
        List<String> names = entries(Path.of("target", "kdeflow-spark.jar"));
        for (String must : List.of("org/kdeflow/spark/Main.class", "org/kdeflow/kde/BinnedGrid.class",
                "org/kdeflow/models/ModelFile.class", "picocli/CommandLine.class",
                "org/jtransforms/fft/DoubleFFT_3D.class")) {
            assertTrue(names.contains(must), "kdeflow-spark.jar lacks " + must);
        }
        for (String prefix : CLUSTER) {
            assertEquals(List.of(), names.stream().filter(n -> n.startsWith(prefix)).limit(3).toList(),
                    "kdeflow-spark.jar must not carry " + prefix);
        }
    }

    @Test
    void cliJarHoldsNoSpark() throws IOException {
        List<String> names = entries(Path.of("..", "kdeflow-cli", "target", "kdeflow.jar"));
        assertTrue(names.contains("org/kdeflow/kde/KernelDensity.class"));
        for (String prefix : List.of("org/apache/spark/", "scala/", "org/kdeflow/spark/")) {
            assertEquals(List.of(), names.stream().filter(n -> n.startsWith(prefix)).limit(3).toList(),
                    "kdeflow.jar must not carry " + prefix);
        }
    }

    @Test
    void theLauncherHasSparksClassPath() throws IOException {
        String cp = Files.readString(Path.of("target", "spark-classpath.txt"));
        assertTrue(cp.contains("spark-sql_2.13-"), "spark-classpath.txt names Spark's jars");
        assertTrue(cp.contains("jackson-databind-"), "and the Jackson the core runs on");
    }
}

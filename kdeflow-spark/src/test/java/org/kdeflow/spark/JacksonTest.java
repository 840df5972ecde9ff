package org.kdeflow.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * kdeflow-spark.jar leaves Jackson out and runs the core's JSON code on Spark's Jackson. That is safe while the
 * Jackson on this module's class path — the one Maven picks between the core's and Spark's — is the line Spark's
 * jackson-module-scala was built for; Spark refuses any other at start-up. This test fails as soon as the core moves
 * to a Jackson that Spark does not bring.
 */
class JacksonTest {

    @Test
    void theCoresJacksonIsSparksJackson() {
        com.fasterxml.jackson.core.Version databind = com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION;
        com.fasterxml.jackson.core.Version scala = new com.fasterxml.jackson.module.scala.DefaultScalaModule()
                .version();
        assertEquals(scala.getMajorVersion() + "." + scala.getMinorVersion(),
                databind.getMajorVersion() + "." + databind.getMinorVersion(),
                "Spark's Jackson is " + scala + ", the class path's is " + databind);
    }
}

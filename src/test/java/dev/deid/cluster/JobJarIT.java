package dev.deid.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The job jar carries only the job's own classes and the libraries it bundles, relocated under
 * {@code dev.deid.shaded}: no class of it can clash with a class of the cluster's Spark, Hadoop or
 * Delta, whatever versions those ship.
 */
class JobJarIT {
  @Test
  void jobJar_classesAreAllInTheJobsOwnNamespace() throws Exception {
    Path jar = Path.of(System.getProperty("deid.job.jar", "target/deid-job-0.1.0-SNAPSHOT.jar"));
    try (JarFile file = new JarFile(jar.toFile())) {
      List<String> classes = file.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class")).toList();
      assertTrue(classes.size() > 100, "the jar must hold the job: " + classes.size() + " classes");
      List<String> foreign = classes.stream().filter(n -> !n.startsWith("dev/deid/")).toList();
      assertEquals(List.of(), foreign, "every bundled class must be relocated under dev/deid/shaded");
      assertTrue(classes.stream().anyMatch(n -> n.startsWith("dev/deid/shaded/commons/io/")),
          "Commons CSV's Commons IO is bundled relocated");
      assertTrue(classes.stream().noneMatch(n -> n.startsWith("org/apache/spark/") || n.startsWith("io/delta/")),
          "Spark and Delta are provided by the cluster");
    }
  }
}

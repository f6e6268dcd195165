package dev.deid;

import dev.deid.io.SparkSessions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/** The one local SparkSession of the test JVM: local[2], UI off, few shuffle partitions, UTC. */
public final class TestSpark {
  private static SparkSession session;
  /** Directories made for this JVM's tests, deleted when it exits so runs do not pile up in /tmp. */
  private static final List<Path> TEMPORARY = new ArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(TestSpark::deleteTemporary, "deid-test-temp-cleanup"));
  }

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      SparkSession.Builder builder = SparkSession.builder();
      SparkSessions.DEFAULTS.forEach(builder::config);
      session = builder
          .master("local[2]")
          .appName("deid-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.ui.showConsoleProgress", "false")
          .config("spark.sql.shuffle.partitions", "2")
          .config("spark.default.parallelism", "2")
          .config("spark.sql.session.timeZone", "UTC")
          .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
          .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
          .config("spark.databricks.delta.snapshotPartitions", "2")
          .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "4")
          .config("spark.sql.warehouse.dir", tempDirectory("spark-warehouse").toString())
          .getOrCreate();
    }
    return session;
  }

  /** What {@code body} returns with one SQL setting of the shared session changed, restored after. */
  public static <T> T withConf(String key, String value, Supplier<T> body) {
    String previous = session().conf().get(key);
    session().conf().set(key, value);
    try {
      return body.get();
    } finally {
      session().conf().set(key, previous);
    }
  }

  public static Path tempDirectory(String prefix) {
    try {
      Path directory = Files.createTempDirectory("deid-" + prefix);
      synchronized (TEMPORARY) {
        TEMPORARY.add(directory);
      }
      return directory;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTemporary() {
    List<Path> directories;
    synchronized (TEMPORARY) {
      directories = List.copyOf(TEMPORARY);
    }
    for (Path directory : directories) {
      try (Stream<Path> paths = Files.walk(directory)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException | UncheckedIOException e) {
        // Best effort at exit: a directory left behind costs disk, never a result.
      }
    }
  }
}

package dev.deid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/** The one local SparkSession of the test JVM: local[2], UI off, few shuffle partitions, UTC. */
public final class TestSpark {
  private static SparkSession session;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (session == null) {
      session = SparkSession.builder()
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
          .config(dev.deid.io.SparkSessions.LOCAL_LOG_STORE_KEY, dev.deid.io.SparkSessions.LOCAL_LOG_STORE)
          .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "4")
          .config("spark.sql.warehouse.dir", tempDirectory("spark-warehouse").toString())
          .getOrCreate();
    }
    return session;
  }

  public static Path tempDirectory(String prefix) {
    try {
      return Files.createTempDirectory("deid-" + prefix);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

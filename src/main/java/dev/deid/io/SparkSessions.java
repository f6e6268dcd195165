package dev.deid.io;

import org.apache.spark.sql.SparkSession;

/**
 * The job's SparkSession. Under {@code spark-submit} the master and cluster settings come from the
 * submit command; run directly, it is Spark local mode on every core. Delta's SQL extension and
 * catalog are set here unless the submitter set them already.
 */
public final class SparkSessions {
  private static SparkSession owned;

  private SparkSessions() {}

  /** The session already active (tests, notebooks, a caller's), or the job's own, created once. */
  public static synchronized SparkSession shared() {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> SparkSession.getDefaultSession().getOrElse(() -> null));
    if (active != null) {
      return active;
    }
    owned = getOrCreate("deid");
    return owned;
  }

  /** Stops the session {@link #shared()} created, if it did; a caller's session is left alone. */
  public static synchronized void stopOwned() {
    if (owned != null) {
      owned.stop();
      owned = null;
    }
  }

  public static SparkSession getOrCreate(String appName) {
    SparkSession.Builder builder = SparkSession.builder().appName(appName)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false");
    if (System.getProperty("spark.master") == null) {
      builder.master("local[*]")
          .config("spark.ui.enabled", "false")
          .config("spark.sql.shuffle.partitions", String.valueOf(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())))
          // Delta's defaults (50 snapshot partitions, 10,000 listing tasks per VACUUM) are sized for
          // clusters; on one machine they turn each maintenance command into minutes of empty tasks.
          .config("spark.databricks.delta.snapshotPartitions", "4")
          .config("spark.sql.sources.parallelPartitionDiscovery.parallelism", "8");
    }
    return builder.getOrCreate();
  }
}

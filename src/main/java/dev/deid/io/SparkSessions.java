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
  public static synchronized SparkSession shared(Warehouse warehouse) {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> SparkSession.getDefaultSession().getOrElse(() -> null));
    if (active != null) {
      return active;
    }
    owned = getOrCreate("deid", warehouse);
    return owned;
  }

  /** Stops the session {@link #shared()} created, if it did; a caller's session is left alone. */
  public static synchronized void stopOwned() {
    if (owned != null) {
      owned.stop();
      owned = null;
    }
  }

  /**
   * Without a submitter's settings, the warehouse's own catalog when it is local: Spark's Hive
   * catalog on an embedded Derby metastore in {@link Warehouse#catalog()}, so the tables a run
   * names are there for the next session (a notebook, {@code deid sql}) with nothing to install.
   */
  public static SparkSession getOrCreate(String appName, Warehouse warehouse) {
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
      embeddedCatalog(warehouse).forEach(builder::config);
    }
    return builder.getOrCreate();
  }

  /** The settings of the embedded catalog of a local warehouse; none for a remote one or without Spark's Hive module. */
  static java.util.Map<String, String> embeddedCatalog(Warehouse warehouse) {
    if (warehouse == null || !warehouse.isLocal() || !hiveOnClasspath()) {
      return java.util.Map.of();
    }
    String catalog = warehouse.catalog();
    try {
      java.nio.file.Files.createDirectories(java.nio.file.Path.of(catalog));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot create the warehouse's catalog folder " + catalog, e);
    }
    // Derby writes its log to the working directory unless told otherwise.
    System.setProperty("derby.stream.error.file", catalog + "/derby.log");
    return java.util.Map.of(
        "spark.sql.catalogImplementation", "hive",
        "spark.hadoop.javax.jdo.option.ConnectionURL", "jdbc:derby:;databaseName=" + catalog + "/metastore_db;create=true",
        "spark.sql.warehouse.dir", catalog + "/managed");
  }

  private static boolean hiveOnClasspath() {
    try {
      Class.forName("org.apache.spark.sql.hive.HiveSessionStateBuilder", false, SparkSessions.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}

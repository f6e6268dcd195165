package dev.deid.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * The job's SparkSession. Under {@code spark-submit} the master and cluster settings come from the
 * submit command; run directly, it is Spark local mode on every core. Delta's SQL extension and
 * catalog are set here unless the submitter set them already.
 */
public final class SparkSessions {
  private static SparkSession owned;
  private static Path scratch;

  /**
   * The log store for {@code file:} tables. Delta's default goes through Hadoop's FileContext,
   * whose local rename starts a {@code readlink} process per commit file without Hadoop's native
   * library: hundreds of processes in a small run. This one renames in Java. Neither is safe for
   * two JVMs committing to one local table at once, which the job never does.
   */
  public static final String LOCAL_LOG_STORE_KEY = "spark.delta.logStore.file.impl";
  public static final String LOCAL_LOG_STORE = "io.delta.storage.LocalLogStore";

  /**
   * Settings the session is created with, each unless the submitter set it: the local log store
   * above, and compressed serialized blocks. The outputs of a run wait in checkpoints, serialized,
   * until every check has passed and they are published; Spark stores such blocks uncompressed by
   * default, and with every output of a large run held at once they would fill the executors'
   * local disks.
   */
  public static final Map<String, String> DEFAULTS = Map.of(
      LOCAL_LOG_STORE_KEY, LOCAL_LOG_STORE,
      "spark.rdd.compress", "true");

  /**
   * Where the outputs' checkpoints are kept: on the executors' disks only. Kept in memory as well,
   * a block read back from disk is copied whole into a heap buffer to be cached again, and with
   * 4 GiB of heap at 100M customers one such copy ran the JVM out of memory, although Spark's
   * storage accounting said it fitted.
   */
  public static final StorageLevel CHECKPOINT_STORAGE = StorageLevel.DISK_ONLY();

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
    if (scratch != null) {
      SparkScratch.release(scratch);
      scratch = null;
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
    DEFAULTS.forEach((key, value) -> {
      if (System.getProperty(key) == null) {
        builder.config(key, value);
      }
    });
    if (System.getProperty("spark.master") == null) {
      builder.master("local[*]").config("spark.ui.enabled", "false");
      embeddedCatalog(warehouse).forEach(builder::config);
      if (System.getProperty("spark.local.dir") == null && System.getenv("SPARK_LOCAL_DIRS") == null) {
        scratch = SparkScratch.prepare(Path.of(System.getProperty("java.io.tmpdir")));
        builder.config("spark.local.dir", scratch.toString());
      }
    }
    SparkSession spark = builder.getOrCreate();
    sizeToTheApplication(spark);
    return spark;
  }

  /**
   * Spark's and Delta's defaults are sized for large clusters: 200 shuffle partitions, 50 snapshot
   * partitions and up to 10,000 file-listing tasks per VACUUM turn each maintenance command on
   * small tables into thousands of empty tasks. Unless the submitter set them, they are sized from
   * the cores the application has (adaptive query execution then coalesces shuffles further).
   */
  static void sizeToTheApplication(SparkSession spark) {
    int cores = cores(spark);
    setUnlessSet(spark, "spark.sql.shuffle.partitions", Math.max(4, 2 * cores));
    setUnlessSet(spark, "spark.databricks.delta.snapshotPartitions", Math.max(2, cores));
    setUnlessSet(spark, "spark.sql.sources.parallelPartitionDiscovery.parallelism", Math.max(4, 2 * cores));
  }

  /** The cores the application runs on: what the cluster manager was asked for, or what has registered. */
  static int cores(SparkSession spark) {
    SparkConf conf = spark.sparkContext().conf();
    int asked = Math.max(conf.getInt("spark.cores.max", 0), conf.getInt("spark.executor.instances", 0) * conf.getInt("spark.executor.cores", 1));
    return Math.max(asked, spark.sparkContext().defaultParallelism());
  }

  private static void setUnlessSet(SparkSession spark, String key, int value) {
    if (!spark.conf().contains(key)) {
      spark.conf().set(key, String.valueOf(value));
    }
  }

  /** The settings of the embedded catalog of a local warehouse; none for a remote one or without Spark's Hive module. */
  static Map<String, String> embeddedCatalog(Warehouse warehouse) {
    if (warehouse == null || !warehouse.isLocal() || !hiveOnClasspath()) {
      return Map.of();
    }
    String catalog = warehouse.catalog();
    try {
      Files.createDirectories(Path.of(catalog));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the warehouse's catalog folder " + catalog, e);
    }
    // Derby writes its log to the working directory unless told otherwise.
    System.setProperty("derby.stream.error.file", catalog + "/derby.log");
    return Map.of(
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

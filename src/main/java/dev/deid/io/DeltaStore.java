package dev.deid.io;

import dev.deid.config.VacuumPolicy;
import dev.deid.errors.Errors;
import io.delta.tables.DeltaTable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.analysis.NoSuchNamespaceException;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.CatalogTableType;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.CommitInfo;
import org.apache.spark.sql.functions;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * All reads, writes and maintenance of Delta tables. Deletion here is physical: DELETE and MERGE
 * rewrite the files holding the rows (copy-on-write, never deletion vectors) and the replaced files
 * are vacuumed, after which {@link #dataFilesOnDisk} reads every data file left on disk to prove the
 * rows are gone.
 *
 * <p>Why not deletion vectors and {@code REORG TABLE … APPLY (PURGE)}: Delta 4.2's purge looks up
 * the active SparkSession inside an executor task ({@code filterParquetFilesOnExecutors}), which
 * exists in local mode, where driver and executors share a JVM, and fails on every real cluster.
 * Turning persistent deletion vectors off for this session's own DELETE and MERGE commands gives
 * the same physical result with plain cluster-safe Spark jobs, without changing the table's
 * properties for its other writers. Deletion vectors written earlier by others stay; rows of ours
 * hidden by them would be found by the scan, and the run then fails instead of claiming success.
 */
public final class DeltaStore implements TableStore {
  private static final String RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled";
  private static final List<String> PERSISTENT_DELETION_VECTORS = List.of(
      "spark.databricks.delta.delete.deletionVectors.persistent",
      "spark.databricks.delta.merge.deletionVectors.persistent",
      "spark.databricks.delta.update.deletionVectors.persistent");

  private final SparkSession spark;

  public DeltaStore(SparkSession spark) {
    this.spark = spark;
  }

  public SparkSession spark() {
    return spark;
  }

  public boolean exists(String path) {
    return DeltaTable.isDeltaTable(spark, path);
  }

  public long latestVersion(String path) {
    return existing(path).version();
  }

  /**
   * The table's current snapshot, from its log on the driver. Versions, properties, the id and
   * commit metrics are read from it rather than through {@code DESCRIBE HISTORY} or
   * {@code DESCRIBE DETAIL}, which run a Spark job each (history reads commits in tasks, detail
   * aggregates the file list) for what the log already holds.
   */
  private Snapshot snapshot(String path) {
    return DeltaLog.forTable(spark, new Path(path)).update(false, Option.empty(), Option.empty());
  }

  public Dataset<Row> read(String path, long version) {
    return spark.read().format("delta").option("versionAsOf", version).load(path);
  }

  public Dataset<Row> read(String path) {
    return spark.read().format("delta").load(path);
  }

  public Map<String, String> properties(String path) {
    return CollectionConverters.asJava(existing(path).metadata().configuration());
  }

  /** Delta's own id of the table: it survives renames, moves and reads by another path. */
  public String tableId(String path) {
    return existing(path).metadata().id();
  }

  private Snapshot existing(String path) {
    Snapshot snapshot = snapshot(path);
    if (snapshot.version() < 0) {
      throw new IllegalStateException("No Delta table at " + path);
    }
    return snapshot;
  }

  /** The metrics the commit of {@code version} recorded (empty when it recorded none). */
  private Map<String, String> commitMetrics(String path, long version) {
    var changes = DeltaLog.forTable(spark, new Path(path)).getChanges(version, Option.empty(), false);
    while (changes.hasNext()) {
      for (Action action : CollectionConverters.asJava(changes.next()._2())) {
        if (action instanceof CommitInfo info && info.operationMetrics().isDefined()) {
          return CollectionConverters.asJava(info.operationMetrics().get());
        }
      }
    }
    return Map.of();
  }

  @Override
  public long restore(String path, long version) {
    DeltaTable.forPath(spark, path).restoreToVersion(version);
    return latestVersion(path);
  }

  /**
   * The name points at the path (an external table), so dropping or re-pointing it never touches
   * the data; a name some other table already holds is refused rather than taken over.
   */
  @Override
  public String register(String namespace, String name, String path) {
    String table = "`" + namespace + "`.`" + name + "`";
    String location = qualifiedLocation(path);
    spark.sql("CREATE NAMESPACE IF NOT EXISTS `" + namespace + "`");
    // The catalog's own record, read without opening the table: its old path may be gone.
    CatalogTable existing = catalogRecord(namespace, name);
    if (existing != null) {
      if (location.equals(qualifiedPath(existing.location().toString()))) {
        return namespace + "." + name;
      }
      if (existing.tableType() != CatalogTableType.EXTERNAL()) {
        throw Errors.catalogNameTaken(namespace + "." + name, existing.tableType().name(), location);
      }
      spark.sql("DROP TABLE " + table);
    }
    spark.sql("CREATE TABLE " + table + " USING delta LOCATION '" + location.replace("'", "\\'") + "'");
    return namespace + "." + name;
  }

  private CatalogTable catalogRecord(String namespace, String name) {
    SessionCatalog catalog = spark.sessionState().catalog();
    TableIdentifier id = new TableIdentifier(name, Option.apply(namespace));
    try {
      return catalog.tableExists(id) ? catalog.getTableMetadata(id) : null;
    } catch (NoSuchNamespaceException | NoSuchTableException e) {
      return null;
    }
  }

  /**
   * The table's location, fully qualified, as Delta records it: the path made absolute on its file
   * system. Resolved without opening the table, whose {@code DESCRIBE DETAIL} costs a snapshot.
   */
  public String qualifiedLocation(String path) {
    return qualifiedPath(path);
  }

  /** A path made absolute and qualified with its file system's scheme, as it is recorded for other runs. */
  public String qualifiedPath(String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).makeQualified(p).toString();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot resolve " + path, e);
    }
  }

  /** Sets table properties in one metadata-only commit. */
  public void setProperties(String path, Map<String, String> properties) {
    StringBuilder sql = new StringBuilder("ALTER TABLE delta.`" + path + "` SET TBLPROPERTIES (");
    int i = 0;
    for (Map.Entry<String, String> p : properties.entrySet()) {
      sql.append(i++ == 0 ? "" : ", ").append('\'').append(p.getKey().replace("'", "")).append("' = '")
          .append(p.getValue().replace("\\", "\\\\").replace("'", "\\'")).append('\'');
    }
    spark.sql(sql.append(')').toString());
  }

  /** Deletes the rows matching {@code condition}; returns how many were deleted. */
  public long delete(String path, Column condition) {
    long before = latestVersion(path);
    withoutDeletionVectors(() -> DeltaTable.forPath(spark, path).delete(condition));
    return deletedRowsSince(path, before);
  }

  /** Runs DML with copy-on-write: the session's persistent deletion vectors are off for its duration. */
  private void withoutDeletionVectors(Runnable dml) {
    Map<String, String> previous = new LinkedHashMap<>();
    for (String key : PERSISTENT_DELETION_VECTORS) {
      previous.put(key, spark.conf().get(key, "true"));
      spark.conf().set(key, "false");
    }
    try {
      dml.run();
    } finally {
      previous.forEach((key, value) -> spark.conf().set(key, value));
    }
  }

  /** Deletes every row whose {@code column} equals a value of {@code keys.key}; returns the count. */
  public long deleteMatching(String path, String column, Dataset<Row> keys) {
    long before = latestVersion(path);
    withoutDeletionVectors(() -> DeltaTable.forPath(spark, path).as("t")
        .merge(keys.select(functions.col(keys.columns()[0]).as("deid_key")).distinct().as("k"),
            functions.col("t.`" + column + "`").equalTo(functions.col("k.deid_key")))
        .whenMatched().delete()
        .execute());
    return deletedRowsSince(path, before);
  }

  private long deletedRowsSince(String path, long before) {
    long after = latestVersion(path);
    if (after == before) {
      return 0;
    }
    Map<String, String> m = commitMetrics(path, after);
    for (String key : List.of("numDeletedRows", "numTargetRowsDeleted")) {
      if (m.containsKey(key)) {
        return Long.parseLong(m.get(key));
      }
    }
    return 0;
  }

  /**
   * Removes every file no longer in the current version once it is older than the policy's window:
   * with copy-on-write deletes that makes them physical. A zero-hour window also empties the log
   * of earlier versions, whose file statistics still hold values of the deleted rows. Delta's safety check is relaxed only for
   * this call, and only when the policy asks for a short window.
   */
  public void vacuum(String path, VacuumPolicy policy) {
    if (policy.retentionHours() == 0) {
      removeUnreferencedDataFiles(path);
      DeltaLogs.forgetHistory(spark, path);
      return;
    }
    String previous = spark.conf().get(RETENTION_CHECK, "true");
    if (policy.needsRelaxedCheck()) {
      spark.conf().set(RETENTION_CHECK, "false");
    }
    try {
      DeltaTable.forPath(spark, path).vacuum(policy.retentionHours());
    } finally {
      spark.conf().set(RETENTION_CHECK, previous);
    }
  }

  /**
   * What a zero-hour VACUUM does to data files, without its fixed cost of seconds per table (a
   * distributed listing, a join with the snapshot and two commits): every data file under the
   * table that its current version does not reference is deleted, with its checksum file. Like
   * such a VACUUM it assumes no other writer is committing to the table meanwhile.
   */
  private void removeUnreferencedDataFiles(String path) {
    Set<String> current = new HashSet<>();
    for (String file : read(path).inputFiles()) {
      current.add(new Path(file).toUri().getPath());
    }
    try {
      FileSystem fs = new Path(path).getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (String file : dataFilePaths(path)) {
        Path data = new Path(file);
        if (!current.contains(data.toUri().getPath())) {
          fs.delete(data, false);
          Path checksum = new Path(data.getParent(), "." + data.getName() + ".crc");
          if (fs.exists(checksum)) {
            fs.delete(checksum, false);
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot remove replaced data files of " + path, e);
    }
  }

  /**
   * Walks the table's directory with plain listings: a recursive {@code listFiles} would build a
   * located status per file, which on the local file system without Hadoop's native library runs
   * an {@code ls} process per file to read its permissions.
   */
  private List<String> dataFilePaths(String path) {
    try {
      Path root = new Path(path);
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      List<String> files = new ArrayList<>();
      if (!fs.exists(root)) {
        return files;
      }
      ArrayDeque<Path> directories = new ArrayDeque<>(List.of(root));
      while (!directories.isEmpty()) {
        for (FileStatus status : fs.listStatus(directories.pop())) {
          Path file = status.getPath();
          if (status.isDirectory()) {
            if (!file.getName().equals("_delta_log")) {
              directories.push(file);
            }
          } else if (file.getName().endsWith(".parquet")) {
            files.add(file.toString());
          }
        }
      }
      Collections.sort(files);
      return files;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot list data files of " + path, e);
    }
  }

  @Override
  public LogTraces logTraces(String path) {
    return DeltaLogs.traces(spark, path, read(path));
  }

  /**
   * Reads every Parquet data file on disk directly, bypassing the Delta log and deletion vectors,
   * so what it finds is physically present whatever any version says.
   */
  @Override
  public DataFiles dataFilesOnDisk(String path) {
    List<String> files = dataFilePaths(path);
    return new DataFiles(files.size(), files.isEmpty() ? null : spark.read().parquet(files.toArray(String[]::new)));
  }

  /**
   * Replaces a Delta table's contents and properties in one commit: readers see the old version or
   * the new one, never a mix, and a failed write leaves the old version current.
   */
  public long replace(String path, Dataset<Row> data, Map<String, String> properties) {
    var writer = data.writeTo("delta.`" + path + "`").using("delta");
    for (Map.Entry<String, String> p : properties.entrySet()) {
      writer = writer.tableProperty(p.getKey(), p.getValue());
    }
    writer.createOrReplace();
    return latestVersion(path);
  }

  /** Rows written by the table's last commit (a replace or an append). */
  public long lastOutputRows(String path) {
    Map<String, String> m = commitMetrics(path, latestVersion(path));
    return Long.parseLong(m.getOrDefault("numOutputRows", "0"));
  }

  /** Appends rows to a Delta table, creating it on first use. */
  public void append(String path, Dataset<Row> rows) {
    rows.write().format("delta").mode("append").save(path);
  }

  @Override
  public Map<String, String> extractProperties(String extract) {
    return new ExtractStore(spark).currentProperties(extract);
  }
}

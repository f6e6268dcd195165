package dev.deid.io;

import dev.deid.config.VacuumPolicy;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The one port through which a run touches tables: reads pinned to a version, atomic replacement
 * with properties, physical deletion, vacuum, properties. {@link DeltaStore} implements it on
 * Delta Lake; tests of stages that only decide (e.g. key continuity) use an in-memory fake and
 * need no Spark.
 */
public interface TableStore {
  SparkSession spark();

  boolean exists(String path);

  long latestVersion(String path);

  Dataset<Row> read(String path);

  Dataset<Row> read(String path, long version);

  Map<String, String> properties(String path);

  void setProperties(String path, Map<String, String> properties);

  /** The table's own id: it survives renames, moves and reads by another path. */
  String tableId(String path);

  String qualifiedLocation(String path);

  String qualifiedPath(String path);

  /** Deletes the rows matching {@code condition} by rewriting their files; returns how many. */
  long delete(String path, Column condition);

  /** Deletes every row whose {@code column} equals a value of {@code keys}' first column; returns how many. */
  long deleteMatching(String path, String column, Dataset<Row> keys);

  void vacuum(String path, VacuumPolicy policy);

  /** Every data file under the table's directory, current or not, read directly, bypassing the table's log. */
  DataFiles dataFilesOnDisk(String path);

  /** How many data files are on disk, and their rows (null when there are none). */
  record DataFiles(int count, Dataset<Row> rows) {}

  /**
   * Reads every file under the table's {@code _delta_log} and checks that each value its file
   * statistics and partition values hold is one a row of the table holds now.
   */
  LogTraces logTraces(String path);

  /**
   * What a scan of a table's log found: files read, files of versions before its latest
   * checkpoint, and how many values in the log no current row holds, with their columns' names
   * (never the values: they are what was deleted).
   */
  record LogTraces(int filesScanned, int filesOfEarlierVersions, long valuesNotInTable, List<String> columns) {
    public LogTraces {
      columns = List.copyOf(columns);
    }

  }

  /** Makes {@code version} the table's current state again (Delta RESTORE); returns the version that commit created. */
  long restore(String path, long version);

  /** Replaces a table's contents and properties in one commit; returns the new version. */
  long replace(String path, Dataset<Row> data, Map<String, String> properties);

  long lastOutputRows(String path);

  void append(String path, Dataset<Row> rows);

  /**
   * Names the Delta table at {@code path} as {@code namespace.name} in Spark's catalog, pointing at
   * the path, so a replacement of the table is what the name reads; returns the qualified name.
   */
  String register(String namespace, String name, String path);

  /** The text fields of a partner extract's current manifest (e.g. {@code deid.key_id}), or null when nothing was delivered. */
  Map<String, String> extractProperties(String extract);
}

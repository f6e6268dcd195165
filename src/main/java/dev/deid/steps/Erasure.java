package dev.deid.steps;

import dev.deid.config.VacuumPolicy;
import dev.deid.io.DeltaStore;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * The right to erasure: every row of an erased subject is deleted, physically, from a Delta table,
 * matching on a column that holds either the raw subject id (raw tables) or its pseudonym under the
 * table's audience key (minimized outputs).
 */
public final class Erasure {
  private Erasure() {}

  /**
   * Deletes rows whose {@code column} is one of {@code keys} (a one-column dataset), purges and
   * vacuums, then scans every data file on disk for the keys.
   */
  public static PhysicalDeletion apply(DeltaStore store, String table, String column, Dataset<Row> keys,
      VacuumPolicy vacuum) {
    Dataset<Row> distinctKeys = keys.select(functions.col(keys.columns()[0]).cast("string").as("deid_key")).distinct();
    long deleted = store.deleteMatching(table, column, distinctKeys);
    store.purgeAndVacuum(table, vacuum);
    DeltaStore.PhysicalScan scan = store.scanDataFiles(table, files -> files.join(distinctKeys,
        files.col("`" + column + "`").cast("string").equalTo(distinctKeys.col("deid_key")), "left_semi"));
    return new PhysicalDeletion(table, deleted, scan.filesScanned(), scan.rowsFound(), vacuum.retentionHours());
  }
}

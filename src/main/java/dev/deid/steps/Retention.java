package dev.deid.steps;

import dev.deid.config.RetentionSpec;
import dev.deid.config.VacuumPolicy;
import dev.deid.io.DeltaStore;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;

/**
 * Deletes rows older than a table's retention limit from the raw Delta table itself, physically:
 * DELETE, purge of deletion vectors, VACUUM, then a scan of every data file left on disk.
 */
public final class Retention {
  private Retention() {}

  /** Rows whose retention column is before {@code referenceTime - maxAgeDays}. */
  public static Column expired(RetentionSpec spec, Instant referenceTime) {
    Instant cutoff = referenceTime.minus(Duration.ofDays(spec.maxAgeDays()));
    return functions.col("`" + spec.column() + "`").lt(functions.lit(Timestamp.from(cutoff)));
  }

  public static Instant cutoff(RetentionSpec spec, Instant referenceTime) {
    return referenceTime.minus(Duration.ofDays(spec.maxAgeDays()));
  }

  public static PhysicalDeletion apply(DeltaStore store, String table, RetentionSpec spec, Instant referenceTime,
      VacuumPolicy vacuum) {
    Column expired = expired(spec, referenceTime);
    long deleted = store.delete(table, expired);
    store.purgeAndVacuum(table, vacuum);
    DeltaStore.PhysicalScan scan = store.scanDataFiles(table, files -> files.filter(expired));
    return new PhysicalDeletion(table, deleted, scan.filesScanned(), scan.rowsFound(), vacuum.retentionHours());
  }
}

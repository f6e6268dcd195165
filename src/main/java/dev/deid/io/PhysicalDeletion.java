package dev.deid.io;

import java.util.List;

/**
 * What a physical deletion did to one table under one rule: rows deleted, rows the rule could not
 * judge because its column is NULL (kept: a row without a timestamp never expires, a row without a
 * subject id belongs to nobody who could ask for erasure), whether VACUUM ran, and what a scan of
 * every data file still on disk found afterwards. With a zero-hour vacuum window
 * {@code rowsStillOnDisk} must be zero; with a longer window, replaced files (and the rows in them)
 * stay until the window has passed. After a zero-hour vacuum the table's log is scanned too:
 * {@code logValuesNotInTable} counts the values in its file statistics that no current row holds
 * (must be zero; their columns in {@code logTraceColumns}), {@code -1} when the log was not scanned.
 */
public record PhysicalDeletion(String table, long rowsDeleted, long rowsKeptWithNull, boolean vacuumed, int filesScanned,
    long rowsStillOnDisk, int vacuumRetentionHours, int logFilesScanned, long logValuesNotInTable, List<String> logTraceColumns) {

  public PhysicalDeletion {
    logTraceColumns = List.copyOf(logTraceColumns);
  }

  /** A deletion whose log was not scanned (nothing was vacuumed, or the window keeps history): {@code -1} for the log figures. */
  public PhysicalDeletion(String table, long rowsDeleted, long rowsKeptWithNull, boolean vacuumed, int filesScanned,
      long rowsStillOnDisk, int vacuumRetentionHours) {
    this(table, rowsDeleted, rowsKeptWithNull, vacuumed, filesScanned, rowsStillOnDisk, vacuumRetentionHours, -1, -1, List.of());
  }

  public boolean physicallyGone() {
    return rowsStillOnDisk == 0 && logValuesNotInTable <= 0;
  }
}

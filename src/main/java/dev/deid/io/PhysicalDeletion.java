package dev.deid.io;

/**
 * What a physical deletion did to one table under one rule: rows deleted, rows the rule could not
 * judge because its column is NULL (kept: a row without a timestamp never expires, a row without a
 * subject id belongs to nobody who could ask for erasure), whether VACUUM ran, and what a scan of
 * every data file still on disk found afterwards. With a zero-hour vacuum window
 * {@code rowsStillOnDisk} must be zero; with a longer window, replaced files (and the rows in them)
 * stay until the window has passed.
 */
public record PhysicalDeletion(String table, long rowsDeleted, long rowsKeptWithNull, boolean vacuumed, int filesScanned,
    long rowsStillOnDisk, int vacuumRetentionHours) {

  public boolean physicallyGone() {
    return rowsStillOnDisk == 0;
  }
}

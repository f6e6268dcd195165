package dev.deid.io;

/**
 * What a physical deletion did to one table: rows deleted, and what a scan of every data file still
 * on disk found afterwards. With a zero-hour vacuum window {@code rowsStillOnDisk} must be zero;
 * with a longer window, replaced files (and the rows in them) stay until the window has passed.
 */
public record PhysicalDeletion(String table, long rowsDeleted, int filesScanned, long rowsStillOnDisk,
    int vacuumRetentionHours) {

  public boolean physicallyGone() {
    return rowsStillOnDisk == 0;
  }
}

package dev.deid.config;

/**
 * Rows whose {@code column} is older than {@code maxAgeDays} before the run are deleted physically.
 * A run that would delete more than {@code maxDeleteFraction} of the table stops before deleting
 * anything (a wrong clock or limit must not wipe a table), unless the operator confirms it. Rows
 * whose {@code column} is NULL have no age and are kept; the run counts them.
 */
public record RetentionSpec(String column, int maxAgeDays, double maxDeleteFraction) {
  public static final double DEFAULT_MAX_DELETE_FRACTION = 0.2;

  public RetentionSpec(String column, int maxAgeDays) {
    this(column, maxAgeDays, DEFAULT_MAX_DELETE_FRACTION);
  }
}

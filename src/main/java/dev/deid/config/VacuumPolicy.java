package dev.deid.config;

/**
 * How long files removed from a Delta table stay on disk. Below Delta's safety floor of 168 hours
 * the spec must say {@code allowShortRetention: true}: only then is Delta's check relaxed, and only
 * for this job's own VACUUM calls.
 */
public record VacuumPolicy(int retentionHours, boolean allowShortRetention) {
  public static final int DELTA_SAFE_MINIMUM_HOURS = 168;

  public boolean needsRelaxedCheck() {
    return retentionHours < DELTA_SAFE_MINIMUM_HOURS;
  }
}

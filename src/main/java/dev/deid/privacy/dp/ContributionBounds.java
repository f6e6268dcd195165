package dev.deid.privacy.dp;

import java.io.Serializable;

/**
 * How much one privacy unit may contribute: rows in at most {@code maxGroups} groups and at most
 * {@code maxRowsPerGroup} rows in each. Everything else in a release's sensitivity follows from these.
 */
public record ContributionBounds(int maxGroups, int maxRowsPerGroup) implements Serializable {
  public ContributionBounds {
    if (maxGroups < 1 || maxRowsPerGroup < 1) {
      throw new IllegalArgumentException("Invalid contribution bounds: " + maxGroups + " groups, " + maxRowsPerGroup
          + " rows per group (both must be at least 1)");
    }
  }
}

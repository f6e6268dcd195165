package dev.deid.pipeline;

import dev.deid.io.Warehouse;
import dev.deid.io.KeyRing;
import java.time.Instant;

/**
 * Everything a run takes besides its spec. {@code referenceTime} is "now" for retention limits and
 * age bands; scheduled runs use the wall clock, tests pin it. {@code allowLargeDeletion} is the
 * operator's explicit confirmation that retention may delete more of a table than its spec's
 * {@code maxDeleteFraction} (the {@code --allow-large-deletion} flag).
 */
public record RunOptions(Warehouse warehouse, KeyRing keys, Instant referenceTime, boolean allowLargeDeletion) {
  public RunOptions(Warehouse warehouse, KeyRing keys, Instant referenceTime) {
    this(warehouse, keys, referenceTime, false);
  }
}

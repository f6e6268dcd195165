package dev.deid.pipeline;

import dev.deid.io.Warehouse;
import dev.deid.io.KeyRing;
import java.time.Instant;

/**
 * Everything a run takes besides its spec. {@code referenceTime} is "now" for retention limits and
 * age bands; scheduled runs use the wall clock, tests pin it.
 */
public record RunOptions(Warehouse warehouse, KeyRing keys, Instant referenceTime) {}

package dev.deid.privacy.dp;

import java.io.Serializable;
import java.util.List;

/**
 * The exact (not yet noised) statistics of one group after contribution bounding: row count,
 * distinct privacy units, a fixed-point sum per SUM/MEAN aggregate and a bin histogram per
 * QUANTILES aggregate, in the order of the release's aggregates.
 */
public record GroupStatistics(List<String> key, long rows, long units, long[] sums, long[][] histograms)
    implements Serializable {}

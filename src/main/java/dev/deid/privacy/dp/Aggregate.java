package dev.deid.privacy.dp;

import java.util.List;

/**
 * One released statistic per group. Values of {@code column} are clamped to [lower, upper] (which
 * bounds each row's contribution); sums are computed in fixed point with {@code decimals} digits
 * so the noise is added to integers.
 */
public record Aggregate(Kind kind, String column, double lower, double upper, List<Double> quantiles) {
  public enum Kind { COUNT, COUNT_UNITS, SUM, MEAN, QUANTILES }

  public static final int DECIMALS = 2;
  public static final long FIXED_POINT = 100;
  /** Bins over [lower, upper] among which a quantile is chosen. */
  public static final int QUANTILE_BINS = 256;

  public String name() {
    return switch (kind) {
      case COUNT -> "count";
      case COUNT_UNITS -> "count_units";
      case SUM -> "sum_" + column;
      case MEAN -> "mean_" + column;
      case QUANTILES -> "quantiles_" + column;
    };
  }

  /** The largest magnitude a clamped value can have, in fixed point. */
  long maxAbsFixedPoint() {
    return (long) Math.ceil(Math.max(Math.abs(lower), Math.abs(upper)) * FIXED_POINT);
  }
}

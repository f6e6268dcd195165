package dev.deid.privacy.dp;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;

/**
 * One released statistic per group. Values of {@code column} are clamped to [lower, upper] (which
 * bounds each row's contribution); sums are computed in fixed point with {@link #DECIMALS} digits
 * so the noise is added to integers. Means and variances are computed from sums of values centred
 * on the middle of the range, whose sensitivity is half the range's width instead of its largest
 * magnitude (Google DP's BoundedMean and BoundedVariance do the same).
 */
public record Aggregate(Kind kind, String column, double lower, double upper, List<Double> quantiles)
    implements Serializable {
  public enum Kind { COUNT, COUNT_UNITS, SUM, MEAN, VARIANCE, STDDEV, QUANTILES }

  /**
   * A fixed-point sum computed per group in Spark: of the clamped value, of the value minus the
   * range's middle, or of the squared centred value minus half its largest value.
   */
  public enum SumTerm { VALUE, CENTRED, CENTRED_SQUARE }

  public static final int DECIMALS = 2;
  public static final long FIXED_POINT = 100;
  /** Bins over [lower, upper] among which a quantile is chosen. */
  public static final int QUANTILE_BINS = 256;

  public Aggregate {
    quantiles = List.copyOf(quantiles);
  }

  public String name() {
    return switch (kind) {
      case COUNT -> "count";
      case COUNT_UNITS -> "count_units";
      case SUM -> "sum_" + column;
      case MEAN -> "mean_" + column;
      case VARIANCE -> "variance_" + column;
      case STDDEV -> "stddev_" + column;
      case QUANTILES -> "quantiles_" + column;
    };
  }

  /** The per-group sums this aggregate needs, in order. */
  public List<SumTerm> sumTerms() {
    return switch (kind) {
      case SUM -> List.of(SumTerm.VALUE);
      case MEAN -> List.of(SumTerm.CENTRED);
      case VARIANCE, STDDEV -> List.of(SumTerm.CENTRED, SumTerm.CENTRED_SQUARE);
      default -> List.of();
    };
  }

  /** Equal shares of the release's budget this aggregate spends: one per noised quantity. */
  public int shares() {
    return switch (kind) {
      case MEAN -> 2;
      case VARIANCE, STDDEV -> 3;
      default -> 1;
    };
  }

  public double middle() {
    return lower + (upper - lower) / 2;
  }

  public double halfWidth() {
    return (upper - lower) / 2;
  }

  /** One row's term as it enters its fixed-point sum; Spark computes the same formula. */
  public double term(SumTerm term, double value) {
    double clamped = Math.min(upper, Math.max(lower, value));
    return switch (term) {
      case VALUE -> clamped;
      case CENTRED -> clamped - middle();
      case CENTRED_SQUARE -> (clamped - middle()) * (clamped - middle()) - halfWidth() * halfWidth() / 2;
    };
  }

  /**
   * The largest magnitude one row's term can have in fixed point; Spark clamps each rounded term to
   * it, so the sensitivity holds whatever floating-point rounding did.
   */
  public BigInteger maxAbsFixedPoint(SumTerm term) {
    double max = switch (term) {
      case VALUE -> Math.max(Math.abs(lower), Math.abs(upper));
      case CENTRED -> halfWidth();
      case CENTRED_SQUARE -> halfWidth() * halfWidth() / 2;
    };
    return new BigDecimal(max).multiply(BigDecimal.valueOf(FIXED_POINT))
        .setScale(0, RoundingMode.CEILING).toBigIntegerExact();
  }
}

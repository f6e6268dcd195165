package dev.deid.privacy.dp;

/**
 * Adds noise to an integer query result. Built for one query with a known sensitivity and privacy
 * parameter; {@link #standardDeviation()} and {@link #errorBound95()} describe the noise so that a
 * released figure can be read with its precision. Implementations are not thread-safe.
 */
public interface Mechanism {
  long noised(long trueValue);

  /** The noise's standard deviation. */
  double standardDeviation();

  /** Half-width of a 95% interval: |noise| is below it with probability at least 0.95. */
  double errorBound95();

  /** The privacy parameters this mechanism was calibrated for. */
  double epsilon();

  double delta();

  /** The sensitivity it was calibrated for (L1 for Laplace, L2 for Gaussian). */
  double sensitivity();

  String describe();
}

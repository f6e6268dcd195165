package dev.deid.privacy.dp;

/**
 * Adds noise to an integer query result. Built for one query with a known sensitivity and privacy
 * parameter; {@link #standardDeviation()} and {@link #errorBound95()} describe the noise so that a
 * released figure can be read with its precision. Implementations are not thread-safe.
 */
public interface Mechanism {
  long noised(long trueValue);

  /** The noise's standard deviation (an upper bound for the discrete Gaussian). */
  double standardDeviation();

  /** An integer B with P(|noise| ≤ B) ≥ 0.95, whatever the true value. */
  double errorBound95();

  /** The privacy parameter this mechanism was calibrated for, e.g. {@code epsilon 0.25} or {@code rho 0.01}. */
  String budget();

  /** The sensitivity it was calibrated for (L1 for Laplace, L2 for Gaussian). */
  double sensitivity();

  String describe();
}

package dev.deid.privacy.dp;

/**
 * Means, variances and standard deviations from a noised count and noised centred sums
 * (post-processing: no further privacy cost). Each estimate is clamped to what the bounds allow;
 * its standard deviation is propagated to first order from the noises at the noised values, and
 * its 95 % bound is 1.96 of that: an approximation, good when the noised count is large next to
 * its noise, which the report says.
 */
final class Moments {
  private static final double Z95 = 1.959963985;

  private Moments() {}

  /** mean = middle + S/n, S the noised sum of values minus the middle of the range. */
  static NoisyRelease.Statistic mean(Aggregate a, NoisyRelease.Noised n, NoisyRelease.Noised centredSum, String budget) {
    double centred = clamp(centredSum.value() / n.value(), -a.halfWidth(), a.halfWidth());
    double sd = Math.hypot(centredSum.sd() / n.value(), centred * n.sd() / n.value());
    return new NoisyRelease.Statistic(a.middle() + centred, sd, Z95 * sd, NoisyRelease.ErrorKind.VALUE, budget);
  }

  /**
   * variance = (S2/n + h²/2) − (S1/n)², with S1 the noised sum of centred values and S2 the noised
   * sum of squared centred values minus h²/2 (h the half-width of the range).
   */
  static NoisyRelease.Statistic variance(Aggregate a, NoisyRelease.Noised n, NoisyRelease.Noised s1,
      NoisyRelease.Noised s2, String budget) {
    double h2 = a.halfWidth() * a.halfWidth();
    double mean = clamp(s1.value() / n.value(), -a.halfWidth(), a.halfWidth());
    double secondMoment = clamp(s2.value() / n.value() + h2 / 2, 0, h2);
    double variance = clamp(secondMoment - mean * mean, 0, h2);
    double dCount = (-(secondMoment - h2 / 2) + 2 * mean * mean) / n.value();
    double sd = Math.sqrt(Math.pow(s2.sd() / n.value(), 2) + Math.pow(2 * mean * s1.sd() / n.value(), 2)
        + Math.pow(dCount * n.sd(), 2));
    return new NoisyRelease.Statistic(variance, sd, Z95 * sd, NoisyRelease.ErrorKind.VALUE, budget);
  }

  /** sd = √variance; its standard deviation by the delta method, bounded where the variance is near 0. */
  static NoisyRelease.Statistic standardDeviation(NoisyRelease.Statistic variance) {
    double value = Math.sqrt(variance.value());
    double sd = value > 0 ? Math.min(variance.noiseStandardDeviation() / (2 * value),
        Math.sqrt(variance.noiseStandardDeviation())) : Math.sqrt(variance.noiseStandardDeviation());
    return new NoisyRelease.Statistic(value, sd, Z95 * sd, NoisyRelease.ErrorKind.VALUE, variance.budget());
  }

  private static double clamp(double value, double lower, double upper) {
    return Math.min(upper, Math.max(lower, value));
  }
}

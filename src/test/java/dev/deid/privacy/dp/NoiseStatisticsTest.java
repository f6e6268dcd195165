package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntToDoubleFunction;
import java.util.function.LongSupplier;
import org.apache.commons.math3.fraction.BigFraction;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.Variance;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Mean and variance of each exact sampler over 200,000 draws from the production (secure) source.
 *
 * <p>Tolerances: a sample mean is within z·σ/√n and a sample variance within z·√((μ4 − σ⁴)/n) of
 * the truth (central limit theorem; μ4 and σ² computed from the exact pmf), with z = 5, so each
 * check fails by chance with probability about 6e-7, and the whole class (6 checks) about 4e-6.
 */
@Tag("statistical")
class NoiseStatisticsTest {
  static final int N = 200_000;
  static final double Z = 5.0;

  /** Exact moments of a symmetric pmf on the integers, p(x) ∝ weight(x), summed far into the tails. */
  record Moments(double variance, double fourth) {
    static Moments of(IntToDoubleFunction weight) {
      double total = 0;
      double second = 0;
      double fourth = 0;
      for (int x = -2000; x <= 2000; x++) {
        double w = weight.applyAsDouble(x);
        total += w;
        second += w * x * (double) x;
        fourth += w * Math.pow(x, 4);
      }
      return new Moments(second / total, fourth / total);
    }
  }

  /** Whether n draws are consistent with mean 0 and the given moments. */
  static boolean consistent(LongSupplier draw, Moments m) {
    double[] samples = new double[N];
    for (int i = 0; i < N; i++) {
      samples[i] = draw.getAsLong();
    }
    double mean = new Mean().evaluate(samples);
    double variance = new Variance().evaluate(samples);
    boolean meanOk = Math.abs(mean) <= Z * Math.sqrt(m.variance() / N);
    boolean varianceOk = Math.abs(variance - m.variance())
        <= Z * Math.sqrt((m.fourth() - m.variance() * m.variance()) / N);
    return meanOk && varianceOk;
  }

  static Moments laplace(double scale) {
    return Moments.of(x -> Math.exp(-Math.abs(x) / scale));
  }

  static Moments gaussian(double sigmaSquared) {
    return Moments.of(x -> Math.exp(-(double) x * x / (2 * sigmaSquared)));
  }

  @Test
  void laplace_scale2_hasExactMeanAndVariance() {
    DiscreteNoise noise = new DiscreteNoise(RandomSource.secure());
    assertTrue(consistent(() -> noise.laplace(new BigFraction(2)), laplace(2)));
  }

  @Test
  void laplace_fractionalScale_hasExactMeanAndVariance() {
    DiscreteNoise noise = new DiscreteNoise(RandomSource.secure());
    assertTrue(consistent(() -> noise.laplace(new BigFraction(7, 3)), laplace(7.0 / 3)));
  }

  @Test
  void gaussian_sigmaSquared5_hasExactMeanAndVariance() {
    DiscreteNoise noise = new DiscreteNoise(RandomSource.secure());
    assertTrue(consistent(() -> noise.gaussian(new BigFraction(5)), gaussian(5)));
  }

  @Test
  void check_laplaceWith20PercentLessNoise_isRejected() {
    // The same check applied to a sampler whose scale is 20% too small must fail: the test can fail.
    DiscreteNoise noise = new DiscreteNoise(new SeededRandomSource(11));
    assertFalse(consistent(() -> noise.laplace(new BigFraction(8, 5)), laplace(2)));
  }

  @Test
  void check_gaussianWith20PercentLessNoise_isRejected() {
    DiscreteNoise noise = new DiscreteNoise(new SeededRandomSource(12));
    assertFalse(consistent(() -> noise.gaussian(new BigFraction(5 * 64, 100)), gaussian(5)));
  }
}

package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Means and variances under real noise, 4,000 releases of one group of 1,000 rows. The empirical
 * standard deviation of the estimates must be within 10 % of the stated one: its relative sampling
 * error is about 1/√(2·4000) = 1.1 %, so a correct stated sd fails with probability below 1e-15.
 * The estimates' average must be within 5 standard errors of the exact value, plus 0.5 % for the
 * first-order bias of a ratio (false-failure rate below 6e-7). A mean whose sum is not centred
 * (the previous code) has about twice the noise and fails the first check.
 */
@Tag("statistical")
class MomentsStatisticsTest {
  static final int RELEASES = 4_000;
  static final int ROWS = 1_000;

  record Observed(double average, double sd, double statedSd) {}

  static Observed observe(Aggregate a, double epsilon, double[] values, long seed) {
    long[] sums = new long[a.sumTerms().size()];
    for (double v : values) {
      for (int i = 0; i < sums.length; i++) {
        sums[i] += Math.round(a.term(a.sumTerms().get(i), v) * Aggregate.FIXED_POINT);
      }
    }
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(a), new ContributionBounds(1, 1), epsilon, 0,
        NoisyRelease.Noise.LAPLACE, true);
    GroupStatistics group = new GroupStatistics(List.of("g"), values.length, values.length, sums, new long[0][]);
    Mechanisms seeded = new DiscreteMechanisms(new DiscreteNoise(new SeededRandomSource(seed)));
    double sum = 0;
    double sumSquares = 0;
    double stated = 0;
    for (int r = 0; r < RELEASES; r++) {
      NoisyRelease.Statistic s = NoisyRelease.release(List.of(group), plan, seeded).get(0).statistics().get(a.name());
      sum += s.value();
      sumSquares += s.value() * s.value();
      stated = s.noiseStandardDeviation();
    }
    double average = sum / RELEASES;
    return new Observed(average, Math.sqrt(sumSquares / RELEASES - average * average), stated);
  }

  static boolean consistent(Observed o, double exact) {
    boolean spread = Math.abs(o.sd() / o.statedSd() - 1) <= 0.10;
    boolean centre = Math.abs(o.average() - exact) <= 5 * o.sd() / Math.sqrt(RELEASES) + 0.005 * Math.abs(exact);
    return spread && centre;
  }

  static double[] values() {
    double[] v = new double[ROWS];
    for (int i = 0; i < ROWS; i++) {
      v[i] = 300 + (i % 50) * 2; // 300 .. 398, mean 349, variance 833
    }
    return v;
  }

  @Test
  void mean_centredSum_matchesItsStatedNoise() {
    Aggregate mean = new Aggregate(Aggregate.Kind.MEAN, "amount", 0, 500, List.of());
    Observed o = observe(mean, 0.5, values(), 3);
    assertTrue(consistent(o, 349), o.toString());
  }

  @Test
  void mean_uncentredSum_isRejected() {
    // The previous estimator: sum of raw values (sensitivity 500), divided by the noised count.
    Aggregate mean = new Aggregate(Aggregate.Kind.MEAN, "amount", 0, 500, List.of());
    Aggregate raw = new Aggregate(Aggregate.Kind.SUM, "amount", 0, 500, List.of());
    Mechanisms seeded = new DiscreteMechanisms(new DiscreteNoise(new SeededRandomSource(4)));
    Mechanism sumNoise = seeded.laplace(50_000, 0.25);
    Mechanism countNoise = seeded.laplace(1, 0.25);
    double sum = 0;
    double sumSquares = 0;
    for (int r = 0; r < RELEASES; r++) {
      double s = sumNoise.noised(ROWS * 34_900L) / 100.0;
      double value = s / Math.max(1, countNoise.noised(ROWS));
      sum += value;
      sumSquares += value * value;
    }
    double average = sum / RELEASES;
    Observed centredStated = observe(mean, 0.5, values(), 5);
    Observed uncentred = new Observed(average, Math.sqrt(sumSquares / RELEASES - average * average), centredStated.statedSd());
    assertFalse(consistent(uncentred, 349), "the previous estimator's noise is not what the centred one states: " + uncentred);
    assertTrue(raw.sumTerms().equals(List.of(Aggregate.SumTerm.VALUE)));
  }

  @Test
  void variance_and_stddev_matchTheirStatedNoise() {
    double[] v = values();
    double exact = 0;
    for (double x : v) {
      exact += (x - 349) * (x - 349) / v.length;
    }
    Observed variance = observe(new Aggregate(Aggregate.Kind.VARIANCE, "amount", 0, 500, List.of()), 3, v, 6);
    assertTrue(consistent(variance, exact), variance + " vs exact " + exact);
    Observed sd = observe(new Aggregate(Aggregate.Kind.STDDEV, "amount", 0, 500, List.of()), 3, v, 7);
    assertTrue(consistent(sd, Math.sqrt(exact)), sd + " vs exact " + Math.sqrt(exact));
  }
}

package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** With a zero-noise fake, the released values are exact and the budget and sensitivity passed in are checked. */
class NoisyReleaseWiringTest {
  static final List<Aggregate> AGGREGATES = List.of(
      new Aggregate(Aggregate.Kind.COUNT, null, 0, 0, List.of()),
      new Aggregate(Aggregate.Kind.COUNT_UNITS, null, 0, 0, List.of()),
      new Aggregate(Aggregate.Kind.SUM, "amount", 0, 500, List.of()),
      new Aggregate(Aggregate.Kind.MEAN, "amount", 0, 500, List.of()));
  // east: 40 rows summing to 1234.50, so the sum centred on 250 is 1234.50 - 40 x 250 = -8765.50
  static final List<GroupStatistics> GROUPS = List.of(
      new GroupStatistics(List.of("east"), 40, 12, new long[] {123_450, -876_550}, new long[0][]),
      new GroupStatistics(List.of("west"), 3, 1, new long[] {1_000, 1_000 - 75_000}, new long[0][]));

  @Test
  void release_laplacePublicGroups_splitsEpsilonAndScalesSensitivity() {
    ZeroNoise fake = new ZeroNoise();
    NoisyRelease.Plan plan = new NoisyRelease.Plan(AGGREGATES, new ContributionBounds(3, 4), 1.0, 0, NoisyRelease.Noise.LAPLACE, true);
    List<NoisyRelease.Released> out = NoisyRelease.release(GROUPS, plan, fake);
    // 5 shares: count, count_units, sum, mean's count, mean's centred sum. The mean's sum is of
    // values minus 250, so its sensitivity is 3 x 4 x 250.00 (half the range), not 3 x 4 x 500.00.
    assertEquals(List.of(new ZeroNoise.Call("laplace", 12, 0.2), new ZeroNoise.Call("laplace", 3, 0.2),
        new ZeroNoise.Call("laplace", 3 * 4 * 50_000, 0.2), new ZeroNoise.Call("laplace", 12, 0.2),
        new ZeroNoise.Call("laplace", 3 * 4 * 25_000, 0.2)), fake.calls);
    assertEquals(2, out.size());
    assertEquals(40.0, out.get(0).statistics().get("count").value());
    assertEquals(12.0, out.get(0).statistics().get("count_units").value());
    assertEquals(1234.5, out.get(0).statistics().get("sum_amount").value());
    assertEquals(1234.5 / 40, out.get(0).statistics().get("mean_amount").value(), 1e-9);
    assertEquals(10.0 / 3, out.get(1).statistics().get("mean_amount").value(), 1e-9);
  }

  @Test
  void release_gaussian_composesInRhoWithL2Sensitivity() {
    ZeroNoise fake = new ZeroNoise();
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(AGGREGATES.get(0), AGGREGATES.get(2)), new ContributionBounds(4, 2),
        1.0, 1e-6, NoisyRelease.Noise.GAUSSIAN, true);
    NoisyRelease.release(GROUPS, plan, fake);
    double rho = Accounting.rhoFor(1.0, 1e-6) / 2;
    assertEquals(List.of(new ZeroNoise.Call("gaussian", Math.sqrt(4) * 2, rho),
        new ZeroNoise.Call("gaussian", Math.sqrt(4) * 2 * 50_000, rho)), fake.calls);
  }

  @Test
  void release_varianceAndStddev_exactWithoutNoise() {
    Aggregate variance = new Aggregate(Aggregate.Kind.VARIANCE, "x", 0, 10, List.of());
    Aggregate stddev = new Aggregate(Aggregate.Kind.STDDEV, "x", 0, 10, List.of());
    double[] values = {1, 2, 2, 7, 9.5};
    long[] sums = new long[4];
    for (double v : values) {
      for (int i = 0; i < 2; i++) {
        sums[i] += Math.round(variance.term(Aggregate.SumTerm.values()[i + 1], v) * Aggregate.FIXED_POINT);
        sums[i + 2] += Math.round(stddev.term(Aggregate.SumTerm.values()[i + 1], v) * Aggregate.FIXED_POINT);
      }
    }
    ZeroNoise fake = new ZeroNoise();
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(variance, stddev), new ContributionBounds(1, 5), 1.0, 0,
        NoisyRelease.Noise.LAPLACE, true);
    var out = NoisyRelease.release(List.of(new GroupStatistics(List.of("a"), 5, 5, sums, new long[0][])), plan, fake);
    double mean = 4.3;
    double exact = 0;
    for (double v : values) {
      exact += (v - mean) * (v - mean) / values.length;
    }
    assertEquals(exact, out.get(0).statistics().get("variance_x").value(), 1e-9);
    assertEquals(Math.sqrt(exact), out.get(0).statistics().get("stddev_x").value(), 1e-9);
    // 3 shares each (count, centred sum, centred square sum): 6 shares of epsilon 1
    assertEquals(6, fake.calls.size());
    assertTrue(fake.calls.stream().allMatch(c -> Math.abs(c.budget() - 1.0 / 6) < 1e-12));
    // squared term: (x - 5)^2 - 12.5 lies in [-12.5, 12.5]: 1250 hundredths per row, 5 rows
    assertEquals(5 * 1250, fake.calls.get(2).sensitivity());
  }

  @Test
  void groupSelection_dropsGroupsOfFewUnitsAndSpendsAShare() {
    ZeroNoise fake = new ZeroNoise();
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(AGGREGATES.get(0)), new ContributionBounds(1, 1), 1.0, 1e-5,
        NoisyRelease.Noise.LAPLACE, false);
    List<NoisyRelease.Released> out = NoisyRelease.release(GROUPS, plan, fake);
    // threshold from the discrete tail: p = e^-0.5, smallest T with p^(T-1)/(1+p) <= 1e-5 is 24
    assertEquals(24, NoisyRelease.selectionThreshold(plan));
    assertEquals(0, out.size());
    assertEquals(new ZeroNoise.Call("laplace", 1, 0.5), fake.calls.get(0));
    List<GroupStatistics> big = List.of(new GroupStatistics(List.of("north"), 100, 100, new long[0], new long[0][]));
    assertEquals(1, NoisyRelease.release(big, plan, new ZeroNoise()).size());
  }

  @Test
  void release_sensitivityBeyond2To53_isRefusedNotWrapped() {
    // 200 groups x 1000 rows x 1e12 in hundredths = 2e19: wraps a long to 13x too little noise if unchecked.
    Aggregate huge = new Aggregate(Aggregate.Kind.SUM, "amount", 0, 1e12, List.of());
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(huge), new ContributionBounds(200, 1000), 1.0, 0,
        NoisyRelease.Noise.LAPLACE, true);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NoisyRelease.release(List.of(new GroupStatistics(List.of("a"), 1, 1, new long[] {0}, new long[0][])), plan,
            new ZeroNoise()));
    assertTrue(e.getMessage().contains("exceeds 2^53"), e.getMessage());
  }
}

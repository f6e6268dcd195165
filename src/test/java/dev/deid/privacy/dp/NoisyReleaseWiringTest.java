package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With a zero-noise fake, the released values are exact and the epsilon and sensitivity passed in are checked. */
class NoisyReleaseWiringTest {
  record Call(String kind, double sensitivity, double epsilon, double delta) {}

  static final class ZeroNoise implements Mechanisms {
    final List<Call> calls = new ArrayList<>();

    public Mechanism laplace(long l1, double epsilon) {
      calls.add(new Call("laplace", l1, epsilon, 0));
      return fixed(epsilon, 0, l1);
    }

    public Mechanism gaussian(double l2, double epsilon, double delta) {
      calls.add(new Call("gaussian", l2, epsilon, delta));
      return fixed(epsilon, delta, l2);
    }

    static Mechanism fixed(double epsilon, double delta, double sensitivity) {
      return new Mechanisms.Fixed(epsilon, delta, sensitivity, 0, 0, "zero noise") {
        public long noised(long trueValue) {
          return trueValue;
        }
      };
    }
  }

  static final List<Aggregate> AGGREGATES = List.of(
      new Aggregate(Aggregate.Kind.COUNT, null, 0, 0, List.of()),
      new Aggregate(Aggregate.Kind.COUNT_UNITS, null, 0, 0, List.of()),
      new Aggregate(Aggregate.Kind.SUM, "amount", 0, 500, List.of()),
      new Aggregate(Aggregate.Kind.MEAN, "amount", 0, 500, List.of()));
  static final List<GroupStatistics> GROUPS = List.of(
      new GroupStatistics(List.of("east"), 40, 12, new long[] {123_450, 123_450}, new long[0][]),
      new GroupStatistics(List.of("west"), 3, 1, new long[] {1_000, 1_000}, new long[0][]));

  @Test
  void release_laplacePublicGroups_splitsEpsilonAndScalesSensitivity() {
    ZeroNoise fake = new ZeroNoise();
    NoisyRelease.Plan plan = new NoisyRelease.Plan(AGGREGATES, new ContributionBounds(3, 4), 1.0, 0, NoisyRelease.Noise.LAPLACE, true);
    List<NoisyRelease.Released> out = NoisyRelease.release(GROUPS, plan, fake);
    // 5 shares: count, count_units, sum, mean's sum, mean's count
    assertEquals(List.of(new Call("laplace", 12, 0.2, 0), new Call("laplace", 3, 0.2, 0),
        new Call("laplace", 3 * 4 * 50_000, 0.2, 0), new Call("laplace", 3 * 4 * 50_000, 0.2, 0),
        new Call("laplace", 12, 0.2, 0)), fake.calls);
    assertEquals(2, out.size());
    assertEquals(40.0, out.get(0).statistics().get("count").value());
    assertEquals(12.0, out.get(0).statistics().get("count_units").value());
    assertEquals(1234.5, out.get(0).statistics().get("sum_amount").value());
    assertEquals(1234.5 / 40, out.get(0).statistics().get("mean_amount").value(), 1e-9);
  }

  @Test
  void release_gaussian_usesL2Sensitivity() {
    ZeroNoise fake = new ZeroNoise();
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(AGGREGATES.get(0)), new ContributionBounds(4, 2), 1.0, 1e-6,
        NoisyRelease.Noise.GAUSSIAN, true);
    NoisyRelease.release(GROUPS, plan, fake);
    assertEquals(List.of(new Call("gaussian", Math.sqrt(4) * 2, 1.0, 1e-6)), fake.calls);
  }

  @Test
  void groupSelection_dropsGroupsOfFewUnitsAndSpendsAShare() {
    ZeroNoise fake = new ZeroNoise();
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(AGGREGATES.get(0)), new ContributionBounds(1, 1), 1.0, 1e-5,
        NoisyRelease.Noise.LAPLACE, false);
    List<NoisyRelease.Released> out = NoisyRelease.release(GROUPS, plan, fake);
    // threshold 1 + (1/0.5) ln(1/(2 * 5e-6)) ≈ 24: 'east' (12 units) and 'west' (1 unit) both fall below
    assertEquals(0, out.size());
    assertEquals(new Call("laplace", 1, 0.5, 0), fake.calls.get(0));
    List<GroupStatistics> big = List.of(new GroupStatistics(List.of("north"), 100, 100, new long[0], new long[0][]));
    assertEquals(1, NoisyRelease.release(big, plan, new ZeroNoise()).size());
  }
}

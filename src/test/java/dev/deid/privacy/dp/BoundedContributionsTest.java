package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongFunction;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class BoundedContributionsTest {
  static final Aggregate COUNT = new Aggregate(Aggregate.Kind.COUNT, null, 0, 0, List.of());
  static final Aggregate SUM = new Aggregate(Aggregate.Kind.SUM, "amount", 0, 100, List.of());
  static final Aggregate QUANTILES = new Aggregate(Aggregate.Kind.QUANTILES, "amount", 0, 100, List.of(0.5));
  static final List<Aggregate> ALL = List.of(COUNT, SUM, QUANTILES);

  static Map<List<String>, GroupStatistics> byKey(List<GroupStatistics> groups) {
    return groups.stream().collect(Collectors.toMap(GroupStatistics::key, g -> g));
  }

  static double[] amount(double value) {
    return new double[] {Double.NaN, value, value};
  }

  @Test
  void boundsThatDoNotBind_giveTheExactFixedPointStatistics() {
    BoundedContributions c = new BoundedContributions(ALL, new ContributionBounds(10, 10), 42);
    c.add("u1", List.of("north"), amount(12.34));
    c.add("u1", List.of("north"), amount(150)); // clamped to 100
    c.add("u1", List.of("south"), amount(Double.NaN)); // missing counts as the lower bound
    c.add("u2", List.of("north"), amount(-5)); // clamped to 0
    Map<List<String>, GroupStatistics> groups = byKey(c.finish());

    GroupStatistics north = groups.get(List.of("north"));
    assertEquals(3, north.rows());
    assertEquals(2, north.units());
    assertArrayEquals(new long[] {1234 + 10000}, north.sums());
    long[] bins = new long[Aggregate.QUANTILE_BINS];
    bins[0] = 1; // 0 (from -5)
    bins[31] = 1; // 12.34 / 100 * 256 = 31.6
    bins[255] = 1; // 100, the upper bound, falls into the last bin
    assertArrayEquals(bins, north.histograms()[0]);
    GroupStatistics south = groups.get(List.of("south"));
    assertEquals(1, south.rows());
    assertEquals(1, south.units());
    assertArrayEquals(new long[] {0}, south.sums());
    assertEquals(2, groups.size());
  }

  @Test
  void bindingBounds_keepAtMostTheRowsAndGroupsAllowed() {
    BoundedContributions c = new BoundedContributions(List.of(COUNT, SUM), new ContributionBounds(2, 3), 7);
    for (int g = 0; g < 6; g++) {
      for (int r = 0; r < 50; r++) {
        c.add("heavy", List.of("g" + g), amount(100));
      }
    }
    c.add("light", List.of("g0"), amount(1));
    List<GroupStatistics> groups = c.finish();
    long heavyUnits = groups.stream().mapToLong(GroupStatistics::units).sum() - 1;
    assertEquals(2, heavyUnits, "the heavy unit appears in exactly 2 groups");
    for (GroupStatistics g : groups) {
      long light = g.key().equals(List.of("g0")) ? 1 : 0;
      long heavyRows = g.rows() - light;
      assertTrue(heavyRows == 0 || heavyRows == 3, "3 rows of the heavy unit per kept group: " + g.key() + " " + g.rows());
      assertEquals(heavyRows * 10000 + light * 100, g.sums()[0]);
    }
  }

  /** Count and sum, each unit keeping one row of one group. */
  static BoundedContributions oneRowOfOneGroup(long seed) {
    return new BoundedContributions(List.of(COUNT, SUM), new ContributionBounds(1, 1), seed);
  }

  @Test
  void aUnitsChoice_doesNotDependOnTheUnitsBeforeIt() {
    BoundedContributions alone = oneRowOfOneGroup(99);
    BoundedContributions afterOthers = oneRowOfOneGroup(99);
    for (int other = 0; other < 20; other++) {
      afterOthers.add("other" + other, List.of("elsewhere"), amount(1));
    }
    for (BoundedContributions c : List.of(alone, afterOthers)) {
      for (int g = 0; g < 5; g++) {
        for (int r = 0; r < 5; r++) {
          c.add("u", List.of("g" + g), amount(10 * g + r));
        }
      }
    }
    List<GroupStatistics> a = alone.finish();
    List<GroupStatistics> b = afterOthers.finish().stream().filter(g -> !g.key().equals(List.of("elsewhere"))).toList();
    assertEquals(1, a.size());
    assertEquals(a.get(0).key(), b.get(0).key());
    assertArrayEquals(a.get(0).sums(), b.get(0).sums());
  }

  /** Units whose hashes collide arrive interleaved after a sort by hash; each keeps its own bounds. */
  @Test
  void unitsSharingAHash_areBoundedApart_andChooseAsTheyWouldAlone() {
    BoundedContributions shared = oneRowOfOneGroup(5);
    BoundedContributions apart = oneRowOfOneGroup(5);
    for (int r = 0; r < 6; r++) {
      for (String unit : List.of("a", "b")) {
        shared.add(7L, unit, List.of("g" + r % 3), amount(unit.equals("a") ? 1 + r : 10 * (1 + r)));
      }
    }
    for (String unit : List.of("a", "b")) {
      for (int r = 0; r < 6; r++) {
        apart.add(unit, List.of("g" + r % 3), amount(unit.equals("a") ? 1 + r : 10 * (1 + r)));
      }
    }
    List<GroupStatistics> sharedGroups = shared.finish();
    assertEquals(2, sharedGroups.stream().mapToLong(GroupStatistics::units).sum(), "two units, not one");
    assertEquals(2, sharedGroups.stream().mapToLong(GroupStatistics::rows).sum(), "one row each");
    Map<List<String>, GroupStatistics> a = byKey(sharedGroups);
    Map<List<String>, GroupStatistics> b = byKey(apart.finish());
    assertEquals(b.keySet(), a.keySet());
    b.forEach((key, g) -> assertArrayEquals(g.sums(), a.get(key).sums(), key.toString()));
  }

  @Test
  void partialStatistics_addUp() {
    GroupStatistics x = new GroupStatistics(List.of("g"), 3, 2, new long[] {5, -1}, new long[][] {{1, 2}});
    GroupStatistics y = new GroupStatistics(List.of("g"), 4, 1, new long[] {7, 2}, new long[][] {{0, 3}});
    GroupStatistics sum = BoundedContributions.plus(x, y);
    assertEquals(7, sum.rows());
    assertEquals(3, sum.units());
    assertArrayEquals(new long[] {12, 1}, sum.sums());
    assertArrayEquals(new long[] {1, 5}, sum.histograms()[0]);
    assertArrayEquals(new long[] {5, -1}, x.sums(), "the operands are not changed");
  }

  static final int TRIALS = 20_000;

  /**
   * Whether each of {@code counts.length} outcomes, each of probability 1/length, occurred within
   * 5 binomial standard deviations of its expectation in {@code trials} trials. For a uniform
   * choice the chance that some outcome falls outside is below length × 5.8e-7.
   */
  static boolean uniform(long[] counts, int trials) {
    double p = 1.0 / counts.length;
    double sd = Math.sqrt(trials * p * (1 - p));
    for (long count : counts) {
      if (Math.abs(count - trials * p) > 5 * sd) {
        return false;
      }
    }
    return true;
  }

  /** How often each 2-subset of rows {0..4} was kept, from the kept rows' sum of 2^row. */
  static long[] pairFrequencies(LongFunction<Long> keptBitsForSeed) {
    List<Integer> pairs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      for (int j = i + 1; j < 5; j++) {
        pairs.add((1 << i) | (1 << j));
      }
    }
    long[] counts = new long[pairs.size()];
    for (long seed = 0; seed < TRIALS; seed++) {
      int index = pairs.indexOf((int) (long) keptBitsForSeed.apply(seed));
      assertTrue(index >= 0, "exactly two rows kept");
      counts[index]++;
    }
    return counts;
  }

  static long keptBits(long seed) {
    BoundedContributions c = new BoundedContributions(List.of(SUM), new ContributionBounds(1, 2), seed);
    for (int row = 0; row < 5; row++) {
      c.add("u", List.of("g"), new double[] {1 << row});
    }
    return c.finish().get(0).sums()[0] / Aggregate.FIXED_POINT;
  }

  /** Each of the 10 pairs of 5 rows is kept with probability 1/10; false-failure rate below 6e-6. */
  @Test
  @Tag("statistical")
  void rowsKeptInAGroup_areAUniformSample() {
    assertTrue(uniform(pairFrequencies(BoundedContributionsTest::keptBits), TRIALS));
  }

  /** The same check rejects choices that favour the first rows or the last ones. */
  @Test
  void uniformityCheck_rejectsBiasedChoices() {
    assertFalse(uniform(pairFrequencies(seed -> 0b00011L), TRIALS), "always the first two rows");
    Random random = new Random(1);
    // The first row always, the other one at random: a classic reservoir off-by-one.
    assertFalse(uniform(pairFrequencies(seed -> 1L | (2L << random.nextInt(4))), TRIALS));
  }

  /** Each of 4 groups is the one kept with probability 1/4; false-failure rate below 3e-6. */
  @Test
  @Tag("statistical")
  void groupsKeptForAUnit_areAUniformChoice() {
    long[] counts = new long[4];
    for (long seed = 0; seed < TRIALS; seed++) {
      BoundedContributions c = new BoundedContributions(List.of(COUNT), new ContributionBounds(1, 1), seed);
      for (int g = 0; g < 4; g++) {
        c.add("u", List.of("g" + g), new double[] {Double.NaN});
      }
      List<GroupStatistics> kept = c.finish();
      assertEquals(1, kept.size());
      counts[Integer.parseInt(kept.get(0).key().get(0).substring(1))]++;
    }
    assertTrue(uniform(counts, TRIALS), Arrays.toString(counts));
  }
}

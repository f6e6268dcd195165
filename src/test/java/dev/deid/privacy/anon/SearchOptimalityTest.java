package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The search's answer against brute force over every transformation of random small tables. The
 * oracle shares no code with the engine: it groups with plain maps and computes k-anonymity,
 * distinct l-diversity and ARX's Loss from their definitions.
 */
class SearchOptimalityTest {

  /** Values v0..v(n-1) grouped into nested blocks: level i groups {@code blocks[i]} consecutive values. */
  static Hierarchy nested(String name, int values, int... blocks) {
    List<String[]> rows = new ArrayList<>();
    for (int v = 0; v < values; v++) {
      String[] row = new String[blocks.length + 2];
      row[0] = name + v;
      for (int i = 0; i < blocks.length; i++) {
        row[i + 1] = name + "g" + blocks[i] + "_" + (v / blocks[i]);
      }
      row[row.length - 1] = "*";
      rows.add(row);
    }
    return Hierarchy.of(name, rows);
  }

  static TupleHistogram randomHistogram(Random random, Hierarchy[] hierarchies, boolean sensitive) {
    int rows = 30 + random.nextInt(300);
    Map<List<Integer>, Long> counts = new HashMap<>();
    List<List<Integer>> order = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      List<Integer> key = new ArrayList<>();
      for (Hierarchy h : hierarchies) {
        // Skewed, so that some combinations are frequent and others rare.
        double u = random.nextDouble();
        key.add((int) (u * u * h.valueCount()));
      }
      if (sensitive) {
        key.add(random.nextInt(3));
      }
      if (counts.merge(key, 1L + random.nextInt(3), Long::sum) <= 3) {
        order.add(key);
      }
    }
    TupleHistogram.Builder b = TupleHistogram.builder(hierarchies, sensitive);
    for (List<Integer> key : new LinkedHashSet<>(order)) {
      String[] values = new String[hierarchies.length];
      for (int d = 0; d < hierarchies.length; d++) {
        values[d] = hierarchies[d].value(key.get(d));
      }
      b.add(values, sensitive ? "s" + key.get(hierarchies.length) : null, counts.get(key));
    }
    return b.build();
  }

  /** Brute-force evaluation of one transformation; score +infinity when not acceptable. */
  static double oracleLoss(TupleHistogram h, int[] levels, int k, int l, long maxSuppressed) {
    Map<List<String>, long[]> sizes = new HashMap<>();
    Map<List<String>, Set<Integer>> sensitive = new HashMap<>();
    for (int r = 0; r < h.rows(); r++) {
      List<String> key = new ArrayList<>();
      for (int d = 0; d < h.dimensions(); d++) {
        key.add(h.hierarchies()[d].label(h.code(r, d), levels[d]));
      }
      sizes.computeIfAbsent(key, x -> new long[1])[0] += h.count(r);
      sensitive.computeIfAbsent(key, x -> new HashSet<>()).add(h.sensitive(r));
    }
    Set<List<String>> suppressed = new HashSet<>();
    long suppressedRecords = 0;
    for (Map.Entry<List<String>, long[]> e : sizes.entrySet()) {
      if (e.getValue()[0] < k || (l > 1 && sensitive.get(e.getKey()).size() < l)) {
        suppressed.add(e.getKey());
        suppressedRecords += e.getValue()[0];
      }
    }
    if (suppressedRecords > maxSuppressed) {
      return Double.POSITIVE_INFINITY;
    }
    double product = 1;
    for (int d = 0; d < h.dimensions(); d++) {
      Hierarchy hierarchy = h.hierarchies()[d];
      Map<String, Integer> leaves = new HashMap<>();
      for (int v = 0; v < hierarchy.valueCount(); v++) {
        leaves.merge(hierarchy.label(v, levels[d]), 1, Integer::sum);
      }
      double sum = 0;
      for (Map.Entry<List<String>, long[]> e : sizes.entrySet()) {
        double share = suppressed.contains(e.getKey()) ? 1 : leaves.get(e.getKey().get(d)) / (double) hierarchy.domainSize();
        sum += e.getValue()[0] * share;
      }
      double min = h.records() / (double) hierarchy.domainSize();
      double loss = Math.max(0, (sum - min) / (h.records() - min));
      product *= Math.pow(loss + 1, 1.0 / h.dimensions());
    }
    return product - 1;
  }

  @Test
  void bestFirstSearch_findsTheBruteForceOptimum_onRandomTables() {
    Random random = new Random(20261122);
    int checked = 0;
    for (int trial = 0; trial < 60; trial++) {
      Hierarchy[] hierarchies = {
          nested("a", 8, 2, 4), nested("b", 6, 3), nested("c", 12, 2, 4, 12), nested("d", 4)};
      boolean withL = trial % 3 == 2;
      TupleHistogram h = randomHistogram(random, hierarchies, withL);
      int k = 2 + random.nextInt(4);
      double limit = new double[] {0, 0.05, 0.2}[trial % 3 == 2 ? 1 + random.nextInt(2) : trial % 3];
      List<PrivacyModel> models = new ArrayList<>(List.of(new PrivacyModel.KAnonymity(k)));
      if (withL) {
        models.add(new PrivacyModel.DistinctLDiversity(2));
      }
      long maxSuppressed = (long) Math.floor(limit * h.records());
      double bestScore = Double.POSITIVE_INFINITY;
      int[] levels = new int[4];
      int[] heights = {3, 2, 4, 1};
      do {
        bestScore = Math.min(bestScore, oracleLoss(h, levels, k, withL ? 2 : 1, maxSuppressed));
      } while (next(levels, heights));
      GlobalRecoding.Result result = GlobalRecoding.search(h, models, limit, UtilityMetric.LOSS,
          withL ? new SensitiveContext(h, null) : null, 60_000, 1_000_000);
      assertTrue(result.optimal(), "trial " + trial);
      double chosen = oracleLoss(h, result.best().levels(), k, withL ? 2 : 1, maxSuppressed);
      assertEquals(bestScore, chosen, 1e-9, "trial " + trial + ": " + Arrays.toString(result.best().levels())
          + " is not optimal (k=" + k + ", limit " + limit + ")");
      assertEquals(bestScore, result.best().score(), 1e-9, "trial " + trial + ": reported score");
      checked++;
    }
    assertEquals(60, checked);
  }

  /** The brute-force optimum over every transformation of {@code heights}. */
  static double bruteForce(TupleHistogram h, int[] heights, int k, int l, long maxSuppressed) {
    double best = Double.POSITIVE_INFINITY;
    int[] levels = new int[heights.length];
    do {
      best = Math.min(best, oracleLoss(h, levels, k, l, maxSuppressed));
    } while (next(levels, heights));
    return best;
  }

  /**
   * Cut short at random moments, the bound-ordered search's lower bound is still at most the true
   * optimum, and when it completes it has found the optimum: the certificate the report prints
   * cannot overstate how close an answer is.
   */
  @Test
  void boundOrderedSearch_stoppedEarly_neverBoundsAboveTheOptimum() {
    Random random = new Random(20261201);
    int partial = 0;
    for (int trial = 0; trial < 40; trial++) {
      Hierarchy[] hierarchies = {nested("a", 8, 2, 4), nested("b", 6, 3), nested("c", 12, 2, 4, 12), nested("d", 4),
          nested("e", 9, 3)};
      TupleHistogram h = randomHistogram(random, hierarchies, false);
      int k = 2 + random.nextInt(6);
      double limit = trial % 2 == 0 ? 0 : 0.05;
      long maxSuppressed = (long) Math.floor(limit * h.records());
      double optimum = bruteForce(h, new int[] {3, 2, 4, 1, 2}, k, 1, maxSuppressed);
      NodeEvaluator evaluator = new NodeEvaluator(h, List.of(new PrivacyModel.KAnonymity(k)), limit, UtilityMetric.LOSS,
          null, 60_000);
      long deadline = System.nanoTime() + (trial % 4) * 200_000L;
      BoundOrderedSearch.Outcome outcome = new BoundOrderedSearch(evaluator).run(deadline);
      assertTrue(outcome.lowerBound() <= optimum + 1e-12, "trial " + trial + ": bound " + outcome.lowerBound()
          + " above the optimum " + optimum);
      if (outcome.complete()) {
        assertEquals(optimum, evaluator.bestScore(), 1e-9, "trial " + trial + ": completed without the optimum");
      } else {
        partial++;
      }
    }
    assertTrue(partial > 0, "some searches must have been cut short, or the bound was never tested");
  }

  /**
   * Lattices above {@link GlobalRecoding#EXACT_FIRST_NODES} take the heuristic path first; given
   * time, the bound-ordered search still proves the brute-force optimum, and every heuristic's
   * answer is acceptable by the oracle's own definition.
   */
  @Test
  void largeLattice_heuristicsThenExactSearch_findTheBruteForceOptimum() {
    Random random = new Random(99);
    Hierarchy[] hierarchies = {nested("a", 16, 2, 4, 8), nested("b", 16, 2, 4, 8), nested("c", 12, 2, 4, 12),
        nested("d", 8, 2, 4), nested("e", 8, 2, 4), nested("f", 6, 3), nested("g", 4), nested("h", 16, 2, 4, 8),
        nested("i", 4)};
    int[] heights = {4, 4, 4, 3, 3, 2, 1, 4, 1};
    for (int trial = 0; trial < 2; trial++) {
      TupleHistogram h = randomHistogram(random, hierarchies, false);
      int k = 3 + trial;
      double limit = trial == 0 ? 0 : 0.05;
      long maxSuppressed = (long) Math.floor(limit * h.records());
      List<PrivacyModel> models = List.of(new PrivacyModel.KAnonymity(k));
      GlobalRecoding.Result result = GlobalRecoding.search(h, models, limit, UtilityMetric.LOSS, null, 10_000, 1_000_000);
      assertTrue(result.latticeSize() > GlobalRecoding.EXACT_FIRST_NODES);
      double optimum = bruteForce(h, heights, k, 1, maxSuppressed);
      assertTrue(result.optimal(), "trial " + trial);
      assertEquals(optimum, oracleLoss(h, result.best().levels(), k, 1, maxSuppressed), 1e-9, "trial " + trial);
      assertEquals(0, result.optimalityGap());
      GlobalRecoding.Result heuristic = GlobalRecoding.bottomUpBestEffort(h, models, limit, UtilityMetric.LOSS, null, 2_000);
      double chosen = oracleLoss(h, heuristic.best().levels(), k, 1, maxSuppressed);
      assertTrue(chosen < Double.POSITIVE_INFINITY && chosen >= optimum - 1e-9, "trial " + trial + ": " + chosen);
    }
  }

  private static boolean next(int[] levels, int[] maxLevels) {
    for (int d = levels.length - 1; d >= 0; d--) {
      if (levels[d] < maxLevels[d]) {
        levels[d]++;
        return true;
      }
      levels[d] = 0;
    }
    return false;
  }

  /**
   * Grouping takes a direct table, a hash of long keys or, beyond 2^63 key combinations, a hash of
   * int arrays; each must give the same classes as a plain map.
   */
  @Test
  void grouping_agreesWithAPlainMap_inEveryIndexMode() {
    Random random = new Random(7);
    Hierarchy small = nested("s", 6, 2);
    Hierarchy wide = nested("w", 40_000, 100);
    for (Hierarchy[] hierarchies : List.of(
        new Hierarchy[] {small, small},                          // direct table
        new Hierarchy[] {wide, wide, small},                     // long keys, hashed
        new Hierarchy[] {wide, wide, wide, wide, wide})) {       // > 2^63 combinations: int-array keys
      TupleHistogram.Builder b = TupleHistogram.builder(hierarchies, false);
      for (int r = 0; r < 5_000; r++) {
        String[] values = new String[hierarchies.length];
        for (int d = 0; d < hierarchies.length; d++) {
          values[d] = hierarchies[d].value(random.nextInt(Math.min(hierarchies[d].valueCount(), 300)));
        }
        b.add(values, null, 1 + random.nextInt(2));
      }
      TupleHistogram h = b.build();
      for (int level = 0; level < 2; level++) {
        int[] levels = new int[hierarchies.length];
        Arrays.fill(levels, level);
        Map<List<Integer>, Long> expected = new HashMap<>();
        for (int r = 0; r < h.rows(); r++) {
          List<Integer> key = new ArrayList<>();
          for (int d = 0; d < h.dimensions(); d++) {
            key.add(hierarchies[d].labelIndex(h.code(r, d), level));
          }
          expected.merge(key, h.count(r), Long::sum);
        }
        EquivalenceClasses direct = EquivalenceClasses.of(h, levels);
        EquivalenceClasses rolled = EquivalenceClasses.of(h, new int[hierarchies.length]).rollUpTo(h, levels);
        for (EquivalenceClasses classes : List.of(direct, rolled)) {
          Map<List<Integer>, Long> actual = new HashMap<>();
          for (int c = 0; c < classes.count(); c++) {
            List<Integer> key = new ArrayList<>();
            for (int d = 0; d < h.dimensions(); d++) {
              key.add(classes.key(c, d));
            }
            actual.merge(key, classes.size(c), Long::sum);
          }
          assertEquals(expected, actual, hierarchies.length + " dimensions at level " + level);
          assertEquals(expected.size(), classes.count());
        }
        for (int r = 0; r < h.rows(); r++) {
          assertEquals(hierarchies[0].labelIndex(h.code(r, 0), level), direct.key(direct.rowClass[r], 0));
        }
      }
    }
  }
}

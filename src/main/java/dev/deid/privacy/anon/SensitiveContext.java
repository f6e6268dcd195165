package dev.deid.privacy.anon;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * What t-closeness compares against: the sensitive distribution of the whole table, the order of
 * the sensitive values (numeric when all parse as numbers) and, for hierarchical distance, the
 * sensitive attribute's hierarchy. Earth Mover's Distance as defined by Li, Li and
 * Venkatasubramanian (ICDE 2007) for each ground distance.
 */
public final class SensitiveContext {
  private final double[] global;
  private final int[] rank;
  private final Hierarchy hierarchy;
  private final int[] hierarchyCode;

  public SensitiveContext(TupleHistogram h, Hierarchy sensitiveHierarchy) {
    List<String> values = h.sensitiveValues();
    global = new double[values.size()];
    for (int r = 0; r < h.rows(); r++) {
      if (h.sensitive(r) >= 0) {
        global[h.sensitive(r)] += h.count(r);
      }
    }
    for (int s = 0; s < global.length; s++) {
      global[s] /= h.records();
    }
    Integer[] order = new Integer[values.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    boolean numeric = values.stream().allMatch(SensitiveContext::isNumber);
    Comparator<Integer> byValue = numeric
        ? Comparator.comparingDouble(i -> Double.parseDouble(values.get(i)))
        : Comparator.comparing(values::get);
    Arrays.sort(order, byValue);
    rank = new int[order.length];
    for (int i = 0; i < order.length; i++) {
      rank[order[i]] = i;
    }
    hierarchy = sensitiveHierarchy;
    if (hierarchy != null) {
      hierarchyCode = new int[values.size()];
      List<String> uncovered = hierarchy.uncovered(values);
      if (!uncovered.isEmpty()) {
        throw InvalidHierarchyException.uncovered(hierarchy.attribute(), uncovered);
      }
      for (int s = 0; s < values.size(); s++) {
        hierarchyCode[s] = hierarchy.code(values.get(s));
      }
    } else {
      hierarchyCode = null;
    }
  }

  private static boolean isNumber(String s) {
    try {
      Double.parseDouble(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  double distance(PrivacyModel.GroundDistance kind, EquivalenceClasses classes, int c) {
    double size = classes.size(c);
    double[] diff = new double[global.length];
    for (int s = 0; s < diff.length; s++) {
      diff[s] = classes.frequency(c, s) / size - global[s];
    }
    return switch (kind) {
      case EQUAL -> equalDistance(diff);
      case ORDERED -> orderedDistance(diff);
      case HIERARCHICAL -> hierarchicalDistance(diff);
    };
  }

  /** Half the L1 distance: every value is at distance 1 from every other. */
  static double equalDistance(double[] diff) {
    double sum = 0;
    for (double d : diff) {
      sum += Math.abs(d);
    }
    return sum / 2;
  }

  /** Values at positions i and j of the order are |i - j| / (m - 1) apart. */
  double orderedDistance(double[] diff) {
    int m = diff.length;
    if (m < 2) {
      return 0;
    }
    double[] byRank = new double[m];
    for (int s = 0; s < m; s++) {
      byRank[rank[s]] = diff[s];
    }
    double cumulative = 0;
    double sum = 0;
    for (int i = 0; i < m - 1; i++) {
      cumulative += byRank[i];
      sum += Math.abs(cumulative);
    }
    return sum / (m - 1);
  }

  /**
   * Two values are as far apart as the level of their lowest common ancestor over the hierarchy's
   * height; the EMD is the sum over inner nodes of level/height times the mass that must cross it.
   */
  double hierarchicalDistance(double[] diff) {
    if (hierarchy == null) {
      throw new IllegalStateException("hierarchical t-closeness needs a hierarchy for the sensitive attribute");
    }
    int height = hierarchy.height() - 1;
    if (height == 0) {
      return 0;
    }
    double[] extra = new double[hierarchy.labelCount(0)];
    for (int s = 0; s < diff.length; s++) {
      extra[hierarchy.labelIndex(hierarchyCode[s], 0)] += diff[s];
    }
    double cost = 0;
    for (int level = 1; level <= height; level++) {
      int[] parent = hierarchy.rollUp(level - 1, level);
      double[] positive = new double[hierarchy.labelCount(level)];
      double[] negative = new double[hierarchy.labelCount(level)];
      double[] next = new double[hierarchy.labelCount(level)];
      for (int child = 0; child < extra.length; child++) {
        if (extra[child] > 0) {
          positive[parent[child]] += extra[child];
        } else {
          negative[parent[child]] -= extra[child];
        }
        next[parent[child]] += extra[child];
      }
      for (int n = 0; n < next.length; n++) {
        cost += (double) level / height * Math.min(positive[n], negative[n]);
      }
      extra = next;
    }
    return cost;
  }
}

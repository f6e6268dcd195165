package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Local recoding by Mondrian-style multidimensional partitioning (LeFevre, DeWitt, Ramakrishnan,
 * ICDE 2006), constrained to hierarchies so that labels stay readable: the histogram's rows are
 * split recursively, on the attribute whose values span the largest share of its domain, at the
 * median record, as long as both halves satisfy every privacy model. Each final partition is one
 * equivalence class; each attribute is labelled with the lowest hierarchy level at which all of
 * the partition's values agree. Different partitions may so use different levels for the same
 * attribute, which is what gives local recoding its better utility.
 */
public final class LocalRecoding {
  private final TupleHistogram h;
  private final List<PrivacyModel> models;
  private final SensitiveContext context;
  private final List<int[]> partitions = new ArrayList<>();

  LocalRecoding(TupleHistogram h, List<PrivacyModel> models, SensitiveContext context) {
    this.h = h;
    this.models = models;
    this.context = context;
  }

  /** The partitions, as arrays of histogram row indexes. */
  public static List<int[]> partition(TupleHistogram h, List<PrivacyModel> models, SensitiveContext context) {
    LocalRecoding r = new LocalRecoding(h, models, context);
    int[] all = new int[h.rows()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    r.split(all);
    return r.partitions;
  }

  /** Whether a set of rows, as one class, satisfies every model. */
  boolean satisfies(int[] rows) {
    long size = 0;
    long[] distribution = h.hasSensitive() ? new long[h.sensitiveValues().size()] : null;
    for (int r : rows) {
      size += h.count(r);
      if (distribution != null) {
        distribution[h.sensitive(r)] += h.count(r);
      }
    }
    EquivalenceClasses one = EquivalenceClasses.single(h.dimensions(), size, distribution);
    for (PrivacyModel m : models) {
      if (!m.satisfied(one, 0, context)) {
        return false;
      }
    }
    return true;
  }

  private void split(int[] rows) {
    Integer[] order = dimensionsByNormalizedSpan(rows);
    for (int d : order) {
      int[][] halves = medianSplit(rows, d);
      if (halves != null && satisfies(halves[0]) && satisfies(halves[1])) {
        split(halves[0]);
        split(halves[1]);
        return;
      }
    }
    partitions.add(rows);
  }

  private Integer[] dimensionsByNormalizedSpan(int[] rows) {
    int dims = h.dimensions();
    double[] span = new double[dims];
    for (int d = 0; d < dims; d++) {
      int min = Integer.MAX_VALUE;
      int max = Integer.MIN_VALUE;
      for (int r : rows) {
        int c = h.code(r, d);
        min = Math.min(min, c);
        max = Math.max(max, c);
      }
      span[d] = (max - min) / (double) Math.max(1, h.hierarchies()[d].valueCount() - 1);
    }
    Integer[] order = new Integer[dims];
    for (int d = 0; d < dims; d++) {
      order[d] = d;
    }
    Arrays.sort(order, (a, b) -> Double.compare(span[b], span[a]));
    return order;
  }

  /** Splits rows at the median record by their value's position in the hierarchy; null if all share one value. */
  private int[][] medianSplit(int[] rows, int d) {
    int[] sorted = Arrays.stream(rows).boxed().sorted((a, b) -> Integer.compare(h.code(a, d), h.code(b, d)))
        .mapToInt(Integer::intValue).toArray();
    if (h.code(sorted[0], d) == h.code(sorted[sorted.length - 1], d)) {
      return null;
    }
    long total = 0;
    for (int r : sorted) {
      total += h.count(r);
    }
    long seen = 0;
    int cut = 0;
    while (cut < sorted.length && seen + h.count(sorted[cut]) <= total / 2) {
      seen += h.count(sorted[cut]);
      cut++;
    }
    // Keep equal values together, and never leave a half empty.
    while (cut > 0 && cut < sorted.length && h.code(sorted[cut], d) == h.code(sorted[cut - 1], d)) {
      cut++;
    }
    if (cut >= sorted.length) {
      cut = sorted.length - 1;
      while (cut > 0 && h.code(sorted[cut], d) == h.code(sorted[cut - 1], d)) {
        cut--;
      }
    }
    if (cut == 0) {
      return null;
    }
    return new int[][] {Arrays.copyOfRange(sorted, 0, cut), Arrays.copyOfRange(sorted, cut, sorted.length)};
  }

  /** The lowest level at which every row of the partition has the same label for attribute {@code d}. */
  static int commonLevel(TupleHistogram h, int[] rows, int d) {
    Hierarchy hierarchy = h.hierarchies()[d];
    for (int level = 0; level < hierarchy.height(); level++) {
      int label = hierarchy.labelIndex(h.code(rows[0], d), level);
      boolean same = true;
      for (int r : rows) {
        if (hierarchy.labelIndex(h.code(r, d), level) != label) {
          same = false;
          break;
        }
      }
      if (same) {
        return level;
      }
    }
    return hierarchy.height() - 1;
  }
}

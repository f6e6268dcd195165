package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The input of the anonymization search: the distinct (quasi-identifier tuple, sensitive value)
 * combinations of a table with their record counts. Its size is bounded by the number of distinct
 * combinations, never by the number of records, so it is what the driver holds for any table size.
 * Quasi-identifier values are encoded as hierarchy row codes, sensitive values as indexes into
 * {@link #sensitiveValues()}.
 */
public final class TupleHistogram {
  private final Hierarchy[] hierarchies;
  /** Column-major: one array of hierarchy codes per quasi-identifier, so a search scans each dimension sequentially. */
  private final int[][] codes;
  private final int[] sensitive;
  private final long[] counts;
  private final List<String> sensitiveValues;
  private final long records;

  private TupleHistogram(Hierarchy[] hierarchies, int[][] codes, int[] sensitive, long[] counts, List<String> sensitiveValues) {
    this.hierarchies = hierarchies;
    this.codes = codes;
    this.sensitive = sensitive;
    this.counts = counts;
    this.sensitiveValues = sensitiveValues;
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    this.records = total;
  }

  public Hierarchy[] hierarchies() {
    return hierarchies;
  }

  public int dimensions() {
    return hierarchies.length;
  }

  public int rows() {
    return counts.length;
  }

  public long records() {
    return records;
  }

  public int code(int row, int dimension) {
    return codes[dimension][row];
  }

  /** The hierarchy codes of every row in one dimension; callers must not modify it. */
  int[] codes(int dimension) {
    return codes[dimension];
  }

  /**
   * A histogram from already encoded rows: {@code codes[d][r]} is row r's code in hierarchy d,
   * {@code sensitive[r]} its index into {@code sensitiveValues} (null without a sensitive attribute).
   * The arrays are taken over, not copied.
   */
  public static TupleHistogram of(Hierarchy[] hierarchies, int[][] codes, int[] sensitive, long[] counts,
      List<String> sensitiveValues) {
    if (codes.length != hierarchies.length) {
      throw new IllegalArgumentException("codes for " + codes.length + " dimensions, hierarchies for " + hierarchies.length);
    }
    for (int d = 0; d < codes.length; d++) {
      if (codes[d].length != counts.length) {
        throw new IllegalArgumentException("dimension " + d + " has " + codes[d].length + " codes for " + counts.length + " rows");
      }
      for (int code : codes[d]) {
        if (code < 0 || code >= hierarchies[d].valueCount()) {
          throw new IllegalArgumentException("code " + code + " is outside the hierarchy of " + hierarchies[d].attribute());
        }
      }
    }
    return new TupleHistogram(hierarchies, codes, sensitive, counts, sensitiveValues == null ? List.of() : List.copyOf(sensitiveValues));
  }

  public long count(int row) {
    return counts[row];
  }

  /** The row's sensitive value index, or -1 when there is no sensitive attribute. */
  public int sensitive(int row) {
    return sensitive == null ? -1 : sensitive[row];
  }

  public boolean hasSensitive() {
    return sensitive != null;
  }

  public List<String> sensitiveValues() {
    return sensitiveValues;
  }

  /** Collects rows of (quasi-identifier values..., sensitive value or absent, count). */
  public static Builder builder(Hierarchy[] hierarchies, boolean withSensitive) {
    return new Builder(hierarchies, withSensitive);
  }

  public static final class Builder {
    private final Hierarchy[] hierarchies;
    private final boolean withSensitive;
    private final List<int[]> tuples = new ArrayList<>();
    private final List<Integer> sensitive = new ArrayList<>();
    private final List<Long> counts = new ArrayList<>();
    private final Map<String, Integer> sensitiveIndex = new LinkedHashMap<>();
    private final Map<Integer, Set<String>> uncovered = new LinkedHashMap<>();

    private Builder(Hierarchy[] hierarchies, boolean withSensitive) {
      this.hierarchies = hierarchies;
      this.withSensitive = withSensitive;
    }

    public Builder add(String[] quasiValues, String sensitiveValue, long count) {
      int[] tuple = new int[hierarchies.length];
      for (int d = 0; d < hierarchies.length; d++) {
        tuple[d] = hierarchies[d].code(quasiValues[d]);
        if (tuple[d] < 0) {
          uncovered.computeIfAbsent(d, x -> new TreeSet<>()).add(String.valueOf(quasiValues[d]));
        }
      }
      tuples.add(tuple);
      counts.add(count);
      if (withSensitive) {
        sensitive.add(sensitiveIndex.computeIfAbsent(String.valueOf(sensitiveValue), v -> sensitiveIndex.size()));
      }
      return this;
    }

    /** Throws {@link InvalidHierarchyException} listing the values a hierarchy does not cover. */
    public TupleHistogram build() {
      if (!uncovered.isEmpty()) {
        Map.Entry<Integer, Set<String>> first = uncovered.entrySet().iterator().next();
        List<String> problems = new ArrayList<>();
        List<String> examples = new ArrayList<>();
        uncovered.forEach((d, values) -> {
          problems.add(values.size() + " value(s) of '" + hierarchies[d].attribute() + "' not covered by the hierarchy");
          values.stream().limit(20).forEach(examples::add);
        });
        throw new InvalidHierarchyException(hierarchies[first.getKey()].attribute(), problems, examples);
      }
      int dims = hierarchies.length;
      int[][] codes = new int[dims][tuples.size()];
      long[] c = new long[tuples.size()];
      for (int r = 0; r < tuples.size(); r++) {
        for (int d = 0; d < dims; d++) {
          codes[d][r] = tuples.get(r)[d];
        }
        c[r] = counts.get(r);
      }
      int[] s = withSensitive ? sensitive.stream().mapToInt(Integer::intValue).toArray() : null;
      return new TupleHistogram(hierarchies, codes, s, c, List.copyOf(sensitiveIndex.keySet()));
    }
  }
}

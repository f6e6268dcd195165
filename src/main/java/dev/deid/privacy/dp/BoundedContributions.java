package dev.deid.privacy.dp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Contribution bounding and the exact statistics of what it keeps, one privacy unit at a time.
 * Rows arrive grouped by a hash of their unit: all rows of the units that share a hash one after
 * the other, in any order, so a sort by the hash alone suffices; units whose hashes collide are
 * still told apart by the unit itself. Of each
 * unit, at most {@code maxRowsPerGroup} rows per group are kept, by reservoir sampling, and at most
 * {@code maxGroups} of its groups, uniformly at random; a unit's choices come from a generator
 * seeded with the run's secret seed and the unit alone, so they never depend on other units or on
 * the order in which partitions are processed. The sensitivity argument needs only that each unit
 * keeps within its bounds; the randomness keeps which rows count independent of their values.
 *
 * <p>A missing or NaN value counts as the aggregate's lower bound, as a clamp that ignores it would.
 */
public final class BoundedContributions {
  private final List<Aggregate> aggregates;
  private final ContributionBounds bounds;
  private final long seed;
  private final int sumCount;
  private final int quantileCount;
  /** Per fixed-point sum, in order: its aggregate, its term and the magnitude it is clamped to. */
  private final int[] sumAggregate;
  private final Aggregate.SumTerm[] sumTerm;
  private final long[] sumMax;
  private final Map<List<String>, Totals> groups = new HashMap<>();

  private long unitHash;
  /** The units of the current hash, nearly always one. */
  private final Map<String, UnitRows> open = new LinkedHashMap<>();
  private String lastUnit;
  private UnitRows lastRows;

  public BoundedContributions(List<Aggregate> aggregates, ContributionBounds bounds, long seed) {
    this.aggregates = List.copyOf(aggregates);
    this.bounds = bounds;
    this.seed = seed;
    this.sumCount = aggregates.stream().mapToInt(a -> a.sumTerms().size()).sum();
    this.quantileCount = (int) aggregates.stream().filter(a -> a.kind() == Aggregate.Kind.QUANTILES).count();
    this.sumAggregate = new int[sumCount];
    this.sumTerm = new Aggregate.SumTerm[sumCount];
    this.sumMax = new long[sumCount];
    int s = 0;
    for (int a = 0; a < aggregates.size(); a++) {
      for (Aggregate.SumTerm term : aggregates.get(a).sumTerms()) {
        sumAggregate[s] = a;
        sumTerm[s] = term;
        sumMax[s++] = aggregates.get(a).maxAbsFixedPoint(term).longValueExact();
      }
    }
  }

  /**
   * One input row: its unit, its group key and one value per aggregate (in the release's order;
   * ignored for counts). A unit must not reappear once another unit's rows have started.
   */
  public void add(String unit, List<String> group, double[] values) {
    add(hash64(unit), unit, group, values);
  }

  /**
   * One input row with its unit's hash, which may be any function of the unit. A unit must not
   * reappear once rows of another hash have started.
   */
  public void add(long unitHash, String unit, List<String> group, double[] values) {
    if (!unit.equals(lastUnit)) {
      if (unitHash != this.unitHash || open.isEmpty()) {
        finishUnits();
        this.unitHash = unitHash;
      }
      lastRows = open.computeIfAbsent(unit, u -> new UnitRows(new SplittableRandom(seed ^ hash64(u))));
      lastUnit = unit;
    }
    lastRows.groups.computeIfAbsent(group, g -> new Reservoir(bounds.maxRowsPerGroup())).offer(values, lastRows.random);
  }

  /** The exact statistics of every group seen, after bounding; the accumulator is empty afterwards. */
  public List<GroupStatistics> finish() {
    finishUnits();
    List<GroupStatistics> result = new ArrayList<>(groups.size());
    groups.forEach((key, t) -> result.add(new GroupStatistics(key, t.rows, t.units, t.sums, t.histograms)));
    groups.clear();
    return result;
  }

  /** The sum of two partial statistics of the same group (from different partitions' units). */
  public static GroupStatistics plus(GroupStatistics a, GroupStatistics b) {
    long[] sums = a.sums().clone();
    for (int i = 0; i < sums.length; i++) {
      sums[i] += b.sums()[i];
    }
    long[][] histograms = new long[a.histograms().length][];
    for (int q = 0; q < histograms.length; q++) {
      histograms[q] = a.histograms()[q].clone();
      for (int bin = 0; bin < histograms[q].length; bin++) {
        histograms[q][bin] += b.histograms()[q][bin];
      }
    }
    return new GroupStatistics(a.key(), a.rows() + b.rows(), a.units() + b.units(), sums, histograms);
  }

  /** The bin of [lower, upper] a value falls into for a QUANTILES aggregate. */
  public static int bin(Aggregate a, double value) {
    double clamped = clampedValue(a, value);
    int bin = (int) Math.floor((clamped - a.lower()) / (a.upper() - a.lower()) * Aggregate.QUANTILE_BINS);
    return Math.min(bin, Aggregate.QUANTILE_BINS - 1);
  }

  /**
   * One row's fixed-point term, clamped to the magnitude the sensitivity assumes, so the bound
   * holds whatever floating-point rounding did.
   */
  private static long fixedPointTerm(Aggregate a, Aggregate.SumTerm term, double value, long max) {
    long fixed = Math.round(a.term(term, clampedValue(a, value)) * Aggregate.FIXED_POINT);
    return Math.max(-max, Math.min(max, fixed));
  }

  private static double clampedValue(Aggregate a, double value) {
    return Double.isNaN(value) ? a.lower() : Math.min(a.upper(), Math.max(a.lower(), value));
  }

  private void finishUnits() {
    open.values().forEach(this::finishUnit);
    open.clear();
    lastUnit = null;
    lastRows = null;
  }

  private void finishUnit(UnitRows unit) {
    List<Map.Entry<List<String>, Reservoir>> chosen = new ArrayList<>(unit.groups.entrySet());
    int keep = Math.min(bounds.maxGroups(), chosen.size());
    // A partial Fisher-Yates shuffle: the first `keep` entries are a uniform choice of groups.
    for (int i = 0; i < keep; i++) {
      int j = i + unit.random.nextInt(chosen.size() - i);
      Map.Entry<List<String>, Reservoir> swap = chosen.get(i);
      chosen.set(i, chosen.get(j));
      chosen.set(j, swap);
    }
    for (int i = 0; i < keep; i++) {
      Totals totals = groups.computeIfAbsent(chosen.get(i).getKey(), k -> new Totals(sumCount, quantileCount));
      totals.add(chosen.get(i).getValue());
    }
  }

  /** One unit's rows so far, by group, and the generator of its choices. */
  private record UnitRows(SplittableRandom random, Map<List<String>, Reservoir> groups) {
    UnitRows(SplittableRandom random) {
      this(random, new LinkedHashMap<>());
    }
  }

  /** A 64-bit FNV-1a hash of the unit: a seed for its generator, not a security boundary. */
  private static long hash64(String unit) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < unit.length(); i++) {
      h ^= unit.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** Up to {@code capacity} rows of one unit in one group, a uniform sample of those offered. */
  private static final class Reservoir {
    final double[][] kept;
    int size;
    long seen;

    Reservoir(int capacity) {
      kept = new double[capacity][];
    }

    void offer(double[] values, SplittableRandom random) {
      seen++;
      if (size < kept.length) {
        kept[size++] = values;
      } else {
        long j = random.nextLong(seen);
        if (j < kept.length) {
          kept[(int) j] = values;
        }
      }
    }
  }

  private final class Totals {
    long rows;
    long units;
    final long[] sums;
    final long[][] histograms;

    Totals(int sums, int quantiles) {
      this.sums = new long[sums];
      this.histograms = new long[quantiles][Aggregate.QUANTILE_BINS];
    }

    void add(Reservoir reservoir) {
      units++;
      rows += reservoir.size;
      for (int r = 0; r < reservoir.size; r++) {
        double[] values = reservoir.kept[r];
        for (int s = 0; s < sums.length; s++) {
          int a = sumAggregate[s];
          sums[s] += fixedPointTerm(aggregates.get(a), sumTerm[s], values[a], sumMax[s]);
        }
        int q = 0;
        for (int a = 0; q < histograms.length; a++) {
          if (aggregates.get(a).kind() == Aggregate.Kind.QUANTILES) {
            histograms[q++][bin(aggregates.get(a), values[a])]++;
          }
        }
      }
    }
  }
}

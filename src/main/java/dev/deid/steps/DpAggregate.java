package dev.deid.steps;

import dev.deid.config.ReleaseSpec;
import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.BoundedContributions;
import dev.deid.privacy.dp.ContributionBounds;
import dev.deid.privacy.dp.GroupStatistics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/**
 * Contribution bounding and exact per-group statistics for a DP release, in Spark: the group keys
 * a release's spec defines, and the one shuffle that brings each privacy unit's rows together so
 * {@link BoundedContributions} can bound them. What reaches the driver is one row per group.
 */
public final class DpAggregate {
  public static final String NULL_KEY = "(null)";

  private DpAggregate() {}

  public static List<Column> groupColumns(ReleaseSpec release) {
    List<Column> keys = new ArrayList<>();
    for (int g = 0; g < release.groupBy().size(); g++) {
      String[] parts = release.groupBy().get(g).split(":");
      Column c = functions.col("`" + parts[0] + "`");
      if (parts.length > 1) {
        String pattern = switch (parts[1]) {
          case "day" -> "yyyy-MM-dd";
          case "year" -> "yyyy";
          default -> "yyyy-MM";
        };
        c = functions.date_format(c, pattern);
      }
      keys.add(functions.coalesce(c.cast("string"), functions.lit(NULL_KEY)).as(groupName(release, g)));
    }
    return keys;
  }

  public static String groupName(ReleaseSpec release, int g) {
    return release.groupBy().get(g).replace(':', '_');
  }

  /**
   * Exact statistics of every group after contribution bounding, in one shuffle of the input's
   * rows: they are partitioned and sorted by privacy unit, each partition bounds its units and sums
   * what they keep per group ({@link BoundedContributions}), and only those per-partition totals,
   * one per group, cross the network again. The seed is the run's secret; see
   * {@link BoundedContributions} for how it chooses rows.
   */
  public static List<GroupStatistics> statistics(Dataset<Row> input, ReleaseSpec release, long seed) {
    List<Column> select = new ArrayList<>();
    select.add(functions.col("`" + release.privacyUnit() + "`").cast("string").as("deid_unit"));
    select.addAll(groupColumns(release));
    for (int a = 0; a < release.aggregates().size(); a++) {
      String column = release.aggregates().get(a).column();
      select.add(column == null ? functions.lit(null).cast("double").as("deid_value_" + a)
          : functions.col("`" + column + "`").cast("double").as("deid_value_" + a));
    }
    // Sorting by a hash of the unit first lets nearly every comparison end on the sort's 8-byte prefix
    // (identifiers often share theirs); the unit itself, second, keeps colliding units apart.
    select.add(functions.xxhash64(functions.col("`" + release.privacyUnit() + "`").cast("string")).as("deid_unit_hash"));
    Dataset<Row> rows = input.select(select.toArray(Column[]::new)).filter(functions.col("deid_unit").isNotNull())
        .repartition(functions.col("deid_unit_hash"))
        .sortWithinPartitions("deid_unit_hash", "deid_unit");
    BoundPartition bound = new BoundPartition(release.aggregates(), release.bounds(), seed, release.groupBy().size());
    List<GroupStatistics> groups = new ArrayList<>(
        rows.toJavaRDD().mapPartitionsToPair(bound).reduceByKey(BoundedContributions::plus).values().collect());
    // In key order, so that two runs on the same data release their groups in the same order.
    groups.sort((a, b) -> compareKeys(a.key(), b.key()));
    return groups;
  }

  private static int compareKeys(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  /** Bounds the units of one partition (sorted by unit) and emits its per-group totals. */
  private record BoundPartition(List<Aggregate> aggregates, ContributionBounds bounds, long seed, int keys)
      implements PairFlatMapFunction<Iterator<Row>, List<String>, GroupStatistics> {
    @Override
    public Iterator<Tuple2<List<String>, GroupStatistics>> call(Iterator<Row> rows) {
      BoundedContributions contributions = new BoundedContributions(aggregates, bounds, seed);
      while (rows.hasNext()) {
        Row row = rows.next();
        String[] group = new String[keys];
        for (int g = 0; g < keys; g++) {
          group[g] = row.getString(1 + g);
        }
        double[] values = new double[aggregates.size()];
        for (int a = 0; a < values.length; a++) {
          values[a] = row.isNullAt(1 + keys + a) ? Double.NaN : row.getDouble(1 + keys + a);
        }
        contributions.add(row.getString(0), List.of(group), values);
      }
      List<Tuple2<List<String>, GroupStatistics>> totals = new ArrayList<>();
      for (GroupStatistics g : contributions.finish()) {
        totals.add(new Tuple2<>(g.key(), g));
      }
      return totals.iterator();
    }
  }

  /** Public groups: exactly the declared groups, with zero statistics where the data has none. */
  public static List<GroupStatistics> onlyPublicGroups(List<GroupStatistics> found, ReleaseSpec release) {
    Map<List<String>, GroupStatistics> byKey = new HashMap<>();
    found.forEach(g -> byKey.put(g.key(), g));
    int sums = release.aggregates().stream().mapToInt(a -> a.sumTerms().size()).sum();
    List<GroupStatistics> result = new ArrayList<>();
    for (List<String> key : release.publicGroups()) {
      result.add(byKey.getOrDefault(key, new GroupStatistics(key, 0, 0, new long[sums], emptyHistograms(release))));
    }
    return result;
  }

  private static long[][] emptyHistograms(ReleaseSpec release) {
    return release.aggregates().stream().filter(a -> a.kind() == Aggregate.Kind.QUANTILES)
        .map(a -> new long[Aggregate.QUANTILE_BINS]).toArray(long[][]::new);
  }
}

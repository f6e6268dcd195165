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
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.functions;
import org.apache.spark.unsafe.types.UTF8String;
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
   * Exact statistics of every group after contribution bounding, in at most one shuffle of the
   * input's rows: they are brought to their units ({@link #unitsTogether}), each partition bounds
   * its units and sums what they keep per group ({@link BoundedContributions}), and only those
   * per-partition totals, one per group, cross the network again. The seed is the run's secret;
   * see {@link BoundedContributions} for how it chooses rows.
   */
  public static List<GroupStatistics> statistics(Dataset<Row> input, ReleaseSpec release, long seed) {
    UnitRows rows = unitsTogether(input, release);
    BoundPartition bound = new BoundPartition(release.aggregates(), release.bounds(), seed, release.groupBy().size(),
        rows.valueField());
    // Spark's internal rows, not Rows: converting every row to a Row costs as much as the bounding.
    List<GroupStatistics> groups = new ArrayList<>(rows.rows().queryExecution().toRdd().toJavaRDD()
        .mapPartitionsToPair(bound).reduceByKey(BoundedContributions::plus).values().collect());
    // In key order, so that two runs on the same data release their groups in the same order.
    groups.sort((a, b) -> compareKeys(a.key(), b.key()));
    return groups;
  }

  /** The rows a release reads and, per aggregate, the field of its value (-1 for a count). */
  public record UnitRows(Dataset<Row> rows, int[] valueField) {}

  /**
   * The rows a release reads, each unit's in one partition, sorted by the unit's hash. They are
   * partitioned by the unit's hash and the unit, the keys of {@link ConsentFilter}'s semi-join in
   * its order: after that join on the unit, Spark plans no second shuffle of the same rows.
   */
  public static UnitRows unitsTogether(Dataset<Row> input, ReleaseSpec release) {
    int[] valueField = new int[release.aggregates().size()];
    Column unit = functions.col("`" + release.privacyUnit() + "`").cast("string");
    List<Column> select = new ArrayList<>();
    select.add(functions.xxhash64(unit).as("deid_unit_hash"));
    select.add(unit.as("deid_unit"));
    select.addAll(groupColumns(release));
    for (int a = 0; a < valueField.length; a++) {
      String column = release.aggregates().get(a).column();
      // A count reads no value, so none crosses the shuffle for it.
      valueField[a] = column == null ? -1 : select.size();
      if (column != null) {
        select.add(functions.col("`" + column + "`").cast("double").as("deid_value_" + a));
      }
    }
    // The hash alone as sort key: it fits the sort's 8-byte prefix, so the rows are radix-sorted
    // without a single comparison of units, which BoundedContributions tells apart itself.
    Dataset<Row> rows = input.select(select.toArray(Column[]::new)).filter(functions.col("deid_unit").isNotNull())
        .repartition(functions.col("deid_unit_hash"), functions.col("deid_unit"))
        .sortWithinPartitions("deid_unit_hash");
    return new UnitRows(rows, valueField);
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

  /** Bounds the units of one partition (sorted by unit hash) and emits its per-group totals. */
  private record BoundPartition(List<Aggregate> aggregates, ContributionBounds bounds, long seed, int keys, int[] valueField)
      implements PairFlatMapFunction<Iterator<InternalRow>, List<String>, GroupStatistics> {
    @Override
    public Iterator<Tuple2<List<String>, GroupStatistics>> call(Iterator<InternalRow> rows) {
      BoundedContributions contributions = new BoundedContributions(aggregates, bounds, seed);
      UTF8String lastUnit = null;
      String unit = null;
      while (rows.hasNext()) {
        InternalRow row = rows.next();
        UTF8String rowUnit = row.getUTF8String(1);
        // The same String for a unit's every row lets the accumulator recognize it without comparing.
        if (!rowUnit.equals(lastUnit)) {
          lastUnit = rowUnit.clone();
          unit = rowUnit.toString();
        }
        String[] group = new String[keys];
        for (int g = 0; g < keys; g++) {
          group[g] = row.getUTF8String(2 + g).toString();
        }
        double[] values = new double[valueField.length];
        for (int a = 0; a < values.length; a++) {
          values[a] = valueField[a] < 0 || row.isNullAt(valueField[a]) ? Double.NaN : row.getDouble(valueField[a]);
        }
        contributions.add(row.getLong(0), unit, List.of(group), values);
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

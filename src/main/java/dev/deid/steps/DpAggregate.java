package dev.deid.steps;

import dev.deid.config.ReleaseSpec;
import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.GroupStatistics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.functions;

/**
 * Contribution bounding and exact per-group statistics for a DP release, in Spark. Each privacy
 * unit keeps at most {@code maxRowsPerGroup} rows in each group and at most {@code maxGroupsPerUnit}
 * groups, chosen uniformly at random (a keyed hash of a per-run secret seed orders them), so that
 * which rows are kept does not depend on their values. Numeric values are clamped to their bounds.
 * What it collects to the driver is one row per group (and per group and bin for quantiles).
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
   * One row per (privacy unit, group) that survives contribution bounding, with {@code deid_rows}
   * (at most maxRowsPerGroup) and the kept rows' values in {@code deid_kept}. Rows within a pair
   * and groups within a unit are chosen by a keyed hash of a per-run secret seed, i.e. uniformly
   * at random and independently of their values. One aggregation by (unit, group) and one window
   * over those pairs: no sort of the rows themselves.
   */
  public static Dataset<Row> boundedPairs(Dataset<Row> input, ReleaseSpec release, long seed) {
    List<Column> select = new ArrayList<>();
    select.add(functions.col("`" + release.privacyUnit() + "`").cast("string").as("deid_unit"));
    select.addAll(groupColumns(release));
    List<String> valueColumns = new ArrayList<>();
    for (Aggregate a : release.aggregates()) {
      String name = "deid_value_" + a.column();
      if (a.column() != null && !valueColumns.contains(name)) {
        select.add(functions.col("`" + a.column() + "`").cast("double").as(name));
        valueColumns.add(name);
      }
    }
    // The order key is computed in a projection: Spark refuses nondeterministic input to an aggregate.
    select.add(functions.xxhash64(functions.lit(seed), functions.monotonically_increasing_id()).as("deid_order"));
    Dataset<Row> rows = input.select(select.toArray(Column[]::new)).filter(functions.col("deid_unit").isNotNull());
    Column[] unitAndGroup = new Column[release.groupBy().size() + 1];
    unitAndGroup[0] = functions.col("deid_unit");
    for (int g = 0; g < release.groupBy().size(); g++) {
      unitAndGroup[g + 1] = functions.col(groupName(release, g));
    }
    List<Column> entry = new ArrayList<>();
    entry.add(functions.col("deid_order"));
    valueColumns.forEach(v -> entry.add(functions.col(v)));
    Column kept = functions.slice(functions.sort_array(functions.collect_list(functions.struct(entry.toArray(Column[]::new)))),
        1, release.bounds().maxRowsPerGroup());
    Column[] hashInputs = new Column[unitAndGroup.length + 1];
    hashInputs[0] = functions.lit(seed + 1);
    System.arraycopy(unitAndGroup, 0, hashInputs, 1, unitAndGroup.length);
    return rows.groupBy(unitAndGroup).agg(kept.as("deid_kept"))
        .withColumn("deid_rows", functions.size(functions.col("deid_kept")))
        .withColumn("deid_group_rank", functions.row_number().over(Window.partitionBy(functions.col("deid_unit"))
            .orderBy(functions.xxhash64(hashInputs))))
        .filter(functions.col("deid_group_rank").leq(release.bounds().maxGroups()))
        .drop("deid_group_rank");
  }

  /** The kept rows of bounded pairs: deid_unit, the group keys and deid_value_* columns (for quantile bins). */
  private static Dataset<Row> explode(Dataset<Row> pairs, ReleaseSpec release) {
    List<Column> columns = new ArrayList<>();
    columns.add(functions.col("deid_unit"));
    for (int g = 0; g < release.groupBy().size(); g++) {
      columns.add(functions.col(groupName(release, g)));
    }
    columns.add(functions.explode(functions.col("deid_kept")).as("deid_row"));
    Dataset<Row> exploded = pairs.select(columns.toArray(Column[]::new));
    for (Aggregate a : release.aggregates()) {
      if (a.column() != null && !java.util.Arrays.asList(exploded.columns()).contains("deid_value_" + a.column())) {
        exploded = exploded.withColumn("deid_value_" + a.column(), functions.col("deid_row.deid_value_" + a.column()));
      }
    }
    return exploded.drop("deid_row");
  }

  /** Exact statistics of every group, from the bounded (unit, group) pairs. */
  public static List<GroupStatistics> statistics(Dataset<Row> pairs, ReleaseSpec release) {
    int keys = release.groupBy().size();
    Column[] group = new Column[keys];
    for (int g = 0; g < keys; g++) {
      group[g] = functions.col(groupName(release, g));
    }
    List<Column> aggs = new ArrayList<>();
    aggs.add(functions.count(functions.lit(1)).as("deid_units"));
    int sums = 0;
    for (Aggregate a : release.aggregates()) {
      for (Aggregate.SumTerm term : a.sumTerms()) {
        aggs.add(functions.sum(pairSum(a, term)).as("deid_sum_" + sums++));
      }
    }
    List<Row> rows = pairs.groupBy(group).agg(functions.sum("deid_rows").as("deid_rows"),
        aggs.toArray(Column[]::new)).collectAsList();
    boolean quantiles = release.aggregates().stream().anyMatch(a -> a.kind() == Aggregate.Kind.QUANTILES);
    Map<List<String>, long[][]> histograms = quantiles ? histograms(explode(pairs, release), release, group) : Map.of();
    List<GroupStatistics> result = new ArrayList<>();
    for (Row r : rows) {
      List<String> key = new ArrayList<>();
      for (int g = 0; g < keys; g++) {
        key.add(r.getString(g));
      }
      long[] s = new long[sums];
      for (int i = 0; i < sums; i++) {
        s[i] = r.isNullAt(keys + 2 + i) ? 0 : r.getLong(keys + 2 + i);
      }
      result.add(new GroupStatistics(key, r.getLong(keys), r.getLong(keys + 1), s,
          histograms.getOrDefault(key, emptyHistograms(release))));
    }
    return result;
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

  /**
   * The fixed-point sum of one (unit, group) pair's kept rows for one term: each row's term as
   * {@link Aggregate#term} defines it, rounded to hundredths and clamped to the magnitude the
   * sensitivity assumes.
   */
  private static Column pairSum(Aggregate a, Aggregate.SumTerm term) {
    long max = a.maxAbsFixedPoint(term).longValueExact();
    double middle = a.middle();
    double halfSquare = a.halfWidth() * a.halfWidth() / 2;
    return functions.aggregate(functions.col("deid_kept"), functions.lit(0L), (acc, x) -> {
      Column clamped = functions.least(functions.greatest(x.getField("deid_value_" + a.column()), functions.lit(a.lower())),
          functions.lit(a.upper()));
      Column value = switch (term) {
        case VALUE -> clamped;
        case CENTRED -> clamped.minus(middle);
        case CENTRED_SQUARE -> clamped.minus(middle).multiply(clamped.minus(middle)).minus(halfSquare);
      };
      Column fixed = functions.round(value.multiply(Aggregate.FIXED_POINT)).cast("long");
      return acc.plus(functions.least(functions.greatest(fixed, functions.lit(-max)), functions.lit(max)));
    });
  }

  private static Column clamped(Aggregate a) {
    return functions.least(functions.greatest(functions.col("deid_value_" + a.column()), functions.lit(a.lower())),
        functions.lit(a.upper()));
  }

  private static long[][] emptyHistograms(ReleaseSpec release) {
    return release.aggregates().stream().filter(a -> a.kind() == Aggregate.Kind.QUANTILES)
        .map(a -> new long[Aggregate.QUANTILE_BINS]).toArray(long[][]::new);
  }

  private static Map<List<String>, long[][]> histograms(Dataset<Row> bounded, ReleaseSpec release, Column[] group) {
    Map<List<String>, long[][]> result = new LinkedHashMap<>();
    List<Aggregate> quantiles = release.aggregates().stream().filter(a -> a.kind() == Aggregate.Kind.QUANTILES).toList();
    for (int qi = 0; qi < quantiles.size(); qi++) {
      Aggregate a = quantiles.get(qi);
      Column bin = functions.least(functions.floor(clamped(a).minus(a.lower()).divide(a.upper() - a.lower())
          .multiply(Aggregate.QUANTILE_BINS)).cast("int"), functions.lit(Aggregate.QUANTILE_BINS - 1));
      Column[] by = java.util.Arrays.copyOf(group, group.length + 1);
      by[group.length] = bin.as("deid_bin");
      for (Row r : bounded.groupBy(by).count().collectAsList()) {
        List<String> key = new ArrayList<>();
        for (int g = 0; g < group.length; g++) {
          key.add(r.getString(g));
        }
        long[][] h = result.computeIfAbsent(key, k -> emptyHistograms(release));
        h[qi][r.getInt(group.length)] += r.getLong(group.length + 1);
      }
    }
    return result;
  }
}

package dev.deid.steps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.config.OutputFormat;
import dev.deid.config.ReleaseSpec;
import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.ContributionBounds;
import dev.deid.privacy.dp.GroupStatistics;
import dev.deid.privacy.dp.NoisyRelease;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Contribution bounding through Spark's shuffle, against the same query without it. */
class DpAggregateTest {
  static final SparkSession spark = TestSpark.session();

  static Dataset<Row> orders() {
    return ordersInOnePlace().repartition(4);
  }

  static Dataset<Row> ordersInOnePlace() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType).add("region", DataTypes.StringType)
        .add("order_ts", DataTypes.TimestampType).add("amount", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int c = 0; c < 300; c++) {
      for (int o = 0; o < 1 + c % 3; o++) {
        rows.add(RowFactory.create("c" + c, c % 4 == 0 ? null : "r" + (c % 4), Timestamp.valueOf("2026-0" + (1 + o) + "-15 10:00:00"),
            c % 7 == 0 ? null : (double) (c % 50)));
      }
    }
    rows.add(RowFactory.create(null, "r1", Timestamp.valueOf("2026-01-15 10:00:00"), 1.0)); // no unit: never counted
    return spark.createDataFrame(rows, schema);
  }

  static ReleaseSpec release(ContributionBounds bounds) {
    return new ReleaseSpec(0, "r", "orders", "analysts", "analytics", "customer_id", List.of("region", "order_ts:month"), null,
        bounds, 1.0, 1e-6, NoisyRelease.Noise.LAPLACE, List.of(new Aggregate(Aggregate.Kind.COUNT, null, 0, 0, List.of()),
            new Aggregate(Aggregate.Kind.SUM, "amount", 0, 40, List.of())), OutputFormat.DELTA);
  }

  @Test
  void boundsThatDoNotBind_giveThePlainAggregate() {
    List<GroupStatistics> groups = DpAggregate.statistics(orders(), release(new ContributionBounds(10, 10)), 5);
    orders().createOrReplaceTempView("dp_aggregate_orders");
    List<Row> plain = spark.sql("SELECT coalesce(region, '(null)') AS region, date_format(order_ts, 'yyyy-MM') AS month, count(*),"
        + " count(DISTINCT customer_id), sum(round(least(greatest(coalesce(amount, 0), 0), 40) * 100)) FROM dp_aggregate_orders"
        + " WHERE customer_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2").collectAsList();
    assertEquals(plain.size(), groups.size());
    for (int i = 0; i < plain.size(); i++) {
      Row p = plain.get(i);
      GroupStatistics g = groups.get(i);
      assertEquals(List.of(p.getString(0), p.getString(1)), g.key(), "groups come in key order");
      assertEquals(p.getLong(2), g.rows());
      assertEquals(p.getLong(3), g.units());
      assertArrayEquals(new long[] {(long) p.getDouble(4)}, g.sums());
    }
  }

  @Test
  void bindingBounds_holdAcrossPartitions() {
    List<GroupStatistics> groups = DpAggregate.statistics(orders(), release(new ContributionBounds(1, 1)), 5);
    long units = groups.stream().mapToLong(GroupStatistics::units).sum();
    long rows = groups.stream().mapToLong(GroupStatistics::rows).sum();
    assertEquals(300, units, "each customer in exactly one group");
    assertEquals(300, rows, "with exactly one row");
    assertTrue(groups.stream().allMatch(g -> g.sums()[0] <= 4000 * g.rows()));
  }

  static int shuffles(Dataset<Row> rows) {
    String plan = rows.queryExecution().executedPlan().toString();
    return plan.split("Exchange hashpartitioning", -1).length - 1;
  }

  /**
   * Consent as a sort-merge semi-join (the consenting customers too many to broadcast) already
   * partitions the rows by customer: the release shuffles them no second time.
   */
  @Test
  void aConsentSemiJoinOnTheUnit_isTheOnlyShuffle() {
    ReleaseSpec release = release(new ContributionBounds(10, 10));
    // Not repartitioned after the read: Spark would push the semi-join below that repartition.
    Dataset<Row> orders = ordersInOnePlace();
    Column consents = functions.substring(functions.col("customer_id"), 2, 3).cast("int").mod(5).notEqual(0);
    Dataset<Row> customers = orders.select("customer_id").distinct().withColumn("consent_analytics", consents);
    // Planned while consent is not broadcast, as a large consent table would not be.
    TestSpark.withConf("spark.sql.autoBroadcastJoinThreshold", "-1", () -> {
      Dataset<Row> consented = ConsentFilter.throughSubjects("customer_id", customers, "customer_id", "consent_analytics")
          .apply(orders).data();
      assertTrue(consented.queryExecution().executedPlan().toString().contains("SortMergeJoin"));
      assertEquals(1, shuffles(DpAggregate.unitsTogether(orders, release).rows()), "unpartitioned input is shuffled once");
      assertEquals(shuffles(consented), shuffles(DpAggregate.unitsTogether(consented, release).rows()),
          "only the join's own shuffles");
      List<GroupStatistics> joined = DpAggregate.statistics(consented, release, 5);
      List<GroupStatistics> filtered = DpAggregate.statistics(orders.filter(consents), release, 5);
      assertEquals(filtered.size(), joined.size());
      for (int i = 0; i < filtered.size(); i++) {
        assertEquals(filtered.get(i).key(), joined.get(i).key());
        assertEquals(filtered.get(i).rows(), joined.get(i).rows());
        assertEquals(filtered.get(i).units(), joined.get(i).units());
        assertArrayEquals(filtered.get(i).sums(), joined.get(i).sums());
      }
      return null;
    });
  }
}

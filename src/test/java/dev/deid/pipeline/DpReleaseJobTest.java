package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestSpecs;
import dev.deid.TestWarehouses;
import dev.deid.config.BudgetSpec;
import dev.deid.errors.DeidException;
import dev.deid.io.BudgetLedger;
import dev.deid.io.DeltaStore;
import dev.deid.io.KeyRing;
import dev.deid.io.Warehouse;
import dev.deid.privacy.dp.Mechanism;
import dev.deid.privacy.dp.Mechanisms;
import dev.deid.report.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** DP releases through the job: contribution bounding, group selection, the budget across runs and under concurrency. */
class DpReleaseJobTest {
  static SparkSession spark = TestSpark.session();
  static Warehouse warehouse = TestWarehouses.fresh("dp");
  static Path keys = TestWarehouses.keyDirectory();
  static final String SPEC = """
      name: dp_only
      consent:
        source: customers
        subjectColumn: customer_id
        purposes: {analytics: consent_analytics}
      budgets:
        - {source: orders, audience: analysts, epsilon: 1.5, delta: 1.0e-5, period: month}
      sources:
      """ + TestSpecs.customersSource("drop") + TestSpecs.ordersSource("orders", "orders") + """
      releases:
        - name: orders_by_region
          source: orders
          audience: analysts
          purpose: analytics
          privacyUnit: customer_id
          groupBy: [store_region]
          maxGroupsPerUnit: 1
          maxRowsPerGroup: 2
          epsilon: 1.0
          delta: 1.0e-6
          aggregates:
            - {type: count}
            - {type: count_units}
            - {type: sum, column: amount, lower: 0, upper: 100}
      """;

  /** Zero noise, so released figures equal the bounded exact ones. */
  static final Mechanisms ZERO = new Mechanisms() {
    public Mechanism laplace(long l1, double epsilon) {
      return zero("epsilon " + epsilon, l1);
    }

    public Mechanism gaussian(double l2, double rho) {
      return zero("rho " + rho, l2);
    }

    Mechanism zero(String budget, double s) {
      return new Mechanisms.Fixed(budget, s, 0, 0, "zero") {
        public long noised(long v) {
          return v;
        }
      };
    }
  };

  static Path spec() throws Exception {
    Path file = TestSpark.tempDirectory("dp-spec").resolve("dp.yaml");
    Files.writeString(file, SPEC);
    return file;
  }

  static RunOptions options() {
    return new RunOptions(warehouse, new KeyRing(Map.of(), keys), TestWarehouses.REFERENCE_TIME);
  }

  static Dataset<Row> release() {
    return spark.read().format("delta").load(warehouse.root() + "/analysts/orders_by_region");
  }

  static RunReport zeroNoiseReport;

  /**
   * The run the first two tests read: one customer with many orders in a region of its own
   * (bounded to 2 rows; the region, a single unit, must not survive group selection), with zero
   * noise so that released figures equal the bounded exact ones.
   */
  @BeforeAll
  static void zeroNoiseRun() throws Exception {
    String customer = spark.sql("SELECT customer_id FROM delta.`" + warehouse.rawTable("customers") + "` WHERE consent_analytics LIMIT 1")
        .first().getString(0);
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      values.append(i == 0 ? "" : ", ").append("('X-").append(i).append("', '").append(customer)
          .append("', TIMESTAMP '2026-10-01 00:00:00', 99.00, 'books', 'atlantis')");
    }
    spark.sql("INSERT INTO delta.`" + warehouse.rawTable("orders") + "` VALUES " + values);

    zeroNoiseReport = new JobRunner(spark, options(), d -> d, ZERO).run(spec());
  }

  @Test
  void release_zeroNoise_boundsContributionsAndDropsRareGroups() {
    List<Row> rows = release().collectAsList();
    assertTrue(rows.size() >= 5, "the big regions are released: " + rows.size());
    assertTrue(rows.stream().noneMatch(r -> "atlantis".equals(r.getAs("store_region"))), "a one-unit group must not be released");
    for (Row r : rows) {
      double count = r.getAs("count");
      double units = r.getAs("count_units");
      double sum = r.getAs("sum_amount");
      assertTrue(count <= 2 * units, "at most 2 rows per unit and group: " + r);
      assertTrue(sum <= 100 * count + 1e-9, "amounts clamped to 100: " + r);
      assertEquals(0.0, (double) r.getAs("count_noise_sd"));
    }
    double totalUnits = rows.stream().mapToDouble(r -> r.getAs("count_units")).sum();
    long consentingBuyers = spark.sql("SELECT count(DISTINCT o.customer_id) FROM delta.`" + warehouse.rawTable("orders")
        + "` o JOIN delta.`" + warehouse.rawTable("customers") + "` c USING (customer_id) WHERE c.consent_analytics").first().getLong(0);
    assertTrue(totalUnits <= consentingBuyers, "each unit in at most one group");
    RunReport.ReleaseReport r = zeroNoiseReport.releases().get(0);
    assertEquals(1.0, r.epsilon());
    assertTrue(r.budgetLeft().get("month 2026-11").startsWith("epsilon 0.5,"), r.budgetLeft().toString());
    assertEquals("DP group selection", r.groupSelection());
  }

  @Test
  void release_secondRunOverBudget_isRefusedBeforeWriting() throws Exception {
    long version = new DeltaStore(spark).latestVersion(warehouse.root() + "/analysts/orders_by_region");
    DeidException e = assertThrows(DeidException.class, () -> new JobRunner(spark, options()).run(spec()));
    assertTrue(e.getMessage().contains("only epsilon 0.5"), e.getMessage());
    assertTrue(e.getMessage().contains("period 2026-11"), e.getMessage());
    assertEquals(version, new DeltaStore(spark).latestVersion(warehouse.root() + "/analysts/orders_by_region"),
        "nothing may be written");
  }

  @Test
  void release_realNoise_reportsNoiseScaleAndErrorBound() {
    RunReport report;
    Warehouse fresh = TestWarehouses.fresh("dp-noise");
    try {
      report = new JobRunner(spark, new RunOptions(fresh, new KeyRing(Map.of(), keys), TestWarehouses.REFERENCE_TIME)).run(spec());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    Row r = spark.read().format("delta").load(fresh.root() + "/analysts/orders_by_region").first();
    // count: L1 sensitivity 1 group x 2 rows = 2, epsilon 1/3 (three aggregates, plus one share for selection: 1/4)
    double b = 2 / 0.25;
    double p = Math.exp(-1 / b);
    assertEquals(Math.sqrt(2 * p) / (1 - p), (double) r.getAs("count_noise_sd"), 1e-6);
    assertTrue((double) r.getAs("count_error95") > (double) r.getAs("count_noise_sd"));
    assertEquals("1.0", spark.sql("DESCRIBE DETAIL delta.`" + fresh.root() + "/analysts/orders_by_region`").select("properties")
        .first().getJavaMap(0).get("deid.epsilon"));
    assertEquals(1, report.releases().size());
    // Only public or DP quantities in the report: no exact count of the groups found before selection.
    assertEquals(List.of("name", "audience", "location", "table", "version", "epsilon", "delta", "noise", "maxGroupsPerUnit",
        "maxRowsPerGroup", "groupSelection", "groupsReleased", "budgetLeft", "statistics"),
        Arrays.stream(RunReport.ReleaseReport.class.getRecordComponents()).map(c -> c.getName()).toList(),
        "a new report field must be public or differentially private; update this list only after checking that");
    assertEquals(rowsOf(fresh), report.releases().get(0).groupsReleased(), "groups released = rows of the release table");
  }

  static long rowsOf(Warehouse w) {
    return spark.read().format("delta").load(w.root() + "/analysts/orders_by_region").count();
  }

  @Test
  void ledger_concurrentRuns_neverOverspend() throws Exception {
    DeltaStore store = new DeltaStore(spark);
    String table = TestSpark.tempDirectory("ledger").resolve("ledger").toString();
    BudgetLedger ledger = new BudgetLedger(store, table);
    BudgetSpec budget = new BudgetSpec("orders", "analysts", 1.0, 0, "month");
    Instant when = TestWarehouses.REFERENCE_TIME;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      String run = "run-" + i;
      results.add(pool.submit(() -> {
        start.await();
        try {
          ledger.reserve(List.of(budget), charge("r", 0.6), run, when, Instant.now());
          return true;
        } catch (DeidException refused) {
          return false;
        }
      }));
    }
    start.countDown();
    int granted = 0;
    for (Future<Boolean> f : results) {
      granted += f.get() ? 1 : 0;
    }
    pool.shutdown();
    assertTrue(granted <= 1, "two spends of 0.6 must not both pass a budget of 1.0");
    assertTrue(ledger.spent("table-1", "analysts", budget, when)[0] <= 1.0 + 1e-9, "the ledger must never exceed the budget");
    assertEquals(granted * 0.6, ledger.spent("table-1", "analysts", budget, when)[0], 1e-9, "a refused run leaves no entry");
    // Sequentially the first spend passes and a second is refused with what is left.
    BudgetLedger fresh = new BudgetLedger(store, TestSpark.tempDirectory("ledger2").resolve("l").toString());
    fresh.reserve(List.of(budget), charge("r", 0.6), "a", when, Instant.now());
    DeidException e = assertThrows(DeidException.class,
        () -> fresh.reserve(List.of(budget), charge("r", 0.6), "b", when, Instant.now()));
    assertTrue(e.getMessage().contains("only epsilon 0.4"), e.getMessage());
    assertEquals(0.6, fresh.spent("table-1", "analysts", budget, when)[0], 1e-9);
  }

  static BudgetLedger.Charge charge(String name, double epsilon) {
    return new BudgetLedger.Charge("table-1", "/raw/orders", "analysts", "customer_id", name, "releases[0]", epsilon, 0);
  }
}

package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestSpecs;
import dev.deid.TestWarehouses;
import dev.deid.errors.DeidException;
import dev.deid.io.KeyRing;
import dev.deid.io.LocalDirectories;
import dev.deid.io.Warehouse;
import dev.deid.report.RunReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The ledger cannot be bypassed: every applicable budget applies, spending follows the raw table
 * (not the spec's names, periods or warehouse), the reference time cannot move back, and row-level
 * DP columns are charged on every run.
 */
class PrivacyBudgetJobTest {
  static SparkSession spark = TestSpark.session();
  static Path keys = TestWarehouses.keyDirectory();
  static final Instant NOV = TestWarehouses.REFERENCE_TIME;
  // The first instant of December 2026: a later month than NOV, and not after the clock (future reference times are refused).
  static final Instant DEC = Instant.parse("2026-12-01T00:00:00Z");

  /** One release of epsilon 1 on orders; {@code budgets} and table names vary per case. */
  static String spec(String ordersSource, String ordersTable, String customersTable, String budgets) {
    return """
        name: budget_case
        consent: {source: customers, subjectColumn: customer_id, purposes: {analytics: consent_analytics}}
        budgets:
        BUDGETS
        sources:
        """.replace("BUDGETS", budgets) + TestSpecs.customersSource("drop").replace("  customers:\n",
            "  customers:\n    table: " + customersTable + "\n") + TestSpecs.ordersSource(ordersSource, ordersTable) + """
        releases:
          - name: orders_by_region
            source: SOURCE
            audience: analysts
            purpose: analytics
            privacyUnit: customer_id
            groupBy: [store_region]
            publicGroups: [[east], [north]]
            maxGroupsPerUnit: 1
            maxRowsPerGroup: 2
            epsilon: 1.0
            aggregates: [{type: count}]
        """.replace("SOURCE", ordersSource);
  }

  static RunReport run(Warehouse warehouse, String spec, Instant referenceTime) throws Exception {
    Path file = TestSpark.tempDirectory("budget-spec").resolve("budget_case.yaml");
    Files.writeString(file, spec);
    return new JobRunner(spark, new RunOptions(warehouse, new KeyRing(Map.of(), keys), referenceTime)).run(file);
  }

  static void assertRefused(Warehouse warehouse, String spec, Instant time, String expected) {
    DeidException e = assertThrows(DeidException.class, () -> run(warehouse, spec, time));
    assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
  }

  static final String MONTH = "  - {source: orders, audience: analysts, epsilon: 1.5, period: month}";

  @Test
  void monthlyAndLifetimeBudgets_bothApply() throws Exception {
    Warehouse warehouse = TestWarehouses.fresh("budget-two");
    String budgets = MONTH + "\n  - {source: orders, audience: analysts, epsilon: 1.5, period: lifetime}";
    RunReport first = run(warehouse, spec("orders", "orders", "customers", budgets), NOV);
    assertEquals(Map.of("month 2026-11", "epsilon 0.5, delta 0.0", "lifetime lifetime", "epsilon 0.5, delta 0.0"),
        first.releases().get(0).budgetLeft());
    // December renews the monthly budget, but the lifetime one has 0.5 left.
    assertRefused(warehouse, spec("orders", "orders", "customers", budgets), DEC, "lifetime budget");
  }

  @Test
  void spending_followsTheRawTable_notTheSpecsNamesPeriodsOrWarehouse() throws Exception {
    Warehouse warehouse = TestWarehouses.fresh("budget-identity");
    run(warehouse, spec("orders", "orders", "customers", MONTH), NOV);
    // The same raw table under another source name.
    assertRefused(warehouse, spec("sales", "orders", "customers", MONTH.replace("source: orders", "source: sales")), NOV,
        "only epsilon 0.5");
    // The budget's period changed from month to year: November's spend still counts.
    assertRefused(warehouse, spec("orders", "orders", "customers", MONTH.replace("month", "year")), NOV, "only epsilon 0.5");
    // Another warehouse reading the same raw tables by path spends in the ledger the table records.
    Warehouse elsewhere = new Warehouse(TestSpark.tempDirectory("budget-elsewhere").toString());
    assertRefused(elsewhere, spec("orders", warehouse.rawTable("orders"), warehouse.rawTable("customers"), MONTH), NOV,
        "only epsilon 0.5");
    // Moving the reference time back would re-open spent periods.
    run(warehouse, spec("orders", "orders", "customers", MONTH), DEC);
    assertRefused(warehouse, spec("orders", "orders", "customers", MONTH), NOV, "use a reference time at or after");
  }

  @Test
  void rowLevelDpColumns_areChargedOnEveryRun() throws Exception {
    Warehouse warehouse = TestWarehouses.fresh("budget-local");
    String spec = spec("orders", "orders", "customers", MONTH)
        .replace("category: {class: insensitive, action: keep}",
            "category: {class: insensitive, action: randomized_response, epsilon: 0.2, values: [books, food, toys, home, other]}")
        .replace("releases:\n", "outputs:\n  - {name: orders_rr, source: orders, audience: analysts, purpose: analytics, "
            + "columns: [customer_id, category]}\nreleases:\n");
    run(warehouse, spec, NOV); // 1.0 for the release + 0.2 for the column = 1.2 of 1.5
    assertRefused(warehouse, spec, NOV, "only epsilon 0.3");
  }

  /** Deleting the ledger's rows, or the whole ledger, must not hand out a fresh budget. */
  @Test
  void aRolledBackOrDeletedLedger_isRefused_notTakenForAFreshBudget() throws Exception {
    Warehouse warehouse = TestWarehouses.fresh("budget-ledger");
    String spec = spec("orders", "orders", "customers", MONTH);
    RunReport first = run(warehouse, spec, NOV); // 1.0 of November's 1.5
    assertEquals(1L, first.budgetLedgerCharges().values().iterator().next());
    spark.sql("DELETE FROM delta.`" + warehouse.budgetLedger() + "`");
    assertRefused(warehouse, spec, NOV, "holds 0 charges for this table, fewer than the 1 an earlier run recorded");
    LocalDirectories.delete(Path.of(warehouse.budgetLedger()));
    assertRefused(warehouse, spec, NOV, "which is missing; a run now would start from an empty budget");
  }
}

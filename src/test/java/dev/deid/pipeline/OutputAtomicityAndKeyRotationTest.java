package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.errors.DeidException;
import dev.deid.io.DeltaStore;
import dev.deid.io.ExtractStore;
import dev.deid.io.Warehouse;
import dev.deid.io.KeyRing;
import dev.deid.report.RunReport;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Successive runs on one warehouse: a crash mid-write, a silently changed key, a visible rotation. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutputAtomicityAndKeyRotationTest {
  static final Path SPEC = Path.of("jobs/customers.yaml");
  static SparkSession spark = TestSpark.session();
  static Warehouse warehouse = TestWarehouses.fresh("atomic");
  static Path keys = TestWarehouses.keyDirectory();
  static DeltaStore store = new DeltaStore(spark);
  static String firstRunId;
  static List<Row> firstRows;
  static String firstExtractRun;

  static RunOptions options(Path keyDir) {
    return new RunOptions(warehouse, new KeyRing(Map.of(), keyDir), TestWarehouses.REFERENCE_TIME);
  }

  static String customers() {
    return warehouse.root() + "/analysts/customers_analytics";
  }

  static String extract() {
    return warehouse.root() + "/partners/acme/orders_partner";
  }

  @Test
  @Order(1)
  void firstRun_succeeds() {
    new JobRunner(spark, options(keys)).run(SPEC);
    firstRunId = store.properties(customers()).get("deid.run_id");
    firstRows = store.read(customers()).orderBy("customer_id").collectAsList();
    firstExtractRun = new ExtractStore(spark).currentRun(extract());
    assertTrue(firstRows.size() > 100);
  }

  @Test
  @Order(2)
  void crashMidWrite_leavesPreviousOutputsIntact() {
    UDF1<String, Boolean> crashOnSomeRows = id -> {
      if (id != null && id.startsWith("f")) {
        throw new IllegalStateException("injected executor failure");
      }
      return true;
    };
    var crash = functions.udf(crashOnSomeRows, DataTypes.BooleanType).asNondeterministic();
    JobRunner crashing = new JobRunner(spark, options(keys), data -> data.filter(crash.apply(functions.col("customer_id"))));
    assertThrows(Exception.class, () -> crashing.run(SPEC));

    // Erasure may have committed maintenance on the output before the crash; no data write may have.
    assertEquals(firstRunId, store.properties(customers()).get("deid.run_id"), "no new output version may be committed");
    assertEquals(firstRows, store.read(customers()).orderBy("customer_id").collectAsList());
    assertEquals(firstExtractRun, new ExtractStore(spark).currentRun(extract()), "_CURRENT must still point at the first run");
    assertTrue(store.read(warehouse.auditTable()).filter("status = 'FAILED'").filter(
        functions.col("error").contains("Internal error")).count() >= 1, "the crash must be audited");
  }

  @Test
  @Order(3)
  void sameKeyIdWithAnotherSecret_isRefusedBeforeWriting() {
    Path changed = TestWarehouses.keyDirectory();
    TestWarehouses.writeKey(changed, "analysts.key", "analysts-k1", TestWarehouses.PARTNER_SECRET);
    DeidException e = assertThrows(DeidException.class, () -> new JobRunner(spark, options(changed)).run(SPEC));
    assertTrue(e.getMessage().contains("still has id 'analysts-k1' but its secret changed"), e.getMessage());
    assertTrue(e.getMessage().contains("fix:"), e.getMessage());
    assertEquals(firstRunId, store.properties(customers()).get("deid.run_id"), "nothing may be written");
  }

  @Test
  @Order(4)
  void newKeyId_isAVisibleRotation() {
    Path rotated = TestWarehouses.keyDirectory();
    TestWarehouses.writeKey(rotated, "analysts.key", "analysts-k2", TestWarehouses.PARTNER_SECRET);
    RunReport report = new JobRunner(spark, options(rotated)).run(SPEC);
    RunReport.OutputReport customersReport = report.outputs().get(0);
    assertEquals("analysts-k2", customersReport.keyId());
    assertEquals("analysts-k1", customersReport.previousKeyId());
    assertEquals("analysts-k2", store.properties(customers()).get("deid.key_id"));
  }
}

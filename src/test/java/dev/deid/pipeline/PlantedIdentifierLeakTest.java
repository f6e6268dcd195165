package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.cli.DeidCli;
import dev.deid.io.DeltaStore;
import dev.deid.io.KeyRing;
import dev.deid.io.Warehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Known values planted in every direct-identifier column (and, as free text, in a feedback comment)
 * must appear in no byte of any file the job writes: outputs, extracts, reports, audit. Parquet is
 * written uncompressed here so that a value cannot hide behind compression.
 */
class PlantedIdentifierLeakTest {
  static final String NAME = "金丝雀测试";
  static final String EMAIL = "canary.planted@example.org";
  static final String MOBILE = "13900001234";
  static final String RESIDENT_ID = "11010519491231002X";
  static final String ORDER_ID = "O-CANARY-0000001";
  static final Path GUARD_SPEC = Path.of("src/test/resources/specs/leak_guard.yaml");

  @Test
  void run_plantedIdentifiers_appearInNoOutputByte() throws Exception {
    SparkSession spark = TestSpark.session();
    Warehouse warehouse = TestWarehouses.fresh("leak");
    String customerId = spark.sql("SELECT customer_id FROM delta.`" + warehouse.rawTable("customers") + "` "
        + "WHERE customer_id NOT IN (SELECT subject_id FROM delta.`" + warehouse.rawTable("erasure_requests") + "`) "
        + "ORDER BY customer_id LIMIT 1").first().getString(0);
    spark.sql("UPDATE delta.`" + warehouse.rawTable("customers") + "` SET name = '" + NAME + "', email = '" + EMAIL
        + "', mobile = '" + MOBILE + "', resident_id = '" + RESIDENT_ID + "', consent_analytics = true, "
        + "consent_partner_sharing = true, last_activity_at = TIMESTAMP '2026-10-01 00:00:00' WHERE customer_id = '" + customerId + "'");
    spark.sql("INSERT INTO delta.`" + warehouse.rawTable("orders") + "` VALUES ('" + ORDER_ID + "', '" + customerId
        + "', TIMESTAMP '2026-10-02 10:00:00', 12.50, 'books', 'east')");
    spark.sql("INSERT INTO delta.`" + warehouse.rawTable("feedback") + "` VALUES ('" + customerId
        + "', TIMESTAMP '2026-10-03 10:00:00', 5, '请联系我 " + EMAIL + " 或 " + MOBILE + "，身份证 " + RESIDENT_ID + "')");

    int code = TestSpark.withConf("spark.sql.parquet.compression.codec", "uncompressed",
        () -> DeidCli.execute("run", "jobs/customers.yaml", "--warehouse", warehouse.root(),
            "--key-dir", TestWarehouses.keyDirectory().toString(), "--reference-time", TestWarehouses.REFERENCE_TIME.toString()));
    assertEquals(0, code);

    // The planted customer did reach the outputs (so the check below is not vacuous).
    String pseudonym = TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, customerId);
    assertEquals(1, spark.read().format("delta").load(warehouse.root() + "/analysts/customers_analytics")
        .filter("customer_id = '" + pseudonym + "'").count());
    assertEquals(1, spark.read().format("delta").load(warehouse.root() + "/analysts/feedback_analytics")
        .filter("customer_id = '" + pseudonym + "' AND comment LIKE '%<email>%<phone>%<resident-id>%'").count());

    List<String> needles = List.of(NAME, EMAIL, MOBILE, RESIDENT_ID, ORDER_ID, customerId);
    List<Path> written = new ArrayList<>();
    for (String dir : List.of("analysts", "partners", "reports", "_deid")) {
      try (Stream<Path> files = Files.walk(Path.of(warehouse.root(), dir))) {
        files.filter(Files::isRegularFile).forEach(written::add);
      }
    }
    assertTrue(written.size() > 20, "the job wrote its outputs: " + written.size() + " files");
    // The check itself can fail: the raw table's own files hold the planted values.
    assertTrue(containsAnywhere(Path.of(warehouse.rawTable("customers")), EMAIL.getBytes(StandardCharsets.UTF_8))
        || containsAnywhere(Path.of(warehouse.rawTable("orders")), ORDER_ID.getBytes(StandardCharsets.UTF_8)),
        "the byte search must find values where they are");
    for (Path file : written) {
      byte[] bytes = Files.readAllBytes(file);
      for (String needle : needles) {
        assertTrue(indexOf(bytes, needle.getBytes(StandardCharsets.UTF_8)) < 0, needle + " leaked into " + file);
      }
    }
  }

  /**
   * A wrong classification: an e-mail address typed into an order's category and a raw customer id
   * into its store region, both {@code insensitive} and kept. The leak guard stops the run before
   * retention and erasure delete anything and before any output is written, and names the columns
   * and checks, never the values; an audited
   * allowance for the one column lets the run through and counts it.
   */
  @Test
  void run_identifierInAnInsensitiveColumn_isBlockedBeforeAnyDeletionOrOutput_unlessAllowed() throws Exception {
    SparkSession spark = TestSpark.session();
    Warehouse warehouse = TestWarehouses.fresh("guard");
    String orders = warehouse.rawTable("orders");
    String customerId = spark.sql("SELECT customer_id FROM delta.`" + orders + "` ORDER BY order_ts DESC LIMIT 1").first().getString(0);
    spark.sql("INSERT INTO delta.`" + orders + "` SELECT 'O-GUARD-1', c.customer_id, TIMESTAMP '2026-10-02 10:00:00', 9.9, '"
        + EMAIL + "', c.customer_id FROM delta.`" + warehouse.rawTable("customers") + "` c "
        + "WHERE c.consent_analytics AND c.last_activity_at > TIMESTAMP '2026-06-01 00:00:00' AND c.customer_id NOT IN "
        + "(SELECT subject_id FROM delta.`" + warehouse.rawTable("erasure_requests") + "`) LIMIT 3");
    DeltaStore store = new DeltaStore(spark);
    Map<String, Long> rawVersions = new TreeMap<>();
    for (String table : List.of("customers", "orders")) {
      rawVersions.put(table, store.latestVersion(warehouse.rawTable(table)));
    }
    DryRun dry = new JobRunner(spark, new RunOptions(warehouse, new KeyRing(Map.of(),
        TestWarehouses.keyDirectory()), TestWarehouses.REFERENCE_TIME)).dryRun(GUARD_SPEC);
    assertTrue(!dry.wouldRun() && dry.stops().stream().anyMatch(p -> p.contains("column 'category' has 3 cells holding an e-mail")),
        "the dry run makes the same check: " + dry.stops());
    StringWriter err = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "run",
        GUARD_SPEC.toString(), "--warehouse", warehouse.root(), "--key-dir", TestWarehouses.keyDirectory().toString(),
        "--reference-time", TestWarehouses.REFERENCE_TIME.toString());
    String errors = err.toString();
    assertEquals(1, code, errors);
    assertTrue(errors.contains("output 'orders_analytics' column 'category' has 3 cells holding an e-mail address (check email)"), errors);
    assertTrue(errors.contains("output 'orders_analytics' column 'store_region' has 3 cells equal to a raw direct-identifier value"),
        errors);
    assertTrue(errors.contains("leakGuard.allow"), "the error says how to allow a known false positive: " + errors);
    assertTrue(!errors.contains(EMAIL) && !errors.contains(customerId), "no value in the error");
    assertTrue(!Files.exists(Path.of(warehouse.root(), "analysts")) && !Files.exists(Path.of(warehouse.root(), "partners")),
        "no output was written");
    rawVersions.forEach((table, version) -> assertEquals(version, store.latestVersion(warehouse.rawTable(table)),
        "the guard stops the run before retention and erasure delete anything from raw " + table));
    assertEquals(List.of(), JobRunEndToEndTest.checkpointsKept(), "a stopped run releases what it computed");

    // A spec author who checked the hits allows them for these columns, with a reason.
    String spec = Files.readString(GUARD_SPEC).replace(
        "    columns: [customer_id, order_ts, amount, category, store_region]\n",
        "    columns: [customer_id, order_ts, amount, category, store_region]\n"
            + "    leakGuard:\n      allow:\n        - {column: category, check: email, reason: a test plants it}\n"
            + "        - {column: store_region, check: raw_identifier, reason: a test plants it}\n");
    assertTrue(spec.contains("leakGuard"), "the spec's output line changed; adapt this test");
    Path allowing = Path.of(warehouse.root()).resolveSibling("allowing.yaml");
    Files.writeString(allowing, spec);
    assertEquals(0, DeidCli.execute("run", allowing.toString(), "--warehouse", warehouse.root(), "--key-dir",
        TestWarehouses.keyDirectory().toString(), "--reference-time", TestWarehouses.REFERENCE_TIME.toString()));
    String audit = spark.read().format("delta").load(warehouse.auditTable()).filter("status = 'SUCCEEDED'")
        .select("step_counts").first().get(0).toString();
    assertTrue(audit.contains("leak_guard.orders_analytics.category.email.allowed -> 3"), audit);
    assertTrue(store.latestVersion(warehouse.rawTable("orders")) > rawVersions.get("orders"),
        "the run the guard stopped had rows to delete");
  }

  static boolean containsAnywhere(Path dir, byte[] needle) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (indexOf(Files.readAllBytes(f), needle) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}

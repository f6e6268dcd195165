package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deid.DeltaLogText;
import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.cli.DeidCli;
import dev.deid.errors.DeidException;
import dev.deid.io.DeltaStore;
import dev.deid.io.ErasureJournal;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.ExtractStore;
import dev.deid.io.KeyRing;
import dev.deid.io.Warehouse;
import dev.deid.report.RunReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Successive runs on one warehouse: a crash mid-write that an erasure had begun, a silently changed
 * key, a visible rotation, and a signed recall list for a partner when subjects it already received
 * are erased.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OutputAtomicityAndKeyRotationTest {
  static final Path SPEC = Path.of("src/test/resources/specs/successive_runs.yaml");
  static SparkSession spark = TestSpark.session();
  static Warehouse warehouse = TestWarehouses.fresh("atomic");
  static Path keys = TestWarehouses.keyDirectory();
  static DeltaStore store = new DeltaStore(spark);
  static Path currentKeys = keys;

  static RunOptions options(Path keyDir) {
    return new RunOptions(warehouse, new KeyRing(Map.of(), keyDir), TestWarehouses.REFERENCE_TIME);
  }

  static String customers() {
    return warehouse.root() + "/analysts/customers_analytics";
  }

  static String extract() {
    return warehouse.root() + "/partners/acme/orders_partner";
  }

  /** One successful run publishes the outputs every test starts from; each test reads what is current. */
  @BeforeAll
  static void firstRun_succeeds() {
    new JobRunner(spark, options(keys)).run(SPEC);
    assertTrue(store.read(customers()).count() > 100);
  }

  /**
   * A run that dies by an executor failure while it writes its first output, after it deleted the
   * requested subjects' raw rows and their rows in the analyst tables already published: no output
   * version of its own is committed and the last good run's extract stays current. The next run
   * finds nothing left to delete, yet must finish and report that erasure, because the last good
   * run's delivery still holds those subjects: the erasure journal carries it. First, so that the
   * analysts' key is still the first run's.
   */
  @Test
  @Order(1)
  void crashAfterDeletion_leavesTheLastGoodOutputs_andTheNextRunFinishesTheErasure() throws Exception {
    String runId = store.properties(customers()).get("deid.run_id");
    String extractRun = new ExtractStore(spark).currentRun(extract());
    List<String> erase = deliveredSubjects(2);
    List<String> expected = erase.stream().map(id -> TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id)).sorted()
        .toList();
    List<Row> rowsLeft = store.read(customers()).filter(functions.not(functions.col("customer_id").isin(expected.toArray())))
        .orderBy("customer_id").collectAsList();
    requestErasure(erase);

    UDF1<String, Boolean> crashOnSomeRows = id -> {
      if (id != null && id.startsWith("f")) {
        throw new IllegalStateException("injected executor failure");
      }
      return true;
    };
    var crash = functions.udf(crashOnSomeRows, DataTypes.BooleanType).asNondeterministic();
    JobRunner crashing = new JobRunner(spark, options(currentKeys),
        data -> data.filter(crash.apply(functions.col("customer_id"))));
    assertThrows(Exception.class, () -> crashing.run(SPEC));

    // The erasure deleted the subjects from the published table; no data write of the run may be committed.
    assertEquals(runId, store.properties(customers()).get("deid.run_id"), "no new output version may be committed");
    assertEquals(rowsLeft, store.read(customers()).orderBy("customer_id").collectAsList());
    assertEquals(extractRun, new ExtractStore(spark).currentRun(extract()), "_CURRENT must still point at the last run");
    assertTrue(store.read(warehouse.auditTable()).filter("status = 'FAILED'").filter(
        functions.col("error").contains("Internal error")).count() >= 1, "the crash must be audited");
    assertEquals(0, store.read(warehouse.rawTable("orders")).filter(functions.col("customer_id").isin(erase.toArray()))
        .count(), "the interrupted run had deleted the raw rows");
    List<ErasureJournal.Entry> pending = ErasureJournal.pending(store, warehouse.erasureJournal());
    assertEquals(expected, pending.stream().map(ErasureJournal.Entry::subjectPseudonym).distinct().sorted().toList(),
        "the journal holds the begun erasure");
    assertTrue(pending.stream().anyMatch(e -> e.source().equals("orders")), "per raw table: " + pending);
    String interruptedRun = pending.get(0).runId();

    RunReport report = new JobRunner(spark, options(currentKeys)).run(SPEC);

    assertEquals(List.of(), report.erasure().erasedSubjectPseudonyms(), "no raw row was left for this run to find");
    assertEquals(Map.of(interruptedRun, expected), report.erasure().finishedForEarlierRuns());
    List<String> audited = store.read(warehouse.auditTable()).filter(functions.col("run_id").equalTo(report.runId()))
        .select(functions.explode(functions.col("erased_subject_pseudonyms"))).as(Encoders.STRING()).collectAsList();
    assertEquals(expected, audited.stream().sorted().toList(), "the audit row of the finishing run records them");
    assertEquals(List.of(), ErasureJournal.pending(store, warehouse.erasureJournal()), "nothing is left unfinished");
    String recall = Files.readString(Path.of(report.recalls().get(0).file()));
    erase.forEach(id -> assertTrue(recall.contains(TestWarehouses.hmacHex(TestWarehouses.PARTNER_SECRET, id)),
        "the partner's recall list names the subjects its earlier delivery holds"));
  }

  /**
   * The second of the spec's outputs fails as it is published (its extract's directory has become a
   * file, which no check before publishing looks at): the first output, already replaced, is
   * restored, and the failed run's report lists what it undid.
   */
  @Test
  void failureOfTheSecondOutput_rollsBackTheFirst_andTheReportSaysSo() throws Exception {
    String runId = store.properties(customers()).get("deid.run_id");
    long version = store.latestVersion(customers());
    List<Row> rows = store.read(customers()).orderBy("customer_id").collectAsList();
    Path extract = Path.of(extract());
    Path aside = extract.resolveSibling("orders_partner.aside");
    Files.move(extract, aside);
    Files.writeString(extract, "in the way");
    try {
      assertThrows(Exception.class, () -> new JobRunner(spark, options(currentKeys)).run(SPEC));
    } finally {
      Files.delete(extract);
      Files.move(aside, extract);
    }
    assertEquals(runId, store.properties(customers()).get("deid.run_id"), "the first output must be the last good run's again");
    assertEquals(rows, store.read(customers()).orderBy("customer_id").collectAsList());
    assertTrue(store.latestVersion(customers()) >= version + 2, "it was replaced, then restored");

    JsonNode failed = null;
    try (var reports = Files.list(Path.of(warehouse.reportDirectory("successive_runs")))) {
      for (Path file : reports.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonNode report = new ObjectMapper().readTree(file.toFile());
        if ("FAILED".equals(report.get("status").asText()) && report.get("rolledBack").size() > 0) {
          failed = report;
        }
      }
    }
    assertTrue(failed != null, "the failed run's report must list what it rolled back");
    String undone = failed.get("rolledBack").toString();
    assertTrue(undone.contains("customers_analytics") && undone.contains("restored from version " + version), undone);
    assertFalse(undone.contains("NOT rolled back"), undone);
  }

  @Test
  void sameKeyIdWithAnotherSecret_isRefusedBeforeWriting() {
    String keyId = store.properties(customers()).get("deid.key_id");
    String runId = store.properties(customers()).get("deid.run_id");
    Path changed = TestWarehouses.keyDirectory();
    byte[] otherSecret = new byte[32];
    Arrays.fill(otherSecret, (byte) 77);
    TestWarehouses.writeKey(changed, "analysts.key", keyId, otherSecret);
    DeidException e = assertThrows(DeidException.class, () -> new JobRunner(spark, options(changed)).run(SPEC));
    assertTrue(e.getMessage().contains("still has id '" + keyId + "' but its secret changed"), e.getMessage());
    assertTrue(e.getMessage().contains("fix:"), e.getMessage());
    assertEquals(runId, store.properties(customers()).get("deid.run_id"), "nothing may be written");
  }

  @Test
  void newKeyId_isAVisibleRotation() {
    String before = store.properties(customers()).get("deid.key_id");
    String rotatedId = "analysts-" + UUID.randomUUID().toString().substring(0, 8);
    Path rotated = TestWarehouses.keyDirectory();
    TestWarehouses.writeKey(rotated, "analysts.key", rotatedId, TestWarehouses.PARTNER_SECRET);
    RunReport report = new JobRunner(spark, options(rotated)).run(SPEC);
    currentKeys = rotated;
    RunReport.OutputReport customersReport = report.outputs().get(0);
    assertEquals(rotatedId, customersReport.keyId());
    assertEquals(before, customersReport.previousKeyId());
    assertEquals(rotatedId, store.properties(customers()).get("deid.key_id"));
  }

  /** The first {@code n} raw subject ids (sorted) whose orders the partner's current extract holds. */
  static List<String> deliveredSubjects(int n) {
    Set<String> deliveredPseudonyms = new HashSet<>(delivered(extract()).select("customer_id").as(Encoders.STRING()).collectAsList());
    List<String> subjects = store.read(warehouse.rawTable("orders")).select("customer_id").distinct().as(Encoders.STRING())
        .collectAsList().stream()
        .filter(id -> deliveredPseudonyms.contains(TestWarehouses.hmacHex(TestWarehouses.PARTNER_SECRET, id)))
        .sorted().limit(n).toList();
    assertEquals(n, subjects.size(), "subjects the partner received");
    return subjects;
  }

  static void requestErasure(List<String> subjects) {
    spark.createDataFrame(subjects.stream().map(id -> RowFactory.create(id, Timestamp.from(TestWarehouses.REFERENCE_TIME))).toList(),
        store.read(warehouse.rawTable("erasure_requests")).schema())
        .write().format("delta").mode("append").save(warehouse.rawTable("erasure_requests"));
  }

  static Dataset<Row> delivered(String extract) {
    String run = new ExtractStore(spark).currentRun(extract);
    return spark.read().options(ExtractEncryption.readOptions(TestWarehouses.acmeMasterKeys())).parquet(extract + "/" + run);
  }

  @Test
  void erasureOfDeliveredSubjects_writesASignedRecallList_thePartnerCanVerify() throws Exception {
    List<String> erase = deliveredSubjects(3);
    requestErasure(erase);

    RunReport report = new JobRunner(spark, options(currentKeys)).run(SPEC);

    List<String> expected = erase.stream().map(id -> TestWarehouses.hmacHex(TestWarehouses.PARTNER_SECRET, id)).sorted().toList();
    RunReport.RecallReport recall = report.recalls().get(0);
    assertEquals("acme", recall.partner());
    assertEquals(Map.of("orders_partner", 3, "customers_partner", -1), recall.extracts());
    JsonNode list = new ObjectMapper().readTree(Path.of(recall.file()).toFile());
    JsonNode orders = list.path("extracts").get(0);
    assertEquals("orders_partner", orders.path("extract").asText());
    List<String> listed = new ArrayList<>();
    orders.path("pseudonyms").forEach(p -> listed.add(p.asText()));
    assertEquals(expected, listed, "exactly the erased subjects, as the partner knows them");
    assertEquals("acme-k1", list.path("pseudonymKeyId").asText());
    Set<String> now = new HashSet<>(delivered(extract()).select("customer_id").as(Encoders.STRING()).collectAsList());
    expected.forEach(p -> assertFalse(now.contains(p), "the new delivery must not hold an erased subject"));

    // No version the analysts' catalog name reaches by time travel brings an erased subject back
    // (under the first analyst key or the rotated one, whichever test ran first).
    Set<String> erasedForAnalysts = new HashSet<>();
    erase.forEach(id -> {
      erasedForAnalysts.add(TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id));
      erasedForAnalysts.add(TestWarehouses.hmacHex(TestWarehouses.PARTNER_SECRET, id));
    });
    List<Long> versions = spark.sql("DESCRIBE HISTORY analysts.customers_analytics").select("version").as(Encoders.LONG())
        .collectAsList();
    int readable = 0;
    for (long version : versions) {
      List<String> ids;
      try {
        ids = spark.sql("SELECT customer_id FROM analysts.customers_analytics VERSION AS OF " + version)
            .as(Encoders.STRING()).collectAsList();
      } catch (Exception vacuumed) {
        continue;
      }
      readable++;
      ids.forEach(id -> assertFalse(erasedForAnalysts.contains(id), "version " + version + " holds an erased subject"));
    }
    assertTrue(readable >= 1, "versions " + versions + ", readable " + readable);
    // Nor does any table's log (statistics keep the first 32 characters of a file's min and max).
    String analystsLog = DeltaLogText.of(customers());
    erasedForAnalysts.forEach(p -> assertFalse(analystsLog.contains(p.substring(0, 32)),
        "the log of customers_analytics holds an erased subject's pseudonym"));
    for (String table : List.of("customers", "orders")) {
      String log = DeltaLogText.of(warehouse.rawTable(table));
      erase.forEach(id -> assertFalse(Pattern.compile("\\b" + id + "\\b").matcher(log).find(),
          "the log of raw " + table + " holds an erased subject's id"));
    }

    StringWriter out = new StringWriter();
    assertEquals(0, DeidCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "verify", recall.file(),
        "--public-key", keys.resolve("signing.pub").toString()), out.toString());
    assertTrue(out.toString().contains("3 subjects by customer_id"), out.toString());
    Files.writeString(Path.of(recall.file()), Files.readString(Path.of(recall.file())).replace(expected.get(0), "0".repeat(64)));
    assertEquals(1, DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "verify",
        recall.file(), "--public-key", keys.resolve("signing.pub").toString()), "a changed recall list must fail");
  }
}

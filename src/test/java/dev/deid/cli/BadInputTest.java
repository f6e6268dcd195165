package dev.deid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestSpecs;
import dev.deid.TestWarehouses;
import dev.deid.io.DeltaStore;
import dev.deid.io.Warehouse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each kind of bad spec, data or key: a clear error naming the field and the fix, a non-zero exit,
 * nothing written (no output, raw tables untouched) and a FAILED audit record.
 */
class BadInputTest {
  static SparkSession spark;
  static Warehouse warehouse;
  static Path keys;
  static String sample;
  static Map<String, Long> rawVersions = new LinkedHashMap<>();

  @BeforeAll
  static void setUp() throws Exception {
    spark = TestSpark.session();
    warehouse = TestWarehouses.fresh("bad-input");
    keys = TestWarehouses.keyDirectory();
    sample = Files.readString(Path.of("src/test/resources/specs/customers_fixture.yaml"));
    spark.read().format("delta").load(warehouse.rawTable("feedback")).limit(0)
        .write().format("delta").save(warehouse.rawTable("feedback_empty"));
    DeltaStore store = new DeltaStore(spark);
    for (String t : new String[] {"customers", "orders", "feedback"}) {
      rawVersions.put(t, store.latestVersion(warehouse.rawTable(t)));
    }
  }

  /** Runs the sample spec changed by {@code edit}; returns what the job printed as errors. */
  static String runRefused(String specText, Path keyDir, String... expected) throws Exception {
    return runRefusedAt(TestWarehouses.REFERENCE_TIME.toString(), specText, keyDir, expected);
  }

  static String runRefusedAt(String referenceTime, String specText, Path keyDir, String... expected) throws Exception {
    return runRefusedIn(TestSpark.tempDirectory("spec"), referenceTime, specText, keyDir, expected);
  }

  /** As {@link #runRefused}, with the spec file written into {@code specDirectory}. */
  static String runRefusedIn(Path specDirectory, String referenceTime, String specText, Path keyDir, String... expected)
      throws Exception {
    Path spec = Files.createTempFile(specDirectory, "bad", ".yaml");
    Files.writeString(spec, specText);
    StringWriter err = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err),
        "run", spec.toString(), "--warehouse", warehouse.root(), "--key-dir", keyDir.toString(),
        "--reference-time", referenceTime);
    String message = err.toString();
    assertEquals(DeidCli.FAILED, code, "the run must be refused: " + message);
    for (String text : expected) {
      assertTrue(message.contains(text), "expected '" + text + "' in: " + message);
    }
    assertTrue(message.contains("fix:"), "the error must say how to fix it: " + message);
    assertNothingWritten();
    long failedWithMessage = spark.read().format("delta").load(warehouse.auditTable())
        .filter("status = 'FAILED'").filter(org.apache.spark.sql.functions.col("error").contains(expected[0])).count();
    assertTrue(failedWithMessage >= 1, "a FAILED audit record must carry the error");
    return message;
  }

  static String edit(String from, String to) {
    assertTrue(sample.contains(from), "the sample spec must contain: " + from);
    return sample.replace(from, to);
  }

  static void assertNothingWritten() {
    assertFalse(Files.exists(Path.of(warehouse.root(), "analysts")), "no analyst output may be written");
    assertFalse(Files.exists(Path.of(warehouse.root(), "partners")), "no partner extract may be written");
    DeltaStore store = new DeltaStore(spark);
    rawVersions.forEach((t, v) -> assertEquals(v, store.latestVersion(warehouse.rawTable(t)), "raw " + t + " must be untouched"));
  }

  @Test
  void unclassifiedRawColumn_failsClosed() throws Exception {
    runRefused(edit("      resident_id:             {class: direct_identifier, action: drop}\n", ""), keys,
        "sources.customers.columns", "[resident_id] are not classified");
  }

  @Test
  void classifiedColumnMissingFromData() throws Exception {
    runRefused(edit("      city:                    {class: quasi_identifier, action: keep}\n",
        "      city:                    {class: quasi_identifier, action: keep}\n      nickname: {class: insensitive, action: keep}\n"),
        keys, "sources.customers.columns", "[nickname] do not exist in the raw table");
  }

  @Test
  void missingKey() throws Exception {
    Path dir = TestSpark.tempDirectory("keys-missing");
    TestWarehouses.writeKey(dir, "analysts.key", "analysts-k1", TestWarehouses.ANALYSTS_SECRET);
    runRefused(sample, dir, "DEID_KEY_PARTNER_ACME", "partner_acme.key");
  }

  @Test
  void missingSigningKey_forPartnerExtracts_isRefusedBeforeAnythingIsWritten() throws Exception {
    Path dir = TestWarehouses.keyDirectory();
    Files.delete(dir.resolve("signing.key"));
    runRefused(sample, dir, "Cannot sign partner extracts", "DEID_SIGNING_KEY");
  }

  @Test
  void missingOrMalformedEncryptionKey_forAnEncryptingContract_isRefusedBeforeAnythingIsWritten() throws Exception {
    Path dir = TestWarehouses.keyDirectory();
    Files.delete(dir.resolve("kms_acme_columns.key"));
    runRefused(sample, dir, "Cannot encrypt partner extracts", "DEID_KMS_ACME_COLUMNS", "kms_acme_columns.key");
    Path bad = TestWarehouses.keyDirectory();
    TestWarehouses.writeMasterKey(bad, "kms_acme_footer.key", "acme-footer-k1", new byte[12]);
    runRefused(sample, bad, "Invalid encryption (partner 'acme', footer key)", "12 bytes");
  }

  @Test
  void partnerOutputBreakingItsContract_isRefusedBeforeAnythingIsWritten() throws Exception {
    runRefused(edit("    allowedColumns: [customer_id, order_day, amount,", "    allowedColumns: [customer_id, order_day,"), keys,
        "outputs[3].columns", "columns [amount] are not allowed by the contract of partner 'acme'");
  }

  /** A far-future reference time would expire every row: refused before anything is deleted. */
  @Test
  void futureReferenceTime_isRefusedBeforeAnythingIsDeleted() throws Exception {
    runRefusedAt("2100-01-01T00:00:00Z", sample, keys, "Cannot run with reference time 2100-01-01T00:00:00Z");
  }

  /** A retention limit typed wrong (30 days instead of 3 years) would wipe most customers: stopped first. */
  @Test
  void retentionDeletingMostOfATable_stopsBeforeDeleting() throws Exception {
    runRefused(edit("{column: last_activity_at, maxAgeDays: 1095", "{column: last_activity_at, maxAgeDays: 30"), keys,
        "sources.customers.retention: retention would delete", "more than maxDeleteFraction 0.3");
  }

  @Test
  void shortKey_doesNotRevealTheSecret() throws Exception {
    Path dir = TestWarehouses.keyDirectory();
    TestWarehouses.writeKey(dir, "analysts.key", "analysts-k1", new byte[16]);
    String message = runRefused(sample, dir, "shorter than the 32 bytes required", "analysts");
    assertFalse(message.contains("AAAAAAAAAAAAAAAAAAAAAA=="), "the secret must not be printed");
  }

  @Test
  void keyFileReadableByOthers_isRefusedLikeSsh() throws Exception {
    Path dir = TestWarehouses.keyDirectory();
    Files.setPosixFilePermissions(dir.resolve("analysts.key"),
        PosixFilePermissions.fromString("rw-r--r--"));
    runRefused(sample, dir, "rw-r--r--", "chmod 600");
  }

  /** A key file written as {@code <secret>:<id>}: refused, and the secret reaches neither stderr nor the audit. */
  @Test
  void keyFileWithItsFieldsSwapped_isRefusedWithoutRevealingTheSecret() throws Exception {
    Path dir = TestWarehouses.keyDirectory();
    String secret = Base64.getEncoder().encodeToString(TestWarehouses.ANALYSTS_SECRET);
    Files.writeString(dir.resolve("analysts.key"), secret + ":analysts-k1");
    String message = runRefused(sample, dir, "Invalid key for audience 'analysts'", "the key id must be");
    assertFalse(message.contains(secret), "the secret must not be printed: " + message);
    String audit = String.join("\n", spark.read().format("delta").load(warehouse.auditTable())
        .select("error").na().fill("").as(Encoders.STRING()).collectAsList());
    assertFalse(audit.contains(secret), "the secret must not reach the audit");
  }

  @Test
  void sourceThatIsTheJobsOwnLedger_isRefusedBeforeAnythingIsDeleted() throws Exception {
    runRefused(edit("  orders:\n    subjectColumn", "  orders:\n    table: " + warehouse.root() + "/_deid/privacy_budget\n"
        + "    subjectColumn"), keys, "sources.orders.table", "points into the job's own _deid/ zone");
  }

  /**
   * One spec mistake run through the whole job, to show a refused spec writes nothing and leaves a
   * FAILED audit record; the other spec mistakes are unit tests ({@code SampleSpecValidationTest}).
   */
  @Test
  void wrongTypeInSpec() throws Exception {
    runRefused(edit("maxAgeDays: 1095", "maxAgeDays: three years"), keys,
        "sources.customers.retention.maxAgeDays", "expected a whole number");
  }

  @Test
  void retentionColumnOfWrongType() throws Exception {
    runRefused(edit("{column: last_activity_at, maxAgeDays: 1095", "{column: city, maxAgeDays: 1095"), keys,
        "sources.customers.retention.column", "has type string but a timestamp or date is required");
  }

  @Test
  void emptySource() throws Exception {
    runRefused(edit("  feedback:\n    subjectColumn", "  feedback:\n    table: feedback_empty\n    subjectColumn"), keys,
        "sources.feedback.table", "has no rows");
  }

  @Test
  void missingSourceTable() throws Exception {
    runRefused(edit("  orders:\n    subjectColumn", "  orders:\n    table: no_such_table\n    subjectColumn"), keys,
        "sources.orders.table", "no Delta table at");
  }

  @Test
  void actionOfWrongTypeForColumn() throws Exception {
    runRefused(edit("city:                    {class: quasi_identifier, action: keep}",
        "city:                    {class: quasi_identifier, action: age_band, width: 10}"), keys,
        "sources.customers.columns.city.action", "has type string but a timestamp or date");
  }

  /** A job releasing customers' cities, anonymized with the hierarchy {@code cities} declared as given. */
  static String citiesSpec(String citiesHierarchy) {
    return """
        name: cities
        consent: {source: customers, subjectColumn: customer_id, purposes: {analytics: consent_analytics}}
        hierarchies:
          cities: %s
        sources:
        """.formatted(citiesHierarchy) + TestSpecs.customersSource("keep") + """
        outputs:
          - name: cities
            source: customers
            audience: analysts
            purpose: analytics
            columns: [customer_id, city]
            anonymization: {quasiIdentifiers: {city: cities}, k: 2}
        """;
  }

  @Test
  void hierarchyNotCoveringTheData_countsTheValuesWithoutNamingThem() throws Exception {
    String message = runRefused(citiesSpec("{groups: [{south: [深圳, 广州]}]}"), keys,
        "outputs[0].anonymization.quasiIdentifiers.city", "are not in any group");
    assertNoRawValueIn(message);
  }

  /** {@link #citiesSpec} with a retention rule that deletes expired customers: a late refusal would have deleted them. */
  static String citiesSpecWithRetention(String citiesHierarchy, int k) {
    String spec = citiesSpec(citiesHierarchy);
    String subject = "    subjectColumn: customer_id\n";
    assertTrue(spec.contains(subject) && spec.contains("k: 2}"), spec);
    return spec.replace(subject, subject + "    retention: {column: last_activity_at, maxAgeDays: 1095, maxDeleteFraction: 0.5}\n")
        .replace("k: 2}", "k: " + k + "}");
  }

  /** The checks that need the data run before the first deletion: a refused run has deleted nothing. */
  @Test
  void hierarchyNotCoveringTheData_isRefusedBeforeRetentionDeletesAnything() throws Exception {
    runRefused(citiesSpecWithRetention("{groups: [{south: [深圳, 广州]}]}", 2), keys,
        "outputs[0].anonymization.quasiIdentifiers.city", "are not in any group");
  }

  @Test
  void kAboveTheRows_isRefusedBeforeRetentionDeletesAnything() throws Exception {
    String everyCity = "{groups: [{china: [上海, 北京, 深圳, 广州, 成都, 重庆, 杭州, 武汉, 西安, 天津, 南京, 苏州, 郑州, 长沙, 东莞, "
        + "青岛, 沈阳, 宁波, 昆明, 合肥, 厦门, 福州, 哈尔滨, 济南, 大连, 南宁, 贵阳, 兰州, 海口, 拉萨]}]}";
    runRefused(citiesSpecWithRetention(everyCity, 1_000_000), keys, "outputs[0].anonymization.k", "lower k");
  }

  /**
   * k is within the consenting customers there are now but above those retention leaves: the checks
   * see the rows as deletion will leave them, so the run stops before deleting.
   */
  @Test
  void kAboveTheRowsRetentionLeaves_isRefusedBeforeRetentionDeletesAnything() throws Exception {
    Dataset<Row> consenting = spark.read().format("delta")
        .load(warehouse.rawTable("customers")).filter("consent_analytics");
    Timestamp cutoff = Timestamp.from(TestWarehouses.REFERENCE_TIME.minus(Duration.ofDays(1095)));
    long now = consenting.count();
    long left = consenting.filter(org.apache.spark.sql.functions.not(
        org.apache.spark.sql.functions.col("last_activity_at").lt(cutoff))).count();
    assertTrue(left < now, "the fixture must have expired consenting customers");
    String everyCity = "{groups: [{china: [上海, 北京, 深圳, 广州, 成都, 重庆, 杭州, 武汉, 西安, 天津, 南京, 苏州, 郑州, 长沙, 东莞, "
        + "青岛, 沈阳, 宁波, 昆明, 合肥, 厦门, 福州, 哈尔滨, 济南, 大连, 南宁, 贵阳, 兰州, 海口, 拉萨]}]}";
    runRefused(citiesSpecWithRetention(everyCity, (int) left + 1), keys, "outputs[0].anonymization.k", "lower k");
  }

  @Test
  void hierarchyFileNotCoveringTheData_countsTheValuesAndShowsThemOnlyWhenAsked() throws Exception {
    Path folder = TestSpark.tempDirectory("spec-with-hierarchy");
    Files.writeString(folder.resolve("cities.csv"), "深圳;south;*\n广州;south;*\n");
    String spec = citiesSpec("{file: cities.csv}");
    String message = runRefusedIn(folder, TestWarehouses.REFERENCE_TIME.toString(), spec, keys,
        "outputs[0].anonymization.quasiIdentifiers.city", "not covered by the hierarchy");
    assertNoRawValueIn(message);
    // Asked for explicitly, the console (and only the console) shows examples.
    Path specFile = Files.createTempFile(folder, "values", ".yaml");
    Files.writeString(specFile, spec);
    StringWriter err = new StringWriter();
    DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "run", specFile.toString(),
        "--warehouse", warehouse.root(), "--key-dir", keys.toString(), "--reference-time",
        TestWarehouses.REFERENCE_TIME.toString(), "--show-values");
    assertTrue(err.toString().contains("上海"), "--show-values prints examples: " + err);
    assertNoRawValueIn(String.join("\n", spark.read().format("delta").load(warehouse.auditTable())
        .select("error").na().fill("").as(Encoders.STRING()).collectAsList()));
    assertNoRawValueIn(Files.walk(Path.of(warehouse.root(), "reports")).filter(p -> p.toString().endsWith(".json"))
        .map(p -> { try { return Files.readString(p); } catch (IOException e) { throw new AssertionError(e); } })
        .reduce("", String::concat));
  }

  /** A spec cannot make the job read files outside its folder: not by climbing, not by absolute path, not by symlink. */
  @Test
  void hierarchyFileOutsideTheSpecsFolder_isNotRead() throws Exception {
    Path folder = TestSpark.tempDirectory("spec-climbing");
    Path outside = TestSpark.tempDirectory("elsewhere").resolve("secret.csv");
    Files.writeString(outside, "root:x:0:0:root:/root:/bin/bash\n");
    Files.createSymbolicLink(folder.resolve("link.csv"), outside);
    String climbing = "../".repeat(12) + "etc/passwd";
    for (String file : List.of(climbing, outside.toString(), "link.csv")) {
      String message = runRefusedIn(folder, TestWarehouses.REFERENCE_TIME.toString(), citiesSpec("{file: \"" + file + "\"}"),
          keys, "hierarchies.cities.file", "lies outside the spec's folder", "DEID_HIERARCHY_ROOTS");
      assertFalse(message.contains("root:x:0"), "a file's content must never be echoed: " + message);
    }
  }

  /** Cities of the sample data: none may appear in a message that reaches a report or the audit. */
  static void assertNoRawValueIn(String text) {
    for (String city : new String[] {"上海", "北京", "杭州", "成都"}) {
      assertFalse(text.contains(city), "raw value '" + city + "' leaked into: " + text);
    }
  }

  @Test
  void validate_reportsEveryErrorAtOnce() throws Exception {
    Path spec = Files.createTempFile(TestSpark.tempDirectory("spec"), "bad", ".yaml");
    Files.writeString(spec, edit("maxAgeDays: 1095", "maxAgeDays: -1").replace("purpose: partner_sharing", "purpose: resale"));
    StringWriter err = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "validate", spec.toString());
    assertEquals(DeidCli.FAILED, code);
    assertTrue(err.toString().contains("sources.customers.retention.maxAgeDays"), err.toString());
    assertTrue(err.toString().contains("outputs[3].purpose"), err.toString());
    StringWriter out = new StringWriter();
    assertEquals(0, DeidCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "validate", "jobs/customers.yaml"));
  }
}

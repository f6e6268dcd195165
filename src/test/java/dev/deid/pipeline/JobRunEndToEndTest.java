package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deid.DeltaLogText;
import dev.deid.HeadlessChromium;
import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.cli.DeidCli;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.Warehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sample job spec run once on sample data; each test checks one promise of the run. */
class JobRunEndToEndTest {
  static SparkSession spark;
  static Warehouse warehouse;
  static Path keys;
  static Set<String> erasureIds;
  static Set<String> expiredCustomerIds;
  static long rawCustomers;
  /** Identifier values (name, e-mail, mobile, resident id) only deleted customers had, each with its column. */
  static final Map<String, String> deletedIdentifiers = new HashMap<>();

  @BeforeAll
  static void runSampleJob() {
    spark = TestSpark.session();
    warehouse = TestWarehouses.fresh("e2e");
    keys = TestWarehouses.keyDirectory();
    Timestamp cutoff = Timestamp.from(TestWarehouses.REFERENCE_TIME.minus(Duration.ofDays(1095)));
    Dataset<Row> customers = raw("customers");
    rawCustomers = customers.count();
    expiredCustomerIds = strings(customers.filter(functions.col("last_activity_at").lt(cutoff)).select("customer_id"));
    erasureIds = strings(raw("erasure_requests").select("subject_id"));
    Set<String> deletedIds = new HashSet<>(expiredCustomerIds);
    deletedIds.addAll(erasureIds);
    Dataset<Row> deleted = customers.filter(functions.col("customer_id").isin(deletedIds.toArray()));
    Dataset<Row> kept = customers.filter(functions.not(functions.col("customer_id").isin(deletedIds.toArray())));
    for (String column : List.of("name", "email", "mobile", "resident_id")) {
      Set<String> values = strings(deleted.select(column));
      values.removeAll(strings(kept.select(column)));
      values.forEach(v -> deletedIdentifiers.put(v, column));
    }
    assertFalse(expiredCustomerIds.isEmpty(), "the sample must contain expired customers");
    assertFalse(erasureIds.isEmpty(), "the sample must contain erasure requests");
    int code = DeidCli.execute("run", "jobs/customers.yaml", "--warehouse", warehouse.root(),
        "--key-dir", keys.toString(), "--reference-time", TestWarehouses.REFERENCE_TIME.toString());
    assertEquals(0, code, "the sample job should succeed");
  }

  static Dataset<Row> raw(String table) {
    return spark.read().format("delta").load(warehouse.rawTable(table));
  }

  /** The outputs' checkpointed rows Spark still keeps (none once a run has ended, however it ended). */
  static List<String> checkpointsKept() {
    return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext())
        .getPersistentRDDs().values().stream().map(JavaRDD::name)
        .filter(name -> name != null && name.startsWith(Outputs.CHECKPOINT_NAME)).toList();
  }

  @Test
  void run_releasesTheOutputsCheckpointedRows() {
    assertEquals(List.of(), checkpointsKept());
  }

  static Dataset<Row> analysts(String output) {
    return spark.read().format("delta").load(warehouse.root() + "/analysts/" + output);
  }

  static Set<String> strings(Dataset<Row> oneColumn) {
    return new HashSet<>(oneColumn.as(Encoders.STRING()).collectAsList());
  }

  /** A partner extract's files, read as the partner does, with its copies of the master keys. */
  static Dataset<Row> partnerFiles(Path runDirectory) {
    return spark.read().options(ExtractEncryption.readOptions(TestWarehouses.acmeMasterKeys()))
        .parquet(runDirectory.toString());
  }

  /** The contract requires encryption: without the partner's keys an extract does not read. */
  @Test
  void partnerExtracts_areEncrypted_andReadOnlyWithThePartnersKeys() throws Exception {
    Path extract = Path.of(warehouse.root(), "partners", "acme", "orders_partner");
    Path dir = extract.resolve(Files.readString(extract.resolve("_CURRENT")).strip());
    Assertions.assertThrows(Exception.class, () -> spark.read().parquet(dir.toString()).count());
    assertTrue(partnerFiles(dir).count() > 100);
    Map<?, ?> manifest = new ObjectMapper().readValue(dir.resolve("_manifest.json").toFile(), Map.class);
    assertEquals(Map.of("scheme", "parquet-modular-encryption", "algorithm", "AES_GCM_V1", "footerKeyId", "acme-footer-k1",
        "columnKeyId", "acme-columns-k1", "columnsUnderColumnKey", List.of("amount")), manifest.get("encryption"));
  }

  /** Every Parquet file under a directory, read directly (no Delta log, no deletion vectors). */
  static Dataset<Row> everyDataFile(String table) throws Exception {
    try (Stream<Path> files = Files.walk(Path.of(table))) {
      List<String> parquet = files.map(Path::toString)
          .filter(p -> p.endsWith(".parquet") && !p.contains("_delta_log")).toList();
      return spark.read().parquet(parquet.toArray(String[]::new));
    }
  }

  /**
   * The whole report and audit row of the sample run, against golden files (volatile fields
   * normalized, see {@link GoldenReports}); regenerate with -Ddeid.golden.update=true.
   */
  @Test
  void analystOutputs_areNamedTablesInTheCatalog_withTheirComments() {
    for (String output : List.of("customers_analytics", "orders_analytics", "feedback_analytics", "orders_by_region_year")) {
      assertEquals(analysts(output).count(), spark.table("analysts." + output).count(), output + " by name reads the output");
    }
    String comment = spark.sql("DESCRIBE TABLE EXTENDED analysts.customers_analytics").filter("col_name = 'Comment'")
        .select("data_type").first().getString(0);
    assertTrue(comment.contains("purpose 'analytics'"), comment);
  }

  /** The run's JSON report. */
  static Path reportFile() throws Exception {
    try (Stream<Path> files = Files.list(Path.of(warehouse.reportDirectory("customers_minimization")))) {
      return files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
  }

  @Test
  void htmlReport_rendersInAHeadlessBrowser_withEveryChartDrawn() throws Exception {
    Path json = reportFile();
    Path html = Path.of(json.toString().replaceAll("\\.json$", ".html"));
    assertTrue(Files.isRegularFile(html), "the HTML report lies beside the JSON one");
    String page = Files.readString(html);
    assertFalse(page.replace("http://www.w3.org/2000/svg", "").contains("http"), "the page loads nothing from the network");
    // What the page must chart, counted from the JSON report: a row flow per output, loss and risk
    // per anonymized output, each released statistic with an error, and the budget over time.
    var report = GoldenReports.JSON.readTree(json.toFile());
    int expected = 1;
    for (var output : report.get("outputs")) {
      expected += output.get("anonymization").isNull() ? 1 : 3;
    }
    for (var release : report.get("releases")) {
      if (!release.get("table").isNull() && release.get("groupsReleased").asLong() > 0) {
        var columns = spark.read().format("delta").load(release.get("location").asText()).columns();
        expected += (int) Arrays.stream(columns).filter(c -> c.endsWith("_error95") && !c.endsWith("_rank_error95")).count();
      }
    }
    Path screenshot = Path.of("target/html-report.png");
    var rendered = HeadlessChromium.load(html, screenshot);
    assertEquals(null, rendered.bodyAttribute("data-errors"), "the page's scripts ran without errors");
    assertEquals("ok", rendered.bodyAttribute("data-rendered"), "every chart drew its shapes");
    assertEquals(String.valueOf(expected), rendered.bodyAttribute("data-charts"));
    assertTrue(Files.size(screenshot) > 10_000, "a screenshot was taken");
  }

  @Test
  void report_andAuditRow_matchTheGoldenFiles() throws Exception {
    Path reportFile = reportFile();
    String root = Path.of(warehouse.root()).toAbsolutePath().toString();
    var report = GoldenReports.normalized(GoldenReports.JSON.readTree(reportFile.toFile()), root);
    assertEquals(GoldenReports.golden("sample_job_report.json", report), GoldenReports.text(report),
        "the sample run's report changed; if deliberately, regenerate with -Ddeid.golden.update=true");
    String auditJson = spark.read().format("delta").load(warehouse.auditTable()).toJSON().first();
    var audit = GoldenReports.normalized(GoldenReports.JSON.readTree(auditJson), root);
    assertEquals(GoldenReports.golden("sample_job_audit.json", audit), GoldenReports.text(audit),
        "the sample run's audit row changed; if deliberately, regenerate with -Ddeid.golden.update=true");
  }

  @Test
  void retention_expiredCustomers_areGoneFromEveryFileOnDisk() throws Exception {
    Set<String> onDisk = strings(everyDataFile(warehouse.rawTable("customers")).select("customer_id"));
    onDisk.retainAll(expiredCustomerIds);
    assertEquals(Set.of(), onDisk, "expired customers must not be in any data file");
  }

  /** Version 0's file statistics held the smallest and largest e-mail, name, mobile and resident id, some of deleted customers. */
  @Test
  void deletion_leavesNoIdentifierOfADeletedCustomerInTheRawTablesLog() throws Exception {
    String log = DeltaLogText.of(warehouse.rawTable("customers"));
    List<String> traces = deletedIdentifiers.entrySet().stream().filter(e -> log.contains(e.getKey()))
        .map(Map.Entry::getValue).sorted().toList();
    assertEquals(List.of(), traces, "columns whose deleted values the raw customers' _delta_log still holds");
  }

  @Test
  void retention_noVersionReachableByTimeTravel_holdsAnExpiredRow() {
    String table = warehouse.rawTable("customers");
    List<Long> versions = spark.sql("DESCRIBE HISTORY delta.`" + table + "`").select("version").as(Encoders.LONG()).collectAsList();
    int readable = 0;
    for (long v : versions) {
      Set<String> ids;
      try {
        ids = strings(spark.read().format("delta").option("versionAsOf", v).load(table).select("customer_id"));
      } catch (Exception e) {
        continue; // its files were vacuumed: not reachable
      }
      readable++;
      ids.retainAll(expiredCustomerIds);
      assertEquals(Set.of(), ids, "version " + v + " is readable and must not hold expired rows");
    }
    assertTrue(readable >= 1, "the current version must be readable");
  }

  @Test
  void erasure_requestedSubjects_areGoneFromRawFilesAndOutputs() throws Exception {
    for (String table : List.of("customers", "orders", "feedback")) {
      Set<String> onDisk = strings(everyDataFile(warehouse.rawTable(table)).select("customer_id"));
      onDisk.retainAll(erasureIds);
      assertEquals(Set.of(), onDisk, "erased subjects must not be in any data file of raw " + table);
    }
    Set<String> erasedPseudonyms = erasureIds.stream()
        .map(id -> TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id)).collect(Collectors.toSet());
    for (String output : List.of("customers_analytics", "orders_analytics", "feedback_analytics")) {
      Set<String> onDisk = strings(everyDataFile(warehouse.root() + "/analysts/" + output).select("customer_id"));
      onDisk.retainAll(erasedPseudonyms);
      assertEquals(Set.of(), onDisk, "erased subjects' pseudonyms must not be in any file of " + output);
    }
  }

  @Test
  void audit_successfulRun_recordsErasureByPseudonymOnly() {
    Row audit = spark.read().format("delta").load(warehouse.auditTable()).filter("status = 'SUCCEEDED'").first();
    List<String> pseudonyms = audit.getList(audit.fieldIndex("erased_subject_pseudonyms"));
    assertFalse(pseudonyms.isEmpty(), "the run erased subjects and must say so");
    Set<String> expected = erasureIds.stream()
        .map(id -> TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id)).collect(Collectors.toSet());
    assertTrue(expected.containsAll(pseudonyms), "audited subjects must be pseudonyms of requested ids");
    String whole = audit.toString();
    for (String id : erasureIds) {
      assertFalse(whole.contains(id), "the audit record must not contain the raw id " + id);
    }
    Map<String, Long> counts = audit.getJavaMap(audit.fieldIndex("step_counts"));
    assertTrue(counts.get("retention.customers.rows_deleted") > 0, counts.toString());
    assertEquals((long) erasureIds.size(), counts.get("erasure.requests"));
    assertTrue(audit.getMap(audit.fieldIndex("input_versions")).size() == 3);
  }

  @Test
  void consent_customersOutput_holdsExactlyTheConsentingRemainingCustomers() {
    Set<String> expected = strings(raw("customers").filter("consent_analytics").select("customer_id")).stream()
        .map(id -> TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id)).collect(Collectors.toSet());
    Set<String> actual = strings(analysts("customers_analytics").select("customer_id"));
    assertFalse(actual.isEmpty());
    assertEquals(expected, actual);
  }

  @Test
  void consent_ordersOutput_onlyHoldsOrdersOfConsentingCustomers() {
    Set<String> consenting = strings(analysts("customers_analytics").select("customer_id"));
    Set<String> orderCustomers = strings(analysts("orders_analytics").select("customer_id"));
    assertFalse(orderCustomers.isEmpty());
    assertTrue(consenting.containsAll(orderCustomers), "orders must only belong to consenting customers");
  }

  @Test
  void minimization_outputs_holdOnlyTheListedColumnsTransformed() {
    Dataset<Row> customers = analysts("customers_analytics");
    assertEquals(List.of("customer_id", "email", "mobile", "age_band", "gender", "postcode", "city", "province",
        "signup_month", "last_activity_day"), List.of(customers.columns()));
    for (Row r : customers.limit(200).collectAsList()) {
      assertTrue(r.getString(0).matches("[0-9a-f]{64}"), "pseudonym: " + r.getString(0));
      assertTrue(r.getString(1).matches("[0-9a-f]{64}"), "email pseudonym");
      assertTrue(r.getString(2).matches("\\*{7}[0-9]{4}"), "masked mobile: " + r.getString(2));
      assertTrue(r.getString(3).matches("[0-9]+0-[0-9]+9"), "age band: " + r.getString(3));
      assertTrue(r.getString(5).matches("[0-9]{4}\\*\\*"), "postcode prefix: " + r.getString(5));
    }
    assertEquals(List.of("customer_id", "feedback_month", "rating", "comment"), List.of(analysts("feedback_analytics").columns()));
  }

  @Test
  void redaction_feedbackComments_holdNoEmailOrPhone() {
    List<String> comments = analysts("feedback_analytics").select("comment").as(Encoders.STRING()).collectAsList();
    assertTrue(comments.stream().anyMatch(c -> c.contains("<email>")), "some comments carried e-mails");
    for (String c : comments) {
      assertFalse(c.matches(".*[A-Za-z0-9._-]+@[A-Za-z0-9.-]+.*"), "e-mail left in: " + c);
      assertFalse(c.matches(".*1[3-9][0-9]{9}.*"), "phone left in: " + c);
    }
  }

  /**
   * Every SQL statement of the analyst quick start runs as written against the sample run's
   * warehouse (only the SET line's placeholder path is replaced), and each query returns rows
   * (the DP release's may have none: see below).
   */
  @Test
  void analystQuickstart_everyStatementRunsAsWritten() throws Exception {
    String page = Files.readString(Path.of("notebooks/analyst_quickstart.md"));
    List<String> statements = new ArrayList<>();
    Matcher block = Pattern.compile("```sql\n(.*?)```", Pattern.DOTALL).matcher(page);
    while (block.find()) {
      String sql = block.group(1).replaceAll("(?m)--.*$", "");
      for (String statement : sql.split(";")) {
        if (!statement.isBlank()) {
          statements.add(statement.strip());
        }
      }
    }
    assertTrue(statements.size() >= 8, statements.toString());
    assertTrue(statements.get(0).startsWith("SET warehouse = /absolute/path/to/"), statements.get(0));
    statements.set(0, "SET warehouse = " + warehouse.root());
    for (String statement : statements) {
      List<Row> rows = spark.sql(statement).collectAsList();
      // DP group selection may release no group of the test's 1,000 customers; the query must still run.
      if (!statement.contains("orders_by_region_year")) {
        assertFalse(rows.isEmpty(), "no rows from: " + statement);
      }
    }
  }

  /** An analyst reads what was done to each column where they query: DESCRIBE TABLE shows it. */
  @Test
  void dataDictionary_describeTable_showsWhatWasDoneToEachColumn() {
    Map<String, String> comments = new HashMap<>();
    for (Row r : spark.sql("DESCRIBE TABLE delta.`" + warehouse.root() + "/analysts/customers_analytics`").collectAsList()) {
      if (r.getString(0) != null && !r.getString(0).startsWith("#") && r.get(2) != null) {
        comments.put(r.getString(0), r.getString(2));
      }
    }
    assertTrue(comments.get("customer_id").startsWith("direct identifier: HMAC-SHA-256 pseudonym under key 'analysts-k1'; "
        + "joins with the other analysts tables"), comments.toString());
    assertEquals("quasi identifier: age band of 10 years at the run's reference date", comments.get("age_band"));
    assertEquals("direct identifier: masked with '*', last 4 characters kept", comments.get("mobile"));
    assertEquals("insensitive: truncated to the month", comments.get("signup_month"));
    String description = spark.sql("DESCRIBE DETAIL delta.`" + warehouse.root() + "/analysts/customers_analytics`")
        .select("description").first().getString(0);
    assertTrue(description.startsWith("Output 'customers_analytics' for analysts, purpose 'analytics'. consent: only "
        + "subjects who consented"), description);
  }

  @Test
  void metadata_outputTable_recordsRunKeyAndGuarantees() {
    Map<String, String> properties = spark.sql("DESCRIBE DETAIL delta.`" + warehouse.root() + "/analysts/customers_analytics`")
        .select("properties").first().getJavaMap(0);
    String runId = spark.read().format("delta").load(warehouse.auditTable()).filter("status = 'SUCCEEDED'").first().getString(0);
    assertEquals(runId, properties.get("deid.run_id"));
    assertEquals("analysts-k1", properties.get("deid.key_id"));
    assertTrue(properties.get("deid.guarantees").contains("consent: only subjects who consented to purpose 'analytics'"));
    assertTrue(Files.exists(Path.of(warehouse.reportDirectory("customers_minimization"), runId + ".json")));
  }

  @Test
  void partnerExtract_isVerifiableAndUnlinkableToAnalystPseudonyms() throws Exception {
    Path extract = Path.of(warehouse.root(), "partners", "acme", "orders_partner");
    String run = Files.readString(extract.resolve("_CURRENT")).strip();
    Path dir = extract.resolve(run);
    Map<?, ?> manifest = new ObjectMapper().readValue(dir.resolve("_manifest.json").toFile(), Map.class);
    Map<?, ?> files = (Map<?, ?>) manifest.get("files");
    assertFalse(files.isEmpty());
    for (Map.Entry<?, ?> f : files.entrySet()) {
      byte[] bytes = Files.readAllBytes(dir.resolve((String) f.getKey()));
      assertEquals(f.getValue(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
    }
    assertEquals("acme-k1", manifest.get("deid.key_id"));
    Set<String> partner = strings(partnerFiles(dir).select("customer_id"));
    Set<String> analyst = strings(analysts("orders_analytics").select("customer_id"));
    assertFalse(partner.isEmpty());
    partner.retainAll(analyst);
    assertEquals(Set.of(), partner, "a partner's pseudonyms must not join with the analysts'");
  }
  @Test
  void customersPartnerExtract_isTenAnonymousOnGeneralizedLabels() throws Exception {
    Path extract = Path.of(warehouse.root(), "partners", "acme", "customers_partner");
    Path dir = extract.resolve(Files.readString(extract.resolve("_CURRENT")).strip());
    Dataset<Row> data = partnerFiles(dir);
    assertEquals(Set.of("age_band", "postcode", "province", "signup_month"), Set.of(data.columns()),
        "only the columns the partner's purpose needs");
    AnonymityChecker checker = new AnonymityChecker(data, List.of("age_band", "postcode", "province"));
    assertTrue(data.count() > 100, "the extract holds the consenting customers: " + data.count());
    assertTrue(checker.smallestClass() >= 10, "every class must hold at least 10 customers: " + checker.smallestClass());
    Set<String> bands = strings(data.select("age_band"));
    Set<String> provinces = strings(data.select("province"));
    assertTrue(Set.of("10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80-89", "90-99",
        "10-29", "30-49", "50-69", "70-89", "90-109", "*").containsAll(bands), bands.toString());
    assertTrue(Set.of("上海", "北京", "广东", "四川", "重庆", "浙江", "湖北", "陕西", "天津", "江苏", "河南", "湖南", "山东",
        "辽宁", "云南", "安徽", "福建", "黑龙江", "广西", "贵州", "甘肃", "海南", "西藏",
        "华东", "华北", "华南", "华中", "西南", "西北", "东北", "*").containsAll(provinces), provinces.toString());
    for (String postcode : strings(data.select("postcode"))) {
      assertTrue(postcode.matches("[0-9]{0,4}\\*{2,6}"), "postcodes stay masked: " + postcode);
    }
  }

  /** What the partner runs: both sample extracts verify with the publisher's public key, k=10 recomputed. */
  @Test
  void partnerExtracts_verifyWithThePublishersPublicKey() {
    for (String extract : List.of("customers_partner", "orders_partner")) {
      StringWriter out = new StringWriter();
      int code = DeidCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "verify",
          Path.of(warehouse.root(), "partners", "acme", extract).toString(), "--public-key", keys.resolve("signing.pub").toString(),
          "--decryption-key", keys.resolve("kms_acme_footer.key").toString(),
          "--decryption-key", keys.resolve("kms_acme_columns.key").toString());
      assertEquals(0, code, out.toString());
      if (extract.equals("customers_partner")) {
        assertTrue(out.toString().contains("k=10"), "the stated k is rechecked: " + out);
      }
    }
  }
}

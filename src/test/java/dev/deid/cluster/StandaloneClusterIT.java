package dev.deid.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.io.DeltaStore;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar on a real Spark standalone cluster (one Master, one Worker, executors in JVMs
 * of their own), submitted in client mode with the README's recipe and keys given only as
 * environment variables: the sample job (retention, erasure, pseudonyms, a k-anonymized partner
 * extract, DP releases) must succeed there, run its tasks on executors, and produce what a
 * local-mode run on the same raw data and keys produces (its golden report); a second run with new
 * erasure requests must erase the subjects from the analyst tables the first run published.
 */
class StandaloneClusterIT {
  static final SparkSession spark = TestSpark.session();
  static final String REFERENCE_TIME = TestWarehouses.REFERENCE_TIME.toString();
  static final ObjectMapper JSON = new ObjectMapper();
  /**
   * The report of the same spec on the same generated raw data and keys in local mode: the golden
   * file JobRunEndToEndTest checks each local run against.
   */
  static final Path LOCAL_MODE_REPORT = Path.of("src/test/resources/golden/sample_job_report.json");

  static Map<String, String> keyEnvironment() {
    return Map.of(
        "DEID_KEY_ANALYSTS", "analysts-k1:" + Base64.getEncoder().encodeToString(TestWarehouses.ANALYSTS_SECRET),
        "DEID_KEY_PARTNER_ACME", "acme-k1:" + Base64.getEncoder().encodeToString(TestWarehouses.PARTNER_SECRET),
        "DEID_SIGNING_KEY", TestWarehouses.SIGNING[0],
        "DEID_KMS_ACME_FOOTER", "acme-footer-k1:" + Base64.getEncoder().encodeToString(TestWarehouses.FOOTER_SECRET),
        "DEID_KMS_ACME_COLUMNS", "acme-columns-k1:" + Base64.getEncoder().encodeToString(TestWarehouses.COLUMNS_SECRET));
  }

  /** The README's spark-submit recipe, pointed at the test cluster, a local warehouse and an event log. */
  static List<String> submitArguments(StandaloneCluster cluster, Path eventLog, Warehouse warehouse) {
    String jar = System.getProperty("deid.job.jar", "target/deid-job-0.1.0-SNAPSHOT.jar");
    List<String> args = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
        "--master", cluster.masterUrl(), "--deploy-mode", "client",
        "--class", "dev.deid.cli.DeidCli",
        "--properties-file", cluster.properties.toString(),
        "--jars", StandaloneCluster.deltaJars().stream().map(Path::toString).collect(Collectors.joining(",")),
        "--conf", "spark.sql.extensions=io.delta.sql.DeltaSparkSessionExtension",
        "--conf", "spark.sql.catalog.spark_catalog=org.apache.spark.sql.delta.catalog.DeltaCatalog",
        "--conf", "spark.executor.extraJavaOptions=" + String.join(" ", StandaloneCluster.JAVA_OPTIONS),
        "--conf", "spark.executor.memory=1g",
        "--conf", "spark.eventLog.enabled=true",
        "--conf", "spark.eventLog.compress=false",
        "--conf", "spark.eventLog.rolling.enabled=false",
        "--conf", "spark.eventLog.dir=" + eventLog.toUri()));
    // The spec by URI, read through Hadoop's FileSystem as one on HDFS or S3 would be.
    String spec = Path.of("jobs/customers.yaml").toAbsolutePath().toUri().toString();
    args.addAll(List.of(jar, "run", spec, "--warehouse", warehouse.root(), "--reference-time", REFERENCE_TIME));
    return args;
  }

  static long submit(StandaloneCluster cluster, Path directory, Warehouse warehouse, String name) throws Exception {
    return submit(cluster, directory, warehouse, name, true);
  }

  static long submit(StandaloneCluster cluster, Path directory, Warehouse warehouse, String name, boolean succeeds)
      throws Exception {
    Path eventLog = Files.createDirectories(directory.resolve("events-" + name));
    Path log = directory.resolve("driver-" + name + ".log");
    ProcessBuilder pb = cluster.java(List.of("-Xmx2g"), submitArguments(cluster, eventLog, warehouse), log);
    pb.environment().putAll(keyEnvironment());
    long t0 = System.nanoTime();
    Process driver = pb.start();
    boolean finished = driver.waitFor(8, TimeUnit.MINUTES);
    if (!finished) {
      driver.descendants().forEach(ProcessHandle::destroyForcibly);
      driver.destroyForcibly();
    }
    long millis = (System.nanoTime() - t0) / 1_000_000;
    String output = Files.readString(log);
    assertTrue(finished, "the cluster run did not finish in 8 minutes: " + tail(output));
    if (succeeds) {
      assertEquals(0, driver.exitValue(), "the cluster run must succeed: " + tail(output));
    } else {
      assertTrue(driver.exitValue() != 0, "the cluster run must fail: " + tail(output));
    }
    assertTasksRanOnExecutors(eventLog);
    assertNoSecretIn(eventLog);
    return millis;
  }

  static String tail(String text) {
    return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
  }

  /** Every task of the application ran in an executor JVM, none in the driver. */
  static void assertTasksRanOnExecutors(Path eventLog) throws Exception {
    Map<String, Integer> tasksByExecutor = new TreeMap<>();
    try (Stream<Path> files = Files.walk(eventLog)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        for (String line : Files.readAllLines(file)) {
          if (line.contains("\"Event\":\"SparkListenerTaskEnd\"")) {
            tasksByExecutor.merge(JSON.readTree(line).path("Task Info").path("Executor ID").asText(), 1, Integer::sum);
          }
        }
      }
    }
    assertFalse(tasksByExecutor.isEmpty(), "the event log must record tasks");
    assertFalse(tasksByExecutor.containsKey("driver"), "no task may run in the driver: " + tasksByExecutor);
    // With Spark's and Delta's cluster defaults the sample ran about 90,000 tasks (VACUUM listings of
    // 10,000 tasks each); sized from the application's cores, a small fraction of that.
    int tasks = tasksByExecutor.values().stream().mapToInt(Integer::intValue).sum();
    System.out.println("cluster run: " + tasks + " tasks " + tasksByExecutor);
    assertTrue(tasks < 15_000, "the job must size its shuffles and Delta maintenance to the application: " + tasks + " tasks");
  }

  /** The master keys travel to executors in the write's configuration; Spark's event log must hold none of them. */
  static void assertNoSecretIn(Path eventLog) throws Exception {
    List<String> secrets = List.of(Base64.getEncoder().encodeToString(TestWarehouses.FOOTER_SECRET),
        Base64.getEncoder().encodeToString(TestWarehouses.COLUMNS_SECRET),
        Base64.getEncoder().encodeToString(TestWarehouses.ANALYSTS_SECRET),
        Base64.getEncoder().encodeToString(TestWarehouses.PARTNER_SECRET));
    try (Stream<Path> files = Files.walk(eventLog)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String text = Files.readString(file);
        for (String secret : secrets) {
          assertFalse(text.contains(secret), "a key secret is in the event log " + file.getFileName());
        }
      }
    }
  }

  static JsonNode report(Warehouse warehouse, int index) throws Exception {
    try (Stream<Path> files = Files.list(Path.of(warehouse.reportDirectory("customers_minimization")))) {
      List<Path> reports = files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
      return JSON.readTree(reports.get(index).toFile());
    }
  }

  static Map<String, Object> comparable(JsonNode report) {
    Map<String, Object> view = new TreeMap<>();
    view.put("status", report.path("status").asText());
    report.path("retention").fields().forEachRemaining(e -> view.put("retention." + e.getKey(), e.getValue().path("rowsDeleted").asLong()));
    view.put("erased", report.path("erasure").path("erasedSubjectPseudonyms").toString());
    for (JsonNode o : report.path("outputs")) {
      String name = o.path("name").asText();
      view.put(name + ".rowsOut", o.path("rowsOut").asLong());
      view.put(name + ".guarantees", o.path("guarantees").toString());
      view.put(name + ".levels", o.path("anonymization").path("levels").toString());
    }
    for (JsonNode r : report.path("releases")) {
      view.put(r.path("name").asText() + ".epsilon", r.path("epsilon").asDouble());
      if ("public groups".equals(r.path("groupSelection").asText())) {
        view.put(r.path("name").asText() + ".groups", r.path("groupsReleased").asLong());
      }
    }
    return view;
  }

  static Set<String> pseudonyms(Warehouse warehouse, String output) {
    return Set.copyOf(spark.read().format("delta").load(warehouse.root() + "/analysts/" + output)
        .select("customer_id").distinct().as(Encoders.STRING()).collectAsList());
  }

  @Test
  void sampleJob_onAStandaloneCluster_matchesLocalMode_andErasesFromPublishedOutputs() throws Exception {
    Path directory = TestSpark.tempDirectory("cluster");
    Warehouse onCluster = TestWarehouses.fresh("cluster-warehouse");
    try (StandaloneCluster cluster = StandaloneCluster.start(directory, 2, "3g")) {
      long clusterMillis = submit(cluster, directory, onCluster, "first");

      System.out.printf("sample job (1,000 customers): standalone cluster %.1f s (driver JVM start included)%n",
          clusterMillis / 1000.0);

      JsonNode clusterReport = report(onCluster, 0);
      assertEquals(comparable(JSON.readTree(LOCAL_MODE_REPORT.toFile())), comparable(clusterReport),
          "the cluster run must produce what local mode does");
      assertTrue(clusterReport.path("outputs").size() >= 5 && clusterReport.path("releases").size() == 2, clusterReport.toString());

      // Keys given only in the driver's environment reached the executors: pseudonyms are the HMAC
      // of the raw ids under the analysts' secret, as many as local mode published.
      Set<String> published = pseudonyms(onCluster, "customers_analytics");

      // Executors encrypted the partner extract with the partner's keys: it reads back only with them.
      Path extract = Path.of(onCluster.root(), "partners", "acme", "orders_partner");
      String run = extract.resolve(Files.readString(extract.resolve("_CURRENT")).strip()).toString();
      assertEquals(clusterReport.path("outputs").get(3).path("rowsOut").asLong(), spark.read()
          .options(ExtractEncryption.readOptions(TestWarehouses.acmeMasterKeys())).parquet(run).count());
      Assertions.assertThrows(Exception.class, () -> spark.read().parquet(run).count());
      List<String> rawIds = spark.read().format("delta").load(onCluster.rawTable("customers")).select("customer_id")
          .as(Encoders.STRING()).collectAsList();
      Set<String> underTheAnalystsSecret = rawIds.stream()
          .map(id -> TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id)).collect(Collectors.toSet());
      assertTrue(underTheAnalystsSecret.containsAll(published), "every published pseudonym is a raw id's HMAC under the analysts' secret");
      assertEquals(comparable(clusterReport).get("customers_analytics.rowsOut"), (long) published.size());
      List<String> erase = rawIds.stream()
          .filter(id -> published.contains(TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id))).limit(3).toList();
      assertEquals(3, erase.size(), "subjects published by the first run");

      // Second run on the cluster, with erasure requests for three published subjects.
      spark.createDataFrame(erase.stream().map(id -> RowFactory.create(id,
          Timestamp.from(TestWarehouses.REFERENCE_TIME))).toList(),
          spark.read().format("delta").load(onCluster.rawTable("erasure_requests")).schema())
          .write().format("delta").mode("append").save(onCluster.rawTable("erasure_requests"));
      submit(cluster, directory, onCluster, "second");

      JsonNode second = report(onCluster, 1);
      assertEquals("SUCCEEDED", second.path("status").asText());
      JsonNode erasedFromOutputs = second.path("erasure").path("outputs");
      assertTrue(erasedFromOutputs.path("customers_analytics").path("rowsDeleted").asLong() >= 3, second.path("erasure").toString());
      erasedFromOutputs.fields().forEachRemaining(e -> assertEquals(0, e.getValue().path("rowsStillOnDisk").asLong(), e.getKey()));
      Set<String> after = pseudonyms(onCluster, "customers_analytics");
      for (String id : erase) {
        String pseudonym = TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id);
        assertFalse(after.contains(pseudonym), "an erased subject must leave the analyst table");
        long onDisk = spark.read().parquet(onCluster.root() + "/analysts/customers_analytics/*.parquet")
            .filter(org.apache.spark.sql.functions.col("customer_id").equalTo(pseudonym)).count();
        assertEquals(0, onDisk, "no data file may still hold an erased subject");
        assertEquals(0, spark.read().format("delta").load(onCluster.rawTable("customers"))
            .filter(org.apache.spark.sql.functions.col("customer_id").equalTo(id)).count());
      }
      // The log scan ran on the cluster too, on every raw table a deletion rewrote: no erased value in its _delta_log.
      AtomicInteger scanned = new AtomicInteger();
      second.path("erasure").path("rawTables").fields().forEachRemaining(e -> {
        if (e.getValue().path("vacuumed").asBoolean()) {
          scanned.incrementAndGet();
          assertTrue(e.getValue().path("logFilesScanned").asInt() > 0, e.getKey() + ": " + e.getValue());
          assertEquals(0, e.getValue().path("logValuesNotInTable").asLong(), e.getKey() + ": " + e.getValue());
        }
      });
      assertTrue(scanned.get() >= 1, "the erasure rewrote at least the customers table: " + second.path("erasure"));

      // Third run fails as it publishes the partner extract (its folder has become a file): the analyst
      // tables it had already replaced are restored (Delta RESTORE, from the driver, on the cluster).
      String secondRun = second.path("runId").asText();
      Path delivered = Path.of(onCluster.root(), "partners", "acme", "orders_partner");
      Files.move(delivered, delivered.resolveSibling("orders_partner.moved"));
      Files.writeString(delivered, "not a folder");
      submit(cluster, directory, onCluster, "third", false);
      JsonNode third = report(onCluster, 2);
      assertEquals("FAILED", third.path("status").asText());
      assertTrue(third.path("rolledBack").size() >= 3, third.path("rolledBack").toString());
      String analysts = onCluster.root() + "/analysts/customers_analytics";
      assertEquals(secondRun, new DeltaStore(spark).properties(analysts).get("deid.run_id"),
          "the analysts' table must be the second run's again");
      assertEquals(after, pseudonyms(onCluster, "customers_analytics"));
    }
  }
}

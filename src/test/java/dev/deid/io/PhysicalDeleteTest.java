package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.DeltaLogText;
import dev.deid.TestSpark;
import dev.deid.config.VacuumPolicy;
import io.delta.tables.DeltaTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Physical deletion on a small Delta table: what the plan counts, that every deleted row is gone
 * from every file on disk, and that a table with nothing to delete costs no DELETE and no VACUUM
 * unless an earlier run left deleted rows in unvacuumed files.
 */
class PhysicalDeleteTest {
  static final SparkSession SPARK = TestSpark.session();
  static final DeltaStore STORE = new DeltaStore(SPARK);
  static final VacuumPolicy NOW = new VacuumPolicy(0, true);
  static final Instant CUTOFF = Instant.parse("2026-01-01T00:00:00Z");
  static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType)
      .add("at", DataTypes.TimestampType);

  /** 20 rows: ids s0..s19; s0..s5 before the cutoff, s18 and s19 without a timestamp, the rest after it. */
  static String table() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Timestamp at = i >= 18 ? null : Timestamp.from(CUTOFF.plusSeconds(i < 6 ? -86_400L * (i + 1) : 86_400L * i));
      rows.add(RowFactory.create(i == 17 ? null : "s" + i, at));
    }
    String path = TestSpark.tempDirectory("physical-delete").resolve("t").toString();
    SPARK.createDataFrame(rows, SCHEMA).repartition(3).write().format("delta").save(path);
    return path;
  }

  static Dataset<Row> keys(String... ids) {
    return SPARK.createDataset(List.of(ids), Encoders.STRING()).toDF("subject");
  }

  static List<PhysicalDelete.Rule> retentionAndErasure(String... ids) {
    return List.of(new PhysicalDelete.OlderThan("retention", "at", CUTOFF),
        new PhysicalDelete.MatchingKeys("erasure", "id", keys(ids)));
  }

  @Test
  void plan_countsEachRowUnderItsFirstRule_andTheRowsNoRuleCanJudge() {
    // s2 is expired and erased: retention's; s7 and s8 erasure's; s99 is in no row.
    PhysicalDelete.Plan plan = PhysicalDelete.plan(STORE, table(), retentionAndErasure("s2", "s7", "s8", "s99"));
    assertEquals(20, plan.rows());
    assertEquals(Map.of("retention", 6L, "erasure", 2L), plan.matching());
    assertEquals(Map.of("retention", 2L, "erasure", 1L), plan.withNull());
    // Which requested keys the table holds, whichever rule deletes their rows; s99 is not there.
    assertEquals(List.of("s2", "s7", "s8"), plan.matchedKeys("erasure"));
    assertEquals(List.of(), plan.matchedKeys("retention"));
  }

  @Test
  void apply_deletesInOneCommit_andNoDeletedRowIsLeftInAnyFile() {
    String t = table();
    long before = STORE.latestVersion(t);
    Map<String, PhysicalDeletion> done = PhysicalDelete.apply(STORE,
        PhysicalDelete.plan(STORE, t, retentionAndErasure("s2", "s7", "s8")), NOW);
    assertEquals(6, done.get("retention").rowsDeleted());
    assertEquals(2, done.get("erasure").rowsDeleted());
    assertTrue(done.get("retention").physicallyGone() && done.get("erasure").physicallyGone());
    assertTrue(done.get("erasure").vacuumed());
    assertEquals(before + 1, STORE.latestVersion(t) - vacuumCommits(t, before), "one DELETE commit for both rules");
    assertEquals(12, STORE.read(t).count());
    assertEquals(12, STORE.dataFilesOnDisk(t).rows().count(), "files on disk hold only the current rows");
  }

  @Test
  void apply_withMoreKeysThanATaskHolds_mergesAndProvesTheSame() {
    String t = table();
    Map<String, PhysicalDeletion> done = PhysicalDelete.apply(STORE,
        PhysicalDelete.plan(STORE, t, retentionAndErasure("s2", "s7", "s8"), 1), NOW);
    assertEquals(6, done.get("retention").rowsDeleted());
    assertEquals(2, done.get("erasure").rowsDeleted());
    assertTrue(done.get("erasure").physicallyGone());
    List<String> left = STORE.dataFilesOnDisk(t).rows().filter("id in ('s2', 's7', 's8')").select("id")
        .as(Encoders.STRING()).collectAsList();
    assertEquals(List.of(), left);
  }

  @Test
  void apply_withNothingToDelete_commitsNothing_andSkipsVacuum() {
    String t = table();
    long before = STORE.latestVersion(t);
    Map<String, PhysicalDeletion> done = PhysicalDelete.apply(STORE,
        PhysicalDelete.plan(STORE, t, List.of(new PhysicalDelete.MatchingKeys("erasure", "id", keys("nobody")))), NOW);
    assertEquals(0, done.get("erasure").rowsDeleted());
    assertFalse(done.get("erasure").vacuumed());
    assertTrue(done.get("erasure").physicallyGone());
    assertEquals(before, STORE.latestVersion(t));
  }

  @Test
  void apply_afterAnInterruptedRun_vacuumsWhatThatRunLeftOnDisk() {
    String t = table();
    // An earlier run deleted s3 and died before its VACUUM: s3 is still in a replaced file.
    STORE.delete(t, functions.col("id").equalTo("s3"));
    assertEquals(1, STORE.dataFilesOnDisk(t).rows().filter("id = 's3'").count());
    Map<String, PhysicalDeletion> done = PhysicalDelete.apply(STORE,
        PhysicalDelete.plan(STORE, t, List.of(new PhysicalDelete.MatchingKeys("erasure", "id", keys("s3")))), NOW);
    assertEquals(0, done.get("erasure").rowsDeleted());
    assertTrue(done.get("erasure").vacuumed());
    assertEquals(0, done.get("erasure").rowsStillOnDisk());
    assertEquals(0, STORE.dataFilesOnDisk(t).rows().filter("id = 's3'").count());
  }

  @Test
  void apply_withAVacuumWindow_reportsTheRowsTheWindowKeeps() {
    String t = table();
    Map<String, PhysicalDeletion> done = PhysicalDelete.apply(STORE,
        PhysicalDelete.plan(STORE, t, retentionAndErasure("s7")), new VacuumPolicy(168, false));
    assertEquals(6, done.get("retention").rowsDeleted());
    assertEquals(6, done.get("retention").rowsStillOnDisk(), "replaced files stay for the window");
    assertFalse(done.get("retention").physicallyGone());
  }

  private static long vacuumCommits(String table, long since) {
    return DeltaTable.forPath(SPARK, table).history()
        .filter(functions.col("version").gt(since))
        .filter(functions.col("operation").startsWith("VACUUM")).count();
  }

  /**
   * Raw subject ids are never part of a DELETE's condition, which Delta keeps in the log, nor is
   * anything derived from them. The window keeps the log's history, so the DELETE's commit is there.
   */
  @Test
  void apply_rawIdsThatMayNotBeLogged_leaveNoTraceInTheTablesLog() throws Exception {
    String t = table();
    Map<String, PhysicalDeletion> done = PhysicalDelete.apply(STORE, PhysicalDelete.plan(STORE, t,
        List.of(new PhysicalDelete.MatchingKeys("erasure", "id", keys("s11", "s12")))), new VacuumPolicy(168, false));
    assertEquals(2, done.get("erasure").rowsDeleted());
    int deletes = 0;
    try (Stream<Path> log = Files.list(Path.of(t, "_delta_log"))) {
      for (Path file : log.filter(f -> f.toString().endsWith(".json")).toList()) {
        String commit = Files.readString(file);
        if (commit.contains("\"DELETE\"") || commit.contains("\"MERGE\"")) {
          deletes++;
          assertTrue(!commit.contains("s11") && !commit.contains("s12"), "an erased id is in " + file.getFileName());
          // Not even as keyed hashes: the condition is a function of the column alone.
          Matcher predicate = Pattern.compile("\"predicate\":\"(.*?[^\\\\])\"").matcher(commit);
          assertTrue(predicate.find(), "the DELETE's logged condition in " + file.getFileName());
          String condition = predicate.group(1).replaceAll("^\\[\\\\\"|\\\\\"\\]$", "");
          assertTrue(condition.matches("deid_erasure_match\\(id#\\d+\\)"), "the logged condition holds more than the column: " + condition);
        }
      }
    }
    assertEquals(1, deletes, "one DELETE commit in the log");
  }

  /**
   * Every file's statistics keep its min and max id: "s0" and "s9" are the smallest and largest
   * ids, so version 0's statistics hold them. After a zero-hour deletion no file of the log holds
   * either, time travel cannot reach version 0, and the log scan proves it.
   */
  @Test
  void apply_zeroHourWindow_leavesNoDeletedValueInTheLogOrItsChecksums() throws Exception {
    String t = table();
    assertTrue(mentions(DeltaLogText.of(t), "s9"), "the fixture's log must hold the id to be erased");
    Map<String, PhysicalDeletion> done = PhysicalDelete.apply(STORE,
        PhysicalDelete.plan(STORE, t, retentionAndErasure("s9", "s10")), NOW);
    assertEquals(2, done.get("erasure").rowsDeleted());
    String log = DeltaLogText.of(t);
    for (String deleted : List.of("s0", "s1", "s5", "s9", "s10")) {
      assertFalse(mentions(log, deleted), "the deleted id " + deleted + " is still in the log");
    }
    assertTrue(done.get("erasure").logFilesScanned() > 0);
    assertEquals(0, done.get("erasure").logValuesNotInTable());
    assertTrue(done.get("erasure").physicallyGone());
    assertEquals(12, STORE.read(t).count(), "the current version reads from the checkpoint alone");
    Assertions.assertThrows(Exception.class,
        () -> STORE.read(t, 0).count(), "version 0 must not be reachable by time travel");
  }

  private static boolean mentions(String log, String id) {
    return Pattern.compile("\\b" + id + "\\b").matcher(log).find();
  }

  /** The scan can fail: a DELETE without the zero-hour vacuum leaves the deleted ids in earlier versions' statistics. */
  @Test
  void logTraces_findTheDeletedIds_whenTheLogKeepsEarlierVersions() {
    String t = table();
    STORE.delete(t, functions.col("id").isin("s0", "s9"));
    TableStore.LogTraces traces = STORE.logTraces(t);
    assertTrue(traces.valuesNotInTable() >= 2, "s0 and s9 are the min and max of some file of version 0: " + traces);
    assertEquals(List.of("id"), traces.columns());
    assertTrue(traces.filesScanned() >= 4, "two commits and their checksums");
  }

  /** Long values are kept as 32-character prefixes (the maximum with a tie-breaker): a prefix of a current value is no trace. */
  @Test
  void logTraces_takeTruncatedStatisticsAsPrefixesOfCurrentValues() {
    String path = TestSpark.tempDirectory("physical-delete").resolve("long").toString();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(RowFactory.create("a-value-longer-than-thirty-two-characters-" + i, null));
    }
    SPARK.createDataFrame(rows, SCHEMA).coalesce(1).write().format("delta").save(path);
    STORE.vacuum(path, NOW);
    TableStore.LogTraces clean = STORE.logTraces(path);
    assertEquals(0, clean.valuesNotInTable(), clean.toString());
    STORE.delete(path, functions.lit(true));
    assertTrue(STORE.logTraces(path).valuesNotInTable() >= 1, "with every row deleted the prefix is a trace");
  }

  /** Resolved without opening the table, the location must still be the one Delta records, relative path or not. */
  @Test
  void qualifiedLocation_isDeltasOwnLocation() {
    String absolute = table();
    String relative = Path.of("").toAbsolutePath().relativize(Path.of(absolute)).toString();
    for (String path : List.of(absolute, relative, absolute + "/")) {
      String delta = DeltaTable.forPath(SPARK, path).detail().select("location").first().getString(0);
      assertEquals(delta, STORE.qualifiedLocation(path), path);
    }
  }

  /** The data files on disk are found under partition directories too, and nothing of the log is taken for one. */
  @Test
  void dataFilesOnDisk_findsEveryDataFile_inPartitionDirectories_andNoneOfTheLog() {
    String path = TestSpark.tempDirectory("physical-delete").resolve("partitioned").toString();
    SPARK.range(12).selectExpr("cast(id % 3 as string) as part", "id").repartition(2).write().format("delta")
        .partitionBy("part").save(path);
    TableStore.DataFiles files = STORE.dataFilesOnDisk(path);
    assertEquals(STORE.read(path).inputFiles().length, files.count());
    assertEquals(12, files.rows().count());
    STORE.delete(path, functions.col("part").equalTo("1"));
    assertEquals(STORE.read(path).inputFiles().length + 2, STORE.dataFilesOnDisk(path).count(),
        "the two replaced files of partition 1 are still on disk until vacuumed");
    STORE.vacuum(path, NOW);
    assertEquals(STORE.read(path).inputFiles().length, STORE.dataFilesOnDisk(path).count());
  }
}

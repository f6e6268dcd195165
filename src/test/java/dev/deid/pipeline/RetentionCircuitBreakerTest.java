package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.config.JobSpec;
import dev.deid.config.SpecLoader;
import dev.deid.errors.DeidException;
import dev.deid.io.DeltaStore;
import dev.deid.io.KeyRing;
import dev.deid.io.Publications;
import dev.deid.io.StepClock;
import dev.deid.io.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Retention's circuit breaker on a small raw table of 10 rows, 3 of them expired and 1 without a
 * timestamp: within the table's maxDeleteFraction the expired rows go; above it nothing is deleted
 * and the source is named, unless the operator confirms; a NULL timestamp is never expired.
 */
class RetentionCircuitBreakerTest {
  static final SparkSession SPARK = TestSpark.session();
  static final Instant NOW = Instant.parse("2026-11-01T00:00:00Z");

  static JobSpec spec(double maxDeleteFraction) {
    return SpecLoader.parse(specText(maxDeleteFraction), "t.yaml");
  }

  static String specText(double maxDeleteFraction) {
    return """
        name: t
        sources:
          events:
            subjectColumn: id
            retention: {column: seen, maxAgeDays: 30, maxDeleteFraction: FRACTION}
            columns:
              id: {class: direct_identifier, action: pseudonymize}
              seen: {class: insensitive, action: keep}
        outputs: []
        """.replace("FRACTION", String.valueOf(maxDeleteFraction));
  }

  static Warehouse warehouseWithEvents() {
    Warehouse warehouse = new Warehouse(TestSpark.tempDirectory("breaker").toString());
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Timestamp seen = i == 9 ? null : Timestamp.from(NOW.minus(Duration.ofDays(i < 3 ? 90 : 1)));
      rows.add(RowFactory.create("p" + i, seen));
    }
    StructType schema = new StructType().add("id", DataTypes.StringType).add("seen", DataTypes.TimestampType);
    SPARK.createDataFrame(rows, schema).write().format("delta").save(warehouse.rawTable("events"));
    return warehouse;
  }

  static RetentionAndErasure.Result run(JobSpec spec, Warehouse warehouse, boolean allowLargeDeletion) {
    RunContext context = new RunContext(spec, new RunOptions(warehouse, new KeyRing(Map.of(), null), NOW, allowLargeDeletion),
        new DeltaStore(SPARK), "run-1", Map.of(), null, Map.of(), Map.of(), null, UnaryOperator.identity(), Map.of(),
        new Publications(spec.vacuum()), Map.of());
    RetentionAndErasure.Planned planned = RetentionAndErasure.plan(context);
    try {
      return new RetentionAndErasure(StepClock.UNTIMED, planned).run(context);
    } finally {
      planned.release();
    }
  }

  static long rows(Warehouse warehouse) {
    return SPARK.read().format("delta").load(warehouse.rawTable("events")).count();
  }

  @Test
  void retention_withinTheFraction_deletesTheExpiredRows_andKeepsTheUndated() {
    Warehouse warehouse = warehouseWithEvents();
    run(spec(0.3), warehouse, false);
    assertEquals(7, rows(warehouse), "3 expired rows deleted; the row without a timestamp stays");
  }

  @Test
  void retention_aboveTheFraction_deletesNothing_andNamesTheSource() {
    Warehouse warehouse = warehouseWithEvents();
    long version = new DeltaStore(SPARK).latestVersion(warehouse.rawTable("events"));
    DeidException e = assertThrows(DeidException.class, () -> run(spec(0.2), warehouse, false));
    assertTrue(e.getMessage().contains("sources.events.retention: retention would delete 3 of 10 rows (30.0 %)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--allow-large-deletion"), e.getMessage());
    assertEquals(version, new DeltaStore(SPARK).latestVersion(warehouse.rawTable("events")), "no commit to the raw table");
    assertEquals(10, rows(warehouse));
  }

  @Test
  void retention_aboveTheFraction_confirmedByTheOperator_deletes() {
    Warehouse warehouse = warehouseWithEvents();
    run(spec(0.2), warehouse, true);
    assertEquals(7, rows(warehouse));
  }

  @Test
  void dryRun_showsWhatRetentionWouldDelete_andWhetherTheRunWouldStop_changingNothing() throws Exception {
    Warehouse warehouse = warehouseWithEvents();
    long version = new DeltaStore(SPARK).latestVersion(warehouse.rawTable("events"));
    Path tight = Files.writeString(TestSpark.tempDirectory("dry").resolve("t.yaml"), specText(0.2));
    JobRunner runner = new JobRunner(SPARK, new RunOptions(warehouse, new KeyRing(Map.of(), null), NOW));
    DryRun stopped = runner.dryRun(tight);
    assertEquals(List.of(new DryRun.Table("events", warehouse.rawTable("events"), 10, 3, 0, 1)), stopped.tables());
    assertEquals(false, stopped.wouldRun());
    assertTrue(stopped.stops().get(0).contains("retention would delete 3 of 10 rows"), stopped.stops().toString());
    assertTrue(String.join("\n", stopped.lines()).contains("1 rows without a retention timestamp are kept"));
    assertEquals(version, new DeltaStore(SPARK).latestVersion(warehouse.rawTable("events")), "no commit to the raw table");
    assertEquals(false, Files.exists(Path.of(warehouse.auditTable())), "no audit row");
    assertEquals(false, Files.exists(Path.of(warehouse.root(), "reports")), "no report");

    Path loose = Files.writeString(TestSpark.tempDirectory("dry").resolve("t.yaml"), specText(0.3));
    DryRun planned = runner.dryRun(loose);
    assertTrue(planned.wouldRun(), planned.stops().toString());
    assertEquals(3, run(spec(0.3), warehouse, false).retention().get("events").rowsDeleted(),
        "the run deletes what the dry run showed");
  }
}

package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.deid.io.AuditLog;
import dev.deid.io.PhysicalDeletion;
import dev.deid.report.RunReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the recorder makes of stage results, without Spark: the report of a failed run and the audit row. */
class RunRecorderTest {
  static final Instant REFERENCE = Instant.parse("2026-11-01T00:00:00Z");

  @Test
  void report_failedBeforeAnyStage_listsNothingDone() {
    RunRecorder recorder = new RunRecorder("run-1", Instant.parse("2026-11-25T10:00:00Z"), "job_from_file_name");
    RunReport report = recorder.report("FAILED", "Invalid job spec at name: ...", REFERENCE);
    assertEquals("job_from_file_name", report.job());
    assertNull(report.specHash());
    assertEquals(List.of(), report.outputs());
    assertEquals(Map.of(), report.retention());
    assertNull(report.erasure());
  }

  @Test
  void auditRecord_countsEveryStageResult_andKeepsPseudonymsOnly() {
    RunRecorder recorder = new RunRecorder("run-2", Instant.parse("2026-11-25T10:00:00Z"), "j");
    recorder.spec("job", "hash");
    recorder.inputVersions(Map.of("orders", 4L));
    PhysicalDeletion expired = new PhysicalDeletion("/w/raw/orders", 7, 0, true, 1, 0, 0);
    recorder.deletion(new RetentionAndErasure.Result(Map.of("orders", expired), new RunReport.ErasureReport(2, "k1",
        List.of("p1", "p2"), Map.of(), Map.of("orders", new PhysicalDeletion("/w/raw/orders", 3, 0, true, 1, 0, 0)), Map.of(),
        List.of()), List.of(), List.of()));
    recorder.outputs(new Outputs.Result(List.of(RunReport.OutputReport.builder().name("orders_out").version(5).rowsIn(100)
        .rowsFilteredByConsent(10).rowsSuppressed(0).rowsOut(90).columns(List.of()).guarantees(List.of()).build())));
    recorder.releases(new Releases.Result(List.of(RunReport.ReleaseReport.builder().name("r").version(2).groupsReleased(7)
        .budgetLeft(Map.of()).statistics(Map.of()).build())));
    recorder.recalls(List.of(new RunReport.RecallReport("acme", "/w/partners/acme/_recalls/run-2.json", "acme-k1",
        Map.of("orders_p", 4))));
    RunReport report = recorder.report("SUCCEEDED", null, REFERENCE);
    AuditLog.Record audit = RunRecorder.auditRecord(report, "/w/reports/job/run-2.json");
    assertEquals(Map.of("orders_out", 5L, "r", 2L), audit.outputVersions());
    assertEquals(Map.of("retention.orders.rows_deleted", 7L, "erasure.requests", 2L, "erasure.orders.rows_deleted", 3L,
        "output.orders_out.rows_in", 100L, "output.orders_out.filtered_by_consent", 10L, "output.orders_out.suppressed", 0L,
        "output.orders_out.rows_out", 90L, "release.r.groups_released", 7L, "recall.acme.orders_p.pseudonyms", 4L),
        audit.counts());
    assertEquals(List.of("p1", "p2"), audit.erasedSubjectPseudonyms());
    assertEquals(Map.of("orders", 4L), audit.inputVersions());
    assertEquals("job", audit.job());
  }

  @Test
  void jobNameOf_specFileNames_becomeSafeNames() {
    assertEquals("customers", JobRunner.jobNameOf("jobs/customers.yaml"));
    assertEquals("job___", JobRunner.jobNameOf("jobs/...yaml"));
    assertEquals("my_job_v2", JobRunner.jobNameOf("My-Job.v2.yml"));
    assertEquals("customers", JobRunner.jobNameOf("hdfs://namenode:8020/specs/customers.yaml"));
  }
}

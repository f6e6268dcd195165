package dev.deid.pipeline;

import dev.deid.io.AtomicFiles;
import dev.deid.io.AuditLog;
import dev.deid.io.TableStore;
import dev.deid.io.Warehouse;
import dev.deid.report.RunReport;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects what the stages of one run returned and turns it into the run report and the audit
 * row, written whether the run succeeded or failed: a failed run's report lists what the stages
 * before the failure did.
 */
final class RunRecorder {
  final String runId;
  final Instant started;
  final StepTimer timer = new StepTimer();
  private String job;
  private String specHash;
  private Map<String, Long> inputVersions = Map.of();
  private RetentionAndErasure.Result deletion;
  private Outputs.Result outputs;
  private Releases.Result releases;
  private List<RunReport.RecallReport> recalls = List.of();
  private Map<String, Long> ledgerCharges = Map.of();

  RunRecorder(String runId, Instant started, String job) {
    this.runId = runId;
    this.started = started;
    this.job = job;
  }

  void spec(String name, String hash) {
    this.job = name;
    this.specHash = hash;
  }

  void inputVersions(Map<String, Long> versions) {
    this.inputVersions = Map.copyOf(versions);
  }

  void deletion(RetentionAndErasure.Result result) {
    this.deletion = result;
  }

  void outputs(Outputs.Result result) {
    this.outputs = result;
  }

  void releases(Releases.Result result) {
    this.releases = result;
  }

  void ledgerCharges(Map<String, Long> charges) {
    this.ledgerCharges = Map.copyOf(charges);
  }

  void recalls(List<RunReport.RecallReport> written) {
    this.recalls = List.copyOf(written);
  }

  String job() {
    return job;
  }

  RunReport report(String status, String error, Instant referenceTime) {
    return new RunReport(runId, job, specHash, status, error, started.toString(), referenceTime.toString(),
        Duration.between(started, Instant.now()).toMillis(), inputVersions,
        deletion == null ? Map.of() : deletion.retention(), deletion == null ? null : deletion.erasure(),
        outputs == null ? List.of() : outputs.outputs(), releases == null ? List.of() : releases.releases(), recalls,
        ledgerCharges, timer.millis());
  }

  /** Writes the report under {@code reports/<job>/} and appends its audit row; returns the report's path. */
  static String write(RunReport report, Warehouse warehouse, TableStore store) {
    String reportPath = warehouse.reportDirectory(report.job()) + "/" + report.runId() + ".json";
    AtomicFiles.writeAtomically(reportPath, AtomicFiles.toJson(report), store.spark().sparkContext().hadoopConfiguration());
    AuditLog.append(store, warehouse.auditTable(), auditRecord(report, reportPath));
    return reportPath;
  }

  /** The audit row: versions and counts only, erased subjects as pseudonyms. */
  static AuditLog.Record auditRecord(RunReport report, String reportPath) {
    Map<String, Long> outputVersions = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    report.retention().forEach((source, d) -> counts.put("retention." + source + ".rows_deleted", d.rowsDeleted()));
    List<String> erased = List.of();
    if (report.erasure() != null) {
      erased = report.erasure().erasedSubjectPseudonyms();
      counts.put("erasure.requests", report.erasure().requests());
      report.erasure().rawTables().forEach((source, d) -> counts.put("erasure." + source + ".rows_deleted", d.rowsDeleted()));
      report.erasure().outputs().forEach((output, d) -> counts.put("erasure.output." + output + ".rows_deleted", d.rowsDeleted()));
    }
    for (RunReport.OutputReport o : report.outputs()) {
      outputVersions.put(o.name(), o.version());
      counts.put("output." + o.name() + ".rows_in", o.rowsIn());
      counts.put("output." + o.name() + ".filtered_by_consent", o.rowsFilteredByConsent());
      counts.put("output." + o.name() + ".suppressed", o.rowsSuppressed());
      counts.put("output." + o.name() + ".rows_out", o.rowsOut());
    }
    counts.putAll(report.budgetLedgerCharges());
    for (RunReport.RecallReport r : report.recalls()) {
      r.extracts().forEach((extract, n) -> counts.put("recall." + r.partner() + "." + extract + ".pseudonyms", (long) n));
    }
    for (RunReport.ReleaseReport r : report.releases()) {
      outputVersions.put(r.name(), r.version());
      counts.put("release." + r.name() + ".groups_released", r.groupsReleased());
    }
    return new AuditLog.Record(report.runId(), report.job(), report.specHash(), Instant.parse(report.startedAt()),
        report.durationMillis(), report.status(), report.error(), report.inputVersions(), outputVersions, counts, erased,
        reportPath);
  }
}

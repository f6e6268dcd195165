package dev.deid.pipeline;

import dev.deid.io.AtomicFiles;
import dev.deid.io.AuditLog;
import dev.deid.io.Publications;
import dev.deid.io.TableStore;
import dev.deid.io.Warehouse;
import dev.deid.report.HtmlReport;
import dev.deid.report.RunReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects what the stages of one run returned and turns it into the run report and the audit
 * row, written whether the run succeeded or failed: a failed run's report lists what the stages
 * before the failure did.
 */
final class RunRecorder {
  private static final Logger LOG = LoggerFactory.getLogger(RunRecorder.class);

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
  private Publications publications;
  private List<Publications.Rollback> rolledBack = List.of();

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

  void publications(Publications value) {
    this.publications = value;
  }

  /**
   * After a failure: undoes what the run published, so its outputs and releases are all or none,
   * and keeps what was undone for the report. Raw deletions that ran stay done and reported.
   */
  void rollBack(TableStore store) {
    if (publications != null && !publications.isEmpty()) {
      rolledBack = List.copyOf(publications.rollBack(store));
    }
  }

  String job() {
    return job;
  }

  RunReport report(String status, String error, Instant referenceTime) {
    return new RunReport(runId, job, specHash, status, error, started.toString(), referenceTime.toString(),
        Duration.between(started, Instant.now()).toMillis(), inputVersions,
        deletion == null ? Map.of() : deletion.retention(), deletion == null ? null : deletion.erasure(),
        outputs == null ? List.of() : outputs.outputs(), releases == null ? List.of() : releases.releases(), recalls,
        ledgerCharges, timer.millis(), rolledBack);
  }

  /** Writes the report under {@code reports/<job>/} and appends its audit row; returns the report's path. */
  static String write(RunReport report, Warehouse warehouse, TableStore store) {
    String reportPath = warehouse.reportDirectory(report.job()) + "/" + report.runId() + ".json";
    AtomicFiles.writeAtomically(reportPath, AtomicFiles.toJson(report), store.spark().sparkContext().hadoopConfiguration());
    AuditLog.append(store, warehouse.auditTable(), auditRecord(report, reportPath));
    try {
      AtomicFiles.writeAtomically(htmlPath(reportPath), HtmlReport.render(report, releaseValues(report, store),
          ledgerCharges(warehouse, store)), store.spark().sparkContext().hadoopConfiguration());
    } catch (RuntimeException e) {
      // The JSON report and the audit row are the record; the page is a view of them.
      LOG.warn("Cannot write the HTML report of run {}", report.runId(), e);
    }
    return reportPath;
  }

  static String htmlPath(String reportPath) {
    return reportPath.replaceAll("\\.json$", ".html");
  }

  /** Groups shown per released statistic in the HTML report; the table holds them all. */
  static final int GROUPS_SHOWN = 60;

  /** The released values of each Delta release the run wrote, statistic by statistic, with their 95 % errors. */
  static List<HtmlReport.ReleaseValues> releaseValues(RunReport report, TableStore store) {
    List<HtmlReport.ReleaseValues> values = new ArrayList<>();
    for (RunReport.ReleaseReport release : report.releases()) {
      if (release.table() == null) {
        continue;
      }
      Dataset<Row> table = store.read(release.location());
      List<Row> rows = table.takeAsList(GROUPS_SHOWN);
      if (rows.isEmpty()) {
        continue;
      }
      List<String> columns = List.of(table.columns());
      List<String> statistics = columns.stream().filter(c -> columns.contains(c + "_error95")).toList();
      List<String> groupColumns = columns.stream().filter(c -> !columns.contains(c + "_error95")
          && !columns.contains(c + "_rank_error95") && !c.endsWith("_noise_sd") && !c.endsWith("_error95")).toList();
      for (String statistic : statistics) {
        List<String> groups = new ArrayList<>();
        List<Double> noisy = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (Row row : rows) {
          groups.add(String.join(" / ", groupColumns.stream().map(g -> String.valueOf((Object) row.getAs(g))).toList()));
          noisy.add(row.<Double>getAs(statistic));
          errors.add(row.<Double>getAs(statistic + "_error95"));
        }
        values.add(new HtmlReport.ReleaseValues(release.name(), statistic, groups, noisy, errors));
      }
    }
    return values;
  }

  /** Every charge in the budget ledger, oldest first; none when there is no ledger yet. */
  static List<HtmlReport.BudgetCharge> ledgerCharges(Warehouse warehouse, TableStore store) {
    if (!store.exists(warehouse.budgetLedger())) {
      return List.of();
    }
    return store.read(warehouse.budgetLedger()).select("table_location", "audience", "charged_for", "epsilon")
        .orderBy("charged_for").collectAsList().stream()
        .map(r -> new HtmlReport.BudgetCharge(r.getString(0).replaceAll(".*/", ""), r.getString(1),
            r.getTimestamp(2).toInstant().toString(), r.getDouble(3)))
        .toList();
  }

  /** The audit row: versions and counts only, erased subjects as pseudonyms. */
  static AuditLog.Record auditRecord(RunReport report, String reportPath) {
    Map<String, Long> outputVersions = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    report.retention().forEach((source, d) -> counts.put("retention." + source + ".rows_deleted", d.rowsDeleted()));
    List<String> erased = List.of();
    if (report.erasure() != null) {
      // Subjects whose erasure an interrupted run began and this one finished are this run's record too.
      TreeSet<String> all = new TreeSet<>(report.erasure().erasedSubjectPseudonyms());
      report.erasure().finishedForEarlierRuns().values().forEach(all::addAll);
      erased = List.copyOf(all);
      counts.put("erasure.requests", report.erasure().requests());
      long finished = report.erasure().finishedForEarlierRuns().values().stream().mapToInt(List::size).sum();
      if (finished > 0) {
        counts.put("erasure.finished_for_earlier_runs", finished);
      }
      report.erasure().rawTables().forEach((source, d) -> counts.put("erasure." + source + ".rows_deleted", d.rowsDeleted()));
      report.erasure().outputs().forEach((output, d) -> counts.put("erasure.output." + output + ".rows_deleted", d.rowsDeleted()));
    }
    for (RunReport.OutputReport o : report.outputs()) {
      outputVersions.put(o.name(), o.version());
      counts.put("output." + o.name() + ".rows_in", o.rowsIn());
      counts.put("output." + o.name() + ".filtered_by_consent", o.rowsFilteredByConsent());
      counts.put("output." + o.name() + ".suppressed", o.rowsSuppressed());
      counts.put("output." + o.name() + ".rows_out", o.rowsOut());
      if (o.leakGuard() != null) {
        o.leakGuard().allowedHits().forEach((hit, n) -> counts.put("leak_guard." + o.name() + "." + hit.replace('/', '.') + ".allowed", n));
      }
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

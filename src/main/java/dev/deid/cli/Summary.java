package dev.deid.cli;

import dev.deid.io.Warehouse;
import dev.deid.report.RunReport;

/** The few lines a run prints: where the outputs, the report and the audit table are. */
final class Summary {
  private Summary() {}

  static void print(RunReport report, Warehouse warehouse) {
    System.out.println("run " + report.runId() + " of job '" + report.job() + "': " + report.status()
        + " in " + report.durationMillis() + " ms");
    report.retention().forEach((source, d) -> System.out.println("  retention  " + source + ": " + d.rowsDeleted()
        + " rows deleted, physically gone: " + d.physicallyGone()));
    if (report.erasure() != null) {
      System.out.println("  erasure    " + report.erasure().erasedSubjectPseudonyms().size() + " subjects erased of "
          + report.erasure().requests() + " requests");
    }
    for (RunReport.OutputReport o : report.outputs()) {
      System.out.println("  output     " + o.name() + " (" + o.audience() + ", " + o.format() + "): " + o.rowsOut()
          + " rows (" + o.rowsFilteredByConsent() + " filtered by consent, " + o.rowsSuppressed() + " suppressed) -> "
          + o.location() + (o.table() != null ? " (table " + o.table() + ")" : ""));
      if (o.anonymization() != null) {
        System.out.println("             " + o.anonymization().models() + " levels " + o.anonymization().levels()
            + ", loss " + String.format("%.4f", o.anonymization().loss()) + ", highest prosecutor risk "
            + String.format("%.4f", o.anonymization().outputRisk().highestProsecutorRisk()));
      }
    }
    for (RunReport.ReleaseReport r : report.releases()) {
      System.out.println("  release    " + r.name() + " (" + r.audience() + ", epsilon " + r.epsilon() + "): " + r.groupsReleased()
          + " groups released (" + r.groupSelection() + "); budget left " + r.budgetLeft() + " -> " + r.location() + (r.table() != null ? " (table " + r.table() + ")" : ""));
    }
    System.out.println("  report     " + warehouse.reportDirectory(report.job()) + "/" + report.runId() + ".json");
    System.out.println("  html       " + warehouse.reportDirectory(report.job()) + "/" + report.runId() + ".html");
    System.out.println("  audit      " + warehouse.auditTable());
  }
}

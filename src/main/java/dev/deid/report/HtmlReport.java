package dev.deid.report;

import dev.deid.io.PhysicalDeletion;
import dev.deid.io.Publications;
import dev.deid.privacy.anon.RiskProfile;
import dev.deid.privacy.dp.NoisyRelease;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's report as one self-contained HTML page a privacy officer reads: charts are inline SVG
 * drawn here, so the page needs no network and no script library to show them. Its figures are
 * the JSON report's, plus the released DP values and the budget ledger's charges, which the caller
 * reads (this class has no Spark in it).
 */
public final class HtmlReport {
  /** One released statistic per group, with the half-width of its 95 % interval. */
  public record ReleaseValues(String release, String statistic, List<String> groups, List<Double> values, List<Double> errors95) {}

  /** One budget ledger charge: against which table and audience, for when, how much epsilon. */
  public record BudgetCharge(String table, String audience, String chargedFor, double epsilon) {}

  private static final String[] COLOURS = {"#2f6db5", "#d9822b", "#3a9c5b", "#b03a48", "#7a5ab5", "#6b7b8c"};

  private HtmlReport() {}

  public static String render(RunReport report, List<ReleaseValues> releaseValues, List<BudgetCharge> ledger) {
    StringBuilder html = new StringBuilder(32_768);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Privacy report: ").append(escape(report.job())).append(" ").append(escape(report.runId())).append("</title>")
        .append("<style>").append(STYLE).append("</style></head><body>\n");
    html.append("<h1>Privacy report: ").append(escape(report.job())).append("</h1>\n<p class=\"meta\">run ")
        .append(escape(report.runId())).append(" &middot; <span class=\"status ").append(escape(report.status().toLowerCase(Locale.ROOT)))
        .append("\">").append(escape(report.status())).append("</span> &middot; reference time ")
        .append(escape(report.referenceTime())).append(" &middot; ").append(String.format(Locale.ROOT, "%.1f s", report.durationMillis() / 1000.0))
        .append("</p>\n");
    if (report.error() != null) {
      html.append("<p class=\"error\">").append(escape(report.error())).append("</p>\n");
    }
    if (report.rolledBack() != null && !report.rolledBack().isEmpty()) {
      html.append("<section><h2>Publications rolled back</h2><p>The run failed after publishing these; each was undone, "
          + "so none of the run's outputs or releases is current.</p>\n<table><tr><th>location</th><th>published</th>"
          + "<th>current now</th></tr>\n");
      for (Publications.Rollback r : report.rolledBack()) {
        html.append("<tr><td>").append(escape(r.location())).append("</td><td>").append(escape(r.published())).append("</td><td>")
            .append(escape(r.current())).append("</td></tr>\n");
      }
      html.append("</table></section>\n");
    }
    deletions(html, report);
    for (RunReport.OutputReport output : report.outputs()) {
      output(html, report, output);
    }
    for (RunReport.ReleaseReport release : report.releases()) {
      release(html, release, releaseValues.stream().filter(v -> v.release().equals(release.name())).toList());
    }
    if (!ledger.isEmpty()) {
      html.append("<section><h2>Privacy budget spent over time</h2><p>Cumulative epsilon charged in the ledger, per table and audience.</p>\n");
      html.append(budgetChart(ledger)).append("</section>\n");
    }
    html.append("<script>").append(SELF_CHECK).append("</script>\n</body></html>\n");
    return html.toString();
  }

  /** A privacy impact assessment as a page of its own: one section per anonymized output and per release. */
  public static String assessment(Assessment a) {
    StringBuilder html = new StringBuilder(16_384);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Privacy impact assessment: ").append(escape(a.job())).append("</title>")
        .append("<style>").append(STYLE).append("</style></head><body>\n");
    html.append("<h1>Privacy impact assessment: ").append(escape(a.job())).append("</h1>\n<p class=\"meta\">on ")
        .append(escape(a.basis())).append("; nothing was written and no budget was spent</p>\n");
    for (Assessment.OutputAssessment o : a.outputs()) {
      html.append("<section><h2>Output ").append(escape(o.name())).append("</h2>\n<p class=\"meta\">").append(escape(o.audience()))
          .append(" &middot; ").append(escape(String.join(", ", o.models()))).append(" &middot; levels ")
          .append(escape(o.levels().toString())).append(" &middot; Loss ").append(fmt(o.loss())).append(" &middot; ")
          .append(o.suppressedRecords()).append(" records suppressed</p>\n<table><tr><th>column</th><th>Loss</th></tr>\n");
      o.lossPerColumn().forEach((column, loss) -> html.append("<tr><td>").append(escape(column)).append("</td><td class=\"n\">")
          .append(fmt(loss)).append("</td></tr>\n"));
      html.append("</table>\n").append(riskTable(o.before(), o.after()));
      html.append(alternativesTable(o.alternatives()));
      html.append("</section>\n");
    }
    for (Assessment.ReleaseAssessment r : a.releases()) {
      html.append("<section><h2>DP release ").append(escape(r.name())).append("</h2>\n<p class=\"meta\">").append(escape(r.audience()))
          .append(" &middot; epsilon ").append(r.epsilon()).append(", delta ").append(r.delta()).append(" &middot; ")
          .append(escape(r.groupSelection())).append("</p>\n<table><tr><th>statistic</th><th>noise sd</th><th>95 % error</th>")
          .append("<th>budget</th></tr>\n");
      r.expectedError().forEach((name, st) -> html.append("<tr><td>").append(escape(name)).append("</td><td class=\"n\">")
          .append(st.errorKind() == NoisyRelease.ErrorKind.RANK ? "-" : fmt(st.noiseStandardDeviation()))
          .append("</td><td class=\"n\">").append(fmt(st.errorBound95()))
          .append(st.errorKind() == NoisyRelease.ErrorKind.RANK ? " (rank)" : "").append("</td><td>")
          .append(escape(st.budget())).append("</td></tr>\n"));
      html.append("</table>\n");
      if (!r.dependOnGroupSize().isEmpty()) {
        html.append("<p>").append(escape(String.join(", ", r.dependOnGroupSize())))
            .append(": ratios of noised sums, whose error shrinks with the group's size.</p>\n");
      }
      html.append("</section>\n");
    }
    return html.append("</body></html>\n").toString();
  }

  /** What other k and suppression limits would give the same rows; the configured row is marked. */
  static String alternativesTable(List<Assessment.Alternative> alternatives) {
    StringBuilder html = new StringBuilder("<table><tr><th>k</th><th>suppression limit</th><th>Loss</th><th>suppressed</th>"
        + "<th>highest risk</th><th>population uniques</th><th>levels</th></tr>\n");
    for (Assessment.Alternative alt : alternatives) {
      html.append(alt.configured() ? "<tr class=\"configured\">" : "<tr>").append("<td class=\"n\">").append(alt.k())
          .append(alt.configured() ? " (configured)" : "").append("</td><td class=\"n\">")
          .append(fmt(alt.suppressionLimit())).append("</td>");
      if (alt.levels() == null) {
        html.append("<td colspan=\"5\">no transformation satisfies the models</td></tr>\n");
      } else {
        html.append("<td class=\"n\">").append(fmt(alt.loss())).append("</td><td class=\"n\">").append(alt.suppressedRecords())
            .append("</td><td class=\"n\">").append(fmt(alt.highestProsecutorRisk())).append("</td><td class=\"n\">")
            .append(fmt(alt.populationUniquesFraction())).append("</td><td>").append(escape(alt.levels().toString()))
            .append("</td></tr>\n");
      }
    }
    return html.append("</table>\n").toString();
  }

  private static void deletions(StringBuilder html, RunReport report) {
    if (report.retention().isEmpty() && report.erasure() == null) {
      return;
    }
    html.append("<section><h2>Retention and erasure</h2>\n<table><tr><th>raw table</th><th>rule</th><th>rows deleted</th>")
        .append("<th>kept with no timestamp</th><th>physically gone</th></tr>\n");
    report.retention().forEach((source, d) -> deletionRow(html, source, "retention", d));
    if (report.erasure() != null) {
      report.erasure().rawTables().forEach((source, d) -> deletionRow(html, source, "erasure", d));
    }
    html.append("</table>");
    if (report.erasure() != null) {
      html.append("<p>").append(report.erasure().requests()).append(" erasure requests; ")
          .append(report.erasure().erasedSubjectPseudonyms().size()).append(" subjects erased.</p>");
      report.erasure().finishedForEarlierRuns().forEach((run, subjects) -> html.append("<p>Finished the erasure of ")
          .append(subjects.size()).append(" subject(s) that run ").append(escape(run))
          .append(" began and did not complete: their rows were deleted then; this run rebuilt every output and ")
          .append("recall list without them.</p>"));
    }
    html.append("</section>\n");
  }

  private static void deletionRow(StringBuilder html, String source, String rule, PhysicalDeletion d) {
    html.append("<tr><td>").append(escape(source)).append("</td><td>").append(rule).append("</td><td class=\"n\">")
        .append(d.rowsDeleted()).append("</td><td class=\"n\">").append(d.rowsKeptWithNull()).append("</td><td>")
        .append(d.rowsStillOnDisk() > 0 ? "NO: " + d.rowsStillOnDisk() + " rows on disk"
            : d.logValuesNotInTable() > 0 ? "NO: " + d.logValuesNotInTable() + " values in the log" : "yes")
        .append("</td></tr>\n");
  }

  private static void output(StringBuilder html, RunReport report, RunReport.OutputReport o) {
    html.append("<section><h2>Output ").append(escape(o.name())).append("</h2>\n<p class=\"meta\">")
        .append(escape(o.audience())).append(" &middot; purpose ").append(escape(o.purpose())).append(" &middot; ")
        .append(escape(o.format())).append(o.table() != null ? " &middot; table <code>" + escape(o.table()) + "</code>" : "")
        .append(" &middot; <code>").append(escape(o.location())).append("</code></p>\n");
    html.append("<h3>Flow of rows</h3>\n").append(bars(flow(report, o), "rows"));
    html.append("<h3>Columns</h3>\n<table><tr><th>source</th><th>output</th><th>class</th><th>action</th></tr>\n");
    for (RunReport.ColumnReport c : o.columns()) {
      html.append("<tr><td>").append(escape(c.source())).append("</td><td>").append(escape(c.output())).append("</td><td>")
          .append(escape(c.columnClass())).append("</td><td>").append(escape(c.action())).append("</td></tr>\n");
    }
    html.append("</table>\n<h3>Guarantees</h3>\n<ul>");
    o.guarantees().forEach(g -> html.append("<li>").append(escape(g)).append("</li>"));
    html.append("</ul>\n");
    RunReport.AnonymizationReport a = o.anonymization();
    if (a != null) {
      html.append("<h3>Generalization chosen</h3>\n<table><tr><th>quasi-identifier</th><th>level</th><th>of</th><th>loss</th></tr>\n");
      a.levels().forEach((column, level) -> html.append("<tr><td>").append(escape(column)).append("</td><td class=\"n\">")
          .append(level).append("</td><td class=\"n\">").append(a.hierarchyHeights().getOrDefault(column, 0))
          .append("</td><td class=\"n\">").append(fmt(a.lossPerColumn().getOrDefault(column, 0.0))).append("</td></tr>\n"));
      html.append("</table>\n<p>").append(escape(String.join(", ", a.models()))).append(", ").append(escape(a.mode()))
          .append(" recoding, ").append(a.optimal() ? "optimal" : "best found").append(" (").append(escape(a.strategy()))
          .append("), ").append(a.suppressedRecords()).append(" records suppressed, loss ").append(fmt(a.loss())).append(".</p>\n");
      html.append("<h3>Loss per column</h3>\n").append(bars(a.lossPerColumn(), "loss (0 = as raw, 1 = fully generalized)"));
      html.append("<h3>Re-identification risk: records per class size</h3>\n")
          .append("<p>The same records before anonymization (the raw quasi-identifiers) and as written; a record in a class of "
              + "size n carries prosecutor risk 1/n.</p>\n")
          .append(groupedBars(a.inputRisk().recordsByClassSize(), a.outputRisk().recordsByClassSize(), "before", "written"));
      html.append(riskTable(a.inputRisk(), a.outputRisk()));
      if (a.alternatives() != null && !a.alternatives().isEmpty()) {
        html.append("<h3>Privacy impact assessment: other k and suppression limits</h3>\n")
            .append(alternativesTable(a.alternatives()));
      }
    }
    html.append("</section>\n");
  }

  /** Raw rows, then what each stage took away, then what was written. */
  private static Map<String, Double> flow(RunReport report, RunReport.OutputReport o) {
    long retention = report.retention().containsKey(o.source()) ? report.retention().get(o.source()).rowsDeleted() : 0;
    long erasure = report.erasure() != null && report.erasure().rawTables().containsKey(o.source())
        ? report.erasure().rawTables().get(o.source()).rowsDeleted() : 0;
    Map<String, Double> flow = new LinkedHashMap<>();
    flow.put("raw rows", (double) (o.rowsIn() + retention + erasure));
    flow.put("deleted by retention", (double) retention);
    flow.put("deleted by erasure", (double) erasure);
    flow.put("filtered by consent", (double) o.rowsFilteredByConsent());
    flow.put("suppressed", (double) o.rowsSuppressed());
    flow.put("written", (double) o.rowsOut());
    return flow;
  }

  private static String riskTable(RiskProfile before, RiskProfile after) {
    StringBuilder t = new StringBuilder("<table><tr><th>risk figure</th><th>before</th><th>written</th></tr>\n");
    riskRow(t, "records", before.records(), after.records());
    riskRow(t, "equivalence classes", before.classes(), after.classes());
    riskRow(t, "smallest class", before.smallestClass(), after.smallestClass());
    riskRow(t, "largest class", before.largestClass(), after.largestClass());
    riskRow(t, "mean class size", before.meanClassSize(), after.meanClassSize());
    riskRow(t, "highest prosecutor risk", before.highestProsecutorRisk(), after.highestProsecutorRisk());
    riskRow(t, "average prosecutor risk", before.averageProsecutorRisk(), after.averageProsecutorRisk());
    riskRow(t, "marketer risk", before.marketerRisk(), after.marketerRisk());
    riskRow(t, "sample uniques", before.sampleUniques(), after.sampleUniques());
    riskRow(t, "records at the highest risk", before.recordsAtHighestRisk(), after.recordsAtHighestRisk());
    riskRow(t, "records above risk " + fmt(after.riskThreshold()), before.recordsAboveThreshold(), after.recordsAboveThreshold());
    if (before.population() != null && after.population() != null) {
      riskRow(t, "population uniques (" + before.population().dankarModel().name().toLowerCase(Locale.ROOT) + " / "
          + after.population().dankarModel().name().toLowerCase(Locale.ROOT) + ", population "
          + before.population().populationSize() + (before.population().populationSizeAssumed() ? " assumed" : "") + ")",
          before.population().populationUniquesFraction(), after.population().populationUniquesFraction());
    }
    return t.append("</table>\n").toString();
  }

  private static void riskRow(StringBuilder t, String name, double before, double after) {
    t.append("<tr><td>").append(name).append("</td><td class=\"n\">").append(fmt(before)).append("</td><td class=\"n\">")
        .append(fmt(after)).append("</td></tr>\n");
  }

  private static void release(StringBuilder html, RunReport.ReleaseReport r, List<ReleaseValues> values) {
    html.append("<section><h2>DP release ").append(escape(r.name())).append("</h2>\n<p class=\"meta\">")
        .append(escape(r.audience())).append(r.table() != null ? " &middot; table <code>" + escape(r.table()) + "</code>" : "")
        .append(" &middot; epsilon ").append(r.epsilon()).append(", delta ").append(r.delta()).append(", ").append(escape(r.noise()))
        .append(" noise &middot; ").append(r.groupsReleased()).append(" groups (").append(escape(r.groupSelection()))
        .append(") &middot; each unit in at most ").append(r.maxGroupsPerUnit()).append(" groups, ").append(r.maxRowsPerGroup())
        .append(" rows per group</p>\n<table><tr><th>statistic</th><th>budget and error</th></tr>\n");
    r.statistics().forEach((name, text) -> html.append("<tr><td>").append(escape(name)).append("</td><td>").append(escape(text))
        .append("</td></tr>\n"));
    html.append("</table>\n");
    if (r.groupsReleased() == 0) {
      html.append("<p>No group passed DP group selection, so no value was released.</p>\n");
    }
    for (ReleaseValues v : values) {
      html.append("<h3>").append(escape(v.statistic())).append(" per group, with 95 % intervals</h3>\n").append(errorBars(v));
    }
    html.append("<p>Budget left: ").append(escape(r.budgetLeft().toString())).append("</p></section>\n");
  }

  private static String bars(Map<String, Double> values, String unit) {
    int rowHeight = 24;
    int labelWidth = 190;
    int width = 720;
    double max = values.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    StringBuilder svg = svgOpen("bar", width, rowHeight * values.size() + 24, unit);
    int y = 4;
    for (Map.Entry<String, Double> e : values.entrySet()) {
      double w = max > 0 ? (width - labelWidth - 90) * e.getValue() / max : 0;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", labelWidth - 8, y + 16, escape(e.getKey())))
          .append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s: %s</title></rect>",
              labelWidth, y + 3, w, rowHeight - 6, COLOURS[0], escape(e.getKey()), fmt(e.getValue())))
          .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", labelWidth + w + 6, y + 16, fmt(e.getValue())));
      y += rowHeight;
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"axis\">%s</text>", labelWidth, y + 14, escape(unit)));
    return svg.append("</svg>\n").toString();
  }

  private static String groupedBars(Map<String, Long> first, Map<String, Long> second, String firstName, String secondName) {
    int rowHeight = 34;
    int labelWidth = 130;
    int width = 720;
    long max = 0;
    for (Map.Entry<String, Long> e : first.entrySet()) {
      max = Math.max(max, Math.max(e.getValue(), second.getOrDefault(e.getKey(), 0L)));
    }
    StringBuilder svg = svgOpen("grouped", width, rowHeight * first.size() + 30, "records per class size, " + firstName + " and " + secondName);
    int y = 4;
    for (Map.Entry<String, Long> e : first.entrySet()) {
      long a = e.getValue();
      long b = second.getOrDefault(e.getKey(), 0L);
      double wa = max > 0 ? (width - labelWidth - 90) * (double) a / max : 0;
      double wb = max > 0 ? (width - labelWidth - 90) * (double) b / max : 0;
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", labelWidth - 8, y + 20, escape(e.getKey())))
          .append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"13\" fill=\"%s\"><title>%s %s: %d</title></rect>",
              labelWidth, y + 3, wa, COLOURS[1], firstName, escape(e.getKey()), a))
          .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"small\">%d</text>", labelWidth + wa + 4, y + 14, a))
          .append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"13\" fill=\"%s\"><title>%s %s: %d</title></rect>",
              labelWidth, y + 17, wb, COLOURS[0], secondName, escape(e.getKey()), b))
          .append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"small\">%d</text>", labelWidth + wb + 4, y + 28, b));
      y += rowHeight;
    }
    svg.append(legend(labelWidth, y + 16, List.of(firstName, secondName), List.of(COLOURS[1], COLOURS[0])));
    return svg.append("</svg>\n").toString();
  }

  private static String errorBars(ReleaseValues v) {
    int n = v.values().size();
    int width = Math.max(360, Math.min(1100, 60 + 28 * n));
    int height = 260;
    int left = 60;
    int bottom = 200;
    double lo = 0;
    double hi = 0;
    for (int i = 0; i < n; i++) {
      lo = Math.min(lo, v.values().get(i) - v.errors95().get(i));
      hi = Math.max(hi, v.values().get(i) + v.errors95().get(i));
    }
    double span = hi - lo == 0 ? 1 : hi - lo;
    StringBuilder svg = svgOpen("errorbars", width, height, v.statistic() + " per group with 95 % intervals");
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axisline\"/>", left, bottom, width - 10, bottom))
        .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"small\">%s</text>", left - 4, 14, fmt(hi)))
        .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"small\">%s</text>", left - 4, bottom, fmt(lo)));
    double step = n == 0 ? 0 : (double) (width - left - 20) / n;
    for (int i = 0; i < n; i++) {
      double x = left + step * (i + 0.5);
      double value = v.values().get(i);
      double error = v.errors95().get(i);
      double y = bottom - (value - lo) / span * (bottom - 10);
      double yTop = bottom - (value + error - lo) / span * (bottom - 10);
      double yLow = bottom - (value - error - lo) / span * (bottom - 10);
      svg.append(String.format(Locale.ROOT, "<line class=\"whisker\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, yTop, x, yLow))
          .append(String.format(Locale.ROOT, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s: %s ± %s</title></circle>",
              x, y, COLOURS[0], escape(v.groups().get(i)), fmt(value), fmt(error)))
          .append(String.format(Locale.ROOT, "<text class=\"small\" transform=\"translate(%.1f,%d) rotate(45)\">%s</text>", x - 3, bottom + 10,
              escape(abbreviate(v.groups().get(i)))));
    }
    return svg.append("</svg>\n").toString();
  }

  private static String budgetChart(List<BudgetCharge> ledger) {
    Map<String, List<BudgetCharge>> series = new LinkedHashMap<>();
    for (BudgetCharge c : ledger.stream().sorted(Comparator.comparing(BudgetCharge::chargedFor)).toList()) {
      series.computeIfAbsent(c.table() + " / " + c.audience(), k -> new ArrayList<>()).add(c);
    }
    long start = ledger.stream().mapToLong(c -> Instant.parse(c.chargedFor()).toEpochMilli()).min().orElse(0);
    long end = ledger.stream().mapToLong(c -> Instant.parse(c.chargedFor()).toEpochMilli()).max().orElse(0);
    double top = 0;
    for (List<BudgetCharge> charges : series.values()) {
      top = Math.max(top, charges.stream().mapToDouble(BudgetCharge::epsilon).sum());
    }
    int width = 720;
    int height = 240 + 18 * series.size();
    int left = 60;
    int bottom = 200;
    double timeSpan = end - start == 0 ? 1 : end - start;
    StringBuilder svg = svgOpen("budget", width, height, "cumulative epsilon per table and audience");
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axisline\"/>", left, bottom, width - 10, bottom))
        .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"14\" text-anchor=\"end\" class=\"small\">%s</text>", left - 4, fmt(top)))
        .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"small\">%s</text>", left, bottom + 16, escape(ledger.stream()
            .map(BudgetCharge::chargedFor).min(String::compareTo).orElse(""))))
        .append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"small\">%s</text>", width - 10, bottom + 16,
            escape(ledger.stream().map(BudgetCharge::chargedFor).max(String::compareTo).orElse(""))));
    int s = 0;
    List<String> names = new ArrayList<>();
    List<String> colours = new ArrayList<>();
    for (Map.Entry<String, List<BudgetCharge>> e : series.entrySet()) {
      String colour = COLOURS[s++ % COLOURS.length];
      StringBuilder points = new StringBuilder();
      double x = left;
      double y = bottom;
      double total = 0;
      points.append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
      for (BudgetCharge c : e.getValue()) {
        x = left + (Instant.parse(c.chargedFor()).toEpochMilli() - start) / timeSpan * (width - left - 20);
        points.append(String.format(Locale.ROOT, " %.1f,%.1f", x, y));
        total += c.epsilon();
        y = bottom - (top == 0 ? 0 : total / top * (bottom - 10));
        points.append(String.format(Locale.ROOT, " %.1f,%.1f", x, y));
      }
      svg.append(String.format(Locale.ROOT, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"><title>%s: epsilon %s</title></polyline>",
          colour, points, escape(e.getKey()), fmt(total)));
      names.add(e.getKey() + " (epsilon " + fmt(total) + ")");
      colours.add(colour);
    }
    svg.append(legend(left, bottom + 40, names, colours));
    return svg.append("</svg>\n").toString();
  }

  private static String legend(int x, int y, List<String> names, List<String> colours) {
    StringBuilder legend = new StringBuilder();
    for (int i = 0; i < names.size(); i++) {
      legend.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
          + "<text x=\"%d\" y=\"%d\" class=\"small\">%s</text>", x, y - 10 + 18 * i, colours.get(i), x + 18, y + 18 * i, escape(names.get(i))));
    }
    return legend.toString();
  }

  private static StringBuilder svgOpen(String kind, int width, int height, String label) {
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg class=\"chart %s\" role=\"img\" aria-label=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" xmlns=\"http://www.w3.org/2000/svg\">",
        kind, escape(label), width, height, width, height));
  }

  private static String abbreviate(String text) {
    return text.length() > 18 ? text.substring(0, 17) + "…" : text;
  }

  static String fmt(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return "n/a";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) value);
    }
    return String.format(Locale.ROOT, Math.abs(value) < 1 ? "%.4f" : "%,.2f", value);
  }

  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder s = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> s.append("&lt;");
        case '>' -> s.append("&gt;");
        case '&' -> s.append("&amp;");
        case '"' -> s.append("&quot;");
        case '\'' -> s.append("&#39;");
        default -> s.append(c);
      }
    }
    return s.toString();
  }

  private static final String STYLE = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1120px;margin:24px auto;"
      + "padding:0 16px;color:#1d2733}h1{font-size:24px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #d5dbe1}"
      + "h3{font-size:15px;margin:18px 0 6px}table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d5dbe1;padding:3px 8px;"
      + "text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#56616d}.status.succeeded{color:#2b7a3d}"
      + ".status.failed,.error{color:#b03a48;font-weight:600}svg text{font-size:12px;fill:#1d2733}svg text.small{font-size:10.5px}"
      + "svg text.axis{fill:#56616d}.axisline{stroke:#8a949e}.whisker{stroke:#1d2733;stroke-width:1.2}code{font-size:12px}";

  /**
   * Marks the page as rendered once every chart has drawn a shape; a script error marks it
   * failed instead. Headless browser tests read these marks.
   */
  private static final String SELF_CHECK = "window.addEventListener('error',function(e){document.body.dataset.errors="
      + "(document.body.dataset.errors||'')+e.message+';';});window.addEventListener('load',function(){var charts="
      + "document.querySelectorAll('svg.chart');var empty=0;charts.forEach(function(c){var shapes=c.querySelectorAll("
      + "'rect.bar,circle.point,polyline.series');var box=c.getBoundingClientRect();if(shapes.length===0||box.width===0)empty++;});"
      + "document.body.dataset.charts=charts.length;document.body.dataset.emptyCharts=empty;"
      + "document.body.dataset.rendered=empty===0?'ok':'empty';});";
}

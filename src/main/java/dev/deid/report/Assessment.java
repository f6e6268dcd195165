package dev.deid.report;

import dev.deid.privacy.anon.RiskProfile;
import dev.deid.privacy.dp.NoisyRelease;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A privacy impact assessment of a spec on the raw tables as they are: per anonymized output the
 * risk before and after, the Loss per column, the transformation chosen and what other k and
 * suppression limits would give; per DP release the expected error of each statistic for the
 * configured budget. Computing it writes nothing and spends no budget.
 */
public record Assessment(String job, String basis, List<OutputAssessment> outputs, List<ReleaseAssessment> releases) {

  public record OutputAssessment(String name, String audience, List<String> models, Map<String, Integer> levels,
      double loss, Map<String, Double> lossPerColumn, long suppressedRecords, RiskProfile before, RiskProfile after,
      List<Alternative> alternatives) {}

  /** One cell of the alternatives table; its figures are null where that k and limit have no solution. */
  public record Alternative(int k, double suppressionLimit, boolean configured, List<Integer> levels, Double loss,
      Long suppressedRecords, Double highestProsecutorRisk, Double populationUniquesFraction) {}

  /** Each statistic's noise standard deviation and 95 % error bound under the release's budget. */
  public record ReleaseAssessment(String name, String audience, double epsilon, double delta, String groupSelection,
      Map<String, NoisyRelease.Statistic> expectedError, List<String> dependOnGroupSize) {}

  /** The assessment as text, for the console. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add("privacy impact assessment of job '" + job + "' on " + basis + "; nothing written, no budget spent");
    for (OutputAssessment o : outputs) {
      lines.add("");
      lines.add("output " + o.name() + " (" + o.audience() + "): " + String.join(", ", o.models()));
      lines.add("  transformation  " + o.levels() + ", Loss " + fmt(o.loss()) + ", " + o.suppressedRecords() + " records suppressed");
      lines.add("  Loss per column " + formatted(o.lossPerColumn()));
      lines.add(String.format(Locale.ROOT, "  %-34s %14s %14s", "risk", "before", "after"));
      risk(lines, "records", o.before().records(), o.after().records());
      risk(lines, "equivalence classes", o.before().classes(), o.after().classes());
      risk(lines, "highest prosecutor risk", o.before().highestProsecutorRisk(), o.after().highestProsecutorRisk());
      risk(lines, "average prosecutor risk", o.before().averageProsecutorRisk(), o.after().averageProsecutorRisk());
      risk(lines, "marketer risk", o.before().marketerRisk(), o.after().marketerRisk());
      risk(lines, "sample uniques", o.before().sampleUniques(), o.after().sampleUniques());
      risk(lines, "records at the highest risk", o.before().recordsAtHighestRisk(), o.after().recordsAtHighestRisk());
      risk(lines, "records above risk " + fmt(o.after().riskThreshold()), o.before().recordsAboveThreshold(),
          o.after().recordsAboveThreshold());
      if (o.before().population() != null && o.after().population() != null) {
        risk(lines, "population uniques (" + o.before().population().dankarModel().name().toLowerCase(Locale.ROOT) + ")",
            o.before().population().populationUniquesFraction(), o.after().population().populationUniquesFraction());
        lines.add("  population " + o.before().population().populationSize()
            + (o.before().population().populationSizeAssumed() ? " (assumed: the records are the whole population; "
                + "state anonymization.populationSize)" : ""));
      }
      lines.addAll(alternativeLines(o.alternatives()));
    }
    for (ReleaseAssessment r : releases) {
      lines.add("");
      lines.add("release " + r.name() + " (" + r.audience() + "): epsilon " + r.epsilon() + ", delta " + r.delta() + "; "
          + r.groupSelection());
      r.expectedError().forEach((name, s) -> lines.add("  " + name + ": " + (s.errorKind() == NoisyRelease.ErrorKind.RANK
          ? "rank off by at most " + fmt(s.errorBound95()) + " rows with 95 % probability"
          : "noise sd " + fmt(s.noiseStandardDeviation()) + ", within ±" + fmt(s.errorBound95()) + " with 95 % probability")
          + " (" + s.budget() + ")"));
      r.dependOnGroupSize().forEach(name -> lines.add("  " + name + ": a ratio of noised sums; its error shrinks with the "
          + "group's size (the noise of its parts is above)"));
    }
    return lines;
  }

  /** The alternatives table as text, the configured row starred. */
  public static List<String> alternativeLines(List<Alternative> alternatives) {
    List<String> lines = new ArrayList<>();
    lines.add("  alternatives (* = configured):");
    lines.add(String.format(Locale.ROOT, "    %5s %11s %10s %10s %14s %18s  %s", "k", "suppression", "Loss", "suppressed",
        "highest risk", "population uniq.", "levels"));
    for (Alternative a : alternatives) {
      lines.add(a.levels() == null
          ? String.format(Locale.ROOT, "  %s %5d %10.1f%% %s", a.configured() ? "*" : " ", a.k(), a.suppressionLimit() * 100,
              "   no transformation satisfies the models")
          : String.format(Locale.ROOT, "  %s %5d %10.1f%% %10s %10d %14s %18s  %s", a.configured() ? "*" : " ", a.k(),
              a.suppressionLimit() * 100, fmt(a.loss()), a.suppressedRecords(), fmt(a.highestProsecutorRisk()),
              fmt(a.populationUniquesFraction()), a.levels()));
    }
    return lines;
  }

  private static void risk(List<String> lines, String name, double before, double after) {
    lines.add(String.format(Locale.ROOT, "  %-34s %14s %14s", name, fmt(before), fmt(after)));
  }

  private static String formatted(Map<String, Double> values) {
    List<String> parts = new ArrayList<>();
    values.forEach((k, v) -> parts.add(k + " " + fmt(v)));
    return String.join(", ", parts);
  }

  static String fmt(double value) {
    if (Double.isNaN(value)) {
      return "-";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return String.valueOf((long) value);
    }
    return Math.abs(value) >= 0.001 ? String.format(Locale.ROOT, "%.4f", value) : String.format(Locale.ROOT, "%.3g", value);
  }
}

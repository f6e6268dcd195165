package dev.deid.pipeline;

import dev.deid.config.ColumnSpec;
import dev.deid.config.OutputSpec;
import dev.deid.config.Transform;
import dev.deid.io.ExtractEncryption;
import dev.deid.privacy.Pseudonymizer;
import dev.deid.report.RunReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The guarantees an output states, in one place: the same sentences go into the table properties
 * (or the extract's manifest) and into the report, so the two cannot disagree.
 */
final class Guarantees {
  private Guarantees() {}

  /** What encryption at rest an extract has, by key ids. */
  static String encryption(ExtractEncryption.Plan plan) {
    return "encrypted at rest: Parquet modular encryption (AES-GCM), footer and columns under key '"
        + plan.keys().footer().id() + "'" + (plan.columnsUnderColumnKey().isEmpty() ? ""
            : ", " + plan.columnsUnderColumnKey() + " under column key '" + plan.keys().columns().id() + "'");
  }

  static List<String> of(OutputSpec output, List<ColumnSpec> columns, Pseudonymizer pz,
      RunReport.AnonymizationReport anonymization) {
    List<String> g = new ArrayList<>();
    g.add("consent: only subjects who consented to purpose '" + output.purpose() + "'");
    g.add("minimized: only columns " + columns.stream().map(ColumnSpec::outputName).toList());
    for (ColumnSpec c : columns) {
      Transform t = c.transform();
      if (t instanceof Transform.Pseudonymize) {
        g.add(c.outputName() + ": HMAC-SHA-256 pseudonym under key '" + pz.keyId() + "'");
      } else if (t instanceof Transform.RandomizedResponse rr) {
        g.add(c.outputName() + ": per-record " + rr.epsilon() + "-local DP (randomized response over " + rr.domain().size() + " values)");
      } else if (t instanceof Transform.NumericNoise n) {
        g.add(c.outputName() + ": per-record " + n.epsilon() + "-local DP (clamped to [" + n.lower() + ", " + n.upper()
            + "], discrete Laplace noise)");
      } else if (!(t instanceof Transform.Keep)) {
        g.add(c.outputName() + ": " + t.describe());
      }
    }
    if (anonymization != null) {
      g.add("anonymized: " + String.join(", ", anonymization.models()) + " on " + anonymization.levels().keySet()
          + (anonymization.optimal() ? " (optimal " : " (") + anonymization.strategy() + gap(anonymization) + "), "
          + anonymization.suppressedRecords() + " records suppressed");
    }
    return List.copyOf(g);
  }

  /**
   * What each released column is and what was done to it, for the column comments analysts see in
   * {@code DESCRIBE TABLE}: its class, its transformation, and for pseudonyms what they join with.
   */
  static Map<String, String> columnComments(OutputSpec output, List<ColumnSpec> columns, Pseudonymizer pz,
      RunReport.AnonymizationReport anonymization) {
    Map<String, String> comments = new LinkedHashMap<>();
    for (ColumnSpec c : columns) {
      Transform t = c.transform();
      String what = t instanceof Transform.Pseudonymize
          ? "HMAC-SHA-256 pseudonym under key '" + pz.keyId() + "'; joins with the other " + output.audience()
              + " tables' pseudonyms under the same key, with no other audience's"
          : t.describe();
      if (anonymization != null && anonymization.levels().containsKey(c.outputName())) {
        what += "; then generalized to level " + anonymization.levels().get(c.outputName()) + " of "
            + anonymization.hierarchyHeights().get(c.outputName()) + " of its hierarchy for "
            + String.join(", ", anonymization.models());
      }
      comments.put(c.outputName(), c.columnClass().yamlName().replace('_', ' ') + ": " + what);
    }
    return comments;
  }

  /** The table comment: purpose, consent rule and guarantees in one sentence list. */
  static String tableComment(OutputSpec output, List<String> guarantees) {
    return "Output '" + output.name() + "' for " + output.audience() + ", purpose '" + output.purpose() + "'. "
        + String.join("; ", guarantees) + ".";
  }

  /** How close to optimal an answer that is not proven optimal is, when a lower bound is known. */
  private static String gap(RunReport.AnonymizationReport anonymization) {
    if (anonymization.optimal() || anonymization.optimalityGap() == null) {
      return "";
    }
    return String.format(Locale.ROOT, "; %s within %.1f %% of the optimum's proven lower bound",
        anonymization.metric(), anonymization.optimalityGap() * 100);
  }
}

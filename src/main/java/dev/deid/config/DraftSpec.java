package dev.deid.config;

import dev.deid.privacy.ColumnClassifier;
import dev.deid.privacy.ColumnClassifier.ColumnProfile;
import dev.deid.privacy.ColumnClassifier.Proposal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The draft job spec {@code discover} writes: every raw column classified as proposed, with its
 * evidence as a comment, consent and erasure where tables for them were recognized, and one
 * analyst output per source releasing what is not dropped. A draft to review, never to run
 * unread: the first lines say so.
 */
public final class DraftSpec {
  private DraftSpec() {}

  public static String yaml(String name, String warehouse, Map<String, Map<String, ColumnProfile>> profiles,
      Map<String, Map<String, Proposal>> proposals) {
    StringBuilder y = new StringBuilder();
    y.append("# yaml-language-server: $schema=../conf/job-spec.schema.json\n")
        .append("# DRAFT written by `deid discover` from ").append(warehouse).append(".\n")
        .append("# Every class and action below is a proposal with its evidence: review each before running.\n")
        .append("name: ").append(name).append("\n\n");
    String consentTable = null;
    String consentSubject = null;
    Map<String, String> purposes = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, ColumnProfile>> t : profiles.entrySet()) {
      Map<String, String> found = new LinkedHashMap<>();
      t.getValue().values().stream().filter(p -> "boolean".equals(p.type()) && p.column().toLowerCase(Locale.ROOT).startsWith("consent_"))
          .forEach(p -> found.put(p.column().substring("consent_".length()), p.column()));
      String subject = subject(t.getValue(), null);
      if (!found.isEmpty() && subject != null && consentTable == null) {
        consentTable = t.getKey();
        consentSubject = subject;
        purposes.putAll(found);
      }
    }
    if (consentTable != null) {
      y.append("consent:\n  source: ").append(consentTable).append("\n  subjectColumn: ").append(consentSubject).append("\n  purposes:\n");
      purposes.forEach((purpose, column) -> y.append("    ").append(purpose).append(": ").append(column).append('\n'));
      y.append('\n');
    } else {
      y.append("# No consent table was recognized (boolean consent_<purpose> columns beside a person id): add a consent section.\n\n");
    }
    List<String> sources = new ArrayList<>();
    String erasureTable = null;
    for (String table : profiles.keySet()) {
      if (table.matches(".*(erasure|deletion|forget).*")) {
        erasureTable = table;
      } else {
        sources.add(table);
      }
    }
    if (erasureTable != null) {
      String subject = subject(profiles.get(erasureTable), null);
      y.append("erasure:\n  table: ").append(erasureTable).append("\n  subjectColumn: ").append(subject == null ? "<person id column>" : subject)
          .append("\n\n");
    }
    y.append("sources:\n");
    Map<String, String> subjects = new LinkedHashMap<>();
    for (String table : sources) {
      String subject = subject(profiles.get(table), consentSubject);
      subjects.put(table, subject);
      y.append("  ").append(table).append(":\n");
      if (subject != null) {
        y.append("    subjectColumn: ").append(subject).append('\n');
      }
      y.append("    columns:\n");
      proposals.get(table).forEach((column, p) -> {
        y.append("      ").append(column).append(": {class: ").append(p.columnClass()).append(", action: ").append(p.action());
        p.parameters().forEach((k, v) -> y.append(", ").append(k).append(": ").append(v));
        y.append("}  # ").append(String.join("; ", p.evidence()).replace('\n', ' ')).append('\n');
      });
    }
    y.append("\noutputs:\n");
    String purpose = purposes.isEmpty() ? null : purposes.keySet().iterator().next();
    int written = 0;
    for (String table : sources) {
      List<String> released = proposals.get(table).entrySet().stream().filter(e -> !"drop".equals(e.getValue().action()))
          .map(Map.Entry::getKey).toList();
      if (purpose == null || subjects.get(table) == null || released.isEmpty()) {
        continue;
      }
      y.append("  - name: ").append(table).append("_minimized\n    source: ").append(table)
          .append("\n    audience: analysts\n    purpose: ").append(purpose).append("\n    columns: [").append(String.join(", ", released))
          .append("]\n");
      written++;
    }
    if (written == 0) {
      y.append("  []  # no output could be drafted: each needs a consent purpose and a person id in its source\n");
    }
    return y.toString();
  }

  /** The column naming the person: the consent table's subject column when the table has it, else one named as a person id. */
  private static String subject(Map<String, ColumnProfile> columns, String preferred) {
    if (preferred != null && columns.containsKey(preferred)) {
      return preferred;
    }
    return columns.keySet().stream().filter(ColumnClassifier::namesAPerson).findFirst().orElse(null);
  }
}

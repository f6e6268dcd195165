package dev.deid.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one partner has agreed to receive ({@code partners.<name>} in a spec): the purposes, the
 * output columns (by their released names), the smallest k of any output that releases
 * quasi-identifiers (1: no anonymization required), the formats, whether files must be
 * encrypted at rest, and which columns are sensitive enough for their own encryption key. Every output
 * and release for {@code partner:<name>} is checked against it when the spec loads, so one that
 * breaks the contract is refused before anything runs.
 */
public record PartnerContract(String partner, Set<String> purposes, Set<String> allowedColumns, int minimumK,
    Set<OutputFormat> formats, boolean encryptionRequired, Set<String> sensitiveColumns) {

  public PartnerContract {
    purposes = Set.copyOf(purposes);
    allowedColumns = Set.copyOf(allowedColumns);
    formats = Set.copyOf(formats);
    sensitiveColumns = Set.copyOf(sensitiveColumns);
  }

  /** The path of one of the contract's fields in the spec, for messages. */
  public String path(String field) {
    return "partners." + partner + "." + field;
  }

  /**
   * What an output breaks, as (output field, problem, fix) triples; empty when it keeps the
   * contract. {@code releasedColumns} is null for DP releases, whose columns are statistics.
   */
  List<String[]> breaches(String purpose, List<String> releasedColumns, OutputFormat format, Integer k) {
    List<String[]> breaches = new ArrayList<>();
    if (!purposes.contains(purpose)) {
      breaches.add(new String[] {"purpose", "purpose '" + purpose + "' is not in the contract of partner '" + partner + "'",
          "use one of " + new TreeSet<>(purposes) + " or change " + path("purposes")});
    }
    List<String> extra = releasedColumns == null ? List.of()
        : releasedColumns.stream().filter(c -> !allowedColumns.contains(c)).toList();
    if (!extra.isEmpty()) {
      breaches.add(new String[] {"columns", "columns " + extra + " are not allowed by the contract of partner '" + partner
          + "'", "release only " + new TreeSet<>(allowedColumns) + " or change " + path("allowedColumns")});
    }
    if (!formats.contains(format)) {
      breaches.add(new String[] {"format", "format " + format.name().toLowerCase() + " is not in the contract of partner '"
          + partner + "'", "use one of " + formats.stream().map(f -> f.name().toLowerCase()).sorted().toList()});
    }
    if (k != null && k < minimumK) {
      breaches.add(new String[] {"anonymization", (k <= 1 ? "the output is not k-anonymized" : "k=" + k + " is below")
          + " the contract's minimum k=" + minimumK + " for partner '" + partner + "'",
          "anonymize it with k of at least " + minimumK});
    }
    if (encryptionRequired && format == OutputFormat.CSV) {
      breaches.add(new String[] {"format", "the contract of partner '" + partner + "' requires encrypted files, and CSV "
          + "cannot be encrypted at rest", "use format parquet (Parquet modular encryption)"});
    }
    return breaches;
  }
}

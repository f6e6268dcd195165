package dev.deid.config;

import java.util.List;

/**
 * One release: rows of {@code source} whose subject consented to {@code purpose}, only the listed
 * columns, transformed as classified, for one audience ({@code analysts} or {@code partner:<name>}).
 */
public record OutputSpec(
    int index, String name, String source, String audience, String purpose, OutputFormat format, List<String> columns,
    AnonymizationSpec anonymization, List<LeakAllowance> leakAllowances) {

  public OutputSpec {
    columns = List.copyOf(columns);
    leakAllowances = leakAllowances == null ? List.of() : List.copyOf(leakAllowances);
  }

  public String path() {
    return "outputs[" + index + "]";
  }

  public boolean forPartner() {
    return Audience.of(audience).isPartner();
  }
}

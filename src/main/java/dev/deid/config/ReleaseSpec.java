package dev.deid.config;

import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.ContributionBounds;
import dev.deid.privacy.dp.NoisyRelease;
import java.util.List;

/**
 * A differentially private release of grouped statistics. {@code groupBy} entries are source
 * columns, or {@code column:day|month|year} for a timestamp truncated to that period.
 * {@code publicGroups}, when given, is the complete list of groups released (each a list of key
 * values); otherwise groups are chosen with DP group selection.
 */
public record ReleaseSpec(
    int index, String name, String source, String audience, String purpose, String privacyUnit, List<String> groupBy,
    List<List<String>> publicGroups, ContributionBounds bounds, double epsilon, double delta, NoisyRelease.Noise noise,
    List<Aggregate> aggregates, OutputFormat format) {

  public ReleaseSpec {
    groupBy = List.copyOf(groupBy);
    publicGroups = Copies.nestedList(publicGroups);
    aggregates = List.copyOf(aggregates);
  }

  public String path() {
    return "releases[" + index + "]";
  }

  public boolean forPartner() {
    return Audience.of(audience).isPartner();
  }
}

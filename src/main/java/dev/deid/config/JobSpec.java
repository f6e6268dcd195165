package dev.deid.config;

import java.util.List;
import java.util.Map;

/** A validated job spec. Built only by {@link SpecLoader}; every reference in it resolves. */
public record JobSpec(
    String name,
    String specHash,
    VacuumPolicy vacuum,
    ConsentSpec consent,
    ErasureSpec erasure,
    Map<String, SourceSpec> sources,
    List<OutputSpec> outputs,
    Map<String, HierarchySpec> hierarchies,
    List<BudgetSpec> budgets,
    List<ReleaseSpec> releases,
    Map<String, PartnerContract> partners) {

  public JobSpec {
    sources = Copies.orderedMap(sources);
    outputs = List.copyOf(outputs);
    hierarchies = Copies.orderedMap(hierarchies);
    budgets = List.copyOf(budgets);
    releases = List.copyOf(releases);
    partners = Copies.orderedMap(partners);
  }

  /** The contract of the partner an audience names, or null (analysts, or a partner without one). */
  public PartnerContract contractOf(String audience) {
    Audience a = Audience.of(audience);
    return a.isPartner() ? partners.get(a.partner()) : null;
  }

  public SourceSpec source(String sourceName) {
    return sources.get(sourceName);
  }
}

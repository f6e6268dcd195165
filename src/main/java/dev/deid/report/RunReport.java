package dev.deid.report;

import dev.deid.io.PhysicalDeletion;
import java.util.List;
import java.util.Map;

/**
 * What one run did and how safe its result is; written as JSON beside the outputs, and summarized
 * in the audit table. Holds no raw identifier: erased subjects appear only as pseudonyms.
 */
public record RunReport(
    String runId,
    String job,
    String specHash,
    String status,
    String error,
    String startedAt,
    String referenceTime,
    long durationMillis,
    Map<String, Long> inputVersions,
    Map<String, PhysicalDeletion> retention,
    ErasureReport erasure,
    List<OutputReport> outputs,
    List<ReleaseReport> releases,
    Map<String, Long> stepMillis) {

  /**
   * A differentially private release: its budget, noise, contribution bounds and groups. Every
   * figure here is public or differentially private: {@code groupsReleased} is the size of the
   * released table (the public list, or the output of DP selection); the number of groups in the
   * data before selection is exact and is deliberately absent. {@code budgetLeft} maps each
   * applicable budget ("month 2026-11", "lifetime lifetime") to what is left after this run.
   */
  public record ReleaseReport(
      String name, String audience, String location, long version, double epsilon, double delta, String noise,
      int maxGroupsPerUnit, int maxRowsPerGroup, String groupSelection, long groupsReleased,
      Map<String, String> budgetLeft, Map<String, String> statistics) {}

  /** Erasure requests processed, subjects found and erased (as pseudonyms), and physical checks. */
  public record ErasureReport(
      long requests, String pseudonymKeyId, List<String> erasedSubjectPseudonyms,
      Map<String, PhysicalDeletion> rawTables, Map<String, PhysicalDeletion> outputs, List<String> notes) {}

  /** One written output: where, which version, how many rows went in and out, and which guarantees hold. */
  public record OutputReport(
      String name, String audience, String purpose, String format, String location, long version,
      long rowsIn, long rowsFilteredByConsent, long rowsSuppressed, long rowsOut, String keyId, String previousKeyId,
      List<ColumnReport> columns, List<String> guarantees, AnonymizationReport anonymization) {}

  /**
   * What the anonymization chose and how safe and useful the result is: the transformation (level
   * per quasi-identifier, or local recoding), whether it is proven optimal, suppression, information
   * loss (ARX's Loss, overall and per column) and re-identification risk before and after.
   */
  public record AnonymizationReport(
      String mode, List<String> models, double suppressionLimit, String metric, Map<String, Integer> levels,
      Map<String, Integer> hierarchyHeights, boolean optimal, String strategy, long nodesEvaluated, long latticeSize,
      long suppressedRecords, double loss, Map<String, Double> lossPerColumn, Map<String, Double> scores,
      dev.deid.privacy.anon.RiskProfile inputRisk, dev.deid.privacy.anon.RiskProfile outputRisk) {}

  public record ColumnReport(String source, String output, String columnClass, String action) {}
}

package dev.deid.report;

import dev.deid.io.PhysicalDeletion;
import dev.deid.io.Publications;
import dev.deid.privacy.anon.RiskProfile;
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
    List<RecallReport> recalls,
    Map<String, Long> budgetLedgerCharges,
    Map<String, Long> stepMillis,
    List<Publications.Rollback> rolledBack) {

  /**
   * A signed recall list written for a partner: where, under which pseudonym key, and per extract
   * how many pseudonyms it lists (-1: the whole earlier delivery is recalled).
   */
  public record RecallReport(String partner, String file, String pseudonymKeyId, Map<String, Integer> extracts) {}

  /**
   * A differentially private release: its budget, noise, contribution bounds and groups. Every
   * figure here is public or differentially private: {@code groupsReleased} is the size of the
   * released table (the public list, or the output of DP selection); the number of groups in the
   * data before selection is exact and is deliberately absent. {@code budgetLeft} maps each
   * applicable budget ("month 2026-11", "lifetime lifetime") to what is left after this run.
   */
  public record ReleaseReport(
      String name, String audience, String location, String table, long version, double epsilon, double delta, String noise,
      int maxGroupsPerUnit, int maxRowsPerGroup, String groupSelection, long groupsReleased,
      Map<String, String> budgetLeft, Map<String, String> statistics) {
    /** Builds a {@link ReleaseReport} field by field: no positional arguments to mix up. */
    public static Builder builder() {
      return new Builder();
    }

    public static final class Builder {
      private String name;
      private String audience;
      private String location;
      private String table;
      private long version;
      private double epsilon;
      private double delta;
      private String noise;
      private int maxGroupsPerUnit;
      private int maxRowsPerGroup;
      private String groupSelection;
      private long groupsReleased;
      private Map<String, String> budgetLeft;
      private Map<String, String> statistics;

      private Builder() {}

      public Builder name(String value) {
        this.name = value;
        return this;
      }

      public Builder audience(String value) {
        this.audience = value;
        return this;
      }

      public Builder location(String value) {
        this.location = value;
        return this;
      }

      /** The table's name in Spark's catalog ({@code audience.name}); null for extracts. */
      public Builder table(String value) {
        this.table = value;
        return this;
      }

      public Builder version(long value) {
        this.version = value;
        return this;
      }

      public Builder epsilon(double value) {
        this.epsilon = value;
        return this;
      }

      public Builder delta(double value) {
        this.delta = value;
        return this;
      }

      public Builder noise(String value) {
        this.noise = value;
        return this;
      }

      public Builder maxGroupsPerUnit(int value) {
        this.maxGroupsPerUnit = value;
        return this;
      }

      public Builder maxRowsPerGroup(int value) {
        this.maxRowsPerGroup = value;
        return this;
      }

      public Builder groupSelection(String value) {
        this.groupSelection = value;
        return this;
      }

      public Builder groupsReleased(long value) {
        this.groupsReleased = value;
        return this;
      }

      public Builder budgetLeft(Map<String, String> value) {
        this.budgetLeft = value;
        return this;
      }

      public Builder statistics(Map<String, String> value) {
        this.statistics = value;
        return this;
      }

      public ReleaseReport build() {
        return new ReleaseReport(name, audience, location, table, version, epsilon, delta, noise, maxGroupsPerUnit, maxRowsPerGroup, groupSelection, groupsReleased, budgetLeft, statistics);
      }
    }
  }

  /** Erasure requests processed, subjects found and erased (as pseudonyms), and physical checks. */
  public record ErasureReport(
      long requests, String pseudonymKeyId, List<String> erasedSubjectPseudonyms,
      Map<String, List<String>> finishedForEarlierRuns,
      Map<String, PhysicalDeletion> rawTables, Map<String, PhysicalDeletion> outputs, List<String> notes) {}

  /** One written output: where, which version, how many rows went in and out, and which guarantees hold. */
  public record OutputReport(
      String name, String source, String audience, String purpose, String format, String location, String table, long version,
      long rowsIn, long rowsFilteredByConsent, long rowsSuppressed, long rowsOut, String keyId, String previousKeyId,
      List<ColumnReport> columns, Map<String, Map<String, Object>> steps, List<String> guarantees,
      AnonymizationReport anonymization, LeakGuardReport leakGuard) {
    /** Builds a {@link OutputReport} field by field: no positional arguments to mix up. */
    public static Builder builder() {
      return new Builder();
    }

    public static final class Builder {
      private String name;
      private String audience;
      private String purpose;
      private String format;
      private String source;
      private String location;
      private String table;
      private long version;
      private long rowsIn;
      private long rowsFilteredByConsent;
      private long rowsSuppressed;
      private long rowsOut;
      private String keyId;
      private String previousKeyId;
      private List<ColumnReport> columns;
      private Map<String, Map<String, Object>> steps = Map.of();
      private List<String> guarantees;
      private LeakGuardReport leakGuard;
      private AnonymizationReport anonymization;

      private Builder() {}

      public Builder name(String value) {
        this.name = value;
        return this;
      }

      public Builder audience(String value) {
        this.audience = value;
        return this;
      }

      public Builder purpose(String value) {
        this.purpose = value;
        return this;
      }

      public Builder format(String value) {
        this.format = value;
        return this;
      }

      /** The source table the output was made from. */
      public Builder source(String value) {
        this.source = value;
        return this;
      }

      public Builder location(String value) {
        this.location = value;
        return this;
      }

      /** The table's name in Spark's catalog ({@code audience.name}); null for extracts. */
      public Builder table(String value) {
        this.table = value;
        return this;
      }

      public Builder version(long value) {
        this.version = value;
        return this;
      }

      public Builder rowsIn(long value) {
        this.rowsIn = value;
        return this;
      }

      public Builder rowsFilteredByConsent(long value) {
        this.rowsFilteredByConsent = value;
        return this;
      }

      public Builder rowsSuppressed(long value) {
        this.rowsSuppressed = value;
        return this;
      }

      public Builder rowsOut(long value) {
        this.rowsOut = value;
        return this;
      }

      public Builder keyId(String value) {
        this.keyId = value;
        return this;
      }

      public Builder previousKeyId(String value) {
        this.previousKeyId = value;
        return this;
      }

      public Builder columns(List<ColumnReport> value) {
        this.columns = value;
        return this;
      }

      /** What each step did, by step name, in the order the steps ran. */
      public Builder steps(Map<String, Map<String, Object>> value) {
        this.steps = value;
        return this;
      }

      public Builder guarantees(List<String> value) {
        this.guarantees = value;
        return this;
      }

      public Builder leakGuard(LeakGuardReport value) {
        this.leakGuard = value;
        return this;
      }

      public Builder anonymization(AnonymizationReport value) {
        this.anonymization = value;
        return this;
      }

      public OutputReport build() {
        return new OutputReport(name, source, audience, purpose, format, location, table, version, rowsIn, rowsFilteredByConsent, rowsSuppressed, rowsOut, keyId, previousKeyId, columns, steps, guarantees, anonymization, leakGuard);
      }
    }
  }

  /**
   * What the anonymization chose and how safe and useful the result is: the transformation (level
   * per quasi-identifier, or local recoding), whether it is proven optimal, suppression, information
   * loss (ARX's Loss, overall and per column) and re-identification risk before and after.
   * {@code metricLowerBound} is a proven lower bound of the optimal score of {@code metric} (null
   * when none is known, as for local recoding), and {@code optimalityGap} how much worse than that
   * bound the chosen score can at most be, as a fraction of the bound: 0 when optimal, so a
   * partner reads "within 3.2 % of optimal" rather than "not optimal".
   */
  public record AnonymizationReport(
      String mode, List<String> models, double suppressionLimit, String metric, Map<String, Integer> levels,
      Map<String, Integer> hierarchyHeights, boolean optimal, String strategy, long nodesEvaluated, long latticeSize,
      Double metricLowerBound, Double optimalityGap,
      long suppressedRecords, double loss, Map<String, Double> lossPerColumn, Map<String, Double> scores,
      RiskProfile inputRisk, RiskProfile outputRisk,
      List<Assessment.Alternative> alternatives) {
    /** Builds a {@link AnonymizationReport} field by field: no positional arguments to mix up. */
    public static Builder builder() {
      return new Builder();
    }

    public static final class Builder {
      private String mode;
      private List<String> models;
      private double suppressionLimit;
      private String metric;
      private Map<String, Integer> levels;
      private Map<String, Integer> hierarchyHeights;
      private boolean optimal;
      private String strategy;
      private long nodesEvaluated;
      private long latticeSize;
      private Double metricLowerBound;
      private Double optimalityGap;
      private long suppressedRecords;
      private double loss;
      private Map<String, Double> lossPerColumn;
      private Map<String, Double> scores;
      private RiskProfile inputRisk;
      private RiskProfile outputRisk;
      private List<Assessment.Alternative> alternatives = List.of();

      private Builder() {}

      public Builder mode(String value) {
        this.mode = value;
        return this;
      }

      public Builder models(List<String> value) {
        this.models = value;
        return this;
      }

      public Builder suppressionLimit(double value) {
        this.suppressionLimit = value;
        return this;
      }

      public Builder metric(String value) {
        this.metric = value;
        return this;
      }

      public Builder levels(Map<String, Integer> value) {
        this.levels = value;
        return this;
      }

      public Builder hierarchyHeights(Map<String, Integer> value) {
        this.hierarchyHeights = value;
        return this;
      }

      public Builder optimal(boolean value) {
        this.optimal = value;
        return this;
      }

      public Builder strategy(String value) {
        this.strategy = value;
        return this;
      }

      public Builder nodesEvaluated(long value) {
        this.nodesEvaluated = value;
        return this;
      }

      public Builder latticeSize(long value) {
        this.latticeSize = value;
        return this;
      }

      /** A proven lower bound of the optimal score; NaN or infinite values are recorded as unknown. */
      public Builder metricLowerBound(double value) {
        this.metricLowerBound = Double.isFinite(value) ? value : null;
        return this;
      }

      /** The optimality gap; NaN or infinite values are recorded as unknown. */
      public Builder optimalityGap(double value) {
        this.optimalityGap = Double.isFinite(value) ? value : null;
        return this;
      }

      public Builder suppressedRecords(long value) {
        this.suppressedRecords = value;
        return this;
      }

      public Builder loss(double value) {
        this.loss = value;
        return this;
      }

      public Builder lossPerColumn(Map<String, Double> value) {
        this.lossPerColumn = value;
        return this;
      }

      public Builder scores(Map<String, Double> value) {
        this.scores = value;
        return this;
      }

      public Builder inputRisk(RiskProfile value) {
        this.inputRisk = value;
        return this;
      }

      /** What other k and suppression limits would give the same rows, the configured one marked. */
      public Builder alternatives(List<Assessment.Alternative> value) {
        this.alternatives = List.copyOf(value);
        return this;
      }

      public Builder outputRisk(RiskProfile value) {
        this.outputRisk = value;
        return this;
      }

      public AnonymizationReport build() {
        return new AnonymizationReport(mode, models, suppressionLimit, metric, levels, hierarchyHeights, optimal, strategy, nodesEvaluated, latticeSize, metricLowerBound, optimalityGap, suppressedRecords, loss, lossPerColumn, scores, inputRisk, outputRisk, alternatives);
      }
    }
  }

  public record ColumnReport(String source, String output, String columnClass, String action) {}

  /**
   * What the leak guard checked before the run deleted or wrote anything: the text columns
   * compared with the source's raw direct-identifier values, those searched for personal-data
   * patterns, and the hits the spec allows as known false positives ({@code column/check -> count}).
   * A hit not allowed stops the run, so it never appears here.
   */
  public record LeakGuardReport(List<String> rawIdentifierColumns, List<String> patternColumns, Map<String, Long> allowedHits) {}
}

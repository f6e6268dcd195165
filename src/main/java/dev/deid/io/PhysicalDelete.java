package dev.deid.io;

import dev.deid.config.RetentionSpec;
import dev.deid.config.VacuumPolicy;
import dev.deid.errors.Errors;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Deletes rows from a Delta table physically, for retention and erasure alike, in as few Delta
 * operations as the rules allow, because each one has a fixed cost of seconds: one aggregation
 * measures what every rule would delete ({@link #plan}); if nothing matches, no DELETE and no
 * VACUUM run; otherwise one copy-on-write DELETE for all rules (see {@link DeltaStore}) and one
 * VACUUM. Either way one scan of every data file still on disk then counts, per rule, the rows that
 * should be gone; a zero-hour window with a dirty scan vacuums and scans again. After a zero-hour
 * vacuum the table's log holds its current version only, and a scan of it proves that no value in
 * its file statistics belongs to a row the table no longer holds.
 */
public final class PhysicalDelete {
  /**
   * Erasure keys up to this many are matched as a set that each task holds, so that every rule of a
   * table fits one DELETE; beyond it each key rule is a MERGE (a join), which scales to any number
   * of keys without a copy of them per task.
   */
  static final int KEYS_IN_TASK = 10_000;

  private PhysicalDelete() {}

  /** Which rows a rule deletes. */
  public sealed interface Rule {
    String name();

    /** The column the rule judges a row by; a row with NULL there is never deleted by it. */
    String column();
  }

  /** Retention: rows whose timestamp column is older than the limit at the reference time. */
  public record OlderThan(String name, String column, Instant cutoff) implements Rule {
    public static OlderThan retention(RetentionSpec spec, Instant referenceTime) {
      return new OlderThan("retention", spec.column(), referenceTime.minus(Duration.ofDays(spec.maxAgeDays())));
    }

    /** The rows this rule deletes, as a condition (NULL timestamps are not expired). */
    public Column expired() {
      return functions.coalesce(functions.col("`" + column + "`").lt(functions.lit(Timestamp.from(cutoff))),
          functions.lit(false));
    }
  }

  /**
   * Erasure: rows whose column (raw id or pseudonym) is one of the keys (a one-column dataset).
   * Delta records a DELETE's condition in the table's log, where the readers of the table read it,
   * so no key is ever part of a condition: the log learns nothing of who was erased, not even an
   * audience's pseudonym.
   */
  public record MatchingKeys(String name, String column, Dataset<Row> keys) implements Rule {
    Dataset<Row> distinctKeys() {
      return keys.select(functions.col(keys.columns()[0]).cast("string").as("deid_key"))
          .filter(functions.col("deid_key").isNotNull()).distinct();
    }
  }

  /**
   * What the rules would delete from a table now, measured in one pass before anything is deleted.
   * A row matched by several rules is counted under the first. {@code predicates} holds, per rule,
   * a condition on the table's own columns, or nothing where the keys are too many to hold in each task.
   */
  public record Plan(String table, List<Rule> rules, long rows, Map<String, Long> matching, Map<String, Long> withNull,
      List<Column> predicates, Map<String, List<String>> matchedKeys) {
    /** The distinct values (as text, sorted) of a key rule's column in the rows it matches; empty for other rules. */
    public List<String> matchedKeys(String rule) {
      return matchedKeys.getOrDefault(rule, List.of());
    }

    public long total() {
      return matching.values().stream().mapToLong(Long::longValue).sum();
    }

    public long matching(String rule) {
      return matching.getOrDefault(rule, 0L);
    }

    /** The rows of {@code data} (the table, read) that no rule deletes: the table as this plan will leave it. */
    public Dataset<Row> remaining(Dataset<Row> data) {
      Dataset<Row> flagged = flagged(data, rules, predicates);
      for (int i = 0; i < rules.size(); i++) {
        flagged = flagged.filter(functions.not(functions.col(flagColumn(i))));
      }
      return flagged.drop(IntStream.range(0, rules.size()).mapToObj(PhysicalDelete::flagColumn)
          .toArray(String[]::new));
    }
  }

  public static Plan plan(TableStore store, String table, List<Rule> rules) {
    return plan(store, table, rules, KEYS_IN_TASK);
  }

  static Plan plan(TableStore store, String table, List<Rule> rules, int keysInTask) {
    List<Column> predicates = new ArrayList<>();
    for (Rule rule : rules) {
      predicates.add(predicate(rule, keysInTask));
    }
    Dataset<Row> flagged = flagged(store.read(table), rules, predicates);
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(functions.count(functions.lit(1)));
    Column earlier = functions.lit(false);
    for (int i = 0; i < rules.size(); i++) {
      Column flag = functions.col(flagColumn(i));
      aggregates.add(countWhere(flag.and(functions.not(earlier))));
      aggregates.add(countWhere(functions.col("`" + rules.get(i).column() + "`").isNull()));
      earlier = earlier.or(flag);
    }
    // The keys found come with the same pass: which requested subjects a table holds costs no join.
    List<Integer> keyRules = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i) instanceof MatchingKeys keys) {
        keyRules.add(i);
        aggregates.add(functions.collect_set(functions.when(functions.col(flagColumn(i)),
            functions.col("`" + keys.column() + "`").cast("string"))));
      }
    }
    Row counts = flagged.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    Map<String, Long> matching = new LinkedHashMap<>();
    Map<String, Long> withNull = new LinkedHashMap<>();
    for (int i = 0; i < rules.size(); i++) {
      matching.put(rules.get(i).name(), counts.getLong(1 + 2 * i));
      withNull.put(rules.get(i).name(), counts.getLong(2 + 2 * i));
    }
    Map<String, List<String>> matchedKeys = new LinkedHashMap<>();
    for (int k = 0; k < keyRules.size(); k++) {
      List<String> found = new ArrayList<>(counts.<String>getList(1 + 2 * rules.size() + k));
      Collections.sort(found);
      matchedKeys.put(rules.get(keyRules.get(k)).name(), List.copyOf(found));
    }
    return new Plan(table, List.copyOf(rules), counts.getLong(0), matching, withNull, predicates, matchedKeys);
  }

  /** Carries out a plan and proves the result on disk; returns what happened per rule. */
  public static Map<String, PhysicalDeletion> apply(TableStore store, Plan plan, VacuumPolicy vacuum) {
    return apply(store, plan, vacuum, StepClock.UNTIMED, "");
  }

  /** As {@link #apply(TableStore, Plan, VacuumPolicy)}, timing its delete, vacuum and proof scan as {@code step.*}. */
  public static Map<String, PhysicalDeletion> apply(TableStore store, Plan plan, VacuumPolicy vacuum, StepClock clock,
      String step) {
    long deleted = plan.total() == 0 ? 0 : clock.time(step + ".delete", () -> delete(store, plan));
    if (deleted != plan.total()) {
      throw Errors.tableChangedDuringDeletion(plan.table(), plan.total(), deleted);
    }
    boolean vacuumed = deleted > 0 || vacuum.retentionHours() > 0;
    if (vacuumed) {
      clock.time(step + ".vacuum", () -> {
        store.vacuum(plan.table(), vacuum);
        return null;
      });
    }
    ScanResult scan = clock.time(step + ".proof_scan", () -> scan(store, plan));
    if (!vacuumed && vacuum.retentionHours() == 0 && scan.total() > 0) {
      // Rows an earlier, interrupted run deleted without vacuuming: their files go now.
      store.vacuum(plan.table(), vacuum);
      vacuumed = true;
      scan = scan(store, plan);
    }
    // A zero-hour vacuum emptied the log of earlier versions; what is left must hold no value of a deleted row.
    TableStore.LogTraces log = vacuumed && vacuum.retentionHours() == 0
        ? clock.time(step + ".log_scan", () -> store.logTraces(plan.table()))
        : new TableStore.LogTraces(-1, 0, -1, List.of());
    Map<String, PhysicalDeletion> result = new LinkedHashMap<>();
    for (int i = 0; i < plan.rules().size(); i++) {
      String name = plan.rules().get(i).name();
      result.put(name, new PhysicalDeletion(plan.table(), plan.matching(name), plan.withNull().get(name), vacuumed,
          scan.files(), scan.found().get(i), vacuum.retentionHours(), log.filesScanned(), log.valuesNotInTable(),
          log.columns()));
    }
    return result;
  }

  private static long delete(TableStore store, Plan plan) {
    if (plan.predicates().stream().allMatch(p -> p != null)) {
      Column any = plan.predicates().stream().reduce(functions.lit(false), Column::or);
      return store.delete(plan.table(), any);
    }
    long deleted = 0;
    for (int i = 0; i < plan.rules().size(); i++) {
      Rule rule = plan.rules().get(i);
      if (plan.matching(rule.name()) == 0) {
        continue;
      }
      deleted += plan.predicates().get(i) != null
          ? store.delete(plan.table(), plan.predicates().get(i))
          : store.deleteMatching(plan.table(), rule.column(), ((MatchingKeys) rule).distinctKeys());
    }
    return deleted;
  }

  private record ScanResult(int files, List<Long> found) {
    long total() {
      return found.stream().mapToLong(Long::longValue).sum();
    }
  }

  /** Reads every data file on disk, bypassing the log, and counts per rule the rows still there. */
  private static ScanResult scan(TableStore store, Plan plan) {
    TableStore.DataFiles files = store.dataFilesOnDisk(plan.table());
    List<Long> found = new ArrayList<>();
    if (files.count() == 0) {
      plan.rules().forEach(r -> found.add(0L));
      return new ScanResult(0, found);
    }
    Dataset<Row> flagged = flagged(files.rows(), plan.rules(), plan.predicates());
    List<Column> aggregates = new ArrayList<>();
    for (int i = 0; i < plan.rules().size(); i++) {
      aggregates.add(countWhere(functions.col(flagColumn(i))));
    }
    Row counts = flagged.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    for (int i = 0; i < plan.rules().size(); i++) {
      found.add(counts.getLong(i));
    }
    return new ScanResult(files.count(), found);
  }

  /** The rule as a condition on the table's columns, or null when its keys are too many to hold in each task. */
  private static Column predicate(Rule rule, int keysInTask) {
    if (rule instanceof OlderThan older) {
      return older.expired();
    }
    MatchingKeys keys = (MatchingKeys) rule;
    List<String> values = keys.distinctKeys().limit(keysInTask + 1).as(Encoders.STRING()).collectAsList();
    if (values.size() > keysInTask) {
      return null;
    }
    // The keys travel inside the function, not the condition: Delta logs a DELETE's condition as
    // text, and there it reads as the function's name applied to the column, with no value at all.
    Column column = functions.udf(new KeySet(values), DataTypes.BooleanType)
        .withName("deid_erasure_match").apply(functions.col("`" + keys.column() + "`").cast("string"));
    return values.isEmpty() ? functions.lit(false) : column;
  }

  /**
   * Whether a value is one of a rule's keys. Not a record: its text, which Spark may print in a
   * plan or an error, must not list the keys.
   */
  static final class KeySet implements UDF1<String, Boolean> {
    private static final long serialVersionUID = 1L;
    private final HashSet<String> keys;

    KeySet(List<String> keys) {
      this.keys = new HashSet<>(keys);
    }

    @Override
    public Boolean call(String value) {
      return value != null && keys.contains(value);
    }

    @Override
    public String toString() {
      return "deid_erasure_match(" + keys.size() + " keys)";
    }
  }

  /** {@code data} with one boolean column per rule: does the rule delete this row? */
  private static Dataset<Row> flagged(Dataset<Row> data, List<Rule> rules, List<Column> predicates) {
    Dataset<Row> flagged = data;
    for (int i = 0; i < rules.size(); i++) {
      if (predicates.get(i) != null) {
        flagged = flagged.withColumn(flagColumn(i), predicates.get(i));
        continue;
      }
      MatchingKeys keys = (MatchingKeys) rules.get(i);
      String key = "deid_key_" + i;
      Dataset<Row> distinct = keys.distinctKeys().withColumnRenamed("deid_key", key);
      flagged = flagged.join(distinct, flagged.col("`" + keys.column() + "`").cast("string").equalTo(distinct.col(key)), "left_outer")
          .withColumn(flagColumn(i), functions.col(key).isNotNull())
          .drop(key);
    }
    return flagged;
  }

  private static String flagColumn(int rule) {
    return "deid_rule_" + rule;
  }

  private static Column countWhere(Column condition) {
    return functions.coalesce(functions.sum(functions.when(condition, 1L).otherwise(0L)), functions.lit(0L));
  }
}

package dev.deid.pipeline;

import dev.deid.config.ColumnSpec;
import dev.deid.config.JobSpec;
import dev.deid.config.OutputFormat;
import dev.deid.config.OutputSpec;
import dev.deid.config.SourceSpec;
import dev.deid.config.Transform;
import dev.deid.errors.Errors;
import dev.deid.io.ErasureJournal;
import dev.deid.io.PhysicalDelete;
import dev.deid.io.PhysicalDeletion;
import dev.deid.io.StepClock;
import dev.deid.privacy.Pseudonymizer;
import dev.deid.report.RunReport;
import dev.deid.steps.Pseudonymize;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;

/**
 * Retention and erasure on every raw table (one physical deletion pass each), then erasure from
 * the minimized Delta outputs already written, matched by the erased subjects' pseudonyms. The
 * result holds what was deleted where and the proof scans; erased subjects appear as pseudonyms
 * under the audit audience's key only.
 */
final class RetentionAndErasure implements Stage<RetentionAndErasure.Result> {
  /** {@code recalls}: what earlier partner deliveries must give up, to be written once the new ones are published. */
  /** {@code journal}: the erasures this run planned and those earlier runs left unfinished, all to be marked done once it publishes. */
  record Result(Map<String, PhysicalDeletion> retention, RunReport.ErasureReport erasure, List<Recalls.Pending> recalls,
      List<ErasureJournal.Entry> journal) {
    Result {
      retention = Map.copyOf(retention);
      recalls = List.copyOf(recalls);
      journal = List.copyOf(journal);
    }
  }

  private final StepClock clock;
  /** What the run planned (see {@link #plan}) before its data checks; its caller releases it. */
  private final Planned planned;

  RetentionAndErasure(StepClock clock, Planned planned) {
    this.clock = clock;
    this.planned = planned;
  }

  @Override
  public String name() {
    return "retention_and_erasure";
  }

  /** The distinct erasure requests (cached; unpersist when done) and, per source, what its rules would delete. */
  record Planned(Dataset<Row> requests, Map<String, PhysicalDelete.Plan> plans) {
    void release() {
      if (requests != null) {
        requests.unpersist();
      }
    }
  }

  /** Measures what retention and erasure would delete, changing nothing (also what {@code --dry-run} shows). */
  static Planned plan(RunContext context) {
    JobSpec spec = context.spec();
    Dataset<Row> requests = spec.erasure() == null ? null
        : context.store().read(context.options().warehouse().rawTable(spec.erasure().table()))
            .select(functions.col("`" + spec.erasure().subjectColumn() + "`").cast("string").as("subject_id"))
            .filter(functions.col("subject_id").isNotNull())
            .distinct()
            .cache();
    Map<String, PhysicalDelete.Plan> plans = new LinkedHashMap<>();
    for (SourceSpec source : spec.sources().values()) {
      List<PhysicalDelete.Rule> rules = new ArrayList<>();
      if (source.retention() != null) {
        rules.add(PhysicalDelete.OlderThan.retention(source.retention(), context.options().referenceTime()));
      }
      if (requests != null) {
        rules.add(new PhysicalDelete.MatchingKeys("erasure", source.subjectColumn(), requests));
      }
      if (!rules.isEmpty()) {
        plans.put(source.name(), PhysicalDelete.plan(context.store(), context.rawTable(source), rules));
      }
    }
    return new Planned(requests, plans);
  }

  @Override
  public Result run(RunContext context) {
    JobSpec spec = context.spec();
    Dataset<Row> requests = planned.requests();
    Map<String, PhysicalDelete.Plan> plans = planned.plans();
    checkRetentionFractions(context, plans);
    // Durably, before the first deletion: which subjects this run erases from which table.
    String journalTable = context.options().warehouse().erasureJournal();
    List<ErasureJournal.Entry> unfinished = requests == null ? List.of()
        : ErasureJournal.pending(context.store(), journalTable);
    List<ErasureJournal.Entry> begun = requests == null ? List.of() : journalEntries(context, plans);
    ErasureJournal.planned(context.store(), journalTable, begun);
    // Sorted, so that two runs on the same data report the same list.
    List<String> erasedPseudonyms = begun.stream().map(ErasureJournal.Entry::subjectPseudonym).distinct().sorted().toList();
    Map<String, PhysicalDeletion> retention = new LinkedHashMap<>();
    Map<String, PhysicalDeletion> erasedRaw = new LinkedHashMap<>();
    for (Map.Entry<String, PhysicalDelete.Plan> table : plans.entrySet()) {
      SourceSpec source = spec.source(table.getKey());
      if (table.getValue().total() > 0) {
        restrictStatistics(context, source);
      }
      Map<String, PhysicalDeletion> done = PhysicalDelete.apply(context.store(), table.getValue(), spec.vacuum(), clock,
          name() + "." + source.name());
      if (done.containsKey("retention")) {
        retention.put(source.name(), requirePhysicallyGone(done.get("retention"), spec, source.path() + ".retention"));
      }
      if (done.containsKey("erasure")) {
        erasedRaw.put(source.name(), requirePhysicallyGone(done.get("erasure"), spec, source.path()));
      }
    }
    RunReport.ErasureReport erasure = requests == null ? null
        : clock.time(name() + ".outputs", () -> eraseFromOutputs(context, requests, erasedPseudonyms, erasedRaw,
            unfinished));
    Set<String> unfinishedSources = new TreeSet<>();
    unfinished.forEach(e -> unfinishedSources.add(e.source()));
    List<Recalls.Pending> recalls = requests == null ? List.of()
        : clock.time(name() + ".recalls", () -> Recalls.find(context, requests, erasedRaw, unfinishedSources));
    List<ErasureJournal.Entry> journal = new ArrayList<>(begun);
    journal.addAll(unfinished);
    return new Result(retention, erasure, recalls, journal);
  }

  /**
   * The circuit breaker: before any table is touched, the plans say per source how many rows
   * retention would delete; if any source would lose more than its spec's {@code maxDeleteFraction},
   * nothing is deleted and every such source is named, unless the operator confirmed with
   * {@code --allow-large-deletion}.
   */
  private static void checkRetentionFractions(RunContext context, Map<String, PhysicalDelete.Plan> plans) {
    if (context.options().allowLargeDeletion()) {
      return;
    }
    List<String> problems = breakerProblems(context, plans);
    if (!problems.isEmpty()) {
      throw Errors.all(problems);
    }
  }

  /** Every source whose planned retention exceeds its maxDeleteFraction, as an error each. */
  static List<String> breakerProblems(RunContext context, Map<String, PhysicalDelete.Plan> plans) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, PhysicalDelete.Plan> planned : plans.entrySet()) {
      SourceSpec source = context.spec().source(planned.getKey());
      if (source.retention() == null) {
        continue;
      }
      long rows = planned.getValue().rows();
      long matching = planned.getValue().matching("retention");
      if (rows > 0 && matching > source.retention().maxDeleteFraction() * rows) {
        problems.add(Errors.retentionDeletesTooMuch(source.path() + ".retention", matching, rows,
            source.retention().maxDeleteFraction()));
      }
    }
    return problems;
  }

  /** Before the deletion rewrites a raw table's files: their statistics name no identifier (see {@link StatisticsColumns}). */
  private static void restrictStatistics(RunContext context, SourceSpec source) {
    String table = context.rawTable(source);
    Map<String, String> wanted = StatisticsColumns.forRawTable(source, context.store().read(table).schema());
    if (!StatisticsColumns.holds(context.store().properties(table), wanted)) {
      context.store().setProperties(table, wanted);
    }
  }

  private static PhysicalDeletion requirePhysicallyGone(PhysicalDeletion d, JobSpec spec, String path) {
    if (spec.vacuum().retentionHours() == 0 && d.rowsStillOnDisk() > 0) {
      throw Errors.deletedRowsStillOnDisk(path, d.rowsStillOnDisk(), d.table());
    }
    if (spec.vacuum().retentionHours() == 0 && d.logValuesNotInTable() > 0) {
      throw Errors.deletedValuesInLog(path, d.logValuesNotInTable(), d.logTraceColumns(), d.table());
    }
    return d;
  }

  /**
   * One journal entry per requested subject the plans found, per raw table; subjects are their
   * pseudonyms under the audit audience's key.
   */
  private static List<ErasureJournal.Entry> journalEntries(RunContext context, Map<String, PhysicalDelete.Plan> plans) {
    Pseudonymizer audit = context.pseudonymizer(context.spec().erasure().auditAudience());
    List<ErasureJournal.Entry> entries = new ArrayList<>();
    plans.forEach((source, plan) -> plan.matchedKeys("erasure")
        .forEach(id -> entries.add(new ErasureJournal.Entry(context.runId(), audit.pseudonym(id), source))));
    return entries;
  }

  private static RunReport.ErasureReport eraseFromOutputs(RunContext context, Dataset<Row> requests,
      List<String> erasedPseudonyms, Map<String, PhysicalDeletion> erasedRaw, List<ErasureJournal.Entry> unfinished) {
    JobSpec spec = context.spec();
    Map<String, PhysicalDeletion> outputs = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    for (OutputSpec output : spec.outputs()) {
      String location = context.options().warehouse().output(output);
      if (output.format() != OutputFormat.DELTA || !context.store().exists(location)) {
        continue;
      }
      String column = subjectPseudonymColumn(spec.source(output.source()), output);
      if (column == null) {
        notes.add("Output '" + output.name() + "' holds no subject pseudonym; erased subjects leave it when this run "
            + "rewrites it and its earlier versions are vacuumed.");
        continue;
      }
      UserDefinedFunction udf = Pseudonymize.udf(context.pseudonymizer(output.audience()));
      Dataset<Row> pseudonyms = requests.select(Pseudonymize.pseudonymOf(udf, functions.col("subject_id")).as("p"));
      PhysicalDelete.Plan plan = PhysicalDelete.plan(context.store(), location,
          List.of(new PhysicalDelete.MatchingKeys("erasure", column, pseudonyms)));
      PhysicalDeletion d = PhysicalDelete.apply(context.store(), plan, spec.vacuum()).get("erasure");
      outputs.put(output.name(), requirePhysicallyGone(d, spec, output.path()));
    }
    String auditKeyId = context.pseudonymizer(spec.erasure().auditAudience()).keyId();
    Map<String, TreeSet<String>> byRun = new TreeMap<>();
    unfinished.forEach(e -> byRun.computeIfAbsent(e.runId(), r -> new TreeSet<>()).add(e.subjectPseudonym()));
    Map<String, List<String>> finished = new TreeMap<>();
    byRun.forEach((run, subjects) -> finished.put(run, List.copyOf(subjects)));
    return new RunReport.ErasureReport(requests.count(), auditKeyId, erasedPseudonyms, finished, erasedRaw, outputs, notes);
  }

  /** The output column holding the pseudonym of the source's subject id, if the output has one. */
  static String subjectPseudonymColumn(SourceSpec source, OutputSpec output) {
    ColumnSpec subject = source.columns().get(source.subjectColumn());
    if (subject != null && output.columns().contains(subject.name()) && subject.transform() instanceof Transform.Pseudonymize) {
      return subject.outputName();
    }
    return null;
  }
}

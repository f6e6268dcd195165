package dev.deid.pipeline;

import dev.deid.config.AnonymizationSpec;
import dev.deid.config.Audience;
import dev.deid.config.ColumnClass;
import dev.deid.config.ColumnSpec;
import dev.deid.config.OutputFormat;
import dev.deid.config.OutputSpec;
import dev.deid.config.SourceSpec;
import dev.deid.config.Transform;
import dev.deid.errors.Errors;
import dev.deid.io.ExtractEncryption;
import dev.deid.io.Publisher;
import dev.deid.io.SparkSessions;
import dev.deid.privacy.Pseudonymizer;
import dev.deid.privacy.anon.Anonymizer;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.report.RunReport;
import dev.deid.steps.Anonymize;
import dev.deid.steps.ColumnComments;
import dev.deid.steps.GeneralizeColumns;
import dev.deid.steps.LeakGuard;
import dev.deid.steps.Minimize;
import dev.deid.steps.Pseudonymize;
import dev.deid.steps.Step;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * Every output: consent filter, minimization, pseudonymization, masking and generalization as one
 * lazy plan, anonymization where asked (its search is the one step that reads the data), then one
 * atomic publish each. All outputs are prepared and guarded before the run deletes anything
 * ({@link #prepareAndGuard}), and published after. Row-level DP columns are charged to the budget
 * just before their output is published.
 */
final class Outputs implements Stage<Outputs.Result> {
  record Result(List<RunReport.OutputReport> outputs) {
    Result {
      outputs = List.copyOf(outputs);
    }
  }

  /** An output ready to publish: its lazy rows and what preparing it measured. */
  private record Prepared(OutputSpec output, Pseudonymizer pseudonymizer, List<ColumnSpec> columns, Dataset<Row> data,
      long rowsIn, Map<String, Map<String, Object>> steps, RunReport.AnonymizationReport anonymization, long rowsSuppressed,
      Long rowsReachingAnonymizer) {}

  /**
   * Every output prepared and guarded before the run deleted anything: its rows, computed once on
   * the sources as the pending deletions will leave them and kept apart from the raw tables'
   * lineage, so that the deletion neither changes nor invalidates them and the write reads what
   * was guarded.
   */
  static final class Checked implements AutoCloseable {
    private final List<Prepared> prepared;
    private final Map<String, RunReport.LeakGuardReport> guarded;

    private Checked(List<Prepared> prepared, Map<String, RunReport.LeakGuardReport> guarded) {
      this.prepared = List.copyOf(prepared);
      this.guarded = Map.copyOf(guarded);
    }

    /** Frees the checkpointed rows (the run's scratch space) once published or abandoned. */
    @Override
    public void close() {
      release(prepared);
    }
  }

  /** The name each output's checkpointed rows carry in Spark (its storage tab and {@code getPersistentRDDs}). */
  static final String CHECKPOINT_NAME = "deid output ";

  private static void release(List<Prepared> prepared) {
    for (Prepared p : prepared) {
      if (p.data().queryExecution().logical() instanceof LogicalRDD rows) {
        rows.rdd().unpersist(false);
      }
    }
  }

  private final Map<String, String> previousKeyIds;
  private final PrivacyBudget budget;
  private final Checked checked;
  private final StepTimer timer;

  Outputs(Map<String, String> previousKeyIds, PrivacyBudget budget, Checked checked, StepTimer timer) {
    this.previousKeyIds = previousKeyIds;
    this.budget = budget;
    this.checked = checked;
    this.timer = timer;
  }

  @Override
  public String name() {
    return "outputs";
  }

  @Override
  public Result run(RunContext context) {
    List<RunReport.OutputReport> reports = new ArrayList<>();
    for (Prepared p : checked.prepared) {
      reports.add(timer.time("output." + p.output().name(), () -> {
        budget.reserve(p.output(), context.runId());
        return publish(context, p, checked.guarded.get(p.output().name()));
      }));
    }
    return new Result(reports);
  }

  /**
   * Prepares every output in {@code pending} (the context in which sources read as the run's
   * pending deletions will leave them) and runs the leak guard on each, so that a leak stops the
   * run before anything is deleted or written. Each output's rows are computed once, into a local
   * checkpoint: a plan without the raw table, which a DELETE or VACUUM of it cannot recompute or
   * invalidate (on a cluster, losing an executor before the write fails the run). The rows are
   * de-identified; they wait on disk, in the run's scratch folder.
   */
  static Checked prepareAndGuard(RunContext pending, StepTimer timer) {
    Map<String, Long> rowsBySource = new LinkedHashMap<>();
    List<Prepared> prepared = new ArrayList<>();
    for (OutputSpec output : pending.spec().outputs()) {
      long rowsIn = rowsBySource.computeIfAbsent(output.source(), s -> pending.rowsLeft(pending.spec().source(s)));
      prepared.add(timer.time("prepare." + output.name(), () -> prepare(pending, output, rowsIn)));
    }
    try {
      Map<String, LeakGuard.RawValues> rawValues = new LinkedHashMap<>();
      List<String> leaks = new ArrayList<>();
      Map<String, RunReport.LeakGuardReport> guarded = new LinkedHashMap<>();
      try {
        for (Prepared p : prepared) {
          guarded.put(p.output().name(), timer.time("leak_guard." + p.output().name(),
              () -> guard(pending, p, rawValues, rowsBySource.get(p.output().source()), leaks)));
        }
      } finally {
        rawValues.values().forEach(LeakGuard.RawValues::release);
      }
      if (!leaks.isEmpty()) {
        throw Errors.all(leaks);
      }
      return new Checked(prepared, guarded);
    } catch (RuntimeException | Error e) {
      release(prepared);
      throw e;
    }
  }

  /**
   * The leak guard on one prepared output: every text column against the source's raw direct
   * identifiers, and every text column but pseudonyms (HMACs by construction) against the
   * personal-data patterns. A hit the spec does not allow becomes a problem in {@code leaks}.
   */
  private static RunReport.LeakGuardReport guard(RunContext context, Prepared p, Map<String, LeakGuard.RawValues> rawValues,
      long rowsLeft, List<String> leaks) {
    SourceSpec source = context.spec().source(p.output().source());
    List<String> directIdentifiers = source.columns().values().stream()
        .filter(c -> c.columnClass() == ColumnClass.DIRECT_IDENTIFIER).map(ColumnSpec::name).toList();
    // Every raw value, those of rows pending deletion too: a superset, and a scan without the deletion's matching.
    LeakGuard.RawValues raw = rawValues.computeIfAbsent(source.name(),
        s -> LeakGuard.RawValues.of(context.readEveryRow(source), directIdentifiers, context.everyRow(source, rowsLeft)));
    Map<String, ColumnSpec> byOutputName = new LinkedHashMap<>();
    p.columns().forEach(c -> byOutputName.put(c.outputName(), c));
    Set<String> text = new LinkedHashSet<>();
    for (StructField f : p.data().schema().fields()) {
      if (f.dataType() instanceof StringType) {
        text.add(f.name());
      }
    }
    Set<String> patternChecked = new LinkedHashSet<>(text);
    patternChecked.removeIf(c -> byOutputName.containsKey(c) && byOutputName.get(c).transform() instanceof Transform.Pseudonymize);
    LeakGuard.Hits hits = LeakGuard.check(p.data(), text, patternChecked, raw);
    Map<String, Long> allowed = new TreeMap<>();
    hits.byColumn().forEach((column, checks) -> checks.forEach((check, n) -> {
      boolean isAllowed = p.output().leakAllowances().stream().anyMatch(a -> a.column().equals(column) && a.check().equals(check));
      if (isAllowed) {
        allowed.put(column + "/" + check, n);
      } else {
        leaks.add(Errors.leakGuardHit(p.output().path(), p.output().name(), column, check, n, source.name()));
      }
    }));
    return new RunReport.LeakGuardReport(List.copyOf(text), List.copyOf(patternChecked), allowed);
  }

  /** An output's rows as they reach anonymization: consented, minimized, pseudonymized, generalized. */
  static Step.Chain beforeAnonymization(RunContext context, OutputSpec output) {
    SourceSpec source = context.spec().source(output.source());
    Pseudonymizer pz = context.pseudonymizer(output.audience());
    List<ColumnSpec> columns = output.columns().stream().map(c -> source.columns().get(c)).toList();
    List<Step> steps = List.of(
        context.consentFilter(source, output.purpose()),
        new Minimize(output.columns()),
        new Pseudonymize(columns.stream().filter(c -> c.transform() instanceof Transform.Pseudonymize).map(ColumnSpec::name).toList(), pz),
        new GeneralizeColumns(columns, context.options().referenceTime().atZone(ZoneOffset.UTC).toLocalDate()));
    return Step.chain(context.read(source), steps);
  }

  private static Prepared prepare(RunContext context, OutputSpec output, long rowsIn) {
    SourceSpec source = context.spec().source(output.source());
    Pseudonymizer pz = context.pseudonymizer(output.audience());
    List<ColumnSpec> columns = output.columns().stream().map(c -> source.columns().get(c)).toList();
    Step.Chain chain = beforeAnonymization(context, output);
    Dataset<Row> data = chain.data();
    RunReport.AnonymizationReport anonymization = null;
    long rowsSuppressed = 0;
    Long rowsReachingAnonymizer = null;
    if (output.anonymization() != null) {
      Anonymize.Outcome outcome = Anonymize.apply(data, output.anonymization(), context.spec().hierarchies(),
          context.fileHierarchies(), output.path(), Assessor.variants(output.anonymization()));
      data = outcome.data();
      anonymization = anonymizationReport(output.anonymization(), outcome);
      rowsReachingAnonymizer = outcome.result().inputRisk().records();
      rowsSuppressed = output.anonymization().starSuppressed() ? 0 : outcome.result().suppressedRecords();
    }
    Dataset<Row> computed = data.localCheckpoint(true, SparkSessions.CHECKPOINT_STORAGE);
    if (computed.queryExecution().logical() instanceof LogicalRDD rows) {
      rows.rdd().setName(CHECKPOINT_NAME + output.name());
    }
    return new Prepared(output, pz, columns, computed, rowsIn, chain.metrics(), anonymization, rowsSuppressed,
        rowsReachingAnonymizer);
  }

  private RunReport.OutputReport publish(RunContext context, Prepared p, RunReport.LeakGuardReport leakGuard) {
    OutputSpec output = p.output();
    ExtractEncryption.Plan encryption = output.format() == OutputFormat.DELTA ? null
        : context.encryptionFor(output.audience(), List.of(p.data().columns()));
    List<String> guarantees = new ArrayList<>(Guarantees.of(output, p.columns(), p.pseudonymizer(), p.anonymization()));
    if (encryption != null) {
      guarantees.add(Guarantees.encryption(encryption));
    }
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("deid.run_id", context.runId());
    properties.put("deid.job", context.spec().name());
    properties.put("deid.spec_hash", context.spec().specHash());
    properties.put("deid.audience", output.audience());
    properties.put("deid.purpose", output.purpose());
    properties.put("deid.key_id", p.pseudonymizer().keyId());
    properties.put("deid.key_check", p.pseudonymizer().checkValue());
    properties.put("deid.guarantees", String.join("; ", guarantees));
    String location = context.options().warehouse().output(output);
    Map<String, Object> manifestExtras = new LinkedHashMap<>();
    manifestExtras.put("deid.guarantees", guarantees);
    if (output.anonymization() != null && p.anonymization() != null) {
      manifestExtras.put("anonymization", claims(output.anonymization(), p.anonymization()));
    }
    Dataset<Row> data = context.beforeWrite().apply(p.data());
    if (output.format() == OutputFormat.DELTA) {
      data = new ColumnComments(Guarantees.columnComments(output, p.columns(), p.pseudonymizer(), p.anonymization()))
          .apply(data).data();
      properties.put("comment", Guarantees.tableComment(output, guarantees));
      properties.putAll(StatisticsColumns.forOutput(p.columns(), data.schema()));
    }
    Publisher.Published published = context.publisher().publish(location, output.format(), data, properties,
        manifestExtras, context.runId(), encryption);
    String table = output.format() == OutputFormat.DELTA
        ? context.store().register(Audience.of(output.audience()).catalogNamespace(), output.name(), location) : null;
    if (table != null) {
      context.publications().registered(location, table);
    }
    List<RunReport.ColumnReport> columnReports = p.columns().stream()
        .map(c -> new RunReport.ColumnReport(c.name(), c.outputName(), c.columnClass().yamlName(), c.transform().action()))
        .toList();
    long afterConsent = p.rowsReachingAnonymizer() != null ? p.rowsReachingAnonymizer() : published.rows();
    String previousKeyId = previousKeyIds.get(output.name());
    String keyId = p.pseudonymizer().keyId();
    return RunReport.OutputReport.builder()
        .name(output.name()).source(output.source()).audience(output.audience()).purpose(output.purpose())
        .format(output.format().name().toLowerCase()).location(location).table(table).version(published.version())
        .rowsIn(p.rowsIn()).rowsFilteredByConsent(p.rowsIn() - afterConsent).rowsSuppressed(p.rowsSuppressed())
        .rowsOut(published.rows()).keyId(keyId)
        .previousKeyId(previousKeyId != null && !previousKeyId.equals(keyId) ? previousKeyId : null)
        .columns(columnReports).steps(p.steps()).guarantees(guarantees).anonymization(p.anonymization()).leakGuard(leakGuard)
        .build();
  }

  /**
   * What a partner can recheck from the extract alone (`verify`): the quasi-identifier columns, k,
   * the distinct l every l-diversity variant implies and its sensitive column, and how suppressed
   * rows appear.
   */
  static Map<String, Object> claims(AnonymizationSpec spec, RunReport.AnonymizationReport report) {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("quasiIdentifiers", List.copyOf(report.levels().keySet()));
    claims.put("k", spec.k());
    int l = 1;
    for (PrivacyModel m : spec.models()) {
      if (m instanceof PrivacyModel.DistinctLDiversity d) {
        l = Math.max(l, d.l());
      } else if (m instanceof PrivacyModel.EntropyLDiversity e) {
        l = Math.max(l, (int) Math.ceil(e.l() - 1e-9));
      } else if (m instanceof PrivacyModel.RecursiveCLDiversity r) {
        l = Math.max(l, r.l());
      }
    }
    if (l > 1) {
      claims.put("distinctL", l);
      claims.put("sensitive", spec.sensitive());
    }
    claims.put("generalizationLevels", report.levels());
    claims.put("hierarchyHeights", report.hierarchyHeights());
    claims.put("suppressedRows", spec.starSuppressed() ? "star" : "remove");
    claims.put("suppressedRecords", spec.starSuppressed() ? report.suppressedRecords() : 0);
    claims.put("models", report.models());
    return claims;
  }

  private static RunReport.AnonymizationReport anonymizationReport(AnonymizationSpec spec, Anonymize.Outcome outcome) {
    Anonymizer.Outcome r = outcome.result();
    Map<String, Integer> levels = new LinkedHashMap<>();
    Map<String, Integer> heights = new LinkedHashMap<>();
    Map<String, Double> lossPerColumn = new LinkedHashMap<>();
    for (int d = 0; d < outcome.quasiIdentifiers().size(); d++) {
      String column = outcome.quasiIdentifiers().get(d);
      levels.put(column, r.levels() != null ? r.levels()[d] : -1);
      heights.put(column, outcome.hierarchies().get(d).height());
      lossPerColumn.put(column, r.lossPerAttribute()[d]);
    }
    Map<String, Double> scores = new LinkedHashMap<>();
    r.scores().forEach((metric, value) -> scores.put(metric.name().toLowerCase(), value));
    return RunReport.AnonymizationReport.builder()
        .mode(spec.mode().name().toLowerCase()).models(spec.models().stream().map(PrivacyModel::describe).toList())
        .suppressionLimit(spec.suppressionLimit()).metric(spec.metric().name().toLowerCase())
        .levels(levels).hierarchyHeights(heights).optimal(r.optimal()).strategy(r.strategy())
        .nodesEvaluated(r.nodesEvaluated()).latticeSize(r.latticeSize()).metricLowerBound(r.lowerBound())
        .optimalityGap(r.optimalityGap()).suppressedRecords(r.suppressedRecords())
        .loss(r.loss()).lossPerColumn(lossPerColumn).scores(scores).inputRisk(r.inputRisk()).outputRisk(r.outputRisk())
        .alternatives(Assessor.alternatives(spec, r, outcome.alternatives()))
        .build();
  }
}

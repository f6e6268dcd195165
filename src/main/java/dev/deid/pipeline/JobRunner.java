package dev.deid.pipeline;

import dev.deid.config.AnonymizationSpec;
import dev.deid.config.BudgetSpec;
import dev.deid.config.ReleaseSpec;
import dev.deid.config.ColumnSpec;
import dev.deid.config.JobSpec;
import dev.deid.config.OutputFormat;
import dev.deid.config.OutputSpec;
import dev.deid.config.SourceSpec;
import dev.deid.config.SpecLoader;
import dev.deid.config.Transform;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.io.AuditLog;
import dev.deid.io.BudgetLedger;
import dev.deid.io.DeltaStore;
import dev.deid.io.ExtractStore;
import dev.deid.privacy.Pseudonymizer;
import dev.deid.privacy.anon.Anonymizer;
import dev.deid.privacy.dp.GroupStatistics;
import dev.deid.privacy.dp.Mechanisms;
import dev.deid.privacy.dp.NoisyRelease;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.report.ReportWriter;
import dev.deid.report.RunReport;
import dev.deid.steps.Anonymize;
import dev.deid.steps.ConsentFilter;
import dev.deid.steps.DpAggregate;
import dev.deid.steps.ReleaseTables;
import dev.deid.steps.GeneralizeColumns;
import dev.deid.steps.Minimize;
import dev.deid.steps.PhysicalDeletion;
import dev.deid.steps.Pseudonymize;
import dev.deid.steps.PhysicalDelete;
import dev.deid.steps.Step;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job spec end to end: preflight checks, retention, erasure, then every output (consent,
 * minimization, pseudonymization, masking) written atomically; finally the report and the audit
 * record, which are written whether the run succeeded or failed.
 */
public final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final SparkSession spark;
  private final DeltaStore store;
  private final RunOptions options;
  private final java.util.function.UnaryOperator<Dataset<Row>> beforeWrite;
  private final Mechanisms mechanisms;

  public JobRunner(SparkSession spark, RunOptions options) {
    this(spark, options, java.util.function.UnaryOperator.identity(), Mechanisms.secure());
  }

  /**
   * Tests use {@code beforeWrite} to make a write fail part-way, as a crashed executor would, and
   * may replace the noise mechanisms; production always uses {@link Mechanisms#secure()}.
   */
  JobRunner(SparkSession spark, RunOptions options, java.util.function.UnaryOperator<Dataset<Row>> beforeWrite,
      Mechanisms mechanisms) {
    this.spark = spark;
    this.store = new DeltaStore(spark);
    this.options = options;
    this.beforeWrite = beforeWrite;
    this.mechanisms = mechanisms;
  }

  JobRunner(SparkSession spark, RunOptions options, java.util.function.UnaryOperator<Dataset<Row>> beforeWrite) {
    this(spark, options, beforeWrite, Mechanisms.secure());
  }

  /** Loads, checks and runs a spec file; on failure the audit and report are written, then it throws. */
  public RunReport run(Path specFile) {
    Instant started = Instant.now();
    String runId = RUN_ID_TIME.format(started) + "-" + UUID.randomUUID().toString().substring(0, 8);
    RunState state = new RunState(runId, started, jobNameOf(specFile));
    try {
      JobSpec spec = state.time("load_spec", () -> SpecLoader.load(specFile));
      state.spec = spec;
      state.job = spec.name();
      execute(spec, state);
      state.status = "SUCCEEDED";
    } catch (DeidException e) {
      state.status = "FAILED";
      state.error = e.getMessage();
      throw e;
    } catch (Throwable e) {
      // Spark throws checked SparkExceptions from Scala code; they are failures of the run all the same.
      state.status = "FAILED";
      state.error = "Internal error " + e.getClass().getName() + " (see the driver log of run " + runId + ")";
      LOG.error("Run {} failed", runId, e);
      throw e;
    } finally {
      finish(state);
    }
    return state.report;
  }

  private static String jobNameOf(Path specFile) {
    String file = specFile.getFileName().toString();
    return file.replaceAll("\\.ya?ml$", "");
  }

  private void execute(JobSpec spec, RunState state) {
    Preflight.Checked checked = state.time("preflight", () -> Preflight.check(spec, options.warehouse(), store, options.keys()));
    Map<String, String> previousKeyIds = state.time("key_check", () -> checkKeyContinuity(spec, checked));
    PrivacyBudget budget = state.time("budget_check",
        () -> PrivacyBudget.check(spec, options.warehouse(), store, options.referenceTime()));
    state.time("retention_and_erasure", () -> {
      deleteFromRawTables(spec, checked, state);
      return null;
    });
    for (SourceSpec source : spec.sources().values()) {
      state.inputVersions.put(source.name(), store.latestVersion(table(source)));
    }
    Map<OutputSpec, java.util.function.Supplier<RunReport.OutputReport>> writes = new LinkedHashMap<>();
    for (OutputSpec output : spec.outputs()) {
      state.time("prepare." + output.name(), () -> writes.put(output,
          prepareOutput(spec, output, checked, state, previousKeyIds.get(output.name()))));
    }
    writes.forEach((output, write) -> state.time("output." + output.name(), () -> {
      budget.reserve(output, state.runId);
      return state.outputs.add(write.get());
    }));
    for (ReleaseSpec release : spec.releases()) {
      state.time("release." + release.name(), () -> {
        state.releases.add(writeRelease(spec, release, budget, state));
        return null;
      });
    }
  }

  private RunReport.ReleaseReport writeRelease(JobSpec spec, ReleaseSpec release, PrivacyBudget budget, RunState state) {
    SourceSpec source = spec.source(release.source());
    Dataset<Row> input = store.read(table(source), state.inputVersions.get(source.name()));
    Dataset<Row> consented = consentFilter(spec, source, release.purpose(), state).apply(input);
    long seed = new java.security.SecureRandom().nextLong();
    List<GroupStatistics> found = DpAggregate.statistics(DpAggregate.boundedPairs(consented, release, seed), release);
    List<GroupStatistics> groups = release.publicGroups() != null ? DpAggregate.onlyPublicGroups(found, release) : found;
    budget.reserve(release, state.runId);
    NoisyRelease.Plan plan = new NoisyRelease.Plan(release.aggregates(), release.bounds(), release.epsilon(), release.delta(),
        release.noise(), release.publicGroups() != null);
    List<NoisyRelease.Released> released = NoisyRelease.release(groups, plan, mechanisms);
    Dataset<Row> table = ReleaseTables.toDataset(spark, release, released);
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("deid.run_id", state.runId);
    properties.put("deid.job", spec.name());
    properties.put("deid.audience", release.audience());
    properties.put("deid.purpose", release.purpose());
    properties.put("deid.privacy_unit", release.privacyUnit());
    properties.put("deid.epsilon", String.valueOf(release.epsilon()));
    properties.put("deid.delta", String.valueOf(release.delta()));
    properties.put("deid.noise", release.noise().name().toLowerCase());
    properties.put("deid.contribution_bounds", release.bounds().maxGroups() + " groups x " + release.bounds().maxRowsPerGroup() + " rows");
    String location = options.warehouse().release(release);
    long version = 0;
    if (release.format() == OutputFormat.DELTA) {
      version = store.replace(location, table, properties);
      store.vacuum(location, spec.vacuum());
    } else {
      new ExtractStore(spark).write(location, state.runId, table, release.format(), new LinkedHashMap<>(properties));
    }
    Map<String, String> statistics = new LinkedHashMap<>();
    if (!released.isEmpty()) {
      released.get(0).statistics().forEach((name, st) -> statistics.put(name, st.budget()
          + (st.errorKind() == NoisyRelease.ErrorKind.RANK ? ", 95% rank error bound " + st.errorBound95() + " rows"
              : ", noise sd " + st.noiseStandardDeviation() + ", 95% error bound " + st.errorBound95())));
    } else {
      statistics.put("(none)", "no group passed DP group selection: each needs more distinct units than the threshold");
    }
    Map<String, String> left = new LinkedHashMap<>();
    budget.left(release.source(), release.audience()).forEach((b, remaining) -> left.put(b.period() + " "
        + BudgetLedger.period(b, options.referenceTime()), "epsilon " + remaining[0] + ", delta " + remaining[1]));
    // Only public or DP quantities: the number of groups before selection is exact and is not reported.
    return new RunReport.ReleaseReport(release.name(), release.audience(), location, version, release.epsilon(),
        release.delta(), release.noise().name().toLowerCase(), release.bounds().maxGroups(), release.bounds().maxRowsPerGroup(),
        release.publicGroups() != null ? "public groups" : "DP group selection", released.size(), left, statistics);
  }

  private String table(SourceSpec source) {
    return options.warehouse().rawTable(source.table());
  }

  private PhysicalDeletion requirePhysicallyGone(PhysicalDeletion d, JobSpec spec, String path) {
    if (spec.vacuum().retentionHours() == 0 && !d.physicallyGone()) {
      throw Errors.of("Cannot confirm deletion at " + path + ": " + d.rowsStillOnDisk() + " deleted row(s) are still in "
          + "data files of " + d.table() + " after VACUUM (fix: check that no other process holds or restores those files)");
    }
    return d;
  }

  /**
   * A key id that stays the same while its secret changes would silently break every join with
   * earlier outputs, so it is refused; a new key id is a visible rotation and is recorded.
   */
  private Map<String, String> checkKeyContinuity(JobSpec spec, Preflight.Checked checked) {
    Map<String, String> previous = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (OutputSpec output : spec.outputs()) {
      String location = options.warehouse().output(output);
      if (output.format() != OutputFormat.DELTA || !store.exists(location)) {
        continue;
      }
      Map<String, String> properties = store.properties(location);
      Pseudonymizer pz = checked.pseudonymizers().get(output.audience());
      String oldId = properties.get("deid.key_id");
      if (oldId == null) {
        continue;
      }
      previous.put(output.name(), oldId);
      if (oldId.equals(pz.keyId()) && !pz.checkValue().equals(properties.get("deid.key_check"))) {
        problems.add("Cannot write output '" + output.name() + "' at " + output.path() + ".audience: the key for audience '"
            + output.audience() + "' still has id '" + oldId + "' but its secret changed (fix: give a rotated key a new "
            + "key id, or restore the previous secret)");
      }
    }
    if (!problems.isEmpty()) {
      throw Errors.all(problems);
    }
    return previous;
  }

  /**
   * Retention and erasure on every raw table (one physical deletion pass each), then erasure from
   * the minimized Delta outputs already written, matched by the erased subjects' pseudonyms.
   */
  private void deleteFromRawTables(JobSpec spec, Preflight.Checked checked, RunState state) {
    Dataset<Row> requests = spec.erasure() == null ? null : store.read(options.warehouse().rawTable(spec.erasure().table()))
        .select(functions.col("`" + spec.erasure().subjectColumn() + "`").cast("string").as("subject_id"))
        .filter(functions.col("subject_id").isNotNull())
        .distinct()
        .cache();
    try {
      List<String> erasedPseudonyms = requests == null ? List.of() : erasedSubjectPseudonyms(spec, checked, requests);
      Map<String, PhysicalDeletion> erasedRaw = new LinkedHashMap<>();
      for (SourceSpec source : spec.sources().values()) {
        List<PhysicalDelete.Rule> rules = new ArrayList<>();
        if (source.retention() != null) {
          rules.add(PhysicalDelete.OlderThan.retention(source.retention(), options.referenceTime()));
        }
        if (requests != null) {
          rules.add(new PhysicalDelete.MatchingKeys("erasure", source.subjectColumn(), requests));
        }
        if (rules.isEmpty()) {
          continue;
        }
        Map<String, PhysicalDeletion> done = PhysicalDelete.apply(store, table(source), rules, spec.vacuum());
        if (done.containsKey("retention")) {
          state.retention.put(source.name(), requirePhysicallyGone(done.get("retention"), spec, source.path() + ".retention"));
        }
        if (done.containsKey("erasure")) {
          erasedRaw.put(source.name(), requirePhysicallyGone(done.get("erasure"), spec, source.path()));
        }
      }
      if (requests != null) {
        state.erasure = eraseFromOutputs(spec, checked, requests, erasedPseudonyms, erasedRaw);
      }
    } finally {
      if (requests != null) {
        requests.unpersist();
      }
    }
  }

  /** Pseudonyms (under the audit audience's key) of the requested subjects that are present in any raw table. */
  private List<String> erasedSubjectPseudonyms(JobSpec spec, Preflight.Checked checked, Dataset<Row> requests) {
    Dataset<Row> found = null;
    for (SourceSpec source : spec.sources().values()) {
      Dataset<Row> subjects = store.read(table(source))
          .select(functions.col("`" + source.subjectColumn() + "`").cast("string").as("subject_id"));
      Dataset<Row> present = subjects.join(requests, "subject_id").select("subject_id");
      found = found == null ? present : found.union(present);
    }
    UserDefinedFunction audit = Pseudonymize.udf(checked.pseudonymizers().get(spec.erasure().auditAudience()));
    // Sorted, so that two runs on the same data report the same list whatever the partitioning.
    return found == null ? List.of() : found.distinct()
        .select(Pseudonymize.pseudonymOf(audit, functions.col("subject_id")).as("p"))
        .orderBy("p")
        .as(Encoders.STRING())
        .collectAsList();
  }

  private RunReport.ErasureReport eraseFromOutputs(JobSpec spec, Preflight.Checked checked, Dataset<Row> requests,
      List<String> erasedPseudonyms, Map<String, PhysicalDeletion> erasedRaw) {
    Map<String, PhysicalDeletion> outputs = new LinkedHashMap<>();
    List<String> notes = new ArrayList<>();
    for (OutputSpec output : spec.outputs()) {
      String location = options.warehouse().output(output);
      if (output.format() != OutputFormat.DELTA || !store.exists(location)) {
        continue;
      }
      String column = subjectPseudonymColumn(spec.source(output.source()), output);
      if (column == null) {
        notes.add("Output '" + output.name() + "' holds no subject pseudonym; erased subjects leave it when this run "
            + "rewrites it and its earlier versions are vacuumed.");
        continue;
      }
      UserDefinedFunction udf = Pseudonymize.udf(checked.pseudonymizers().get(output.audience()));
      Dataset<Row> pseudonyms = requests.select(Pseudonymize.pseudonymOf(udf, functions.col("subject_id")).as("p"));
      PhysicalDeletion d = PhysicalDelete.apply(store, location,
          List.of(new PhysicalDelete.MatchingKeys("erasure", column, pseudonyms)), spec.vacuum()).get("erasure");
      outputs.put(output.name(), requirePhysicallyGone(d, spec, output.path()));
    }
    String auditKeyId = checked.pseudonymizers().get(spec.erasure().auditAudience()).keyId();
    return new RunReport.ErasureReport(requests.count(), auditKeyId, erasedPseudonyms, erasedRaw, outputs, notes);
  }

  /** The output column holding the pseudonym of the source's subject id, if the output has one. */
  static String subjectPseudonymColumn(SourceSpec source, OutputSpec output) {
    ColumnSpec subject = source.columns().get(source.subjectColumn());
    if (subject != null && output.columns().contains(subject.name()) && subject.transform() instanceof Transform.Pseudonymize) {
      return subject.outputName();
    }
    return null;
  }

  /**
   * Builds an output's lazy plan, and runs its anonymization search (the one step that reads the
   * data), without writing anything; the returned action writes it. All outputs are prepared
   * before the first is written, so a hierarchy that does not cover the data stops the run with no
   * output written.
   */
  private java.util.function.Supplier<RunReport.OutputReport> prepareOutput(JobSpec spec, OutputSpec output,
      Preflight.Checked checked, RunState state, String previousKeyId) {
    SourceSpec source = spec.source(output.source());
    Dataset<Row> input = store.read(table(source), state.inputVersions.get(source.name()));
    long rowsIn = input.count();
    Pseudonymizer pz = checked.pseudonymizers().get(output.audience());
    List<ColumnSpec> columns = output.columns().stream().map(c -> source.columns().get(c)).toList();
    List<Step> steps = List.of(
        consentFilter(spec, source, output, state),
        new Minimize(output.columns()),
        new Pseudonymize(columns.stream().filter(c -> c.transform() instanceof Transform.Pseudonymize).map(ColumnSpec::name).toList(), pz),
        new GeneralizeColumns(columns, options.referenceTime().atZone(ZoneOffset.UTC).toLocalDate()));
    Dataset<Row> data = input;
    for (Step step : steps) {
      data = step.apply(data);
    }
    RunReport.AnonymizationReport anonymization = null;
    long rowsSuppressed = 0;
    Long rowsReachingAnonymizer = null;
    if (output.anonymization() != null) {
      Anonymize.Outcome outcome = Anonymize.apply(data, output.anonymization(), spec.hierarchies(), output.path());
      data = outcome.data();
      anonymization = anonymizationReport(output.anonymization(), outcome);
      rowsReachingAnonymizer = outcome.result().inputRisk().records();
      rowsSuppressed = output.anonymization().starSuppressed() ? 0 : outcome.result().suppressedRecords();
    }
    Dataset<Row> prepared = beforeWrite.apply(data);
    RunReport.AnonymizationReport anonymizationReport = anonymization;
    long suppressed = rowsSuppressed;
    Long reaching = rowsReachingAnonymizer;
    return () -> writeOutput(spec, output, state, previousKeyId, pz, columns, prepared, rowsIn, anonymizationReport,
        suppressed, reaching);
  }

  private RunReport.OutputReport writeOutput(JobSpec spec, OutputSpec output, RunState state, String previousKeyId,
      Pseudonymizer pz, List<ColumnSpec> columns, Dataset<Row> data, long rowsIn, RunReport.AnonymizationReport anonymization,
      long rowsSuppressed, Long rowsReachingAnonymizer) {
    List<String> guarantees = guarantees(output, columns, pz);
    if (anonymization != null) {
      guarantees.add("anonymized: " + String.join(", ", anonymization.models()) + " on " + anonymization.levels().keySet()
          + (anonymization.optimal() ? " (optimal " : " (") + anonymization.strategy() + "), "
          + anonymization.suppressedRecords() + " records suppressed");
    }
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("deid.run_id", state.runId);
    properties.put("deid.job", spec.name());
    properties.put("deid.spec_hash", spec.specHash());
    properties.put("deid.audience", output.audience());
    properties.put("deid.purpose", output.purpose());
    properties.put("deid.key_id", pz.keyId());
    properties.put("deid.key_check", pz.checkValue());
    properties.put("deid.guarantees", String.join("; ", guarantees));
    String location = options.warehouse().output(output);
    long version;
    long rowsOut;
    if (output.format() == OutputFormat.DELTA) {
      version = store.replace(location, data, properties);
      rowsOut = store.lastOutputRows(location);
      store.vacuum(location, spec.vacuum());
    } else {
      Map<String, Object> metadata = new LinkedHashMap<>(properties);
      metadata.put("deid.guarantees", guarantees);
      ExtractStore.Written written = new ExtractStore(spark).write(location, state.runId, data, output.format(), metadata);
      version = 0;
      rowsOut = written.rows();
    }
    List<RunReport.ColumnReport> columnReports = columns.stream()
        .map(c -> new RunReport.ColumnReport(c.name(), c.outputName(), c.columnClass().yamlName(), c.transform().action()))
        .toList();
    long afterConsent = rowsReachingAnonymizer != null ? rowsReachingAnonymizer : rowsOut;
    return new RunReport.OutputReport(output.name(), output.audience(), output.purpose(), output.format().name().toLowerCase(),
        location, version, rowsIn, rowsIn - afterConsent, rowsSuppressed, rowsOut, pz.keyId(),
        previousKeyId != null && !previousKeyId.equals(pz.keyId()) ? previousKeyId : null, columnReports, guarantees,
        anonymization);
  }

  private static RunReport.AnonymizationReport anonymizationReport(AnonymizationSpec spec, Anonymize.Outcome outcome) {
    Anonymizer.Outcome r = outcome.result();
    Map<String, Integer> levels = new LinkedHashMap<>();
    Map<String, Integer> heights = new LinkedHashMap<>();
    Map<String, Double> lossPerColumn = new LinkedHashMap<>();
    for (int d = 0; d < outcome.quasiIdentifiers().size(); d++) {
      String column = outcome.quasiIdentifiers().get(d);
      if (r.levels() != null) {
        levels.put(column, r.levels()[d]);
      }
      heights.put(column, outcome.hierarchies().get(d).height());
      lossPerColumn.put(column, r.lossPerAttribute()[d]);
    }
    if (r.levels() == null) {
      outcome.quasiIdentifiers().forEach(c -> levels.put(c, -1));
    }
    Map<String, Double> scores = new LinkedHashMap<>();
    r.scores().forEach((metric, value) -> scores.put(metric.name().toLowerCase(), value));
    return new RunReport.AnonymizationReport(spec.mode().name().toLowerCase(),
        spec.models().stream().map(PrivacyModel::describe).toList(), spec.suppressionLimit(), spec.metric().name().toLowerCase(),
        levels, heights, r.optimal(), r.strategy(), r.nodesEvaluated(), r.latticeSize(), r.suppressedRecords(), r.loss(),
        lossPerColumn, scores, r.inputRisk(), r.outputRisk());
  }

  private Step consentFilter(JobSpec spec, SourceSpec source, OutputSpec output, RunState state) {
    return consentFilter(spec, source, output.purpose(), state);
  }

  private Step consentFilter(JobSpec spec, SourceSpec source, String purpose, RunState state) {
    String purposeColumn = spec.consent().purposeColumns().get(purpose);
    if (source.name().equals(spec.consent().source())) {
      return ConsentFilter.onOwnColumn(purposeColumn);
    }
    SourceSpec consentSource = spec.source(spec.consent().source());
    Dataset<Row> consent = store.read(table(consentSource), state.inputVersions.get(consentSource.name()));
    return ConsentFilter.throughSubjects(source.subjectColumn(), consent, spec.consent().subjectColumn(), purposeColumn);
  }

  private static List<String> guarantees(OutputSpec output, List<ColumnSpec> columns, Pseudonymizer pz) {
    List<String> g = new ArrayList<>();
    g.add("consent: only subjects who consented to purpose '" + output.purpose() + "'");
    g.add("minimized: only columns " + columns.stream().map(ColumnSpec::outputName).toList());
    for (ColumnSpec c : columns) {
      Transform t = c.transform();
      if (t instanceof Transform.Pseudonymize) {
        g.add(c.outputName() + ": HMAC-SHA-256 pseudonym under key '" + pz.keyId() + "'");
      } else if (t instanceof Transform.RandomizedResponse rr) {
        g.add(c.outputName() + ": per-record " + rr.epsilon() + "-local DP (randomized response over " + rr.domain().size() + " values)");
      } else if (t instanceof Transform.NumericNoise n) {
        g.add(c.outputName() + ": per-record " + n.epsilon() + "-local DP (clamped to [" + n.lower() + ", " + n.upper()
            + "], discrete Laplace noise)");
      } else if (!(t instanceof Transform.Keep)) {
        g.add(c.outputName() + ": " + t);
      }
    }
    return g;
  }

  private void finish(RunState state) {
    long duration = java.time.Duration.between(state.started, Instant.now()).toMillis();
    state.report = new RunReport(state.runId, state.job, state.spec == null ? null : state.spec.specHash(), state.status,
        state.error, state.started.toString(), options.referenceTime().toString(), duration, state.inputVersions,
        state.retention, state.erasure, state.outputs, state.releases, state.stepMillis);
    String reportPath = options.warehouse().reportDirectory(state.job) + "/" + state.runId + ".json";
    try {
      ReportWriter.writeAtomically(reportPath, ReportWriter.toJson(state.report), spark.sparkContext().hadoopConfiguration());
      AuditLog.append(store, options.warehouse().auditTable(), state.report, reportPath);
    } catch (RuntimeException e) {
      LOG.error("Cannot record run {} in the audit table", state.runId, e);
      if ("SUCCEEDED".equals(state.status)) {
        throw e;
      }
    }
    state.reportPath = reportPath;
  }

  /** Mutable bookkeeping of one run, turned into an immutable {@link RunReport} at the end. */
  private static final class RunState {
    final String runId;
    final Instant started;
    String job;
    JobSpec spec;
    String status = "RUNNING";
    String error;
    String reportPath;
    RunReport report;
    RunReport.ErasureReport erasure;
    final Map<String, Long> inputVersions = new LinkedHashMap<>();
    final Map<String, PhysicalDeletion> retention = new LinkedHashMap<>();
    final List<RunReport.OutputReport> outputs = new ArrayList<>();
    final List<RunReport.ReleaseReport> releases = new ArrayList<>();
    final Map<String, Long> stepMillis = new LinkedHashMap<>();

    RunState(String runId, Instant started, String job) {
      this.runId = runId;
      this.started = started;
      this.job = job;
    }

    <T> T time(String step, java.util.function.Supplier<T> work) {
      long t0 = System.nanoTime();
      try {
        return work.get();
      } finally {
        stepMillis.put(step, (System.nanoTime() - t0) / 1_000_000);
      }
    }
  }
}

package dev.deid.pipeline;

import dev.deid.config.JobSpec;
import dev.deid.config.SourceSpec;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.io.DeltaStore;
import dev.deid.io.DriverFiles;
import dev.deid.io.ErasureJournal;
import dev.deid.io.HierarchyFiles;
import dev.deid.io.Publications;
import dev.deid.io.SpecFiles;
import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.dp.Mechanisms;
import dev.deid.report.Assessment;
import dev.deid.report.RunReport;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one job spec end to end, as a list of stages over a {@link RunContext}: preflight (spec,
 * keys, data), key continuity, the budget check, retention and erasure, then the outputs and the
 * DP releases, each pinned to the raw tables' versions after deletion. Every check that needs no
 * deletion runs before the first one. The {@link RunRecorder} writes the report and the audit row
 * whether the run succeeded or failed.
 */
public final class JobRunner {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final DeltaStore store;
  private final RunOptions options;
  private final UnaryOperator<Dataset<Row>> beforeWrite;
  private final Mechanisms mechanisms;

  public JobRunner(SparkSession spark, RunOptions options) {
    this(spark, options, UnaryOperator.identity(), Mechanisms.secure());
  }

  /**
   * Tests use {@code beforeWrite} to make a write fail part-way, as a crashed executor would, and
   * may replace the noise mechanisms; production always uses {@link Mechanisms#secure()}.
   */
  JobRunner(SparkSession spark, RunOptions options, UnaryOperator<Dataset<Row>> beforeWrite, Mechanisms mechanisms) {
    this.store = new DeltaStore(spark);
    this.options = options;
    this.beforeWrite = beforeWrite;
    this.mechanisms = mechanisms;
  }

  JobRunner(SparkSession spark, RunOptions options, UnaryOperator<Dataset<Row>> beforeWrite) {
    this(spark, options, beforeWrite, Mechanisms.secure());
  }

  /** Loads, checks and runs a spec file; on failure the audit and report are written, then it throws. */
  public RunReport run(Path specFile) {
    return run(specFile.toString());
  }

  /** As {@link #run(Path)}, for a spec at a local path or a Hadoop URI. */
  public RunReport run(String specFile) {
    Instant started = Instant.now();
    String runId = RUN_ID_TIME.format(started) + "-" + UUID.randomUUID().toString().substring(0, 8);
    RunRecorder recorder = new RunRecorder(runId, started, jobNameOf(specFile));
    String status = "FAILED";
    String error = null;
    RunReport report;
    try {
      JobSpec spec = recorder.timer.time("load_spec", () -> SpecFiles.load(specFile));
      recorder.spec(spec.name(), spec.specHash());
      execute(spec, recorder);
      status = "SUCCEEDED";
    } catch (DeidException e) {
      error = e.getMessage();
      recorder.rollBack(store);
      throw e;
    } catch (Throwable e) {
      // Spark throws checked SparkExceptions from Scala code; they are failures of the run all the same.
      error = Errors.internal(runId, e).getMessage();
      LOG.error("Run {} failed", runId, e);
      recorder.rollBack(store);
      throw e;
    } finally {
      report = recorder.report(status, error, options.referenceTime());
      try {
        RunRecorder.write(report, options.warehouse(), store);
      } catch (RuntimeException e) {
        LOG.error("Cannot record run {} in the audit table", runId, e);
        if ("SUCCEEDED".equals(status)) {
          throw e;
        }
      }
    }
    return report;
  }

  /**
   * The job's name until its spec is read (for the report of a spec that fails to load): the file
   * name, made a safe name, since it becomes a folder under reports/.
   */
  static String jobNameOf(String specFile) {
    String name = DriverFiles.fileName(specFile).replaceAll("\\.ya?ml$", "").toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9_]", "_");
    return name.matches("[a-z][a-z0-9_]{0,62}") ? name : "job_" + name.substring(0, Math.min(name.length(), 58));
  }

  /** A reference time this far past the clock is taken for clock skew between hosts, not a mistake. */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  /** The checks every run and dry run makes first (reference time, preflight, hierarchy files), as its context. */
  private RunContext checkedContext(JobSpec spec, String runId, StepTimer timer) {
    Instant now = Instant.now();
    if (options.referenceTime().isAfter(now.plus(CLOCK_SKEW))) {
      throw Errors.referenceTimeInFuture(options.referenceTime().toString(), now.toString());
    }
    Preflight.Checked checked = timer.time("preflight", () -> Preflight.check(spec, options.warehouse(), store, options.keys()));
    Map<String, Hierarchy> hierarchyFiles = timer.time("hierarchy_files", () -> HierarchyFiles.readAll(spec));
    return new RunContext(spec, options, store, runId, checked.pseudonymizers(), checked.signingKey(), checked.encryption(),
        hierarchyFiles, mechanisms, beforeWrite, Map.of(), new Publications(spec.vacuum()), Map.of());
  }

  private void execute(JobSpec spec, RunRecorder recorder) {
    StepTimer timer = recorder.timer;
    RunContext context = checkedContext(spec, recorder.runId, timer);
    recorder.publications(context.publications());
    KeyContinuity.Result keys = run(new KeyContinuity(), context, timer);
    PrivacyBudget budget = timer.time("budget_check",
        () -> PrivacyBudget.check(spec, options.warehouse(), store, options.referenceTime()));
    // The checks see the rows as deletion will leave them: a deletion that would push an output
    // below its k stops the run before it deletes anything.
    RetentionAndErasure.Planned planned = timer.time("retention_and_erasure.plan", () -> RetentionAndErasure.plan(context));
    RetentionAndErasure.Result deletion;
    Outputs.Checked outputs;
    try {
      RunContext pending = context.withPendingDeletions(planned.plans());
      timer.time("data_checks", () -> {
        DataChecks.require(pending);
        return null;
      });
      outputs = Outputs.prepareAndGuard(pending, timer);
      try {
        deletion = run(new RetentionAndErasure(timer, planned), context, timer);
      } catch (RuntimeException | Error e) {
        outputs.close();
        throw e;
      }
    } finally {
      planned.release();
    }
    RunContext pinned;
    try (outputs) {
      recorder.deletion(deletion);
      Map<String, Long> versions = new LinkedHashMap<>();
      for (SourceSpec source : spec.sources().values()) {
        versions.put(source.name(), store.latestVersion(context.rawTable(source)));
      }
      recorder.inputVersions(versions);
      pinned = context.withInputVersions(versions);
      recorder.outputs(new Outputs(keys.previousKeyIds(), budget, outputs, timer).run(pinned));
    }
    recorder.recalls(timer.time("recalls", () -> Recalls.write(pinned, deletion.recalls())));
    recorder.releases(new Releases(budget, timer).run(pinned));
    recorder.ledgerCharges(timer.time("ledger_charges", budget::chargesForAudit));
    // Every output and release is in place: only now do the versions and runs they replaced go.
    timer.time("publish_complete", () -> {
      context.publications().complete(store);
      ErasureJournal.completed(store, options.warehouse().erasureJournal(), recorder.runId, deletion.journal());
      return null;
    });
  }

  /** A privacy impact assessment of the spec on the raw tables as they are; writes nothing, spends no budget. */
  public Assessment assess(Path specFile) {
    return assess(specFile.toString());
  }

  public Assessment assess(String specFile) {
    JobSpec spec = SpecFiles.load(specFile);
    return Assessor.assess(checkedContext(spec, "assess", new StepTimer()));
  }

  /**
   * Everything a run checks before its first deletion, and what it would delete and spend,
   * without changing anything: no deletion, no output, no ledger charge, no report or audit row.
   */

  public DryRun dryRun(Path specFile) {
    return dryRun(specFile.toString());
  }

  public DryRun dryRun(String specFile) {
    JobSpec spec = SpecFiles.load(specFile);
    RunContext context = checkedContext(spec, "dry-run", new StepTimer());
    new KeyContinuity().run(context);
    List<String> stops = new ArrayList<>();
    try {
      PrivacyBudget.check(spec, options.warehouse(), store, options.referenceTime());
    } catch (DeidException e) {
      stops.addAll(e.problems());
    }
    List<DryRun.Budget> budgets = PrivacyBudget.preview(spec, options.warehouse(), store, options.referenceTime());
    RetentionAndErasure.Planned planned = RetentionAndErasure.plan(context);
    try {
      RunContext pending = context.withPendingDeletions(planned.plans());
      DeidException dataProblems = DataChecks.problems(pending);
      if (dataProblems != null) {
        stops.addAll(dataProblems.problems());
      } else {
        try (Outputs.Checked checked = Outputs.prepareAndGuard(pending, new StepTimer())) {
          // prepared and guarded only to find what would stop the run
        } catch (DeidException leaks) {
          stops.addAll(leaks.problems());
        }
      }
      if (!options.allowLargeDeletion()) {
        stops.addAll(RetentionAndErasure.breakerProblems(context, planned.plans()));
      }
      List<DryRun.Table> tables = new ArrayList<>();
      planned.plans().forEach((source, plan) -> tables.add(new DryRun.Table(source, plan.table(), plan.rows(),
          plan.matching("retention"), plan.matching("erasure"), plan.withNull().getOrDefault("retention", 0L))));
      long requests = planned.requests() == null ? -1 : planned.requests().count();
      return new DryRun(spec.name(), options.referenceTime().toString(), requests, tables, budgets, stops);
    } finally {
      planned.release();
    }
  }

  private static <R> R run(Stage<R> stage, RunContext context, StepTimer timer) {
    return timer.time(stage.name(), () -> stage.run(context));
  }
}

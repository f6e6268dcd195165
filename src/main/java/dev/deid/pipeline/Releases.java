package dev.deid.pipeline;

import dev.deid.config.Audience;
import dev.deid.config.OutputFormat;
import dev.deid.config.ReleaseSpec;
import dev.deid.config.SourceSpec;
import dev.deid.io.BudgetLedger;
import dev.deid.io.Publisher;
import dev.deid.privacy.dp.GroupStatistics;
import dev.deid.privacy.dp.NoisyRelease;
import dev.deid.report.RunReport;
import dev.deid.steps.ColumnComments;
import dev.deid.steps.DpAggregate;
import dev.deid.steps.ReleaseTables;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Every DP release: consented rows, contribution bounding and exact group statistics in Spark,
 * the budget reserved in the ledger, noise on the driver, then one atomic publish. What the report
 * says of a release is public or differentially private only (see {@link RunReport.ReleaseReport}).
 */
final class Releases implements Stage<Releases.Result> {
  record Result(List<RunReport.ReleaseReport> releases) {
    Result {
      releases = List.copyOf(releases);
    }
  }

  private final PrivacyBudget budget;
  private final StepTimer timer;

  Releases(PrivacyBudget budget, StepTimer timer) {
    this.budget = budget;
    this.timer = timer;
  }

  @Override
  public String name() {
    return "releases";
  }

  @Override
  public Result run(RunContext context) {
    List<RunReport.ReleaseReport> reports = new ArrayList<>();
    for (ReleaseSpec release : context.spec().releases()) {
      reports.add(timer.time("release." + release.name(), () -> release(context, release)));
    }
    return new Result(reports);
  }

  private RunReport.ReleaseReport release(RunContext context, ReleaseSpec release) {
    SourceSpec source = context.spec().source(release.source());
    Dataset<Row> consented = context.consentFilter(source, release.purpose()).apply(context.read(source)).data();
    long seed = new SecureRandom().nextLong();
    List<GroupStatistics> found = DpAggregate.statistics(consented, release, seed);
    List<GroupStatistics> groups = release.publicGroups() != null ? DpAggregate.onlyPublicGroups(found, release) : found;
    budget.reserve(release, context.runId());
    NoisyRelease.Plan plan = new NoisyRelease.Plan(release.aggregates(), release.bounds(), release.epsilon(), release.delta(),
        release.noise(), release.publicGroups() != null);
    List<NoisyRelease.Released> released = NoisyRelease.release(groups, plan, context.mechanisms());
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("deid.run_id", context.runId());
    properties.put("deid.job", context.spec().name());
    properties.put("deid.audience", release.audience());
    properties.put("deid.purpose", release.purpose());
    properties.put("deid.privacy_unit", release.privacyUnit());
    properties.put("deid.epsilon", String.valueOf(release.epsilon()));
    properties.put("deid.delta", String.valueOf(release.delta()));
    properties.put("deid.noise", release.noise().name().toLowerCase());
    properties.put("deid.contribution_bounds", release.bounds().maxGroups() + " groups x " + release.bounds().maxRowsPerGroup() + " rows");
    String location = context.options().warehouse().release(release);
    Dataset<Row> table = ReleaseTables.toDataset(context.store().spark(), release, released);
    boolean delta = release.format() == OutputFormat.DELTA;
    if (delta) {
      table = new ColumnComments(ReleaseTables.columnComments(release)).apply(table).data();
      properties.put("comment", ReleaseTables.tableComment(release));
    }
    Publisher.Published published = context.publisher().publish(location, release.format(), table, properties, Map.of(),
        context.runId(), context.encryptionFor(release.audience(), List.of(table.columns())));
    String catalogName = delta ? context.store().register(Audience.of(release.audience()).catalogNamespace(), release.name(), location) : null;
    if (catalogName != null) {
      context.publications().registered(location, catalogName);
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
        + BudgetLedger.period(b, budget.referenceTime()), "epsilon " + remaining[0] + ", delta " + remaining[1]));
    // Only public or DP quantities: the number of groups before selection is exact and is not reported.
    return RunReport.ReleaseReport.builder()
        .name(release.name()).audience(release.audience()).location(location).table(catalogName).version(published.version())
        .epsilon(release.epsilon()).delta(release.delta()).noise(release.noise().name().toLowerCase())
        .maxGroupsPerUnit(release.bounds().maxGroups()).maxRowsPerGroup(release.bounds().maxRowsPerGroup())
        .groupSelection(release.publicGroups() != null ? "public groups" : "DP group selection")
        .groupsReleased(released.size()).budgetLeft(left).statistics(statistics)
        .build();
  }
}

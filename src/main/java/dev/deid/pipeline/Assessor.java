package dev.deid.pipeline;

import dev.deid.config.AnonymizationSpec;
import dev.deid.config.OutputSpec;
import dev.deid.config.ReleaseSpec;
import dev.deid.privacy.anon.Anonymizer;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.GroupStatistics;
import dev.deid.privacy.dp.NoisyRelease;
import dev.deid.report.Assessment.Alternative;
import dev.deid.report.Assessment.OutputAssessment;
import dev.deid.report.Assessment.ReleaseAssessment;
import dev.deid.report.Assessment;
import dev.deid.steps.Anonymize;
import dev.deid.steps.DpAggregate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Computes an {@link Assessment} from the raw tables: reads them, writes nothing, spends no budget. */
final class Assessor {
  /** The search time each alternative may take: the table is a guide, not a proof of optimality. */
  static final long ALTERNATIVE_BUDGET_MILLIS = 30_000;

  private Assessor() {}

  static Assessment assess(RunContext context) {
    List<OutputAssessment> outputs = new ArrayList<>();
    for (OutputSpec output : context.spec().outputs()) {
      if (output.anonymization() != null) {
        outputs.add(assess(context, output));
      }
    }
    List<ReleaseAssessment> releases = new ArrayList<>();
    for (ReleaseSpec release : context.spec().releases()) {
      releases.add(expectedError(release, context));
    }
    return new Assessment(context.spec().name(), "the raw tables at " + context.options().warehouse().root()
        + " before this run's retention and erasure", outputs, releases);
  }

  private static OutputAssessment assess(RunContext context, OutputSpec output) {
    AnonymizationSpec spec = output.anonymization();
    // The same call as a run's, so a spec the run would refuse is refused here with the same error.
    Anonymize.Outcome outcome = Anonymize.apply(Outputs.beforeAnonymization(context, output).data(), spec,
        context.spec().hierarchies(), context.fileHierarchies(), output.path(), variants(spec));
    Anonymizer.Outcome chosen = outcome.result();
    List<String> quasi = List.copyOf(spec.quasiIdentifiers().keySet());
    Map<String, Integer> levels = new LinkedHashMap<>();
    Map<String, Double> lossPerColumn = new LinkedHashMap<>();
    for (int d = 0; d < quasi.size(); d++) {
      levels.put(quasi.get(d), chosen.levels() == null ? -1 : chosen.levels()[d]);
      lossPerColumn.put(quasi.get(d), chosen.lossPerAttribute()[d]);
    }
    return new OutputAssessment(output.name(), output.audience(), spec.models().stream().map(PrivacyModel::describe).toList(),
        levels, chosen.loss(), lossPerColumn, chosen.suppressedRecords(), chosen.inputRisk(), chosen.outputRisk(),
        alternatives(spec, chosen, outcome.alternatives()));
  }

  /**
   * The other specs of the alternatives table: k at half, as configured and doubled, by suppression
   * limits 0, as configured and doubled (at least 5 %), but the configured cell, whose answer is
   * the run's own; each search limited to 30 s.
   */
  static List<AnonymizationSpec> variants(AnonymizationSpec spec) {
    List<AnonymizationSpec> variants = new ArrayList<>();
    for (int[] cell : grid(spec)) {
      if (!isConfigured(spec, cell)) {
        variants.add(withKAndLimit(spec, cell[0], cell[1] / 1000.0));
      }
    }
    return variants;
  }

  /**
   * The alternatives table: the configured cell from {@code chosen}, every other from the outcomes
   * of {@link #variants}, in grid order (null where one has no solution).
   */
  static List<Alternative> alternatives(AnonymizationSpec spec, Anonymizer.Outcome chosen, List<Anonymizer.Outcome> outcomes) {
    List<Alternative> alternatives = new ArrayList<>();
    Iterator<Anonymizer.Outcome> others = outcomes.iterator();
    for (int[] cell : grid(spec)) {
      int k = cell[0];
      double limit = cell[1] / 1000.0;
      boolean configured = isConfigured(spec, cell);
      Anonymizer.Outcome o = configured ? chosen : others.next();
      alternatives.add(o == null ? new Alternative(k, limit, configured, null, null, null, null, null)
          : new Alternative(k, limit, configured, o.levels() == null ? List.of() : Arrays.stream(o.levels()).boxed().toList(),
              o.loss(), o.suppressedRecords(), o.outputRisk().highestProsecutorRisk(),
              o.outputRisk().population() == null ? 0.0 : o.outputRisk().population().populationUniquesFraction()));
    }
    return alternatives;
  }

  private static boolean isConfigured(AnonymizationSpec spec, int[] cell) {
    return cell[0] == spec.k() && cell[1] == Math.round(spec.suppressionLimit() * 1000);
  }

  /** k at half, as configured and doubled; suppression limits 0, as configured and doubled (at least 5 %), in thousandths. */
  static List<int[]> grid(AnonymizationSpec spec) {
    TreeSet<Integer> ks = new TreeSet<>(List.of(Math.max(2, spec.k() / 2), spec.k(), spec.k() * 2));
    int configured = (int) Math.round(spec.suppressionLimit() * 1000);
    TreeSet<Integer> limits = new TreeSet<>(List.of(0, configured, Math.min(1000, Math.max(50, 2 * configured))));
    List<int[]> grid = new ArrayList<>();
    for (int k : ks) {
      for (int limit : limits) {
        grid.add(new int[] {k, limit});
      }
    }
    return grid;
  }

  private static AnonymizationSpec withKAndLimit(AnonymizationSpec spec, int k, double limit) {
    List<PrivacyModel> models = new ArrayList<>();
    for (PrivacyModel m : spec.models()) {
      if (!(m instanceof PrivacyModel.KAnonymity)) {
        models.add(m);
      }
    }
    models.add(0, new PrivacyModel.KAnonymity(k));
    return new AnonymizationSpec(spec.quasiIdentifiers(), spec.sensitive(), spec.sensitiveHierarchy(), models, limit,
        spec.metric(), spec.mode(), spec.starSuppressed(), Math.min(spec.timeBudgetMillis(), ALTERNATIVE_BUDGET_MILLIS),
        spec.populationSize(), spec.riskThreshold());
  }

  /** The noise of each statistic depends on the budget and bounds alone: computed on a group of zeros, with no data. */
  private static ReleaseAssessment expectedError(ReleaseSpec release, RunContext context) {
    int sums = release.aggregates().stream().mapToInt(a -> a.sumTerms().size()).sum();
    long[][] histograms = release.aggregates().stream().filter(a -> a.kind() == Aggregate.Kind.QUANTILES)
        .map(a -> new long[Aggregate.QUANTILE_BINS]).toArray(long[][]::new);
    List<String> key = new ArrayList<>();
    for (int g = 0; g < release.groupBy().size(); g++) {
      key.add(DpAggregate.NULL_KEY);
    }
    GroupStatistics zeros = new GroupStatistics(key, 0, 0, new long[sums], histograms);
    NoisyRelease.Plan plan = new NoisyRelease.Plan(release.aggregates(), release.bounds(), release.epsilon(), release.delta(),
        release.noise(), true);
    Map<String, NoisyRelease.Statistic> statistics = NoisyRelease.release(List.of(zeros), plan, context.mechanisms()).get(0)
        .statistics();
    // Means, variances and standard deviations divide noised sums by a noised count: their error depends on the group.
    List<String> ratios = release.aggregates().stream().filter(a -> a.kind() == Aggregate.Kind.MEAN
        || a.kind() == Aggregate.Kind.VARIANCE || a.kind() == Aggregate.Kind.STDDEV)
        .map(Aggregate::name).toList();
    Map<String, NoisyRelease.Statistic> withoutValues = new LinkedHashMap<>();
    statistics.forEach((name, s) -> {
      if (!ratios.contains(name)) {
        withoutValues.put(name, new NoisyRelease.Statistic(null, s.noiseStandardDeviation(), s.errorBound95(), s.errorKind(),
            s.budget()));
      }
    });
    return new ReleaseAssessment(release.name(), release.audience(), release.epsilon(), release.delta(),
        release.publicGroups() != null ? "public groups" : "DP group selection (groups with few units are not released)",
        withoutValues, ratios);
  }

}

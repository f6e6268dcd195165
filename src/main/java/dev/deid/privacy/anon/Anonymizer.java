package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The anonymization of one histogram, free of Spark: it chooses the generalization (global
 * full-domain recoding, optimal; or local recoding) and returns, for every histogram row, the
 * labels its quasi-identifiers get and whether it is suppressed, with the utility and risk figures
 * of the result. Whatever the mode, every class that is released satisfies every model.
 */
public final class Anonymizer {
  private Anonymizer() {}

  public record Plan(List<PrivacyModel> models, double suppressionLimit, UtilityMetric metric, boolean local,
      long timeBudgetMillis, long maxExhaustiveNodes, RiskProfile.Assumptions risk) {
    public Plan(List<PrivacyModel> models, double suppressionLimit, UtilityMetric metric, boolean local, long timeBudgetMillis,
        long maxExhaustiveNodes) {
      this(models, suppressionLimit, metric, local, timeBudgetMillis, maxExhaustiveNodes, RiskProfile.Assumptions.NONE);
    }
  }

  /**
   * {@code lowerBound} is a proven lower bound of the optimal score of the plan's metric (NaN when
   * none is known, e.g. for local recoding); {@code optimalityGap} how much worse than that bound
   * the chosen score can at most be, relative to the bound (0 when optimal).
   */
  public record Outcome(
      String[][] labels, boolean[] suppressedRow, int[] levels, boolean optimal, String strategy, long nodesEvaluated,
      long latticeSize, long suppressedRecords, double loss, double[] lossPerAttribute, Map<UtilityMetric, Double> scores,
      RiskProfile inputRisk, RiskProfile outputRisk, double lowerBound, double optimalityGap) {}

  public static Outcome anonymize(TupleHistogram h, Plan plan, SensitiveContext context) {
    int k = plan.models().stream().filter(m -> m instanceof PrivacyModel.KAnonymity)
        .mapToInt(m -> ((PrivacyModel.KAnonymity) m).k()).max().orElse(1);
    RiskProfile inputRisk = risk(EquivalenceClasses.of(h, new int[h.dimensions()]), null, k, plan.risk());
    return plan.local() ? local(h, plan, context, inputRisk, k) : global(h, plan, context, inputRisk, k);
  }

  private static Outcome global(TupleHistogram h, Plan plan, SensitiveContext context, RiskProfile inputRisk, int k) {
    GlobalRecoding.Result result = GlobalRecoding.search(h, plan.models(), plan.suppressionLimit(), plan.metric(), context,
        plan.timeBudgetMillis(), plan.maxExhaustiveNodes());
    int[] levels = result.best().levels();
    EquivalenceClasses classes = EquivalenceClasses.of(h, levels);
    boolean[] suppressedClass = GlobalRecoding.suppressed(classes, plan.models(), context);
    String[][] labels = new String[h.rows()][h.dimensions()];
    boolean[] suppressedRow = new boolean[h.rows()];
    long suppressedRecords = 0;
    for (int r = 0; r < h.rows(); r++) {
      for (int d = 0; d < h.dimensions(); d++) {
        labels[r][d] = h.hierarchies()[d].label(h.code(r, d), levels[d]);
      }
      suppressedRow[r] = suppressedClass[classes.rowClass[r]];
      if (suppressedRow[r]) {
        suppressedRecords += h.count(r);
      }
    }
    double[] perAttribute = UtilityMetric.lossPerAttribute(h, classes, suppressedClass, false);
    return new Outcome(labels, suppressedRow, levels, result.optimal(), result.strategy(), result.nodesEvaluated(),
        result.latticeSize(), suppressedRecords, UtilityMetric.geometricMean(perAttribute), perAttribute,
        scores(h, classes, suppressedClass), inputRisk, risk(classes, suppressedClass, k, plan.risk()), result.lowerBound(),
        result.optimalityGap());
  }

  private static Outcome local(TupleHistogram h, Plan plan, SensitiveContext context, RiskProfile inputRisk, int k) {
    List<int[]> partitions = LocalRecoding.partition(h, plan.models(), context);
    String[][] labels = new String[h.rows()][h.dimensions()];
    boolean[] suppressedRow = new boolean[h.rows()];
    double[] shareSum = new double[h.dimensions()];
    long suppressedRecords = 0;
    for (int[] rows : partitions) {
      long size = 0;
      for (int r : rows) {
        size += h.count(r);
      }
      boolean suppressed = !satisfies(h, plan.models(), context, rows);
      if (suppressed) {
        suppressedRecords += size;
      }
      for (int d = 0; d < h.dimensions(); d++) {
        Hierarchy hierarchy = h.hierarchies()[d];
        int level = LocalRecoding.commonLevel(h, rows, d);
        String label = hierarchy.label(h.code(rows[0], d), level);
        double share = hierarchy.leafCount(level, hierarchy.labelIndex(h.code(rows[0], d), level)) / (double) hierarchy.domainSize();
        shareSum[d] += suppressed ? size : size * share;
        for (int r : rows) {
          labels[r][d] = label;
          suppressedRow[r] = suppressed;
        }
      }
    }
    if (suppressedRecords > Math.floor(plan.suppressionLimit() * h.records())) {
      throw new IllegalArgumentException("Cannot anonymize: the whole table does not satisfy "
          + plan.models().stream().map(PrivacyModel::describe).toList());
    }
    double[] perAttribute = new double[h.dimensions()];
    for (int d = 0; d < h.dimensions(); d++) {
      double min = h.records() / (double) h.hierarchies()[d].domainSize();
      perAttribute[d] = h.records() == min ? 0 : Math.max(0, (shareSum[d] - min) / (h.records() - min));
    }
    // Partitions given the same labels are one class in the written table: risk and class figures describe those.
    Map<List<String>, Long> written = new LinkedHashMap<>();
    for (int[] rows : partitions) {
      if (suppressedRow[rows[0]]) {
        continue;
      }
      long size = 0;
      for (int r : rows) {
        size += h.count(r);
      }
      written.merge(List.of(labels[rows[0]]), size, Long::sum);
    }
    long[] sizes = written.values().stream().mapToLong(Long::longValue).toArray();
    Map<UtilityMetric, Double> scores = new EnumMap<>(UtilityMetric.class);
    scores.put(UtilityMetric.LOSS, UtilityMetric.geometricMean(perAttribute));
    double discernibility = suppressedRecords * (double) h.records();
    for (long s : sizes) {
      discernibility += (double) s * s;
    }
    scores.put(UtilityMetric.DISCERNIBILITY, discernibility);
    scores.put(UtilityMetric.AVERAGE_CLASS_SIZE, sizes.length == 0 ? h.records() : (double) h.records() / sizes.length);
    return new Outcome(labels, suppressedRow, null, false, "local recoding (Mondrian, hierarchy-constrained)", partitions.size(),
        0, suppressedRecords, scores.get(UtilityMetric.LOSS), perAttribute, scores, inputRisk, RiskProfile.of(sizes, k, plan.risk()),
        Double.NaN, Double.NaN);
  }

  private static boolean satisfies(TupleHistogram h, List<PrivacyModel> models, SensitiveContext context, int[] rows) {
    return new LocalRecoding(h, models, context).satisfies(rows);
  }

  private static Map<UtilityMetric, Double> scores(TupleHistogram h, EquivalenceClasses classes, boolean[] suppressed) {
    Map<UtilityMetric, Double> scores = new EnumMap<>(UtilityMetric.class);
    for (UtilityMetric m : UtilityMetric.values()) {
      scores.put(m, m.score(h, classes, suppressed));
    }
    return scores;
  }

  private static RiskProfile risk(EquivalenceClasses classes, boolean[] suppressed, int k, RiskProfile.Assumptions assumptions) {
    List<Long> sizes = new ArrayList<>();
    for (int c = 0; c < classes.count(); c++) {
      if (suppressed == null || !suppressed[c]) {
        sizes.add(classes.size(c));
      }
    }
    return RiskProfile.of(sizes.stream().mapToLong(Long::longValue).toArray(), k, assumptions);
  }
}

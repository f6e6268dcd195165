package dev.deid.privacy.dp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns exact group statistics into a differentially private release. The release's ε (and δ) is
 * split evenly across its aggregates (a mean takes two shares: its sum and its count), plus one
 * share for group selection when groups are not public. Sensitivities follow from the contribution
 * bounds: a unit changes the row count of each of at most {@code g} groups by at most {@code m},
 * so the L1 sensitivity of the count vector is g·m, its L2 sensitivity √g·m, and so on.
 *
 * <p>Guarantee: ε-DP with Laplace noise, (ε, δ)-DP with Gaussian noise or DP group selection,
 * against an adversary who sees the released table, for the privacy unit given, provided the
 * contribution bounds were enforced upstream.
 */
public final class NoisyRelease {
  public enum Noise { LAPLACE, GAUSSIAN }

  /** One released group: its key and, per statistic name, the value, noise sd and 95% error bound. */
  public record Released(List<String> key, Map<String, Statistic> statistics) {}

  public record Statistic(Double value, double noiseStandardDeviation, double errorBound95, double epsilon, double delta) {}

  public record Plan(List<Aggregate> aggregates, ContributionBounds bounds, double epsilon, double delta, Noise noise,
      boolean publicGroups) {

    int shares() {
      int shares = publicGroups ? 0 : 1;
      for (Aggregate a : aggregates) {
        shares += a.kind() == Aggregate.Kind.MEAN ? 2 : 1;
      }
      return shares;
    }

    double epsilonShare() {
      return epsilon / shares();
    }

    double deltaShare() {
      return delta / shares();
    }
  }

  private NoisyRelease() {}

  public static List<Released> release(List<GroupStatistics> groups, Plan plan, Mechanisms mechanisms) {
    List<GroupStatistics> kept = plan.publicGroups() ? groups : selectGroups(groups, plan, mechanisms);
    int g = plan.bounds().maxGroups();
    int m = plan.bounds().maxRowsPerGroup();
    double eps = plan.epsilonShare();
    double delta = plan.deltaShare();
    List<Released> result = new ArrayList<>();
    Map<String, Mechanism> byStatistic = new LinkedHashMap<>();
    for (Aggregate a : plan.aggregates()) {
      switch (a.kind()) {
        case COUNT -> byStatistic.put(a.name(), mechanism(plan, mechanisms, (long) g * m, Math.sqrt(g) * m, eps, delta));
        case COUNT_UNITS -> byStatistic.put(a.name(), mechanism(plan, mechanisms, g, Math.sqrt(g), eps, delta));
        case SUM -> byStatistic.put(a.name(), mechanism(plan, mechanisms, (long) g * m * a.maxAbsFixedPoint(),
            Math.sqrt(g) * m * a.maxAbsFixedPoint(), eps, delta));
        case MEAN -> {
          byStatistic.put(a.name() + "#sum", mechanism(plan, mechanisms, (long) g * m * a.maxAbsFixedPoint(),
              Math.sqrt(g) * m * a.maxAbsFixedPoint(), eps, delta));
          byStatistic.put(a.name() + "#count", mechanism(plan, mechanisms, (long) g * m, Math.sqrt(g) * m, eps, delta));
        }
        case QUANTILES -> { }
      }
    }
    for (GroupStatistics group : kept) {
      Map<String, Statistic> stats = new LinkedHashMap<>();
      int sumIndex = 0;
      int histogramIndex = 0;
      for (Aggregate a : plan.aggregates()) {
        switch (a.kind()) {
          case COUNT -> stats.put(a.name(), integer(byStatistic.get(a.name()), Math.max(0, 0), group.rows()));
          case COUNT_UNITS -> stats.put(a.name(), integer(byStatistic.get(a.name()), 0, group.units()));
          case SUM -> {
            Mechanism mech = byStatistic.get(a.name());
            long noised = mech.noised(group.sums()[sumIndex++]);
            stats.put(a.name(), new Statistic(noised / (double) Aggregate.FIXED_POINT,
                mech.standardDeviation() / Aggregate.FIXED_POINT, mech.errorBound95() / Aggregate.FIXED_POINT, mech.epsilon(),
                mech.delta()));
          }
          case MEAN -> {
            Mechanism sumMech = byStatistic.get(a.name() + "#sum");
            Mechanism countMech = byStatistic.get(a.name() + "#count");
            double sum = sumMech.noised(group.sums()[sumIndex++]) / (double) Aggregate.FIXED_POINT;
            long count = Math.max(1, countMech.noised(group.rows()));
            double mean = Math.min(a.upper(), Math.max(a.lower(), sum / count));
            // Error of a ratio: first-order propagation of both noises at the noised count.
            double sd = Math.sqrt(Math.pow(sumMech.standardDeviation() / Aggregate.FIXED_POINT / count, 2)
                + Math.pow(mean * countMech.standardDeviation() / count, 2));
            stats.put(a.name(), new Statistic(mean, sd, 1.96 * sd, 2 * eps, 2 * delta));
          }
          case QUANTILES -> {
            long[] histogram = group.histograms()[histogramIndex++];
            double perQuantileEpsilon = eps / a.quantiles().size() / g;
            for (double q : a.quantiles()) {
              double value = Quantiles.select(histogram, q, a.lower(), a.upper(), m, perQuantileEpsilon, mechanisms);
              double binWidth = (a.upper() - a.lower()) / Aggregate.QUANTILE_BINS;
              stats.put("p" + Math.round(q * 100) + "_" + a.column(), new Statistic(value, Double.NaN, binWidth,
                  perQuantileEpsilon * g, 0));
            }
          }
        }
      }
      result.add(new Released(group.key(), stats));
    }
    return result;
  }

  private static Statistic integer(Mechanism mech, long floor, long trueValue) {
    long noised = Math.max(floor, mech.noised(trueValue));
    return new Statistic((double) noised, mech.standardDeviation(), mech.errorBound95(), mech.epsilon(), mech.delta());
  }

  private static Mechanism mechanism(Plan plan, Mechanisms mechanisms, long l1, double l2, double eps, double delta) {
    return plan.noise() == Noise.GAUSSIAN ? mechanisms.gaussian(l2, eps, delta) : mechanisms.laplace(l1, eps);
  }

  /**
   * Differentially private group selection (Laplace thresholding, as in Wilson et al., "Differentially
   * Private SQL with Bounded User Contribution", 2020): a group is kept when its distinct-unit count
   * plus Laplace noise of scale g/ε clears 1 + (g/ε)·ln(g/(2δ)). A group that exists only because of
   * a few units is kept with probability at most δ.
   */
  static List<GroupStatistics> selectGroups(List<GroupStatistics> groups, Plan plan, Mechanisms mechanisms) {
    if (!(plan.delta() > 0)) {
      throw new IllegalArgumentException("Invalid delta: 0 (group selection needs delta > 0, or declare public groups)");
    }
    int g = plan.bounds().maxGroups();
    double eps = plan.epsilonShare();
    double scale = g / eps;
    double threshold = 1 + scale * Math.log(g / (2 * plan.deltaShare()));
    Mechanism noise = mechanisms.laplace(g, eps);
    List<GroupStatistics> kept = new ArrayList<>();
    for (GroupStatistics group : groups) {
      if (noise.noised(group.units()) >= threshold) {
        kept.add(group);
      }
    }
    return kept;
  }
}

package dev.deid.privacy.dp;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Turns exact group statistics into a differentially private release.
 *
 * <p>Accounting. A release's budget is split into equal shares, one per noised quantity (a count
 * and a sum each take one, a mean two, a variance three, a quantiles aggregate one for all its
 * levels, DP group selection one). With Laplace noise the shares split ε (basic composition, pure
 * ε-DP) and group selection's threshold spends all of δ. With Gaussian noise, δ is halved between
 * selection's threshold (when groups are not public) and the conversion of (ε, the rest of δ)
 * into ρ-zCDP ({@link Accounting#rhoFor}); the shares split ρ, which composes by addition, so no
 * share pays the (ε, δ) conversion on its own. Quantiles use a pure-ε mechanism, which is ε²/2-zCDP.
 *
 * <p>Sensitivities follow from the contribution bounds: a unit changes the row count of each of at
 * most {@code g} groups by at most {@code m}, so the L1 sensitivity of the count vector is g·m and
 * its L2 sensitivity √g·m; sums multiply by the largest magnitude of one row's term. Products are
 * computed exactly and refused when they do not fit in 2^53, so a large bound can never wrap
 * around into too little noise.
 *
 * <p>Guarantee: ε-DP with Laplace noise and public groups; (ε, δ)-DP otherwise; against an
 * adversary who sees the released table, for the privacy unit given, provided the contribution
 * bounds were enforced upstream. What it publishes besides noised values is data-independent (noise
 * standard deviations and error bounds) or itself the output of DP selection (which groups appear).
 */
public final class NoisyRelease {
  public enum Noise { LAPLACE, GAUSSIAN }

  /** Largest sensitivity accepted: beyond 2^53 doubles stop representing fixed-point values exactly. */
  public static final BigInteger MAX_SENSITIVITY = BigInteger.ONE.shiftLeft(53);

  /** One released group: its key and, per statistic name, the value with its precision. */
  public record Released(List<String> key, Map<String, Statistic> statistics) {}

  /**
   * A released value and its precision: for {@link ErrorKind#VALUE} the noise's standard deviation
   * and a 95 % bound on |released − exact|, both in the value's units; for {@link ErrorKind#RANK}
   * (quantiles) no standard deviation, and a 95 % bound in rows on how far the released value's
   * rank is from the rank of the bin holding the exact quantile.
   */
  public record Statistic(Double value, double noiseStandardDeviation, double errorBound95, ErrorKind errorKind,
      String budget) {}

  public enum ErrorKind { VALUE, RANK }

  public record Plan(List<Aggregate> aggregates, ContributionBounds bounds, double epsilon, double delta, Noise noise,
      boolean publicGroups) {
    public Plan {
      aggregates = List.copyOf(aggregates);
    }

    int shares() {
      int shares = publicGroups ? 0 : 1;
      for (Aggregate a : aggregates) {
        shares += a.shares();
      }
      return shares;
    }

    /** δ reserved for group selection's threshold. */
    double selectionDelta() {
      if (publicGroups) {
        return 0;
      }
      return noise == Noise.GAUSSIAN ? delta / 2 : delta;
    }

    double epsilonShare() {
      return epsilon / shares();
    }

    double rhoShare() {
      return Accounting.rhoFor(epsilon, delta - selectionDelta()) / shares();
    }
  }

  private NoisyRelease() {}

  /** L1 and L2 sensitivities of a vector of per-group quantities where one row contributes at most {@code perRow}. */
  record Sensitivity(long l1, double l2) {
    static Sensitivity of(ContributionBounds bounds, BigInteger perRow, String what) {
      BigInteger perGroup = perRow.multiply(BigInteger.valueOf(bounds.maxRowsPerGroup()));
      BigInteger l1 = perGroup.multiply(BigInteger.valueOf(bounds.maxGroups()));
      if (l1.compareTo(MAX_SENSITIVITY) > 0) {
        throw new IllegalArgumentException("Cannot calibrate noise for " + what + ": its sensitivity " + l1
            + " (groups x rows x largest value in hundredths) exceeds 2^53 (fix: narrow the bounds or lower the contribution bounds)");
      }
      return new Sensitivity(l1.longValueExact(), Math.sqrt(bounds.maxGroups()) * perGroup.doubleValue());
    }
  }

  public static List<Released> release(List<GroupStatistics> groups, Plan plan, Mechanisms mechanisms) {
    List<GroupStatistics> kept = plan.publicGroups() ? groups : selectGroups(groups, plan, mechanisms);
    ContributionBounds bounds = plan.bounds();
    Sensitivity rows = Sensitivity.of(bounds, BigInteger.ONE, "counts");
    Map<String, Mechanism> byQuantity = new LinkedHashMap<>();
    for (Aggregate a : plan.aggregates()) {
      switch (a.kind()) {
        case COUNT -> byQuantity.put(a.name(), mechanism(plan, mechanisms, rows));
        case COUNT_UNITS -> byQuantity.put(a.name(), mechanism(plan, mechanisms,
            Sensitivity.of(new ContributionBounds(bounds.maxGroups(), 1), BigInteger.ONE, "unit counts")));
        case QUANTILES -> { }
        default -> {
          if (a.kind() != Aggregate.Kind.SUM) {
            byQuantity.put(a.name() + "#count", mechanism(plan, mechanisms, rows));
          }
          for (Aggregate.SumTerm term : a.sumTerms()) {
            byQuantity.put(a.name() + "#" + term, mechanism(plan, mechanisms,
                Sensitivity.of(bounds, a.maxAbsFixedPoint(term), a.name())));
          }
        }
      }
    }
    List<Released> result = new ArrayList<>();
    for (GroupStatistics group : kept) {
      Map<String, Statistic> stats = new LinkedHashMap<>();
      int sumIndex = 0;
      int histogramIndex = 0;
      for (Aggregate a : plan.aggregates()) {
        switch (a.kind()) {
          case COUNT -> stats.put(a.name(), integer(byQuantity.get(a.name()), group.rows()));
          case COUNT_UNITS -> stats.put(a.name(), integer(byQuantity.get(a.name()), group.units()));
          case SUM -> {
            Mechanism mech = byQuantity.get(a.name() + "#" + Aggregate.SumTerm.VALUE);
            long noised = mech.noised(group.sums()[sumIndex++]);
            stats.put(a.name(), new Statistic(noised / (double) Aggregate.FIXED_POINT,
                mech.standardDeviation() / Aggregate.FIXED_POINT, mech.errorBound95() / Aggregate.FIXED_POINT,
                ErrorKind.VALUE, mech.budget()));
          }
          case MEAN -> {
            Noised n = Noised.count(byQuantity.get(a.name() + "#count"), group.rows());
            Noised s = Noised.sum(byQuantity.get(a.name() + "#" + Aggregate.SumTerm.CENTRED), group.sums()[sumIndex++]);
            stats.put(a.name(), Moments.mean(a, n, s, budget(plan, a)));
          }
          case VARIANCE, STDDEV -> {
            Noised n = Noised.count(byQuantity.get(a.name() + "#count"), group.rows());
            Noised s1 = Noised.sum(byQuantity.get(a.name() + "#" + Aggregate.SumTerm.CENTRED), group.sums()[sumIndex++]);
            Noised s2 = Noised.sum(byQuantity.get(a.name() + "#" + Aggregate.SumTerm.CENTRED_SQUARE),
                group.sums()[sumIndex++]);
            Statistic variance = Moments.variance(a, n, s1, s2, budget(plan, a));
            stats.put(a.name(), a.kind() == Aggregate.Kind.VARIANCE ? variance : Moments.standardDeviation(variance));
          }
          case QUANTILES -> {
            long[] histogram = group.histograms()[histogramIndex++];
            double perQuantileEpsilon = quantileEpsilon(plan, a);
            BigFraction scale = Mechanisms.laplaceScale(2L * bounds.maxRowsPerGroup(), perQuantileEpsilon);
            double rankError = Accounting.rankErrorBound95(histogram.length + 1, scale);
            for (double q : a.quantiles()) {
              double value = Quantiles.select(histogram, q, a.lower(), a.upper(), bounds.maxRowsPerGroup(),
                  perQuantileEpsilon, mechanisms);
              stats.put(quantileName(q, a), new Statistic(value, Double.NaN, rankError, ErrorKind.RANK,
                  budget(plan, a)));
            }
          }
        }
      }
      result.add(new Released(group.key(), stats));
    }
    return result;
  }

  public static String quantileName(double q, Aggregate a) {
    return "p" + Math.round(q * 100) + "_" + a.column();
  }

  /**
   * Each level of each group's quantiles gets its own report-noisy-max: a unit reaches at most g
   * groups, so the aggregate's share is split over g × levels selections (in ε for Laplace, in ρ
   * for Gaussian, where ε-DP is ε²/2-zCDP).
   */
  static double quantileEpsilon(Plan plan, Aggregate a) {
    int selections = a.quantiles().size() * plan.bounds().maxGroups();
    return plan.noise() == Noise.GAUSSIAN ? Math.sqrt(2 * plan.rhoShare() / selections) : plan.epsilonShare() / selections;
  }

  private static String budget(Plan plan, Aggregate a) {
    return plan.noise() == Noise.GAUSSIAN ? "rho " + plan.rhoShare() * a.shares() : "epsilon " + plan.epsilonShare() * a.shares();
  }

  private static Statistic integer(Mechanism mech, long trueValue) {
    long noised = Math.max(0, mech.noised(trueValue));
    return new Statistic((double) noised, mech.standardDeviation(), mech.errorBound95(), ErrorKind.VALUE, mech.budget());
  }

  private static Mechanism mechanism(Plan plan, Mechanisms mechanisms, Sensitivity sensitivity) {
    return plan.noise() == Noise.GAUSSIAN ? mechanisms.gaussian(sensitivity.l2(), plan.rhoShare())
        : mechanisms.laplace(sensitivity.l1(), plan.epsilonShare());
  }

  /** A noised integer in value units with its noise's standard deviation. */
  record Noised(double value, double sd) {
    static Noised count(Mechanism mech, long exact) {
      return new Noised(Math.max(1, mech.noised(exact)), mech.standardDeviation());
    }

    static Noised sum(Mechanism mech, long exactFixedPoint) {
      return new Noised(mech.noised(exactFixedPoint) / (double) Aggregate.FIXED_POINT,
          mech.standardDeviation() / Aggregate.FIXED_POINT);
    }
  }

  /**
   * The smallest threshold T such that a group of one unit passes (1 + noise ≥ T) in any of the
   * unit's at most g groups with probability at most the selection's δ, computed from the exact
   * tail of the noise actually added (discrete Laplace or discrete Gaussian), as in Wilson et al.,
   * "Differentially Private SQL with Bounded User Contribution" (2020). The unit counts of the
   * groups present on both sides are noised like a count of L1 sensitivity g (L2 √g).
   */
  static long selectionThreshold(Plan plan) {
    int g = plan.bounds().maxGroups();
    if (plan.noise() == Noise.GAUSSIAN) {
      return Accounting.gaussianSelectionThreshold(g, Mechanisms.gaussianSigmaSquared(Math.sqrt(g), plan.rhoShare()),
          plan.selectionDelta());
    }
    return Accounting.laplaceSelectionThreshold(g, Mechanisms.laplaceScale(g, plan.epsilonShare()), plan.selectionDelta());
  }

  static List<GroupStatistics> selectGroups(List<GroupStatistics> groups, Plan plan, Mechanisms mechanisms) {
    if (!(plan.delta() > 0)) {
      throw new IllegalArgumentException("Invalid delta: 0 (group selection needs delta > 0, or declare public groups)");
    }
    int g = plan.bounds().maxGroups();
    long threshold = selectionThreshold(plan);
    Mechanism noise = plan.noise() == Noise.GAUSSIAN ? mechanisms.gaussian(Math.sqrt(g), plan.rhoShare())
        : mechanisms.laplace(g, plan.epsilonShare());
    List<GroupStatistics> kept = new ArrayList<>();
    for (GroupStatistics group : groups) {
      if (noise.noised(group.units()) >= threshold) {
        kept.add(group);
      }
    }
    return kept;
  }
}

package dev.deid.privacy.dp;

import java.util.function.LongToDoubleFunction;
import org.apache.commons.math3.fraction.BigFraction;
import org.apache.commons.math3.special.Erf;

/**
 * The privacy and accuracy arithmetic of the noise, free of Spark: conversions between ρ-zCDP and
 * (ε, δ)-DP, exact tails of the discrete Laplace and discrete Gaussian, the group-selection
 * thresholds derived from those tails, and the 95 % error bounds the release tables state.
 *
 * <p>Every function errs on the safe side: a threshold or bound it returns is never smaller than
 * the exact one, a ρ never larger. Floating-point evaluation of the tails is guarded by a relative
 * margin ({@link #MARGIN}) far above double rounding error.
 */
public final class Accounting {
  /** Relative safety margin applied to probabilities compared against a target. */
  static final double MARGIN = 1e-9;

  private Accounting() {}

  /**
   * δ such that ρ-zCDP implies (ε, δ)-DP, by the conversion of Canonne, Kamath and Steinke (2020,
   * Prop. 12 / Cor. 13): for any α > 1, δ = exp((α−1)(αρ−ε) + α·ln(1−1/α)) / (α−1). Any α gives a
   * valid bound, so the α found by bisection on the derivative needs no conservative rounding.
   */
  public static double cdpDelta(double rho, double epsilon) {
    if (rho <= 0) {
      return 0;
    }
    double lo = 1 + 1e-9;
    double hi = Math.max(2, (epsilon + 1) / (2 * rho) + 2);
    for (int i = 0; i < 200; i++) {
      double alpha = (lo + hi) / 2;
      double derivative = (2 * alpha - 1) * rho - epsilon + Math.log1p(-1 / alpha);
      if (derivative < 0) {
        lo = alpha;
      } else {
        hi = alpha;
      }
    }
    double alpha = (lo + hi) / 2;
    double logDelta = (alpha - 1) * (alpha * rho - epsilon) + alpha * Math.log1p(-1 / alpha) - Math.log(alpha - 1);
    return Math.min(1, Math.exp(logDelta));
  }

  /**
   * The largest ρ (to 12 significant digits, rounded down) whose ρ-zCDP guarantee implies
   * (ε, δ)-DP by {@link #cdpDelta}. Budgets of releases with Gaussian noise are converted once,
   * split in ρ and composed by addition, which is what makes their noise smaller than splitting
   * ε and δ evenly would.
   */
  public static double rhoFor(double epsilon, double delta) {
    if (!(epsilon > 0) || !(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("Invalid (epsilon, delta): (" + epsilon + ", " + delta
          + ") (epsilon must be positive and delta in (0, 1) for Gaussian noise)");
    }
    double lo = 0;
    double hi = epsilon;
    while (cdpDelta(hi, epsilon) <= delta * (1 - MARGIN)) {
      lo = hi;
      hi *= 2;
    }
    for (int i = 0; i < 200 && hi - lo > lo * 1e-12; i++) {
      double mid = (lo + hi) / 2;
      if (cdpDelta(mid, epsilon) <= delta * (1 - MARGIN)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** P(Z ≥ k) for the discrete Laplace with P(z) ∝ p^|z|: p^k / (1 + p) for k ≥ 1. */
  public static double laplaceUpperTail(double p, long k) {
    if (k <= 0) {
      return 1 - laplaceUpperTail(p, 1 - k);
    }
    return Math.exp(k * Math.log(p)) / (1 + p);
  }

  /** p = exp(−1/scale) of the discrete Laplace with the given scale. */
  public static double laplaceP(BigFraction scale) {
    return Math.exp(-1 / scale.doubleValue());
  }

  /** P(Z ≥ k) for the discrete Gaussian with P(z) ∝ exp(−z²/(2σ²)), summed exactly term by term. */
  public static double gaussianUpperTail(BigFraction sigmaSquared, long k) {
    double s2 = sigmaSquared.doubleValue();
    if (k <= 0) {
      return 1 - gaussianUpperTail(sigmaSquared, 1 - k);
    }
    double normalizer = 1;
    double tail = 0;
    // Terms decrease for z ≥ 0; stop once they no longer change either sum in double precision.
    for (long z = 1; ; z++) {
      double term = Math.exp(-(double) z * z / (2 * s2));
      normalizer += 2 * term;
      if (z >= k) {
        tail += term;
      }
      if (term == 0 || (z >= k && term < tail * 1e-17 && term < normalizer * 1e-17)) {
        break;
      }
    }
    return tail / normalizer;
  }

  /**
   * The exact δ of DP group selection: a group that exists only because of the one unit that
   * differs has one unit, and that unit reaches at most {@code maxGroups} such groups; each is
   * released when 1 + noise ≥ threshold. δ = 1 − (1 − P(noise ≥ threshold − 1))^maxGroups.
   */
  public static double selectionDelta(int maxGroups, double upperTail) {
    return -Math.expm1(maxGroups * Math.log1p(-upperTail));
  }

  /** The smallest integer threshold for discrete Laplace noise of this scale whose selection δ is at most {@code delta}. */
  public static long laplaceSelectionThreshold(int maxGroups, BigFraction scale, double delta) {
    double p = laplaceP(scale);
    return smallestThreshold(maxGroups, delta, k -> laplaceUpperTail(p, k));
  }

  /** The same for discrete Gaussian noise with variance parameter σ². */
  public static long gaussianSelectionThreshold(int maxGroups, BigFraction sigmaSquared, double delta) {
    return smallestThreshold(maxGroups, delta, k -> gaussianUpperTail(sigmaSquared, k));
  }

  private static long smallestThreshold(int maxGroups, double delta, LongToDoubleFunction upperTail) {
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("Invalid delta: " + delta + " (group selection needs delta in (0, 1))");
    }
    double target = delta * (1 - MARGIN);
    long hi = 2;
    while (selectionDelta(maxGroups, upperTail.applyAsDouble(hi - 1)) > target) {
      hi = Math.multiplyExact(hi, 2);
    }
    long lo = 1; // threshold 1 releases a one-unit group whenever noise ≥ 0: never within δ < 1/2
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (selectionDelta(maxGroups, upperTail.applyAsDouble(mid - 1)) > target) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  /** The smallest B with P(|Z| ≤ B) ≥ 0.95 for the discrete Laplace of this scale: P(|Z| > B) = 2 P(Z ≥ B + 1). */
  public static double laplaceErrorBound95(BigFraction scale) {
    return smallestTailIndex(laplaceP(scale), 2, 0.05) - 1;
  }

  /** The smallest t ≥ 1 with factor · P(Z ≥ t) ≤ target for the discrete Laplace with parameter p. */
  private static long smallestTailIndex(double p, double factor, double target) {
    // Start just below the continuous solution of factor·p^t/(1+p) = target, then step up exactly.
    double continuous = Math.log(target * (1 + p) / factor) / Math.log(p);
    long t = Math.max(1, (long) Math.floor(continuous) - 2);
    while (factor * laplaceUpperTail(p, t) > target * (1 - MARGIN)) {
      t++;
    }
    return t;
  }

  /**
   * An integer B with P(|Z| ≤ B) ≥ 0.95 for the discrete Gaussian with parameter σ², valid at
   * every σ: its normalizer is at least σ√(2π) (Poisson summation) and its tail from B + 1 is at
   * most the Gaussian integral from B, so P(|Z| > B) ≤ 2·Φc(B/σ) ≤ 0.05 once B ≥ 1.96σ. Below
   * σ = 50 the exact tail is summed instead, which can give a smaller B.
   */
  public static double gaussianErrorBound95(BigFraction sigmaSquared) {
    double sigma = Math.sqrt(sigmaSquared.doubleValue());
    long bound = (long) Math.ceil(1.959963985 * sigma * (1 + MARGIN));
    if (sigma < 50) {
      for (long b = 0; b < bound; b++) {
        if (2 * gaussianUpperTail(sigmaSquared, b + 1) <= 0.05 * (1 - MARGIN)) {
          return b;
        }
      }
    }
    return bound;
  }

  /**
   * Report-noisy-max over {@code candidates} scores, each with discrete Laplace noise of this
   * scale: with probability ≥ 0.95 every noise is below t in magnitude (union bound), so the
   * chosen candidate's score is within 2(t − 1) of the best score. Returns 2(t − 1).
   */
  public static long rankErrorBound95(int candidates, BigFraction scale) {
    return 2 * (smallestTailIndex(laplaceP(scale), 2.0 * candidates, 0.05) - 1);
  }

  /** Standard normal upper tail, for tests and bounds. */
  static double normalUpperTail(double x) {
    return 0.5 * Erf.erfc(x / Math.sqrt(2));
  }
}

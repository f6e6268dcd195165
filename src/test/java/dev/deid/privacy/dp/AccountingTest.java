package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.Test;

/**
 * The accounting checked against independent computations: tails summed term by term from the
 * probability mass functions (no closed form shared with the code), exact hockey-stick divergences,
 * and the formulas the code replaced, each shown to fail the same check.
 */
class AccountingTest {
  /** P(Z ≥ k) of the discrete Laplace, summed from its mass function (1−p)/(1+p)·p^|z|. */
  static double laplaceTailBySum(double p, long k) {
    double sum = 0;
    for (long z = k; z < k + 200_000; z++) {
      double term = (1 - p) / (1 + p) * Math.pow(p, Math.abs(z));
      sum += term;
      if (term < 1e-30) {
        break;
      }
    }
    return sum;
  }

  /** P(Z ≥ k) of the discrete Gaussian, from its mass function normalized over [−60σ, 60σ]. */
  static double gaussianTailBySum(double sigmaSquared, long k) {
    long range = (long) Math.ceil(60 * Math.sqrt(sigmaSquared)) + 10;
    double normalizer = 0;
    double tail = 0;
    for (long z = -range; z <= range; z++) {
      double w = Math.exp(-(double) z * z / (2 * sigmaSquared));
      normalizer += w;
      if (z >= k) {
        tail += w;
      }
    }
    return tail / normalizer;
  }

  static double selectionDelta(int g, double tail) {
    return 1 - Math.pow(1 - tail, g);
  }

  @Test
  void laplaceSelectionThreshold_trueDeltaWithinClaim_whileTheContinuousFormulaExceedsIt() {
    double worstContinuousRatio = 0;
    for (int g : new int[] {1, 2, 5, 20}) {
      for (double epsilon : new double[] {0.05, 0.25, 0.5, 1, 2}) {
        for (double delta : new double[] {1e-6, 1e-4, 0.0677}) {
          BigFraction scale = Mechanisms.laplaceScale(g, epsilon);
          double p = Math.exp(-1 / scale.doubleValue());
          long threshold = Accounting.laplaceSelectionThreshold(g, scale, delta);
          // A one-unit group passes when 1 + noise ≥ T, i.e. noise ≥ T − 1.
          double trueDelta = selectionDelta(g, laplaceTailBySum(p, threshold - 1));
          assertTrue(trueDelta <= delta, "g=" + g + " eps=" + epsilon + " delta=" + delta + ": true delta " + trueDelta);
          assertTrue(selectionDelta(g, laplaceTailBySum(p, threshold - 2)) > delta, "the threshold is the smallest that holds");
          double continuous = 1 + scale.doubleValue() * Math.log(g / (2 * delta));
          double continuousDelta = selectionDelta(g, laplaceTailBySum(p, (long) Math.ceil(continuous) - 1));
          worstContinuousRatio = Math.max(worstContinuousRatio, continuousDelta / delta);
        }
      }
    }
    System.out.printf("continuous-Laplace threshold: true delta up to %.3f x the claimed delta%n", worstContinuousRatio);
    assertTrue(worstContinuousRatio > 1.2, "the same check rejects the continuous formula: " + worstContinuousRatio);
  }

  @Test
  void gaussianSelectionThreshold_trueDeltaWithinClaim() {
    for (int g : new int[] {1, 4, 30}) {
      for (double rho : new double[] {0.001, 0.05, 0.5}) {
        BigFraction sigmaSquared = Mechanisms.gaussianSigmaSquared(Math.sqrt(g), rho);
        double delta = 1e-6;
        long threshold = Accounting.gaussianSelectionThreshold(g, sigmaSquared, delta);
        double s2 = sigmaSquared.doubleValue();
        assertTrue(selectionDelta(g, gaussianTailBySum(s2, threshold - 1)) <= delta, "g=" + g + " rho=" + rho);
        assertTrue(selectionDelta(g, gaussianTailBySum(s2, threshold - 2)) > delta, "smallest threshold");
        assertEquals(gaussianTailBySum(s2, threshold - 1), Accounting.gaussianUpperTail(sigmaSquared, threshold - 1),
            1e-12 + 1e-9 * gaussianTailBySum(s2, threshold - 1));
      }
    }
  }

  @Test
  void rhoFor_isTightAndLargerThanBunSteinke() {
    for (double epsilon : new double[] {0.1, 1, 5}) {
      for (double delta : new double[] {1e-9, 1e-6, 1e-3}) {
        double rho = Accounting.rhoFor(epsilon, delta);
        assertTrue(Accounting.cdpDelta(rho, epsilon) <= delta, "rho must imply (eps, delta)");
        assertTrue(Accounting.cdpDelta(rho * 1.001, epsilon) > delta, "rho must be the largest such");
        double root = Math.sqrt(Math.log(1 / delta) + epsilon) - Math.sqrt(Math.log(1 / delta));
        assertTrue(rho > root * root, "tighter than rho + 2 sqrt(rho ln 1/delta) <= eps");
      }
    }
  }

  /**
   * Exact (ε, δ) of a one-dimensional discrete Gaussian with sensitivity 1: the hockey-stick
   * divergence Σ max(0, P(z) − e^ε P(z − 1)), summed over the whole mass.
   */
  static double exactDelta(double sigmaSquared, double epsilon) {
    long range = (long) Math.ceil(60 * Math.sqrt(sigmaSquared)) + 10;
    double normalizer = 0;
    for (long z = -range; z <= range; z++) {
      normalizer += Math.exp(-(double) z * z / (2 * sigmaSquared));
    }
    double delta = 0;
    for (long z = -range; z <= range + 1; z++) {
      double p = Math.exp(-(double) z * z / (2 * sigmaSquared)) / normalizer;
      double q = Math.exp(-(double) (z - 1) * (z - 1) / (2 * sigmaSquared)) / normalizer;
      delta += Math.max(0, p - Math.exp(epsilon) * q);
    }
    return delta;
  }

  @Test
  void gaussianCalibration_exactPrivacyWithinClaim_andBasicCompositionNoiseIsLarger() {
    double epsilon = 1;
    double delta = 1e-6;
    BigFraction sigmaSquared = Mechanisms.gaussianSigmaSquared(1, Accounting.rhoFor(epsilon, delta));
    assertTrue(exactDelta(sigmaSquared.doubleValue(), epsilon) <= delta, "calibrated noise must be (1, 1e-6)-DP");
    assertFalse(exactDelta(sigmaSquared.doubleValue() * 0.5, epsilon) <= delta, "the same check rejects half the variance");
    // Three noised quantities under one (1, 1e-6) budget: before, each got (1/3, 1e-6/3) and the
    // Bun-Steinke conversion; now they share the converted rho.
    double root = Math.sqrt(Math.log(3 / delta) + epsilon / 3) - Math.sqrt(Math.log(3 / delta));
    double sigmaBefore = Math.sqrt(1 / (2 * root * root));
    double sigmaAfter = Math.sqrt(1 / (2 * Accounting.rhoFor(epsilon, delta) / 3));
    System.out.printf("Gaussian sigma for 3 shares of (1, 1e-6), sensitivity 1: before %.3f, after %.3f (%.2fx)%n",
        sigmaBefore, sigmaAfter, sigmaBefore / sigmaAfter);
    assertTrue(sigmaBefore / sigmaAfter > 1.5, sigmaBefore + " vs " + sigmaAfter);
  }

  @Test
  void gaussianErrorBound95_coversAtEverySigma_whereTheNormalQuantileDoesNot() {
    for (double sigma : new double[] {0.3, 0.7, 1, 1.5, 2.2, 5, 20, 80, 400}) {
      BigFraction s2 = Mechanisms.roundedUp(sigma * sigma);
      double bound = Accounting.gaussianErrorBound95(s2);
      assertEquals(Math.rint(bound), bound, "an integer bound on integer noise");
      double outside = 2 * gaussianTailBySum(s2.doubleValue(), (long) bound + 1);
      assertTrue(outside <= 0.05, "sigma " + sigma + ": P(|X| > " + bound + ") = " + outside);
    }
    // The previous bound, 1.96 sigma unrounded, read as |X| <= 1.96: at sigma 1 that is |X| <= 1.
    double oldCoverage = 1 - 2 * gaussianTailBySum(1, 2);
    System.out.printf("Gaussian 95%% bound at sigma 1: old 1.96 covers %.3f, new %s covers %.3f%n", oldCoverage,
        Accounting.gaussianErrorBound95(BigFraction.ONE), 1 - 2 * gaussianTailBySum(1, 3));
    assertTrue(oldCoverage < 0.95, "the same check rejects the previous bound: " + oldCoverage);
  }

  @Test
  void laplaceErrorBound95_isTheSmallestCoveringBound() {
    for (double scale : new double[] {0.2, 1, 8, 1234.5}) {
      BigFraction b = Mechanisms.roundedUp(scale);
      double p = Math.exp(-1 / b.doubleValue());
      long bound = (long) Accounting.laplaceErrorBound95(b);
      assertTrue(2 * laplaceTailBySum(p, bound + 1) <= 0.05, "covers: scale " + scale);
      assertTrue(bound == 0 || 2 * laplaceTailBySum(p, bound) > 0.05, "smallest: scale " + scale);
    }
  }

  @Test
  void laplaceScale_isExactForSensitivitiesThatDoublesCannotHold() {
    long l1 = (1L << 53) + 1;
    BigFraction scale = Mechanisms.laplaceScale(l1, 0.3);
    assertTrue(scale.compareTo(new BigFraction(l1).divide(new BigFraction(0.3))) >= 0, "never below l1/epsilon");
  }
}

package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.List;
import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Row-level mechanisms over 100,000 records. The share of truthful answers is binomial: it is
 * accepted within 5 standard deviations of its expectation (false-failure rate about 6e-7); the
 * perturbed numeric mean likewise within 5 standard errors.
 */
@Tag("statistical")
class RandomizedResponseTest {
  static final int N = 100_000;

  static boolean truthfulShareConsistent(double observed, double expected) {
    return Math.abs(observed - expected) <= 5 * Math.sqrt(expected * (1 - expected) / N);
  }

  @Test
  void respond_epsilonLn3TwoValues_keepsThreeQuarters() {
    RandomizedResponse rr = RandomizedResponse.categorical(Math.log(3), List.of("yes", "no"));
    assertEquals(0.75, rr.keepProbability(), 1e-12);
    int truthful = 0;
    for (int i = 0; i < N; i++) {
      truthful += rr.respond("yes").equals("yes") ? 1 : 0;
    }
    assertTrue(truthfulShareConsistent(truthful / (double) N, 0.75));
    // The same check rejects a mechanism claiming 0.75 while keeping 80% (too little randomization).
    assertFalse(truthfulShareConsistent(0.80, 0.75));
  }

  /** ln(q(k − 1)/(1 − q)) in 50-digit arithmetic: the ε the sampler's exact keep probability really gives. */
  static double realEpsilon(RandomizedResponse rr, int k) {
    MathContext mc = new MathContext(50);
    BigDecimal q = rr.keepProbabilityExact().bigDecimalValue(60, BigDecimal.ROUND_HALF_EVEN);
    BigDecimal odds = q.multiply(BigDecimal.valueOf(k - 1)).divide(BigDecimal.ONE.subtract(q), mc);
    // ln of a big decimal: split off powers of two so the double logarithm stays exact enough.
    int shift = odds.toBigInteger().bitLength();
    double mantissa = odds.divide(new BigDecimal(BigInteger.ONE.shiftLeft(Math.max(0, shift - 1))), mc).doubleValue();
    return Math.log(mantissa) + Math.max(0, shift - 1) * Math.log(2);
  }

  @Test
  void keepProbability_highEpsilon_neverRoundsToTheTruthAndStatedEpsilonBoundsTheReal() {
    for (double epsilon : new double[] {0.1, 1, 9, 14, 20, 30}) {
      for (int k : new int[] {2, 5}) {
        RandomizedResponse rr = RandomizedResponse.categorical(epsilon, k == 2 ? List.of("a", "b") : List.of("a", "b", "c", "d", "e"));
        BigFraction keep = rr.keepProbabilityExact();
        assertTrue(keep.compareTo(BigFraction.ONE) < 0, "eps " + epsilon + ": must flip sometimes");
        double real = realEpsilon(rr, k);
        assertTrue(real <= epsilon, "eps " + epsilon + ", k " + k + ": real epsilon " + real + " above the stated one");
        assertTrue(real > epsilon - 1e-6, "eps " + epsilon + ", k " + k + ": needlessly weak, real " + real);
      }
    }
    // At eps 50 with two values the flip probability (2e-22) is below the 2^-64 grid: it still flips.
    RandomizedResponse extreme = RandomizedResponse.categorical(50, List.of("a", "b"));
    assertTrue(extreme.keepProbabilityExact().compareTo(BigFraction.ONE) < 0);
    assertTrue(realEpsilon(extreme, 2) <= 50);
  }

  @Test
  void respond_epsilon9_flipsWithTheRightFrequency() {
    // Flip probability 1/(e^9 + 1) = 1.234e-4; over 2,000,000 answers the flips are binomial with
    // mean 246.8 and sd 15.7: accepted within 5 sd (false-failure rate 6e-7). Rounding the keep
    // probability up on a 10^-6 grid (the previous code) gives 1.23e-4 here, but 0 flips from eps 14.
    RandomizedResponse rr = RandomizedResponse.categorical(9, List.of("yes", "no"));
    int n = 2_000_000;
    int flips = 0;
    for (int i = 0; i < n; i++) {
      flips += rr.respond("yes").equals("no") ? 1 : 0;
    }
    double p = 1 / (Math.exp(9) + 1);
    assertEquals(n * p, flips, 5 * Math.sqrt(n * p * (1 - p)), "flips at epsilon 9");
  }

  @Test
  void respond_otherValues_areUniformAndStayInDomain() {
    RandomizedResponse rr = RandomizedResponse.categorical(0.5, List.of("a", "b", "c", "d"));
    int[] seen = new int[4];
    for (int i = 0; i < N; i++) {
      seen["abcd".indexOf(rr.respond("a"))]++;
    }
    double other = (1 - rr.keepProbability()) / 3;
    for (int v = 1; v < 4; v++) {
      assertTrue(truthfulShareConsistent(seen[v] / (double) N, other), "value " + v + ": " + seen[v]);
    }
  }

  @Test
  void perturb_numeric_isUnbiasedAndClamped() {
    RandomizedResponse noise = RandomizedResponse.numeric(1.0, 0, 10);
    double b = 1000;
    double p = Math.exp(-1 / b);
    double sd = Math.sqrt(2 * p) / (1 - p) / 100;
    double sum = 0;
    for (int i = 0; i < N; i++) {
      sum += noise.perturb(25.0);
    }
    assertEquals(10.0, sum / N, 5 * sd / Math.sqrt(N), "values above the bound are clamped to 10 before noise");
  }
}

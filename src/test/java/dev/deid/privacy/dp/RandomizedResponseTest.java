package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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

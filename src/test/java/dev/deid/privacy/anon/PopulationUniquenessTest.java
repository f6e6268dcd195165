package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.HypergeometricDistribution;
import org.apache.commons.math3.distribution.PascalDistribution;
import org.apache.commons.math3.special.Gamma;
import org.junit.jupiter.api.Test;

/** The population models against their published definitions, evaluated independently on small tables. */
class PopulationUniquenessTest {
  /** 300 sample uniques, 120 pairs, ...: 1,000 records in 527 classes. */
  static final SortedMap<Long, Long> TABLE = new TreeMap<>(Map.of(1L, 300L, 2L, 120L, 3L, 60L, 5L, 30L, 10L, 10L, 25L, 2L));
  static final long N_SAMPLE = 300 + 240 + 180 + 150 + 100 + 50;

  @Test
  void exactlyOneDrawn_isTheHypergeometricProbability() {
    for (int[] c : new int[][] {{70, 1, 7}, {70, 3, 7}, {70, 10, 30}, {1_000_000, 4, 100_000}, {500, 2, 499}}) {
      double expected = new HypergeometricDistribution(c[0], c[1], c[2]).probability(1);
      assertEquals(expected, PopulationUniqueness.exactlyOneDrawn(c[0], c[1], c[2]), 1e-9 * Math.max(expected, 1e-300),
          Arrays.toString(c));
    }
  }

  @Test
  void zayatz_onASmallTable_matchesTheFormulaByHand() {
    // Classes of size 1, 1, 2, 3 in a sample of 7 of 70: h_j = P(exactly 1 of j drawn).
    SortedMap<Long, Long> table = new TreeMap<>(Map.of(1L, 2L, 2L, 1L, 3L, 1L));
    double h1 = 7.0 / 70;
    double h2 = 2 * (7.0 * 63) / (70 * 69); // 2 C(68,6) / C(70,7)
    double h3 = 3 * (7.0 * 63 * 62) / (70 * 69 * 68); // 3 C(67,6) / C(70,7)
    double conditional = 2 * h1 / (2 * h1 + h2 + h3);
    assertEquals(2 * conditional / 0.1, PopulationUniqueness.zayatz(table, 7, 70), 1e-12);
  }

  @Test
  void pitman_solvesTheLikelihoodEquations() {
    double[] p = PopulationUniqueness.pitmanParameters(TABLE, N_SAMPLE);
    assertNotNull(p);
    assertTrue(scoreResidual(TABLE, N_SAMPLE, p[0], p[1]) < 1e-6, "score at the estimate: " + scoreResidual(TABLE, N_SAMPLE, p[0], p[1]));
    assertTrue(scoreResidual(TABLE, N_SAMPLE, p[0] * 1.01, p[1]) > 1e-4, "the check notices a 1 % error in θ");
    assertTrue(scoreResidual(TABLE, N_SAMPLE, p[0], p[1] * 1.01) > 1e-4, "and in α");
    double expectedUniques = Math.exp(Gamma.logGamma(p[0] + 1)
        - Gamma.logGamma(p[0] + p[1])) * Math.pow(1e6, p[1]);
    assertEquals(expectedUniques, PopulationUniqueness.pitman(TABLE, N_SAMPLE, 1_000_000), 1e-9 * expectedUniques);
  }

  /**
   * The largest relative imbalance of Hoshino's two likelihood equations, summed term by term:
   * Σ_{i<u} 1/(θ+iα) = Σ_{i<n} 1/(θ+i) and Σ_{i<u} i/(θ+iα) = Σ_j f_j Σ_{m<j} 1/(m−α).
   */
  static double scoreResidual(SortedMap<Long, Long> table, long n, double theta, double alpha) {
    long u = table.values().stream().mapToLong(Long::longValue).sum();
    double a1 = 0;
    double a2 = 0;
    for (int i = 1; i < u; i++) {
      a1 += 1 / (theta + i * alpha);
      a2 += i / (theta + i * alpha);
    }
    double b1 = 0;
    for (int i = 1; i < n; i++) {
      b1 += 1 / (theta + i);
    }
    double b2 = 0;
    for (Map.Entry<Long, Long> e : table.entrySet()) {
      for (int m = 1; m < e.getKey(); m++) {
        b2 += e.getValue() / (m - alpha);
      }
    }
    return Math.max(Math.abs(a1 - b1) / b1, Math.abs(a2 - b2) / b2);
  }

  @Test
  void snb_expectedSmallClasses_matchTheModelSummedTermByTerm() {
    double k = 1000;
    double pi = 0.2;
    double beta = 0.3;
    PascalDistribution extra = new PascalDistribution(2, beta); // population class size − 1 ~ NB(2, 0.3)
    double ones = 0;
    double twos = 0;
    for (int g = 0; g < 2000; g++) {
      int size = g + 1;
      ones += extra.probability(g) * size * pi * Math.pow(1 - pi, size - 1);
      twos += extra.probability(g) * size * (size - 1) / 2.0 * pi * pi * Math.pow(1 - pi, size - 2);
    }
    double[] closed = PopulationUniqueness.snbExpectedSmallClasses(k, pi, 2, beta);
    assertEquals(k * ones, closed[0], 1e-9 * closed[0]);
    assertEquals(k * twos, closed[1], 1e-9 * closed[1]);
  }

  @Test
  void snb_recoversTheParametersBehindItsExpectations() {
    double k = 1000;
    double[] expected = PopulationUniqueness.snbExpectedSmallClasses(k, 0.2, 2, 0.3);
    double uniques = PopulationUniqueness.snbUniques(k, 0.2, expected[0], expected[1]);
    assertEquals(k * 0.3 * 0.3, uniques, 1e-3 * k * 0.09);
  }

  @Test
  void dankar_choosesPitmanForSmallSamplingFractions() {
    PopulationUniqueness small = PopulationUniqueness.estimate(TABLE, 100 * N_SAMPLE, false);
    assertEquals(PopulationUniqueness.Model.PITMAN, small.dankarModel());
    assertEquals(small.pitman(), small.dankar());
    assertEquals(0.01, small.samplingFraction(), 1e-12);
    assertEquals(300, small.sampleUniques());
  }

  @Test
  void dankar_takesTheSmallerOfZayatzAndSnbForLargeSamplingFractions() {
    PopulationUniqueness large = PopulationUniqueness.estimate(TABLE, 2 * N_SAMPLE, false);
    assertNotNull(large.zayatz());
    double expected = large.snb() == null ? large.zayatz() : Math.min(large.snb(), large.zayatz());
    assertEquals(expected, large.dankar());
    assertTrue(large.dankarModel() == PopulationUniqueness.Model.ZAYATZ || large.dankarModel() == PopulationUniqueness.Model.SNB);
    assertTrue(large.dankar() <= 300 / 0.5, "no more population uniques than sample uniques scaled up");
  }

  @Test
  void edgeCases_noUniques_wholePopulation_populationSmallerThanSample() {
    PopulationUniqueness none = PopulationUniqueness.estimate(Map.of(2L, 10L, 5L, 3L), 1_000_000, true);
    assertEquals(0, none.dankar());
    assertEquals(PopulationUniqueness.Model.NO_SAMPLE_UNIQUES, none.dankarModel());
    PopulationUniqueness whole = PopulationUniqueness.estimate(TABLE, N_SAMPLE, true);
    assertEquals(300, whole.dankar());
    assertEquals(PopulationUniqueness.Model.SAMPLE_IS_POPULATION, whole.dankarModel());
    assertTrue(whole.populationSizeAssumed());
    assertThrows(IllegalArgumentException.class, () -> PopulationUniqueness.estimate(TABLE, N_SAMPLE - 1, false));
  }
}

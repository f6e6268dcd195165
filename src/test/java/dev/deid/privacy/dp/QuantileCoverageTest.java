package dev.deid.privacy.dp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.fraction.BigFraction;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The quantiles' 95 % rank bound holds: over 2,000 noisy medians of one group the share whose rank
 * is within the stated bound of the exact median's bin must be at least 95 %. With a true coverage
 * of at least 95 %, observing below 95 % − 5 sd (sd = √(0.95·0.05/2000) = 0.49 %) has probability
 * below 3e-7. The previous bound (one bin width, in value units) fails the same kind of check.
 */
@Tag("statistical")
class QuantileCoverageTest {
  static final int TRIALS = 2_000;

  @Test
  void rankErrorBound_coversTheExactMedian_whereOneBinDoesNot() {
    long[] histogram = new long[Aggregate.QUANTILE_BINS];
    for (int b = 0; b < histogram.length; b++) {
      histogram[b] = 3 + (b % 7); // 1,536 rows spread over every bin
    }
    long n = Arrays.stream(histogram).sum();
    long target = (long) Math.floor(0.5 * n);
    int m = 2;
    double epsilon = 0.05;
    Aggregate a = new Aggregate(Aggregate.Kind.QUANTILES, "x", 0, 256, List.of(0.5));
    NoisyRelease.Plan plan = new NoisyRelease.Plan(List.of(a), new ContributionBounds(1, m), epsilon, 0,
        NoisyRelease.Noise.LAPLACE, true);
    GroupStatistics group = new GroupStatistics(List.of("g"), n, n, new long[0], new long[][] {histogram});
    Mechanisms seeded = new DiscreteMechanisms(new DiscreteNoise(new SeededRandomSource(11)));
    // Ranks at bin edges, and the edges of the bin holding the exact median.
    long[] rankAtEdge = new long[histogram.length + 1];
    for (int e = 1; e <= histogram.length; e++) {
      rankAtEdge[e] = rankAtEdge[e - 1] + histogram[e - 1];
    }
    int below = 0;
    while (rankAtEdge[below + 1] <= target) {
      below++;
    }
    double exactMedian = below + (target - rankAtEdge[below]) / (double) histogram[below];
    int covered = 0;
    int withinOneBin = 0;
    double rankBound = 0;
    for (int t = 0; t < TRIALS; t++) {
      NoisyRelease.Statistic s = NoisyRelease.release(List.of(group), plan, seeded).get(0).statistics().get("p50_x");
      rankBound = s.errorBound95();
      int edge = (int) Math.round(s.value());
      long rank = rankAtEdge[edge];
      if (rank >= rankAtEdge[below] - rankBound && rank <= rankAtEdge[below + 1] + rankBound) {
        covered++;
      }
      if (Math.abs(s.value() - exactMedian) <= 1) {
        withinOneBin++;
      }
    }
    double sd = Math.sqrt(0.95 * 0.05 / TRIALS);
    System.out.printf("median rank bound %.0f rows: covers %.4f; one bin covers %.4f%n", rankBound,
        covered / (double) TRIALS, withinOneBin / (double) TRIALS);
    assertTrue(covered / (double) TRIALS >= 0.95 - 5 * sd, "coverage " + covered / (double) TRIALS);
    assertFalse(withinOneBin / (double) TRIALS >= 0.95 - 5 * sd, "the same check rejects a one-bin bound");
    BigFraction scale = Mechanisms.laplaceScale(2L * m, epsilon);
    assertTrue(rankBound == Accounting.rankErrorBound95(histogram.length + 1, scale));
  }
}

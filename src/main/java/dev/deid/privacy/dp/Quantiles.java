package dev.deid.privacy.dp;

/**
 * A differentially private quantile over a bounded range: the range is cut into bins and a bin
 * edge is chosen by report-noisy-max, each edge scored by -|rank(edge) - floor(q·n)| plus discrete
 * Laplace noise of scale 2·sensitivity/ε, which is ε-differentially private (report-noisy-max for
 * scores of sensitivity Δ that need not move together needs scale 2Δ/ε). One unit's m rows move
 * every rank and the floored target each by between 0 and m, in the same direction, so a score
 * moves by at most m: the sensitivity is the rows one unit may have in the group. (A rounded
 * target could move by m + 1.)
 */
final class Quantiles {
  private Quantiles() {}

  static double select(long[] histogram, double q, double lower, double upper, int sensitivity, double epsilon,
      Mechanisms mechanisms) {
    long n = 0;
    for (long c : histogram) {
      n += c;
    }
    Mechanism noise = mechanisms.laplace(2L * sensitivity, epsilon);
    long target = (long) Math.floor(q * n);
    long rank = 0;
    long bestScore = Long.MIN_VALUE;
    int bestEdge = 0;
    for (int edge = 0; edge <= histogram.length; edge++) {
      long score = noise.noised(-Math.abs(rank - target));
      if (score > bestScore) {
        bestScore = score;
        bestEdge = edge;
      }
      if (edge < histogram.length) {
        rank += histogram[edge];
      }
    }
    return lower + (upper - lower) * bestEdge / histogram.length;
  }
}

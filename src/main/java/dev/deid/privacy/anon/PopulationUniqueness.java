package dev.deid.privacy.anon;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.analysis.MultivariateFunction;
import org.apache.commons.math3.exception.TooManyEvaluationsException;
import org.apache.commons.math3.optim.InitialGuess;
import org.apache.commons.math3.optim.MaxEval;
import org.apache.commons.math3.optim.PointValuePair;
import org.apache.commons.math3.optim.nonlinear.scalar.GoalType;
import org.apache.commons.math3.optim.nonlinear.scalar.ObjectiveFunction;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.NelderMeadSimplex;
import org.apache.commons.math3.optim.nonlinear.scalar.noderiv.SimplexOptimizer;
import org.apache.commons.math3.special.Gamma;

/**
 * How many records of the population are unique on the quasi-identifiers, estimated from the
 * sample's class sizes: the models ARX offers (Zayatz 1991; Pitman's sampling formula, Hoshino
 * 2001; the slide negative binomial, Chen and Keller-McNulty 1998) and the decision rule of Dankar
 * et al. (2012) that chooses among them by sampling fraction. Each estimate is a count of
 * population uniques; {@code null} where a model does not apply to the data (no solution, or a
 * result outside [0, population]). With no sample unique every estimate is 0; when the sample is
 * the whole population they equal the sample uniques.
 */
public record PopulationUniqueness(
    long populationSize, boolean populationSizeAssumed, double samplingFraction, long sampleUniques,
    Double zayatz, Double pitman, Double snb, Model dankarModel, double dankar) {

  public enum Model { ZAYATZ, PITMAN, SNB, SAMPLE_IS_POPULATION, NO_SAMPLE_UNIQUES }

  /** Dankar et al.'s threshold: Pitman's model below it, Zayatz's or SNB's above. */
  public static final double SMALL_SAMPLING_FRACTION = 0.1;

  /** The estimated fraction of the population that is unique (Dankar's rule). */
  public double populationUniquesFraction() {
    return dankar / populationSize;
  }

  /**
   * {@code classSizes} maps each class size in the sample to how many classes have it; the
   * population must be at least as large as the sample.
   */
  public static PopulationUniqueness estimate(Map<Long, Long> classSizes, long populationSize, boolean assumed) {
    SortedMap<Long, Long> frequencies = new TreeMap<>(classSizes);
    frequencies.values().removeIf(count -> count == 0);
    long n = 0;
    for (Map.Entry<Long, Long> e : frequencies.entrySet()) {
      n += e.getKey() * e.getValue();
    }
    if (populationSize < n) {
      throw new IllegalArgumentException("The population (" + populationSize + ") is smaller than the sample (" + n + ")");
    }
    long uniques = frequencies.getOrDefault(1L, 0L);
    double fraction = n == 0 ? 1 : (double) n / populationSize;
    if (uniques == 0) {
      return new PopulationUniqueness(populationSize, assumed, fraction, 0, 0.0, 0.0, 0.0, Model.NO_SAMPLE_UNIQUES, 0);
    }
    if (n == populationSize) {
      double exact = uniques;
      return new PopulationUniqueness(populationSize, assumed, 1, uniques, exact, exact, exact, Model.SAMPLE_IS_POPULATION,
          exact);
    }
    Double zayatz = valid(zayatz(frequencies, n, populationSize), populationSize);
    Double pitman = valid(pitman(frequencies, n, populationSize), populationSize);
    Double snb = valid(snb(frequencies, n, populationSize), populationSize);
    Model model;
    double chosen;
    if (fraction <= SMALL_SAMPLING_FRACTION && pitman != null) {
      model = Model.PITMAN;
      chosen = pitman;
    } else if (fraction > SMALL_SAMPLING_FRACTION && snb != null && (zayatz == null || snb <= zayatz)) {
      model = Model.SNB;
      chosen = snb;
    } else {
      model = Model.ZAYATZ;
      chosen = zayatz == null ? Double.NaN : zayatz; // Zayatz's estimate is never above N: f1 / π ≤ n / π
    }
    return new PopulationUniqueness(populationSize, assumed, fraction, uniques, zayatz, pitman, snb, model, chosen);
  }

  private static Double valid(double estimate, long populationSize) {
    return Double.isFinite(estimate) && estimate >= 0 && estimate <= populationSize ? estimate : null;
  }

  /**
   * Zayatz: the sample's class-size distribution stands in for the population's; a sample unique
   * is a population unique with the probability that a class of size 1, rather than one of any
   * other size, yields exactly one record in a sample of n out of N (hypergeometric).
   */
  static double zayatz(SortedMap<Long, Long> frequencies, long n, long populationSize) {
    double weighted = 0;
    for (Map.Entry<Long, Long> e : frequencies.entrySet()) {
      weighted += e.getValue() * exactlyOneDrawn(populationSize, e.getKey(), n);
    }
    double samplingFraction = (double) n / populationSize;
    double uniques = frequencies.get(1L);
    double conditional = uniques * samplingFraction / weighted;
    return uniques * conditional / samplingFraction;
  }

  /** P(exactly one of a class of {@code size} among {@code n} drawn without replacement from {@code population}). */
  static double exactlyOneDrawn(long population, long size, long n) {
    if (size > population || n - 1 > population - size) {
      return 0;
    }
    return Math.exp(Math.log(size) + logChoose(population - size, n - 1) - logChoose(population, n));
  }

  private static double logChoose(long a, long b) {
    return Gamma.logGamma(a + 1.0) - Gamma.logGamma(b + 1.0) - Gamma.logGamma(a - b + 1.0);
  }

  /**
   * Pitman: the maximum-likelihood (θ, α) of Pitman's sampling formula for the observed class
   * sizes, then Γ(θ+1) / Γ(θ+α) · N^α population uniques.
   */
  static double pitman(SortedMap<Long, Long> frequencies, long n, long populationSize) {
    double[] parameters = pitmanParameters(frequencies, n);
    if (parameters == null) {
      return Double.NaN;
    }
    double theta = parameters[0];
    double alpha = parameters[1];
    return Math.exp(Gamma.logGamma(theta + 1) - Gamma.logGamma(theta + alpha) + alpha * Math.log(populationSize));
  }

  /** (θ, α) maximizing the Pitman log-likelihood, or null when the optimum lies on the boundary α = 0. */
  static double[] pitmanParameters(SortedMap<Long, Long> frequencies, long n) {
    long classes = frequencies.values().stream().mapToLong(Long::longValue).sum();
    ToDoubleFunction<double[]> logLikelihood = p -> pitmanLogLikelihood(frequencies, classes, n, p[0], p[1]);
    // θ = exp(x), α = logistic(y): the search space is unconstrained and the model's always valid.
    MultivariateFunction objective = x -> logLikelihood.applyAsDouble(new double[] {Math.exp(x[0]), logistic(x[1])});
    double[] best = maximize(objective, new double[] {Math.log(Math.max(1, classes / 10.0)), 0});
    if (best == null) {
      return null;
    }
    double alpha = logistic(best[1]);
    return alpha < 1e-6 ? null : new double[] {Math.exp(best[0]), alpha};
  }

  /**
   * log L(θ, α) up to a constant: Σ_{i<u} log(θ + iα) − Σ_{i<n} log(θ + i) + Σ_j f_j Σ_{m<j} log(m − α),
   * in closed form with log Γ.
   */
  static double pitmanLogLikelihood(SortedMap<Long, Long> frequencies, long classes, long n, double theta, double alpha) {
    double value = (classes - 1) * Math.log(alpha) + Gamma.logGamma(theta / alpha + classes) - Gamma.logGamma(theta / alpha + 1)
        - Gamma.logGamma(theta + n) + Gamma.logGamma(theta + 1);
    double logGammaOneMinusAlpha = Gamma.logGamma(1 - alpha);
    for (Map.Entry<Long, Long> e : frequencies.entrySet()) {
      if (e.getKey() > 1) {
        value += e.getValue() * (Gamma.logGamma(e.getKey() - alpha) - logGammaOneMinusAlpha);
      }
    }
    return value;
  }

  /**
   * SNB: population class sizes are 1 plus a negative binomial (α, β) over K classes (K by
   * Shlosser's estimator), sampled binomially; (α, β) match the expected numbers of sample classes
   * of size 1 and 2 to the observed ones, and the population has K · β^α uniques.
   */
  static double snb(SortedMap<Long, Long> frequencies, long n, long populationSize) {
    double pi = (double) n / populationSize;
    double populationClasses = shlosser(frequencies, pi);
    return snbUniques(populationClasses, pi, frequencies.getOrDefault(1L, 0L), frequencies.getOrDefault(2L, 0L));
  }

  static double snbUniques(double populationClasses, double pi, double uniques, double pairs) {
    if (uniques == 0 || pairs == 0) {
      return Double.NaN;
    }
    MultivariateFunction misfit = x -> {
      double[] expected = snbExpectedSmallClasses(populationClasses, pi, Math.exp(x[0]), logistic(x[1]));
      double e1 = expected[0] / uniques - 1;
      double e2 = expected[1] / pairs - 1;
      return -(e1 * e1 + e2 * e2);
    };
    double[] best = maximize(misfit, new double[] {0, 0});
    if (best == null || -misfit.value(best) > 1e-8) {
      return Double.NaN;
    }
    return populationClasses * Math.pow(logistic(best[1]), Math.exp(best[0]));
  }

  /**
   * The expected numbers of sample classes of size 1 and 2 under SNB(α, β) with K population
   * classes and sampling fraction π; with d = (1 − π)(1 − β):
   * K π (β / (1 − d))^α (1 + α d / (1 − d)) and K π²/2 · α (1 − β) β^α (2 − (1 − α) d) / (1 − d)^(α + 2).
   */
  static double[] snbExpectedSmallClasses(double populationClasses, double pi, double alpha, double beta) {
    double d = (1 - pi) * (1 - beta);
    double ones = populationClasses * pi * Math.pow(beta / (1 - d), alpha) * (1 + alpha * d / (1 - d));
    double twos = populationClasses * pi * pi / 2 * alpha * (1 - beta) * Math.pow(beta, alpha) * (2 - (1 - alpha) * d)
        / Math.pow(1 - d, alpha + 2);
    return new double[] {ones, twos};
  }

  /** Shlosser's estimate of the number of classes in the population (Haas et al. 1995). */
  static double shlosser(SortedMap<Long, Long> frequencies, double pi) {
    double classes = 0;
    double numerator = 0;
    double denominator = 0;
    for (Map.Entry<Long, Long> e : frequencies.entrySet()) {
      long size = e.getKey();
      classes += e.getValue();
      numerator += Math.pow(1 - pi, size) * e.getValue();
      denominator += size * pi * Math.pow(1 - pi, size - 1) * e.getValue();
    }
    return classes + frequencies.getOrDefault(1L, 0L) * numerator / denominator;
  }

  private static double[] maximize(MultivariateFunction objective, double[] start) {
    try {
      PointValuePair best = new SimplexOptimizer(1e-14, 1e-14).optimize(new MaxEval(20_000), new ObjectiveFunction(objective),
          GoalType.MAXIMIZE, new InitialGuess(start), new NelderMeadSimplex(2, 1.0));
      // A restart from the optimum found guards against Nelder-Mead stalling on a ridge.
      best = new SimplexOptimizer(1e-14, 1e-14).optimize(new MaxEval(20_000), new ObjectiveFunction(objective),
          GoalType.MAXIMIZE, new InitialGuess(best.getPoint()), new NelderMeadSimplex(2, 0.1));
      return Double.isFinite(best.getValue()) ? best.getPoint() : null;
    } catch (TooManyEvaluationsException e) {
      return null;
    }
  }

  private static double logistic(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}

package dev.deid.privacy.dp;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * The production mechanisms: discrete Laplace and discrete Gaussian noise. Package-private, like
 * {@link DiscreteNoise}'s constructor, so that outside this package noise can only come from
 * {@link Mechanisms#secure()}; tests in this package may seed it.
 */
final class DiscreteMechanisms implements Mechanisms {
  private final DiscreteNoise noise;

  DiscreteMechanisms(DiscreteNoise noise) {
    this.noise = noise;
  }

  @Override
  public Mechanism laplace(long l1, double epsilon) {
    check(epsilon, l1);
    BigFraction scale = Mechanisms.roundedUp(l1 / epsilon);
    double b = scale.doubleValue();
    // Discrete Laplace with parameter p = exp(-1/b): variance 2p / (1-p)^2; its tail
    // P(|X| >= x) = 2 p^x / (1 + p), so the 95% bound is the smallest x with that <= 0.05.
    double p = Math.exp(-1 / b);
    double sd = Math.sqrt(2 * p) / (1 - p);
    double bound = Math.ceil(Math.log(0.05 * (1 + p) / 2) / Math.log(p));
    return new Mechanisms.Fixed(epsilon, 0, l1, sd, Math.max(0, bound), "discrete Laplace, scale " + scale.doubleValue()) {
      @Override
      public long noised(long trueValue) {
        return Math.addExact(trueValue, noise.laplace(scale));
      }
    };
  }

  @Override
  public Mechanism gaussian(double l2, double epsilon, double delta) {
    check(epsilon, l2);
    if (!(delta > 0 && delta < 1)) {
      throw new IllegalArgumentException("Invalid delta: " + delta + " (must be in (0, 1) for Gaussian noise)");
    }
    BigFraction sigmaSquared = Mechanisms.roundedUp(l2 * l2 / (2 * Mechanisms.rho(epsilon, delta)));
    double sigma = Math.sqrt(sigmaSquared.doubleValue());
    // The discrete Gaussian's variance is at most σ² (CKS 2020, Cor. 9); its tails are
    // sub-Gaussian with parameter σ, so the normal quantile bounds the 95% interval.
    double bound = new NormalDistribution(0, sigma).inverseCumulativeProbability(0.975);
    return new Mechanisms.Fixed(epsilon, delta, l2, sigma, bound, "discrete Gaussian, sigma " + sigma) {
      @Override
      public long noised(long trueValue) {
        return Math.addExact(trueValue, noise.gaussian(sigmaSquared));
      }
    };
  }

  private static void check(double epsilon, double sensitivity) {
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException("Invalid epsilon: " + epsilon + " (must be a positive finite number)");
    }
    if (!(sensitivity > 0)) {
      throw new IllegalArgumentException("Invalid sensitivity: " + sensitivity + " (must be positive)");
    }
  }
}

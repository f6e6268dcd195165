package dev.deid.privacy.dp;

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
    check("epsilon", epsilon, l1);
    BigFraction scale = Mechanisms.laplaceScale(l1, epsilon);
    double p = Math.exp(-1 / scale.doubleValue());
    double sd = Math.sqrt(2 * p) / (1 - p);
    return new Mechanisms.Fixed("epsilon " + epsilon, l1, sd, Accounting.laplaceErrorBound95(scale),
        "discrete Laplace, scale " + scale.doubleValue()) {
      @Override
      public long noised(long trueValue) {
        return Math.addExact(trueValue, noise.laplace(scale));
      }
    };
  }

  @Override
  public Mechanism gaussian(double l2, double rho) {
    check("rho", rho, l2);
    BigFraction sigmaSquared = Mechanisms.gaussianSigmaSquared(l2, rho);
    double sigma = Math.sqrt(sigmaSquared.doubleValue());
    // The discrete Gaussian's variance is at most σ² (CKS 2020, Cor. 9).
    return new Mechanisms.Fixed("rho " + rho, l2, sigma, Accounting.gaussianErrorBound95(sigmaSquared),
        "discrete Gaussian, sigma " + sigma) {
      @Override
      public long noised(long trueValue) {
        return Math.addExact(trueValue, noise.gaussian(sigmaSquared));
      }
    };
  }

  private static void check(String name, double parameter, double sensitivity) {
    if (!(parameter > 0) || Double.isInfinite(parameter)) {
      throw new IllegalArgumentException("Invalid " + name + ": " + parameter + " (must be a positive finite number)");
    }
    if (!(sensitivity > 0) || Double.isInfinite(sensitivity)) {
      throw new IllegalArgumentException("Invalid sensitivity: " + sensitivity + " (must be positive and finite)");
    }
  }
}

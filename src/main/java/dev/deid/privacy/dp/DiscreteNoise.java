package dev.deid.privacy.dp;

import java.math.BigInteger;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Exact samplers of the discrete Laplace and discrete Gaussian distributions on the integers, after
 * Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020).
 * Every step is integer or exact rational arithmetic ({@link BigFraction}), driven by uniform
 * integers: there is no floating-point sampling whose low-order bits could reveal the true value
 * (the weakness of the textbook floating-point Laplace mechanism, Mironov 2012).
 */
public final class DiscreteNoise {
  private final RandomSource random;

  /** Package-private: production noise comes only from {@link Mechanisms#secure()}. */
  DiscreteNoise(RandomSource random) {
    this.random = random;
  }

  /** Bernoulli(p) for a rational p in [0, 1]. */
  boolean bernoulli(BigFraction p) {
    return random.below(p.getDenominator()).compareTo(p.getNumerator()) < 0;
  }

  /** Bernoulli(exp(-gamma)) for a rational gamma >= 0. */
  boolean bernoulliExpMinus(BigFraction gamma) {
    BigFraction g = gamma;
    while (g.compareTo(BigFraction.ONE) > 0) {
      if (!bernoulliExpMinusAtMostOne(BigFraction.ONE)) {
        return false;
      }
      g = g.subtract(BigFraction.ONE);
    }
    return bernoulliExpMinusAtMostOne(g);
  }

  private boolean bernoulliExpMinusAtMostOne(BigFraction gamma) {
    long k = 1;
    while (bernoulli(gamma.divide(k))) {
      k++;
    }
    return k % 2 == 1;
  }

  /**
   * The discrete Laplace distribution with scale {@code scale} (> 0, rational): P(x) ∝ exp(-|x| / scale).
   * Adding it to an integer query of L1 sensitivity Δ with scale = Δ/ε gives ε-differential privacy.
   */
  public long laplace(BigFraction scale) {
    BigInteger t = scale.getNumerator();
    BigInteger s = scale.getDenominator();
    BigFraction tFraction = new BigFraction(t);
    while (true) {
      BigInteger u = random.below(t);
      if (!bernoulliExpMinus(new BigFraction(u).divide(tFraction))) {
        continue;
      }
      long v = 0;
      while (bernoulliExpMinus(BigFraction.ONE)) {
        v++;
      }
      BigInteger x = u.add(t.multiply(BigInteger.valueOf(v)));
      long y = x.divide(s).longValueExact();
      boolean negative = random.below(2) == 1;
      if (negative && y == 0) {
        continue;
      }
      return negative ? -y : y;
    }
  }

  /**
   * The discrete Gaussian with variance parameter {@code sigmaSquared} (> 0, rational):
   * P(x) ∝ exp(-x² / (2σ²)), by rejection from a discrete Laplace of scale floor(σ) + 1.
   */
  public long gaussian(BigFraction sigmaSquared) {
    long t = (long) Math.floor(Math.sqrt(sigmaSquared.doubleValue())) + 1;
    // t must satisfy t > σ exactly; correct the floating-point square root if needed.
    while (new BigFraction(t * t).compareTo(sigmaSquared) <= 0) {
      t++;
    }
    BigFraction tFraction = new BigFraction(t);
    BigFraction twoSigmaSquared = sigmaSquared.multiply(2);
    BigFraction sigmaSquaredOverT = sigmaSquared.divide(tFraction);
    while (true) {
      long y = laplace(tFraction);
      BigFraction distance = new BigFraction(Math.abs(y)).subtract(sigmaSquaredOverT);
      if (bernoulliExpMinus(distance.multiply(distance).divide(twoSigmaSquared))) {
        return y;
      }
    }
  }
}

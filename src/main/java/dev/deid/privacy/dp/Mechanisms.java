package dev.deid.privacy.dp;

import java.math.BigInteger;
import java.math.RoundingMode;
import java.math.BigDecimal;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Creates calibrated mechanisms. Production code uses {@link #secure()}, whose noise comes from
 * {@link java.security.SecureRandom}; tests replace the whole factory (for example with a
 * zero-noise fake that records the requested epsilon and sensitivity) or seed the randomness.
 */
public interface Mechanisms {
  /** Discrete Laplace noise for a query of L1 sensitivity {@code l1}: ε-differential privacy. */
  Mechanism laplace(long l1, double epsilon);

  /** Discrete Gaussian noise for a query of L2 sensitivity {@code l2}: (ε, δ)-differential privacy. */
  Mechanism gaussian(double l2, double epsilon, double delta);

  static Mechanisms secure() {
    return new Discrete(new DiscreteNoise(RandomSource.secure()));
  }

  /** For tests only: the same samplers on a caller-chosen random source. */
  static Mechanisms withRandomSource(RandomSource random) {
    return new Discrete(new DiscreteNoise(random));
  }

  /**
   * A rational approximation of {@code value} rounded up, with a fixed denominator: scales are
   * rounded up so the noise is never smaller than the calibration asks for.
   */
  static BigFraction roundedUp(double value) {
    BigDecimal scaled = new BigDecimal(value).multiply(BigDecimal.valueOf(1_000_000)).setScale(0, RoundingMode.CEILING);
    return new BigFraction(scaled.toBigIntegerExact(), BigInteger.valueOf(1_000_000));
  }

  /**
   * The zCDP parameter ρ whose (ε, δ) guarantee (Bun and Steinke 2016: ρ + 2√(ρ ln(1/δ)) ≤ ε) meets
   * the requested ε and δ; the discrete Gaussian with σ² = Δ²/(2ρ) is ρ-zCDP (Canonne, Kamath, Steinke 2020).
   */
  static double rho(double epsilon, double delta) {
    double log = Math.log(1 / delta);
    double root = Math.sqrt(log + epsilon) - Math.sqrt(log);
    return root * root;
  }

  final class Discrete implements Mechanisms {
    private final DiscreteNoise noise;

    Discrete(DiscreteNoise noise) {
      this.noise = noise;
    }

    @Override
    public Mechanism laplace(long l1, double epsilon) {
      check(epsilon, l1);
      BigFraction scale = roundedUp(l1 / epsilon);
      double b = scale.doubleValue();
      // Discrete Laplace with parameter p = exp(-1/b): variance 2p / (1-p)^2; its tail
      // P(|X| >= x) = 2 p^x / (1 + p), so the 95% bound is the smallest x with that <= 0.05.
      double p = Math.exp(-1 / b);
      double sd = Math.sqrt(2 * p) / (1 - p);
      double bound = Math.ceil(Math.log(0.05 * (1 + p) / 2) / Math.log(p));
      return new Fixed(epsilon, 0, l1, sd, Math.max(0, bound), "discrete Laplace, scale " + scale.doubleValue()) {
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
      BigFraction sigmaSquared = roundedUp(l2 * l2 / (2 * rho(epsilon, delta)));
      double sigma = Math.sqrt(sigmaSquared.doubleValue());
      // The discrete Gaussian's variance is at most σ² (CKS 2020, Cor. 9); its tails are
      // sub-Gaussian with parameter σ, so the normal quantile bounds the 95% interval.
      double bound = new NormalDistribution(0, sigma).inverseCumulativeProbability(0.975);
      return new Fixed(epsilon, delta, l2, sigma, bound, "discrete Gaussian, sigma " + sigma) {
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

  /** A mechanism whose parameters are fixed at construction. */
  abstract class Fixed implements Mechanism {
    private final double epsilon;
    private final double delta;
    private final double sensitivity;
    private final double sd;
    private final double bound;
    private final String description;

    protected Fixed(double epsilon, double delta, double sensitivity, double sd, double bound, String description) {
      this.epsilon = epsilon;
      this.delta = delta;
      this.sensitivity = sensitivity;
      this.sd = sd;
      this.bound = bound;
      this.description = description;
    }

    public double standardDeviation() {
      return sd;
    }

    public double errorBound95() {
      return bound;
    }

    public double epsilon() {
      return epsilon;
    }

    public double delta() {
      return delta;
    }

    public double sensitivity() {
      return sensitivity;
    }

    public String describe() {
      return description;
    }
  }
}

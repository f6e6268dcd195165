package dev.deid.privacy.dp;

import java.math.BigInteger;
import java.math.RoundingMode;
import java.math.BigDecimal;
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
    return new DiscreteMechanisms(new DiscreteNoise(RandomSource.secure()));
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

package dev.deid.privacy.dp;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Creates calibrated mechanisms. Production code uses {@link #secure()}, whose noise comes from
 * {@link java.security.SecureRandom}; tests replace the whole factory (for example with a
 * zero-noise fake that records the requested budget and sensitivity) or seed the randomness.
 */
public interface Mechanisms {
  /** Discrete Laplace noise for a query of L1 sensitivity {@code l1}: ε-differential privacy. */
  Mechanism laplace(long l1, double epsilon);

  /**
   * Discrete Gaussian noise for an integer-valued query of L2 sensitivity {@code l2}: ρ-zCDP
   * (Canonne, Kamath, Steinke 2020: for integer shifts the Rényi divergences of independent
   * coordinates add up to α·Δ₂²/(2σ²)). Budgets in ρ compose by addition; {@link Accounting}
   * converts a release's (ε, δ) into ρ.
   */
  Mechanism gaussian(double l2, double rho);

  static Mechanisms secure() {
    return new DiscreteMechanisms(new DiscreteNoise(RandomSource.secure()));
  }

  /** The discrete Laplace scale for sensitivity {@code l1} and ε, exactly l1/ε rounded up on a 10⁻⁶ grid. */
  static BigFraction laplaceScale(long l1, double epsilon) {
    return roundedUp(new BigFraction(l1).divide(new BigFraction(epsilon)));
  }

  /** The discrete Gaussian's σ² for L2 sensitivity {@code l2} and ρ: Δ₂²/(2ρ), rounded up. */
  static BigFraction gaussianSigmaSquared(double l2, double rho) {
    return roundedUp(new BigFraction(l2).multiply(new BigFraction(l2)).divide(new BigFraction(rho).multiply(2)));
  }

  /**
   * {@code value} rounded up on a 10⁻⁶ grid: scales are rounded up so the noise is never smaller
   * than the calibration asks for.
   */
  static BigFraction roundedUp(BigFraction value) {
    BigDecimal scaled = new BigDecimal(value.getNumerator()).multiply(BigDecimal.valueOf(1_000_000))
        .divide(new BigDecimal(value.getDenominator()), 0, RoundingMode.CEILING);
    return new BigFraction(scaled.toBigIntegerExact(), BigInteger.valueOf(1_000_000));
  }

  static BigFraction roundedUp(double value) {
    return roundedUp(new BigFraction(value));
  }

  /** A mechanism whose parameters are fixed at construction. */
  abstract class Fixed implements Mechanism {
    private final String budget;
    private final double sensitivity;
    private final double sd;
    private final double bound;
    private final String description;

    protected Fixed(String budget, double sensitivity, double sd, double bound, String description) {
      this.budget = budget;
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

    public String budget() {
      return budget;
    }

    public double sensitivity() {
      return sensitivity;
    }

    public String describe() {
      return description;
    }
  }
}

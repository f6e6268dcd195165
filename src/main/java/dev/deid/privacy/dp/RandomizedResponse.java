package dev.deid.privacy.dp;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import org.apache.commons.math3.fraction.BigFraction;

/**
 * Row-level (local) differential privacy for minimized tables, one record at a time: k-ary
 * randomized response for a categorical value over a declared public domain (the true value is
 * kept with probability e^ε / (e^ε + k − 1), otherwise one of the other k − 1 values is reported
 * uniformly), and clamped numeric values with discrete Laplace noise of scale (upper − lower)/ε in
 * fixed point. Each record then enjoys ε-local differential privacy for that column.
 *
 * <p>Serializable for use in Spark UDFs; each copy draws from its own {@link java.security.SecureRandom}.
 */
public final class RandomizedResponse implements Serializable {
  private static final long serialVersionUID = 1L;
  private final double epsilon;
  private final List<String> domain;
  private final double lower;
  private final double upper;
  private transient DiscreteNoise noise;
  private transient RandomSource random;
  private transient BigFraction keep;

  private RandomizedResponse(double epsilon, List<String> domain, double lower, double upper) {
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("Invalid epsilon: " + epsilon + " (must be positive)");
    }
    this.epsilon = epsilon;
    this.domain = domain == null ? null : List.copyOf(domain);
    this.lower = lower;
    this.upper = upper;
  }

  public static RandomizedResponse categorical(double epsilon, List<String> domain) {
    if (domain.size() < 2) {
      throw new IllegalArgumentException("Invalid domain: " + domain.size() + " values (randomized response needs at least 2)");
    }
    return new RandomizedResponse(epsilon, domain, 0, 0);
  }

  public static RandomizedResponse numeric(double epsilon, double lower, double upper) {
    return new RandomizedResponse(epsilon, null, lower, upper);
  }

  public double epsilon() {
    return epsilon;
  }

  /** Probability that randomized response reports the true value (the exact rational the sampler uses). */
  public double keepProbability() {
    return keepProbabilityExact().doubleValue();
  }

  /**
   * e^ε / (e^ε + k − 1) rounded down to a multiple of 2^-64, from a lower bound of e^ε: the true
   * value's probability is never above what ε allows, so the stated ε is an upper bound on the
   * real one (ln(q(k − 1)/(1 − q)) ≤ ε), and below 1 even at ε = 50 with two values.
   */
  BigFraction keepProbabilityExact() {
    double expLower = Math.nextDown(Math.nextDown(Math.exp(epsilon))); // Math.exp is within 1 ulp
    BigDecimal e = new BigDecimal(expLower);
    BigDecimal q = e.divide(e.add(BigDecimal.valueOf(domain.size() - 1L)),
        new MathContext(40, RoundingMode.FLOOR));
    BigInteger numerator = q.multiply(new BigDecimal(KEEP_DENOMINATOR))
        .setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
    return new BigFraction(numerator, KEEP_DENOMINATOR);
  }

  private static final BigInteger KEEP_DENOMINATOR = BigInteger.ONE.shiftLeft(64);

  private RandomSource random() {
    if (random == null) {
      random = RandomSource.secure();
      noise = new DiscreteNoise(random);
    }
    return random;
  }

  /** The reported category; a value outside the domain is treated as a random domain value. */
  public synchronized String respond(String value) {
    RandomSource r = random();
    int k = domain.size();
    int index = value == null ? -1 : domain.indexOf(value);
    if (index < 0) {
      return domain.get((int) r.below(k));
    }
    if (keep == null) {
      keep = keepProbabilityExact();
    }
    if (r.below(keep.getDenominator()).compareTo(keep.getNumerator()) < 0) {
      return value;
    }
    int other = (int) r.below(k - 1);
    return domain.get(other >= index ? other + 1 : other);
  }

  /** The clamped value plus discrete Laplace noise of scale (upper − lower)/ε, in steps of 0.01. */
  public synchronized Double perturb(Double value) {
    random();
    double clamped = value == null ? lower : Math.min(upper, Math.max(lower, value));
    long fixed = Math.round(clamped * Aggregate.FIXED_POINT);
    long sensitivity = (long) Math.ceil((upper - lower) * Aggregate.FIXED_POINT);
    BigFraction scale = Mechanisms.laplaceScale(sensitivity, epsilon);
    return (fixed + noise.laplace(scale)) / (double) Aggregate.FIXED_POINT;
  }
}

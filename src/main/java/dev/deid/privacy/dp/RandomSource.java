package dev.deid.privacy.dp;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Uniform random integers for the exact noise samplers. Production code gets only
 * {@link #secure()}; a seeded, predictable source exists only in the test tree
 * ({@code SeededRandomSource}), and only code of this package can hand a source to the samplers,
 * so a release can never be noised with guessable randomness.
 */
public interface RandomSource {
  /** A uniform integer in [0, bound). */
  BigInteger below(BigInteger bound);

  /** A uniform long in [0, bound). */
  long below(long bound);

  static RandomSource secure() {
    return new Secure(new SecureRandom());
  }

  /** Backed by {@link SecureRandom}; rejection sampling keeps every draw exactly uniform. */
  final class Secure implements RandomSource {
    private final SecureRandom random;

    Secure(SecureRandom random) {
      this.random = random;
    }

    @Override
    public BigInteger below(BigInteger bound) {
      int bits = bound.bitLength();
      BigInteger r;
      do {
        r = new BigInteger(bits, random);
      } while (r.compareTo(bound) >= 0);
      return r;
    }

    @Override
    public long below(long bound) {
      long bits;
      long value;
      do {
        bits = random.nextLong() >>> 1;
        value = bits % bound;
      } while (bits - value + (bound - 1) < 0);
      return value;
    }
  }
}

package dev.deid.privacy.dp;

import java.math.BigInteger;
import java.util.SplittableRandom;

/** Test-only: a predictable random source, so a failing statistical case can be replayed. */
final class SeededRandomSource implements RandomSource {
  private final SplittableRandom random;

  SeededRandomSource(long seed) {
    this.random = new SplittableRandom(seed);
  }

  @Override
  public BigInteger below(BigInteger bound) {
    int bits = bound.bitLength();
    BigInteger r;
    do {
      byte[] bytes = new byte[(bits + 8) / 8];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) random.nextInt(256);
      }
      r = new BigInteger(1, bytes).shiftRight(bytes.length * 8 - bits);
    } while (r.compareTo(bound) >= 0);
    return r;
  }

  @Override
  public long below(long bound) {
    return random.nextLong(bound);
  }
}

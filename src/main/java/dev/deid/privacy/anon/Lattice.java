package dev.deid.privacy.anon;

import java.util.Arrays;

/**
 * The generalization lattice of a histogram: one level per quasi-identifier, from 0 (the values)
 * to the hierarchy's top. A node is identified by a mixed-radix {@code long} whose order is the
 * lexicographic order of the level vectors (the first quasi-identifier most significant), so ties
 * broken by identifier are broken as {@link Arrays#compare(int[], int[])} breaks them.
 *
 * <p>The lattice is never materialized: the searches generate nodes from their identifiers.
 */
final class Lattice {
  final int[] maxLevels;
  private final long[] strides;
  /** The number of nodes, or -1 when it exceeds a {@code long} (identifiers are then unavailable). */
  final long size;

  Lattice(int[] maxLevels) {
    this.maxLevels = maxLevels.clone();
    this.strides = new long[maxLevels.length];
    long product = 1;
    boolean overflow = false;
    for (int d = maxLevels.length - 1; d >= 0; d--) {
      strides[d] = product;
      try {
        product = Math.multiplyExact(product, maxLevels[d] + 1L);
      } catch (ArithmeticException e) {
        overflow = true;
        break;
      }
    }
    this.size = overflow ? -1 : product;
  }

  int dimensions() {
    return maxLevels.length;
  }

  boolean hasIdentifiers() {
    return size > 0;
  }

  long id(int[] levels) {
    long id = 0;
    for (int d = 0; d < levels.length; d++) {
      id += levels[d] * strides[d];
    }
    return id;
  }

  int[] levels(long id) {
    int[] levels = new int[maxLevels.length];
    for (int d = 0; d < levels.length; d++) {
      levels[d] = (int) (id / strides[d]);
      id -= levels[d] * strides[d];
    }
    return levels;
  }

  static boolean generalizes(int[] upper, int[] lower) {
    for (int d = 0; d < upper.length; d++) {
      if (upper[d] < lower[d]) {
        return false;
      }
    }
    return true;
  }

  /** Level vectors as map keys. */
  record Key(int[] levels) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(levels, k.levels);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(levels);
    }
  }
}

package dev.deid.privacy.anon;

import java.util.Arrays;

/**
 * The equivalence classes of a histogram under one transformation: each class's generalized key
 * (label index per quasi-identifier), its size, and — when a sensitive attribute is present — its
 * sensitive-value distribution. Built from the histogram, or rolled up from the classes of a less
 * general transformation, which is how the search avoids re-reading the whole histogram.
 *
 * <p>Grouping is the search's inner loop, so it is done column by column: each input row's key
 * is first composed as one mixed-radix {@code long} (label index times the product of the label
 * counts before it), then mapped to its class through a direct table when the key space is small
 * or an open-addressing hash of longs otherwise. Only when the key space exceeds 2^63 are keys
 * compared as int arrays.
 */
public final class EquivalenceClasses {
  /** Key spaces up to this size (or twice the input rows, if more) are indexed by a direct table. */
  private static final long DENSE_LIMIT = 1 << 16;

  final int[] levels;
  final int dims;
  int classes;
  /** Column-major keys: {@code keys[d][c]} is class c's label index at {@code levels[d]}. */
  int[][] keys;
  long[] sizes;
  /** Dense distributions: classes x sensitive domain; null without a sensitive attribute. */
  long[] distributions;
  final int sensitiveDomain;
  /** The class of every histogram row; only for classes built directly from a histogram. */
  int[] rowClass;

  private EquivalenceClasses(int[] levels, int dims, int sensitiveDomain) {
    this.levels = levels.clone();
    this.dims = dims;
    this.sensitiveDomain = sensitiveDomain;
  }

  public int count() {
    return classes;
  }

  public long size(int c) {
    return sizes[c];
  }

  public int key(int c, int dimension) {
    return keys[dimension][c];
  }

  public int[] levels() {
    return levels.clone();
  }

  public int sensitiveDomain() {
    return sensitiveDomain;
  }

  public long frequency(int c, int sensitiveValue) {
    return distributions[c * sensitiveDomain + sensitiveValue];
  }

  /** One class of the given size and distribution, for checking a candidate partition. */
  static EquivalenceClasses single(int dims, long size, long[] distribution) {
    EquivalenceClasses one = new EquivalenceClasses(new int[dims], dims, distribution == null ? 0 : distribution.length);
    one.classes = 1;
    one.keys = new int[dims][1];
    one.sizes = new long[] {size};
    one.distributions = distribution == null ? null : distribution.clone();
    return one;
  }

  /** Groups the histogram's rows under {@code levels}. */
  public static EquivalenceClasses of(TupleHistogram h, int[] levels) {
    int dims = h.dimensions();
    int[][] maps = new int[dims][];
    int[][] columns = new int[dims][];
    for (int d = 0; d < dims; d++) {
      maps[d] = h.hierarchies()[d].labelIndexes(levels[d]);
      columns[d] = h.codes(d);
    }
    long[] counts = new long[h.rows()];
    for (int r = 0; r < counts.length; r++) {
      counts[r] = h.count(r);
    }
    int sd = h.hasSensitive() ? h.sensitiveValues().size() : 0;
    EquivalenceClasses result = new EquivalenceClasses(levels, dims, sd);
    int[] classOfRow = result.group(h.hierarchies(), maps, columns, counts.length, counts);
    if (sd > 0) {
      for (int r = 0; r < counts.length; r++) {
        result.distributions[classOfRow[r] * sd + h.sensitive(r)] += counts[r];
      }
    }
    result.rowClass = classOfRow;
    return result;
  }

  /** The classes under {@code this.levels} with dimension {@code dimension} raised to {@code level}. */
  public EquivalenceClasses rollUp(TupleHistogram h, int dimension, int level) {
    int[] next = levels.clone();
    next[dimension] = level;
    return rollUpTo(h, next);
  }

  /** The classes under {@code target}, which must be at least as general as these levels in every dimension. */
  public EquivalenceClasses rollUpTo(TupleHistogram h, int[] target) {
    int[][] maps = new int[dims][];
    for (int d = 0; d < dims; d++) {
      if (target[d] < levels[d]) {
        throw new IllegalArgumentException("Cannot roll " + Arrays.toString(levels) + " up to " + Arrays.toString(target));
      }
      maps[d] = h.hierarchies()[d].rollUp(levels[d], target[d]);
    }
    EquivalenceClasses result = new EquivalenceClasses(target, dims, sensitiveDomain);
    int[] classOfInput = result.group(h.hierarchies(), maps, keys, classes, sizes);
    if (sensitiveDomain > 0) {
      for (int c = 0; c < classes; c++) {
        int to = classOfInput[c] * sensitiveDomain;
        int from = c * sensitiveDomain;
        for (int s = 0; s < sensitiveDomain; s++) {
          result.distributions[to + s] += distributions[from + s];
        }
      }
    }
    return result;
  }

  /**
   * Groups {@code n} input rows whose key in dimension d is {@code maps[d][columns[d][row]]};
   * fills this object's keys, sizes and (zeroed) distributions, and returns each input row's class.
   */
  private int[] group(Hierarchy[] hierarchies, int[][] maps, int[][] columns, int n, long[] weights) {
    int[] radix = new int[dims];
    long space = 1;
    boolean fitsLong = true;
    for (int d = 0; d < dims; d++) {
      radix[d] = hierarchies[d].labelCount(levels[d]);
      if (fitsLong && space > Long.MAX_VALUE / radix[d]) {
        fitsLong = false;
      }
      space = fitsLong ? space * radix[d] : space;
    }
    int[] classOfRow = fitsLong ? groupByLongKey(maps, columns, n, radix, space) : groupByIntKeys(maps, columns, n);
    sizes = new long[classes];
    for (int r = 0; r < n; r++) {
      sizes[classOfRow[r]] += weights[r];
    }
    distributions = sensitiveDomain > 0 ? new long[classes * sensitiveDomain] : null;
    return classOfRow;
  }

  private int[] groupByLongKey(int[][] maps, int[][] columns, int n, int[] radix, long space) {
    long[] composite = new long[n];
    long stride = 1;
    for (int d = 0; d < dims; d++) {
      int[] map = maps[d];
      int[] column = columns[d];
      if (radix[d] > 1) {
        for (int r = 0; r < n; r++) {
          composite[r] += map[column[r]] * stride;
        }
      }
      stride *= radix[d];
    }
    int[] classOfRow = new int[n];
    int[] firstRow = new int[Math.max(1, n)];
    if (space <= Math.max(DENSE_LIMIT, 2L * n)) {
      int[] table = new int[(int) space];
      Arrays.fill(table, -1);
      for (int r = 0; r < n; r++) {
        int slot = (int) composite[r];
        int c = table[slot];
        if (c < 0) {
          c = classes++;
          table[slot] = c;
          firstRow[c] = r;
        }
        classOfRow[r] = c;
      }
    } else {
      int capacity = Integer.highestOneBit(Math.max(4, 2 * n - 1)) << 1;
      int mask = capacity - 1;
      long[] slotKeys = new long[capacity];
      int[] slotClasses = new int[capacity];
      Arrays.fill(slotClasses, -1);
      for (int r = 0; r < n; r++) {
        long key = composite[r];
        int slot = mix(key) & mask;
        while (true) {
          int c = slotClasses[slot];
          if (c < 0) {
            c = classes++;
            slotClasses[slot] = c;
            slotKeys[slot] = key;
            firstRow[c] = r;
            classOfRow[r] = c;
            break;
          }
          if (slotKeys[slot] == key) {
            classOfRow[r] = c;
            break;
          }
          slot = (slot + 1) & mask;
        }
      }
    }
    keys = new int[dims][classes];
    for (int d = 0; d < dims; d++) {
      int[] map = maps[d];
      int[] column = columns[d];
      int[] out = keys[d];
      for (int c = 0; c < classes; c++) {
        out[c] = map[column[firstRow[c]]];
      }
    }
    return classOfRow;
  }

  private static int mix(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  /** For key spaces beyond 2^63: keys hashed and compared as int arrays. */
  private int[] groupByIntKeys(int[][] maps, int[][] columns, int n) {
    int[] rowKeys = new int[n * dims];
    for (int d = 0; d < dims; d++) {
      int[] map = maps[d];
      int[] column = columns[d];
      for (int r = 0; r < n; r++) {
        rowKeys[r * dims + d] = map[column[r]];
      }
    }
    int capacity = Integer.highestOneBit(Math.max(4, 2 * n - 1)) << 1;
    int mask = capacity - 1;
    int[] slotRows = new int[capacity];
    Arrays.fill(slotRows, -1);
    int[] slotClasses = new int[capacity];
    int[] classOfRow = new int[n];
    int[] firstRow = new int[Math.max(1, n)];
    for (int r = 0; r < n; r++) {
      int offset = r * dims;
      int h = 1;
      for (int d = 0; d < dims; d++) {
        h = 31 * h + rowKeys[offset + d];
      }
      int slot = ((h ^ (h >>> 16)) * 0x9E3779B1) & mask;
      while (true) {
        int other = slotRows[slot];
        if (other < 0) {
          int c = classes++;
          slotRows[slot] = r;
          slotClasses[slot] = c;
          firstRow[c] = r;
          classOfRow[r] = c;
          break;
        }
        if (Arrays.equals(rowKeys, offset, offset + dims, rowKeys, other * dims, other * dims + dims)) {
          classOfRow[r] = slotClasses[slot];
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    keys = new int[dims][classes];
    for (int d = 0; d < dims; d++) {
      for (int c = 0; c < classes; c++) {
        keys[d][c] = rowKeys[firstRow[c] * dims + d];
      }
    }
    return classOfRow;
  }
}

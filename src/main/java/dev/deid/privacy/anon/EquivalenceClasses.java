package dev.deid.privacy.anon;

import java.util.Arrays;

/**
 * The equivalence classes of a histogram under one transformation: each class's generalized key
 * (label index per quasi-identifier), its size, and — when a sensitive attribute is present — its
 * sensitive-value distribution. Built from the histogram, or rolled up from the classes of a less
 * general transformation, which is how the search avoids re-reading the histogram.
 */
public final class EquivalenceClasses {
  final int[] levels;
  final int dims;
  int classes;
  int[] keys;
  long[] sizes;
  /** Dense distributions: classes x sensitive domain; null without a sensitive attribute. */
  long[] distributions;
  final int sensitiveDomain;
  /** The class of every histogram row; only for classes built directly from a histogram. */
  int[] rowClass;

  private EquivalenceClasses(int[] levels, int dims, int capacity, int sensitiveDomain) {
    this.levels = levels.clone();
    this.dims = dims;
    this.keys = new int[Math.max(1, capacity) * dims];
    this.sizes = new long[Math.max(1, capacity)];
    this.sensitiveDomain = sensitiveDomain;
    this.distributions = sensitiveDomain > 0 ? new long[Math.max(1, capacity) * sensitiveDomain] : null;
  }

  public int count() {
    return classes;
  }

  public long size(int c) {
    return sizes[c];
  }

  public int key(int c, int dimension) {
    return keys[c * dims + dimension];
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
    EquivalenceClasses one = new EquivalenceClasses(new int[dims], dims, 1, distribution == null ? 0 : distribution.length);
    one.classes = 1;
    one.sizes[0] = size;
    if (distribution != null) {
      System.arraycopy(distribution, 0, one.distributions, 0, distribution.length);
    }
    return one;
  }

  /** Groups the histogram's rows under {@code levels}. */
  public static EquivalenceClasses of(TupleHistogram h, int[] levels) {
    int dims = h.dimensions();
    int sd = h.hasSensitive() ? h.sensitiveValues().size() : 0;
    EquivalenceClasses result = new EquivalenceClasses(levels, dims, h.rows(), sd);
    Index index = new Index(h.rows(), dims);
    int[] key = new int[dims];
    result.rowClass = new int[h.rows()];
    for (int r = 0; r < h.rows(); r++) {
      for (int d = 0; d < dims; d++) {
        key[d] = h.hierarchies()[d].labelIndex(h.code(r, d), levels[d]);
      }
      int c = result.classOf(index, key);
      result.sizes[c] += h.count(r);
      if (sd > 0) {
        result.distributions[c * sd + h.sensitive(r)] += h.count(r);
      }
      result.rowClass[r] = c;
    }
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
      if (target[d] != levels[d]) {
        maps[d] = h.hierarchies()[d].rollUp(levels[d], target[d]);
      }
    }
    EquivalenceClasses result = new EquivalenceClasses(target, dims, classes, sensitiveDomain);
    Index index = new Index(classes, dims);
    int[] key = new int[dims];
    for (int c = 0; c < classes; c++) {
      System.arraycopy(keys, c * dims, key, 0, dims);
      for (int d = 0; d < dims; d++) {
        if (maps[d] != null) {
          key[d] = maps[d][key[d]];
        }
      }
      int child = result.classOf(index, key);
      result.sizes[child] += sizes[c];
      if (sensitiveDomain > 0) {
        for (int s = 0; s < sensitiveDomain; s++) {
          result.distributions[child * sensitiveDomain + s] += distributions[c * sensitiveDomain + s];
        }
      }
    }
    return result;
  }

  private int classOf(Index index, int[] key) {
    int found = index.find(keys, key);
    if (found >= 0) {
      return found;
    }
    int c = classes++;
    System.arraycopy(key, 0, keys, c * dims, dims);
    index.insert(keys, c);
    return c;
  }

  /** Open-addressing hash index from a key (a run of {@code dims} ints in {@code keys}) to its class. */
  private static final class Index {
    private final int[] slots;
    private final int mask;
    private final int dims;

    Index(int expected, int dims) {
      int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
      this.slots = new int[capacity];
      Arrays.fill(slots, -1);
      this.mask = capacity - 1;
      this.dims = dims;
    }

    private int hash(int[] keys, int offset) {
      int h = 1;
      for (int d = 0; d < dims; d++) {
        h = 31 * h + keys[offset + d];
      }
      return (h ^ (h >>> 16)) * 0x9E3779B1;
    }

    int find(int[] keys, int[] key) {
      int h = 1;
      for (int d = 0; d < dims; d++) {
        h = 31 * h + key[d];
      }
      h = (h ^ (h >>> 16)) * 0x9E3779B1;
      for (int slot = h & mask; ; slot = (slot + 1) & mask) {
        int c = slots[slot];
        if (c < 0) {
          return -1;
        }
        if (Arrays.equals(keys, c * dims, c * dims + dims, key, 0, dims)) {
          return c;
        }
      }
    }

    void insert(int[] keys, int c) {
      for (int slot = hash(keys, c * dims) & mask; ; slot = (slot + 1) & mask) {
        if (slots[slot] < 0) {
          slots[slot] = c;
          return;
        }
      }
    }
  }
}

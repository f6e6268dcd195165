package dev.deid.privacy.anon;

import java.util.Arrays;

/**
 * A property every released equivalence class must have. A class that lacks it is suppressed, and
 * a transformation is acceptable when the suppressed records stay within the suppression limit.
 * All models here are monotone under generalization when nothing is suppressed; only some stay
 * monotone with suppression ({@link #monotoneWithSuppression()}), which decides how far the search
 * may prune.
 */
public sealed interface PrivacyModel {

  /** Whether a class of {@code size} records with the given sensitive distribution satisfies the model. */
  boolean satisfied(EquivalenceClasses classes, int c, SensitiveContext context);

  boolean needsSensitive();

  boolean monotoneWithSuppression();

  String describe();

  /** Each class holds at least {@code k} records. */
  record KAnonymity(int k) implements PrivacyModel {
    public KAnonymity {
      if (k < 1) {
        throw new IllegalArgumentException("Invalid k: " + k + " (must be at least 1)");
      }
    }

    public boolean satisfied(EquivalenceClasses classes, int c, SensitiveContext context) {
      return classes.size(c) >= k;
    }

    public boolean needsSensitive() {
      return false;
    }

    public boolean monotoneWithSuppression() {
      return true;
    }

    public String describe() {
      return k + "-anonymity";
    }
  }

  /** Each class holds at least {@code l} distinct sensitive values. */
  record DistinctLDiversity(int l) implements PrivacyModel {
    public DistinctLDiversity {
      if (l < 2) {
        throw new IllegalArgumentException("Invalid l: " + l + " (must be at least 2)");
      }
    }

    public boolean satisfied(EquivalenceClasses classes, int c, SensitiveContext context) {
      int distinct = 0;
      for (int s = 0; s < classes.sensitiveDomain(); s++) {
        if (classes.frequency(c, s) > 0 && ++distinct >= l) {
          return true;
        }
      }
      return false;
    }

    public boolean needsSensitive() {
      return true;
    }

    public boolean monotoneWithSuppression() {
      return true;
    }

    public String describe() {
      return "distinct " + l + "-diversity";
    }
  }

  /** The entropy of each class's sensitive values is at least log(l). */
  record EntropyLDiversity(double l) implements PrivacyModel {
    public EntropyLDiversity {
      if (!(l >= 1)) {
        throw new IllegalArgumentException("Invalid l: " + l + " (must be at least 1)");
      }
    }

    public boolean satisfied(EquivalenceClasses classes, int c, SensitiveContext context) {
      double size = classes.size(c);
      double entropy = 0;
      for (int s = 0; s < classes.sensitiveDomain(); s++) {
        long f = classes.frequency(c, s);
        if (f > 0) {
          double p = f / size;
          entropy -= p * Math.log(p);
        }
      }
      // A small tolerance so that a class with exactly l equally frequent values is accepted.
      return entropy >= Math.log(l) - 1e-12;
    }

    public boolean needsSensitive() {
      return true;
    }

    public boolean monotoneWithSuppression() {
      return false;
    }

    public String describe() {
      return "entropy " + l + "-diversity";
    }
  }

  /** Recursive (c,l)-diversity: r1 < c (r_l + ... + r_m) over the class's sorted value frequencies. */
  record RecursiveCLDiversity(double c, int l) implements PrivacyModel {
    public RecursiveCLDiversity {
      if (l < 2 || !(c > 0)) {
        throw new IllegalArgumentException("Invalid recursive (c,l): c=" + c + ", l=" + l + " (must be c > 0, l >= 2)");
      }
    }

    public boolean satisfied(EquivalenceClasses classes, int cls, SensitiveContext context) {
      long[] f = new long[classes.sensitiveDomain()];
      int m = 0;
      for (int s = 0; s < f.length; s++) {
        long v = classes.frequency(cls, s);
        if (v > 0) {
          f[m++] = v;
        }
      }
      if (m < l) {
        return false;
      }
      long[] sorted = Arrays.copyOf(f, m);
      Arrays.sort(sorted);
      long tail = 0;
      for (int i = 0; i <= m - l; i++) {
        tail += sorted[i];
      }
      return sorted[m - 1] < c * tail;
    }

    public boolean needsSensitive() {
      return true;
    }

    public boolean monotoneWithSuppression() {
      return false;
    }

    public String describe() {
      return "recursive (" + c + "," + l + ")-diversity";
    }
  }

  /** Each class's sensitive distribution is within Earth Mover's Distance {@code t} of the whole table's. */
  record TCloseness(double t, GroundDistance distance) implements PrivacyModel {
    public TCloseness {
      if (!(t >= 0 && t <= 1)) {
        throw new IllegalArgumentException("Invalid t: " + t + " (must be in [0, 1])");
      }
    }

    public boolean satisfied(EquivalenceClasses classes, int c, SensitiveContext context) {
      return context.distance(distance, classes, c) <= t + 1e-12;
    }

    public boolean needsSensitive() {
      return true;
    }

    public boolean monotoneWithSuppression() {
      return false;
    }

    public String describe() {
      return t + "-closeness (" + distance.name().toLowerCase() + " distance)";
    }
  }

  /** How far apart two sensitive values are, for t-closeness. */
  enum GroundDistance { EQUAL, ORDERED, HIERARCHICAL }
}

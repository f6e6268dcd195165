package dev.deid.privacy.anon;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks transformations of one histogram against the privacy models and scores them, for every
 * search strategy; keeps the best acceptable transformation found by any of them. Thread-safe:
 * the searches evaluate nodes on all cores at once.
 *
 * <p>Evaluating a node groups the histogram under its levels. Groups are rolled up from the classes
 * of the smallest recently evaluated node it generalizes (the bottom is always kept), so most
 * evaluations read far fewer rows than the histogram has. Two necessary conditions let the
 * searches reject nodes without grouping: the metric's lower bound (its score without suppression,
 * which only grows with generalization) and, for k-anonymity, the two-dimensional projections.
 */
final class NodeEvaluator {
  final TupleHistogram histogram;
  final List<PrivacyModel> models;
  final UtilityMetric metric;
  final SensitiveContext context;
  final long maxSuppressed;
  /** Whether every node above an acceptable node is acceptable (always without suppression). */
  final boolean modelsMonotone;
  final Lattice lattice;
  final long deadline;
  /** The metric's per-dimension, per-level scores without suppression; null when it has none. */
  final double[][] levelTable;
  /** For k-anonymity: per pair of dimensions and pair of levels, whether that 2-D projection is acceptable. */
  private final boolean[][][][] pairAcceptable;
  private final AtomicLong evaluated = new AtomicLong();
  private final List<int[]> acceptableMinimal = new CopyOnWriteArrayList<>();
  private volatile GlobalRecoding.Evaluation best;
  /** Recently evaluated classes, most recent first; the bottom's classes are kept apart and never evicted. */
  private final Deque<EquivalenceClasses> recent = new ArrayDeque<>();
  private final EquivalenceClasses bottom;
  private final long cacheCells;
  private long cachedCells;

  private static final int MAX_ACCEPTABLE_KEPT = 256;
  private static final int MAX_RECENT = 32;
  /** Pairs of dimensions with more value combinations than this are not used as projections. */
  private static final long MAX_PROJECTION_CELLS = 1 << 24;

  NodeEvaluator(TupleHistogram histogram, List<PrivacyModel> models, double suppressionLimit, UtilityMetric metric,
      SensitiveContext context, long timeBudgetMillis) {
    this.histogram = histogram;
    this.models = List.copyOf(models);
    this.metric = metric;
    this.context = context;
    this.maxSuppressed = (long) Math.floor(suppressionLimit * histogram.records());
    this.modelsMonotone = maxSuppressed == 0 || models.stream().allMatch(PrivacyModel::monotoneWithSuppression);
    this.deadline = System.nanoTime() + timeBudgetMillis * 1_000_000L;
    this.lattice = new Lattice(Arrays.stream(histogram.hierarchies()).mapToInt(h -> h.height() - 1).toArray());
    int k = models.stream().filter(m -> m instanceof PrivacyModel.KAnonymity)
        .mapToInt(m -> ((PrivacyModel.KAnonymity) m).k()).max().orElse(1);
    this.pairAcceptable = k > 1 ? pairProjections(k) : null;
    this.levelTable = metric.levelTable(histogram);
    this.bottom = EquivalenceClasses.of(histogram, new int[histogram.dimensions()]);
    long bottomCells = (long) bottom.count() * (histogram.dimensions() + 2);
    this.cacheCells = Math.max(8 * bottomCells, 32L << 20);
  }

  boolean timedOut() {
    return System.nanoTime() > deadline;
  }

  long evaluated() {
    return evaluated.get();
  }

  GlobalRecoding.Evaluation best() {
    return best;
  }

  double bestScore() {
    GlobalRecoding.Evaluation b = best;
    return b == null ? Double.POSITIVE_INFINITY : b.score();
  }

  /** The metric's score of {@code levels} without suppression: a lower bound for it and every node above it. */
  double bound(int[] levels) {
    return levelTable == null ? Double.NEGATIVE_INFINITY : metric.fromLevelTable(levelTable, levels);
  }

  /**
   * A projection merges classes, so if a transformation is acceptable for k-anonymity, its
   * projection onto any two quasi-identifiers suppresses no more records than it does. Checking
   * the cheap two-dimensional projections first lets the search skip most unacceptable nodes
   * without grouping them (the idea behind Incognito's subset property).
   */
  private boolean[][][][] pairProjections(int k) {
    int dims = histogram.dimensions();
    boolean[][][][] acceptable = new boolean[dims][dims][][];
    for (int a = 0; a < dims; a++) {
      for (int b = a + 1; b < dims; b++) {
        Hierarchy ha = histogram.hierarchies()[a];
        Hierarchy hb = histogram.hierarchies()[b];
        if ((long) ha.labelCount(0) * hb.labelCount(0) > MAX_PROJECTION_CELLS) {
          continue;
        }
        long[] bottomCounts = new long[ha.labelCount(0) * hb.labelCount(0)];
        int[] codesA = histogram.codes(a);
        int[] codesB = histogram.codes(b);
        int[] labelA = ha.labelIndexes(0);
        int[] labelB = hb.labelIndexes(0);
        int width = hb.labelCount(0);
        for (int r = 0; r < codesA.length; r++) {
          bottomCounts[labelA[codesA[r]] * width + labelB[codesB[r]]] += histogram.count(r);
        }
        acceptable[a][b] = new boolean[ha.height()][hb.height()];
        for (int la = 0; la < ha.height(); la++) {
          int[] mapA = ha.rollUp(0, la);
          for (int lb = 0; lb < hb.height(); lb++) {
            int[] mapB = hb.rollUp(0, lb);
            long[] projected = new long[ha.labelCount(la) * hb.labelCount(lb)];
            for (int i = 0; i < ha.labelCount(0); i++) {
              for (int j = 0; j < width; j++) {
                projected[mapA[i] * hb.labelCount(lb) + mapB[j]] += bottomCounts[i * width + j];
              }
            }
            long suppressed = 0;
            for (long size : projected) {
              if (size > 0 && size < k) {
                suppressed += size;
              }
            }
            acceptable[a][b][la][lb] = suppressed <= maxSuppressed;
          }
        }
      }
    }
    return acceptable;
  }

  /**
   * The pair projections as minimum levels: {@code [a][b][la]} is the lowest level of b whose
   * projection with a at level la is acceptable (0 where the pair is not checked). A projection
   * only merges classes as either level rises, so the acceptable level pairs are closed upwards
   * and this one number per level says all there is.
   */
  int[][][] minimumLevels() {
    int dims = lattice.dimensions();
    int[][][] minimum = new int[dims][dims][];
    for (int a = 0; a < dims; a++) {
      for (int b = 0; b < dims; b++) {
        minimum[a][b] = new int[lattice.maxLevels[a] + 1];
        if (a == b || pairAcceptable == null) {
          continue;
        }
        boolean[][] table = a < b ? pairAcceptable[a][b] : pairAcceptable[b][a];
        if (table == null) {
          continue;
        }
        for (int la = 0; la <= lattice.maxLevels[a]; la++) {
          int lb = 0;
          while (lb < lattice.maxLevels[b] && !(a < b ? table[la][lb] : table[lb][la])) {
            lb++;
          }
          minimum[a][b][la] = lb;
        }
      }
    }
    return minimum;
  }

  /** False when some two-dimensional projection of {@code levels} already suppresses too much. */
  boolean passesProjections(int[] levels) {
    if (pairAcceptable == null) {
      return true;
    }
    for (int a = 0; a < levels.length; a++) {
      boolean[][][] row = pairAcceptable[a];
      for (int b = a + 1; b < levels.length; b++) {
        if (row[b] != null && !row[b][levels[a]][levels[b]]) {
          return false;
        }
      }
    }
    return true;
  }

  boolean knownAcceptable(int[] levels) {
    if (!modelsMonotone) {
      return false;
    }
    for (int[] a : acceptableMinimal) {
      if (Lattice.generalizes(levels, a)) {
        return true;
      }
    }
    return false;
  }

  /** Groups, checks and scores one node, and offers it as the best if it is acceptable. */
  GlobalRecoding.Evaluation evaluate(int[] levels) {
    return evaluate(classesOf(levels), knownAcceptable(levels));
  }

  GlobalRecoding.Evaluation evaluate(EquivalenceClasses classes, boolean knownAcceptable) {
    evaluated.incrementAndGet();
    boolean[] suppressed = GlobalRecoding.suppressed(classes, models, context);
    long suppressedRecords = 0;
    int kept = 0;
    for (int c = 0; c < classes.count(); c++) {
      if (suppressed[c]) {
        suppressedRecords += classes.size(c);
      } else {
        kept++;
      }
    }
    boolean acceptable = knownAcceptable || suppressedRecords <= maxSuppressed;
    // Without suppression the level-table score is exact, and using it keeps ties consistent with the ranking.
    double penalized = suppressedRecords == 0 && levelTable != null ? metric.fromLevelTable(levelTable, classes.levels)
        : metric.score(histogram, classes, suppressed);
    GlobalRecoding.Evaluation e = new GlobalRecoding.Evaluation(classes.levels.clone(), acceptable, suppressedRecords, kept,
        acceptable ? penalized : Double.POSITIVE_INFINITY, penalized);
    if (acceptable) {
      offer(e);
      if (modelsMonotone && !knownAcceptable && acceptableMinimal.size() < MAX_ACCEPTABLE_KEPT) {
        acceptableMinimal.add(classes.levels.clone());
      }
    }
    return e;
  }

  /** Keeps the better of two nodes; ties go to the lexicographically smaller transformation, so the result is deterministic. */
  synchronized void offer(GlobalRecoding.Evaluation e) {
    if (best == null || e.score() < best.score()
        || (e.score() == best.score() && Arrays.compare(e.levels(), best.levels()) < 0)) {
      best = e;
    }
  }

  /** The classes of {@code levels}, rolled up from the smallest cached classes it generalizes. */
  EquivalenceClasses classesOf(int[] levels) {
    EquivalenceClasses from = bottom;
    synchronized (recent) {
      for (EquivalenceClasses s : recent) {
        if (s.count() < from.count() && Lattice.generalizes(levels, s.levels)) {
          from = s;
        }
      }
    }
    if (Arrays.equals(from.levels, levels)) {
      return from;
    }
    EquivalenceClasses classes = from.rollUpTo(histogram, levels);
    remember(classes);
    return classes;
  }

  EquivalenceClasses bottomClasses() {
    return bottom;
  }

  private void remember(EquivalenceClasses classes) {
    long cells = (long) classes.count() * (histogram.dimensions() + 2);
    if (classes.count() * 10L > bottom.count() * 9L || cells > cacheCells / 4) {
      return;
    }
    synchronized (recent) {
      recent.addFirst(classes);
      cachedCells += cells;
      while (recent.size() > MAX_RECENT || cachedCells > cacheCells) {
        EquivalenceClasses evicted = recent.removeLast();
        cachedCells -= (long) evicted.count() * (histogram.dimensions() + 2);
      }
    }
  }
}

package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Globally optimal full-domain generalization: one hierarchy level per quasi-identifier, chosen so
 * that every released class satisfies every privacy model (classes that do not are suppressed,
 * within the suppression limit) and the utility metric is minimal.
 *
 * <p>For the Loss and precision metrics the score of a transformation without suppression depends
 * on its levels alone and bounds its score with suppression from below. The search then ranks the
 * whole lattice by that bound and checks transformations best first, on both cores, until the
 * next bound exceeds the best acceptable score found: without suppression the first acceptable
 * transformation is the optimum. Transformations whose two-dimensional projections already
 * suppress too much are rejected without being grouped.
 *
 * <p>For the other metrics the lattice is walked depth first along a spanning tree (each node reached
 * once, its classes rolled up from its parent's, so the histogram is grouped only at the bottom).
 * Pruning, all of it exact:
 * <ul>
 *   <li>a node above an acceptable node is acceptable too when the models are monotone (always
 *       without suppression; with suppression only k-anonymity and distinct l-diversity), so its
 *       check is skipped; and when nothing may be suppressed the metric is monotone too, so the
 *       node and everything above it is skipped, as in ARX's Flash;</li>
 *   <li>a node whose metric lower bound (the loss if nothing were suppressed, which only grows
 *       with generalization) is no better than the best so far is skipped with everything above it.</li>
 * </ul>
 * When the lattice is larger than {@code maxExhaustiveNodes} or the time budget runs out, the
 * result comes from a greedy climb instead and says it may not be optimal.
 */
public final class GlobalRecoding {
  private final TupleHistogram histogram;
  private final List<PrivacyModel> models;
  private final UtilityMetric metric;
  private final SensitiveContext context;
  private final long maxSuppressed;
  private final boolean modelsMonotone;
  private final boolean metricMonotone;
  private final long deadline;
  private final int[] maxLevels;
  private final List<int[]> acceptableMinimal = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile Evaluation best;
  private final java.util.concurrent.atomic.AtomicLong evaluated = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean timedOut;
  /** For k-anonymity: per pair of dimensions and pair of levels, whether that 2-D projection is acceptable. */
  private final boolean[][][][] pairAcceptable;
  /** The metric's per-dimension, per-level scores without suppression; null when it has none. */
  private final double[][] levelTable;
  /** Classes of evaluated transformations kept to roll others up from; the bottom is always first. */
  private final List<EquivalenceClasses> snapshots = new ArrayList<>();
  private static final int MAX_SNAPSHOTS = 24;
  /** Pairs of dimensions with more value combinations than this are not used as projections. */
  private static final long MAX_PROJECTION_CELLS = 1 << 24;

  private GlobalRecoding(TupleHistogram histogram, List<PrivacyModel> models, double suppressionLimit,
      UtilityMetric metric, SensitiveContext context, long timeBudgetMillis) {
    this.histogram = histogram;
    this.models = List.copyOf(models);
    this.metric = metric;
    this.context = context;
    this.maxSuppressed = (long) Math.floor(suppressionLimit * histogram.records());
    boolean noSuppression = maxSuppressed == 0;
    this.modelsMonotone = noSuppression || models.stream().allMatch(PrivacyModel::monotoneWithSuppression);
    this.metricMonotone = noSuppression;
    this.deadline = System.nanoTime() + timeBudgetMillis * 1_000_000L;
    this.maxLevels = Arrays.stream(histogram.hierarchies()).mapToInt(h -> h.height() - 1).toArray();
    int k = models.stream().filter(m -> m instanceof PrivacyModel.KAnonymity).mapToInt(m -> ((PrivacyModel.KAnonymity) m).k())
        .max().orElse(1);
    this.pairAcceptable = k > 1 ? pairProjections(k) : null;
    this.levelTable = metric.levelTable(histogram);
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
        long[] bottom = new long[ha.labelCount(0) * hb.labelCount(0)];
        int[] codesA = histogram.codes(a);
        int[] codesB = histogram.codes(b);
        int[] labelA = ha.labelIndexes(0);
        int[] labelB = hb.labelIndexes(0);
        int width = hb.labelCount(0);
        for (int r = 0; r < codesA.length; r++) {
          bottom[labelA[codesA[r]] * width + labelB[codesB[r]]] += histogram.count(r);
        }
        acceptable[a][b] = new boolean[ha.height()][hb.height()];
        for (int la = 0; la < ha.height(); la++) {
          int[] mapA = ha.rollUp(0, la);
          for (int lb = 0; lb < hb.height(); lb++) {
            int[] mapB = hb.rollUp(0, lb);
            long[] projected = new long[ha.labelCount(la) * hb.labelCount(lb)];
            for (int i = 0; i < ha.labelCount(0); i++) {
              for (int j = 0; j < hb.labelCount(0); j++) {
                projected[mapA[i] * hb.labelCount(lb) + mapB[j]] += bottom[i * hb.labelCount(0) + j];
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

  private boolean passesProjections(int[] levels) {
    if (pairAcceptable == null) {
      return true;
    }
    for (int a = 0; a < levels.length; a++) {
      for (int b = a + 1; b < levels.length; b++) {
        if (pairAcceptable[a][b] != null && !pairAcceptable[a][b][levels[a]][levels[b]]) {
          return false;
        }
      }
    }
    return true;
  }

  /** The evaluation of one transformation. */
  public record Evaluation(int[] levels, boolean acceptable, long suppressedRecords, int classes, double score) {}

  /** The chosen transformation and how it was found. */
  public record Result(Evaluation best, boolean optimal, long nodesEvaluated, long latticeSize, String strategy) {}

  public static Result search(TupleHistogram histogram, List<PrivacyModel> models, double suppressionLimit,
      UtilityMetric metric, SensitiveContext context, long timeBudgetMillis, long maxExhaustiveNodes) {
    if (histogram.records() == 0) {
      throw new IllegalArgumentException("Cannot anonymize an empty table");
    }
    GlobalRecoding search = new GlobalRecoding(histogram, models, suppressionLimit, metric, context, timeBudgetMillis);
    long size = 1;
    for (int max : search.maxLevels) {
      size = Math.multiplyExact(size, max + 1);
    }
    if (size <= maxExhaustiveNodes) {
      String strategy;
      if (search.levelTable != null) {
        search.bestFirst((int) size);
        strategy = "best-first lattice search by the metric's bound, with projection pruning";
      } else {
        search.exhaustive();
        strategy = "exhaustive lattice search with pruning";
      }
      if (!search.timedOut && search.best != null) {
        return new Result(search.best, true, search.evaluated.get(), size, strategy);
      }
    }
    Evaluation greedy = search.greedy();
    Evaluation chosen = search.best != null && (greedy == null || search.best.score() <= greedy.score()) ? search.best : greedy;
    return new Result(chosen, false, search.evaluated.get(), size,
        search.timedOut ? "time budget exhausted; best of partial search and greedy climb" : "greedy climb (lattice too large)");
  }

  /**
   * Every transformation ranked by its score without suppression (ties by levels, so the result
   * is deterministic), then checked in that order by one worker per core. A worker stops when the
   * next bound is above the best acceptable score: nothing after it can be better. A node's bound
   * equals its score when nothing is suppressed, so without suppression the first acceptable node
   * ends the search.
   */
  private void bestFirst(int size) {
    int dims = maxLevels.length;
    int[][] nodes = new int[size][];
    double[] bounds = new double[size];
    int[] levels = new int[dims];
    for (int i = 0; i < size; i++) {
      nodes[i] = levels.clone();
      bounds[i] = metric.fromLevelTable(levelTable, levels);
      for (int d = dims - 1; d >= 0; d--) {
        if (levels[d] < maxLevels[d]) {
          levels[d]++;
          break;
        }
        levels[d] = 0;
      }
    }
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int byBound = Double.compare(bounds[a], bounds[b]);
      return byBound != 0 ? byBound : Arrays.compare(nodes[a], nodes[b]);
    });
    snapshots.add(EquivalenceClasses.of(histogram, new int[dims]));
    java.util.concurrent.atomic.AtomicInteger cursor = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.Callable<Void> worker = () -> {
      for (int i = cursor.getAndIncrement(); i < size; i = cursor.getAndIncrement()) {
        if (System.nanoTime() > deadline) {
          timedOut = true;
          return null;
        }
        int node = order[i];
        Evaluation current = best;
        if (current != null && bounds[node] > current.score()) {
          return null;
        }
        boolean knownAcceptable = modelsMonotone && aboveAcceptable(nodes[node]);
        if (!knownAcceptable && !passesProjections(nodes[node])) {
          continue;
        }
        if (consider(classesOf(nodes[node]), knownAcceptable)) {
          return null;
        }
      }
      return null;
    };
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    runAll(java.util.Collections.nCopies(threads, worker));
  }

  /** The classes of {@code levels}, rolled up from the smallest kept snapshot it generalizes. */
  private EquivalenceClasses classesOf(int[] levels) {
    EquivalenceClasses from = null;
    synchronized (snapshots) {
      for (EquivalenceClasses s : snapshots) {
        if ((from == null || s.count() < from.count()) && generalizes(levels, s.levels)) {
          from = s;
        }
      }
    }
    EquivalenceClasses classes = Arrays.equals(from.levels, levels) ? from : from.rollUpTo(histogram, levels);
    synchronized (snapshots) {
      if (classes != from && classes.count() * 4L <= snapshots.get(0).count()) {
        if (snapshots.size() > MAX_SNAPSHOTS) {
          snapshots.remove(1);
        }
        snapshots.add(classes);
      }
    }
    return classes;
  }

  private static boolean generalizes(int[] upper, int[] lower) {
    for (int d = 0; d < upper.length; d++) {
      if (upper[d] < lower[d]) {
        return false;
      }
    }
    return true;
  }

  private void runAll(List<java.util.concurrent.Callable<Void>> tasks) {
    int threads = Math.max(1, Math.min(tasks.size(), Runtime.getRuntime().availableProcessors()));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      for (java.util.concurrent.Future<Void> f : pool.invokeAll(tasks)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while searching", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The bottom node, then the spanning subtrees below it, spread over the machine's cores: the
   * subtrees share nothing but the best node and the acceptable nodes found, both thread-safe.
   */
  private void exhaustive() {
    EquivalenceClasses bottom = EquivalenceClasses.of(histogram, new int[histogram.dimensions()]);
    if (consider(bottom, false)) {
      return;
    }
    List<java.util.concurrent.Callable<Void>> subtrees = new ArrayList<>();
    for (int d = 0; d < maxLevels.length; d++) {
      if (maxLevels[d] > 0) {
        int dimension = d;
        subtrees.add(() -> {
          int[] child = new int[maxLevels.length];
          child[dimension] = 1;
          visit(child, bottom, dimension);
          return null;
        });
      }
    }
    runAll(subtrees);
  }

  /** Evaluates a node; returns true when nothing above it can be better (so its subtree is skipped). */
  private boolean consider(EquivalenceClasses classes, boolean knownAcceptable) {
    Evaluation e = evaluate(classes, knownAcceptable);
    if (e.acceptable()) {
      offer(e);
      if (modelsMonotone && !knownAcceptable) {
        acceptableMinimal.add(classes.levels.clone());
      }
      return metricMonotone;
    }
    return false;
  }

  /** Keeps the better of two nodes; ties go to the lexicographically smaller transformation, so the result is deterministic. */
  private synchronized void offer(Evaluation e) {
    if (best == null || e.score() < best.score()
        || (e.score() == best.score() && java.util.Arrays.compare(e.levels(), best.levels()) < 0)) {
      best = e;
    }
  }

  /**
   * Visits a node and its spanning-tree children (raising dimensions >= {@code firstDimension}).
   * {@code ancestor} holds the classes of the nearest evaluated ancestor: nodes that fail the
   * projection check are passed through without being grouped at all.
   */
  private void visit(int[] levels, EquivalenceClasses ancestor, int firstDimension) {
    if (System.nanoTime() > deadline) {
      timedOut = true;
      return;
    }
    boolean knownAcceptable = modelsMonotone && aboveAcceptable(levels);
    if (knownAcceptable && metricMonotone) {
      return;
    }
    EquivalenceClasses classes = ancestor;
    if (knownAcceptable || passesProjections(levels)) {
      classes = Arrays.equals(ancestor.levels, levels) ? ancestor : ancestor.rollUpTo(histogram, levels);
      Evaluation current = best;
      if (current != null && metric.lowerBound(histogram, classes) > current.score()) {
        return;
      }
      if (consider(classes, knownAcceptable)) {
        return;
      }
    }
    for (int d = firstDimension; d < levels.length; d++) {
      if (levels[d] < maxLevels[d]) {
        int[] child = levels.clone();
        child[d]++;
        visit(child, classes, d);
        if (timedOut) {
          return;
        }
      }
    }
  }

  private boolean aboveAcceptable(int[] levels) {
    outer:
    for (int[] a : acceptableMinimal) {
      for (int d = 0; d < levels.length; d++) {
        if (levels[d] < a[d]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  Evaluation evaluate(EquivalenceClasses classes, boolean knownAcceptable) {
    evaluated.incrementAndGet();
    boolean[] suppressed = suppressed(classes, models, context);
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
    double score = !acceptable ? Double.POSITIVE_INFINITY
        : suppressedRecords == 0 && levelTable != null ? metric.fromLevelTable(levelTable, classes.levels)
        : metric.score(histogram, classes, suppressed);
    return new Evaluation(classes.levels.clone(), acceptable, suppressedRecords, kept, score);
  }

  /** Which classes fail some model and are therefore suppressed. */
  static boolean[] suppressed(EquivalenceClasses classes, List<PrivacyModel> models, SensitiveContext context) {
    boolean[] suppressed = new boolean[classes.count()];
    for (int c = 0; c < classes.count(); c++) {
      for (PrivacyModel model : models) {
        if (!model.satisfied(classes, c, context)) {
          suppressed[c] = true;
          break;
        }
      }
    }
    return suppressed;
  }

  /**
   * From the bottom, repeatedly raises the one level that gives the best next node: the best score
   * among acceptable successors, otherwise the fewest suppressed records. Always ends acceptable,
   * at the latest at the top (everything generalized to its root label).
   */
  private Evaluation greedy() {
    int[] levels = new int[maxLevels.length];
    Evaluation current = evaluate(EquivalenceClasses.of(histogram, levels), false);
    while (!current.acceptable()) {
      Evaluation next = null;
      for (int d = 0; d < levels.length; d++) {
        if (levels[d] < maxLevels[d]) {
          int[] candidate = levels.clone();
          candidate[d]++;
          Evaluation e = evaluate(EquivalenceClasses.of(histogram, candidate), false);
          if (next == null || better(e, next)) {
            next = e;
          }
        }
      }
      if (next == null) {
        return current;
      }
      current = next;
      levels = current.levels();
    }
    return current;
  }

  private static boolean better(Evaluation a, Evaluation b) {
    if (a.acceptable() != b.acceptable()) {
      return a.acceptable();
    }
    return a.acceptable() ? a.score() < b.score() : a.suppressedRecords() < b.suppressedRecords();
  }
}

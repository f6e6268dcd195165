package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Globally optimal full-domain generalization: one hierarchy level per quasi-identifier, chosen so
 * that every released class satisfies every privacy model (classes that do not are suppressed,
 * within the suppression limit) and the utility metric is minimal.
 *
 * <p>The lattice of transformations is walked depth first along a spanning tree (each node reached
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
      search.exhaustive();
      if (!search.timedOut && search.best != null) {
        return new Result(search.best, true, search.evaluated.get(), size, "exhaustive lattice search with pruning");
      }
    }
    Evaluation greedy = search.greedy();
    Evaluation chosen = search.best != null && (greedy == null || search.best.score() <= greedy.score()) ? search.best : greedy;
    return new Result(chosen, false, search.evaluated.get(), size,
        search.timedOut ? "time budget exhausted; best of partial search and greedy climb" : "greedy climb (lattice too large)");
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
          visit(bottom.rollUp(histogram, dimension, 1), dimension);
          return null;
        });
      }
    }
    int threads = Math.max(1, Math.min(subtrees.size(), Runtime.getRuntime().availableProcessors()));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      for (java.util.concurrent.Future<Void> f : pool.invokeAll(subtrees)) {
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

  /** Evaluates a node and its spanning-tree children (raising dimensions >= {@code firstDimension}). */
  private void visit(EquivalenceClasses classes, int firstDimension) {
    if (System.nanoTime() > deadline) {
      timedOut = true;
      return;
    }
    int[] levels = classes.levels;
    boolean knownAcceptable = modelsMonotone && aboveAcceptable(levels);
    if (knownAcceptable && metricMonotone) {
      return;
    }
    Evaluation current = best;
    if (current != null && metric.lowerBound(histogram, classes) > current.score()) {
      return;
    }
    if (consider(classes, knownAcceptable)) {
      return;
    }
    for (int d = firstDimension; d < levels.length; d++) {
      if (levels[d] < maxLevels[d]) {
        visit(classes.rollUp(histogram, d, levels[d] + 1), d);
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
    double score = acceptable ? metric.score(histogram, classes, suppressed) : Double.POSITIVE_INFINITY;
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

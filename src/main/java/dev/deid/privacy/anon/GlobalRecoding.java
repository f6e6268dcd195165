package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Globally optimal full-domain generalization: one hierarchy level per quasi-identifier, chosen so
 * that every released class satisfies every privacy model (classes that do not are suppressed,
 * within the suppression limit) and the utility metric is minimal.
 *
 * <p>For the Loss and precision metrics the score of a transformation without suppression depends
 * on its levels alone and bounds its score with suppression from below. {@link BoundOrderedSearch}
 * generates the lattice lazily in the order of that bound and proves the optimum without ever
 * materializing the lattice. On lattices too large to finish in the time budget, ARX's bottom-up
 * best-effort search ({@link BottomUpBestEffort}) and an iterated {@link LocalSearch} find a good
 * transformation first, the bound-ordered search then proves it optimal or, when time runs out,
 * a lower bound of the optimum: the result states how far from optimal it can at most be.
 *
 * <p>For the other metrics the lattice is walked depth first along a spanning tree (each node
 * reached once, its classes rolled up from its parent's). Pruning, all of it exact:
 * <ul>
 *   <li>a node above an acceptable node is acceptable too when the models are monotone (always
 *       without suppression; with suppression only k-anonymity and distinct l-diversity), so its
 *       check is skipped; and when nothing may be suppressed the metric is monotone too, so the
 *       node and everything above it is skipped, as in ARX's Flash;</li>
 *   <li>a node whose metric lower bound is no better than the best so far is skipped with everything above it.</li>
 * </ul>
 * When that lattice is larger than {@code maxExhaustiveNodes} or the time budget runs out, the
 * heuristics answer instead and the result says it may not be optimal.
 */
public final class GlobalRecoding {
  /** Lattices up to this size are searched exactly from the start, as ARX does below its heuristic threshold. */
  static final long EXACT_FIRST_NODES = 100_000;

  private final NodeEvaluator evaluator;
  private final boolean metricMonotone;

  private GlobalRecoding(NodeEvaluator evaluator) {
    this.evaluator = evaluator;
    this.metricMonotone = evaluator.maxSuppressed == 0;
  }

  /**
   * The evaluation of one transformation: {@code score} is the metric (+infinity when not
   * acceptable); {@code penalized} the metric with the failing classes suppressed even when that
   * exceeds the limit, which is how heuristics rank unacceptable nodes, as ARX does.
   */
  public record Evaluation(int[] levels, boolean acceptable, long suppressedRecords, int classes, double score,
      double penalized) {
    public Evaluation {
      levels = levels.clone();
    }

    /** A copy: searches derive neighbours from it, and the best node's levels must stay what was checked. */
    @Override
    public int[] levels() {
      return levels.clone();
    }
  }

  /**
   * The chosen transformation and how it was found. {@code lowerBound} is a proven lower bound of
   * the optimal score (equal to the best score when {@code optimal}); NaN when none is known.
   */
  public record Result(Evaluation best, boolean optimal, long nodesEvaluated, long latticeSize, String strategy,
      double lowerBound) {
    /**
     * How much worse than the optimum the answer can at most be, relative to the optimum's lower
     * bound: 0 when optimal, +infinity when the bound is 0 but the answer is not, NaN when unknown.
     */
    public double optimalityGap() {
      if (optimal) {
        return 0;
      }
      if (Double.isNaN(lowerBound)) {
        return Double.NaN;
      }
      double score = best.score();
      if (score <= lowerBound) {
        return 0;
      }
      return lowerBound <= 0 ? Double.POSITIVE_INFINITY : (score - lowerBound) / lowerBound;
    }
  }

  public static Result search(TupleHistogram histogram, List<PrivacyModel> models, double suppressionLimit,
      UtilityMetric metric, SensitiveContext context, long timeBudgetMillis, long maxExhaustiveNodes) {
    if (histogram.records() == 0) {
      throw new IllegalArgumentException("Cannot anonymize an empty table");
    }
    NodeEvaluator evaluator = new NodeEvaluator(histogram, models, suppressionLimit, metric, context, timeBudgetMillis);
    Lattice lattice = evaluator.lattice;
    long size = lattice.size;
    long start = System.nanoTime();
    long budget = timeBudgetMillis * 1_000_000L;
    if (evaluator.levelTable != null && lattice.hasIdentifiers()) {
      String strategy = "bound-ordered lattice search with projection pruning";
      BoundOrderedSearch exact = new BoundOrderedSearch(evaluator);
      BoundOrderedSearch.Outcome outcome;
      if (size <= EXACT_FIRST_NODES) {
        outcome = exact.run(evaluator.deadline);
      } else {
        // Heuristics and the exact search take turns: each better answer lowers the exact search's
        // cut-off, and the exact search goes on where it stopped, ending the loop once it proves the optimum.
        strategy = "greedy climb, bottom-up best-effort and iterated local search, with " + strategy;
        long slice = Math.max(1, budget / 10);
        LocalSearch local = new LocalSearch(evaluator);
        local.seed();
        new BottomUpBestEffort(evaluator, Math.min(evaluator.deadline, System.nanoTime() + slice)).run();
        outcome = exact.run(Math.min(evaluator.deadline, System.nanoTime() + slice));
        while (!outcome.complete() && !evaluator.timedOut()) {
          local.run(Math.min(evaluator.deadline, System.nanoTime() + 2 * slice));
          outcome = exact.run(Math.min(evaluator.deadline, System.nanoTime() + slice));
        }
      }
      Evaluation best = bestOrTop(evaluator);
      return new Result(best, outcome.complete(), evaluator.evaluated(), size,
          outcome.complete() ? strategy : strategy + " (time budget exhausted: optimum not proven)",
          Math.min(outcome.lowerBound(), best.score()));
    }
    GlobalRecoding search = new GlobalRecoding(evaluator);
    if (size > 0 && size <= maxExhaustiveNodes) {
      search.exhaustive();
      if (!evaluator.timedOut() && evaluator.best() != null) {
        return new Result(evaluator.best(), true, evaluator.evaluated(), size, "exhaustive lattice search with pruning",
            evaluator.best().score());
      }
    }
    new BottomUpBestEffort(evaluator, start + budget / 2).run();
    new LocalSearch(evaluator).run(evaluator.deadline);
    return new Result(bestOrTop(evaluator), false, evaluator.evaluated(), size,
        "bottom-up best-effort and local search (optimum not proven)", Double.NaN);
  }

  /**
   * ARX's bottom-up best-effort heuristic alone, for {@code timeBudgetMillis}: the reference a
   * large-lattice search must at least match in the same time (the lattice benchmark runs both).
   */
  public static Result bottomUpBestEffort(TupleHistogram histogram, List<PrivacyModel> models, double suppressionLimit,
      UtilityMetric metric, SensitiveContext context, long timeBudgetMillis) {
    NodeEvaluator evaluator = new NodeEvaluator(histogram, models, suppressionLimit, metric, context, timeBudgetMillis);
    new BottomUpBestEffort(evaluator, evaluator.deadline).run();
    return new Result(bestOrTop(evaluator), false, evaluator.evaluated(), evaluator.lattice.size,
        "bottom-up best-effort (ARX's LIGHTNING)", Double.NaN);
  }

  /** The best node found, or the top (everything generalized), which every search may fall back to. */
  private static Evaluation bestOrTop(NodeEvaluator evaluator) {
    if (evaluator.best() == null) {
      evaluator.evaluate(evaluator.lattice.maxLevels.clone());
    }
    if (evaluator.best() == null) {
      throw new IllegalArgumentException("Cannot anonymize: even the most general transformation does not satisfy "
          + evaluator.models.stream().map(PrivacyModel::describe).toList() + " within the suppression limit");
    }
    return evaluator.best();
  }

  /**
   * The bottom node, then the spanning subtrees below it, spread over the machine's cores: the
   * subtrees share nothing but the best node and the acceptable nodes found, both thread-safe.
   */
  private void exhaustive() {
    EquivalenceClasses bottom = evaluator.bottomClasses();
    if (consider(bottom, false)) {
      return;
    }
    int[] maxLevels = evaluator.lattice.maxLevels;
    List<Callable<Void>> subtrees = new ArrayList<>();
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
    Parallel.runAll(subtrees);
  }

  /** Evaluates a node; returns true when nothing above it can be better (so its subtree is skipped). */
  private boolean consider(EquivalenceClasses classes, boolean knownAcceptable) {
    Evaluation e = evaluator.evaluate(classes, knownAcceptable);
    return e.acceptable() && metricMonotone;
  }

  /**
   * Visits a node and its spanning-tree children (raising dimensions >= {@code firstDimension}).
   * {@code ancestor} holds the classes of the nearest evaluated ancestor: nodes that fail the
   * projection check are passed through without being grouped at all.
   */
  private void visit(int[] levels, EquivalenceClasses ancestor, int firstDimension) {
    if (evaluator.timedOut()) {
      return;
    }
    boolean knownAcceptable = evaluator.knownAcceptable(levels);
    if (knownAcceptable && metricMonotone) {
      return;
    }
    EquivalenceClasses classes = ancestor;
    if (knownAcceptable || evaluator.passesProjections(levels)) {
      classes = Arrays.equals(ancestor.levels, levels) ? ancestor : ancestor.rollUpTo(evaluator.histogram, levels);
      if (evaluator.metric.lowerBound(evaluator.histogram, classes) > evaluator.bestScore()) {
        return;
      }
      if (consider(classes, knownAcceptable)) {
        return;
      }
    }
    int[] maxLevels = evaluator.lattice.maxLevels;
    for (int d = firstDimension; d < levels.length; d++) {
      if (levels[d] < maxLevels[d]) {
        int[] child = levels.clone();
        child[d]++;
        visit(child, classes, d);
        if (evaluator.timedOut()) {
          return;
        }
      }
    }
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
}

package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The exact search for metrics whose score without suppression depends on the levels alone (Loss,
 * precision). That score bounds from below the node's score with suppression and the score of
 * every node above it; it is a strictly increasing function of a sum of one cost per
 * quasi-identifier and level ({@link UtilityMetric#additiveCosts}).
 *
 * <p>The lattice is never materialized. A best-first (A*) search assigns the quasi-identifiers'
 * levels one at a time; a partial assignment is ranked by its cost plus, for every dimension not
 * yet assigned, the cost of the lowest level its two-dimensional projections with the assigned
 * dimensions allow ({@link NodeEvaluator#minimumLevels}). That estimate never exceeds the cost of
 * any completion whose projections are acceptable, so complete transformations come off the heap
 * in increasing order of their bound, and only those that pass every pair projection are ever
 * generated. Each is then grouped and checked. The search ends when the next bound exceeds the best
 * acceptable score found (by it, or by a heuristic before it): every transformation not yet seen
 * is provably no better, so the best is optimal. Without suppression an acceptable node's score
 * equals its bound, so the first acceptable node ends it.
 *
 * <p>When the time or the frontier's memory runs out, the smallest rank on the heap (or in work)
 * is a proven lower bound of the optimum, so the caller can state how far from optimal its answer
 * can be.
 */
final class BoundOrderedSearch {
  /** The frontier's size limit: 2^23 entries of 20 bytes. */
  static final int MAX_FRONTIER = 1 << 23;
  /** Bounds are compared with this relative slack, so rounding can never skip a node that ties the best. */
  private static final double SLACK = 1e-12;

  private final NodeEvaluator evaluator;
  private final Lattice lattice;
  private long deadline;
  private final int dims;
  /** Dimensions in the order they are assigned: the most costly first, so estimates are tight early. */
  private final int[] order;
  private final double[][] costs;
  private final int[][][] minimum;
  private double[] heapRanks = new double[1024];
  private long[] heapIds = new long[1024];
  private int[] heapDepths = new int[1024];
  private int heapSize;
  private final double[] inFlight;
  private boolean stopped;
  private boolean exhausted;

  /** How the search ended: whether it proved the optimum, and the smallest bound it did not rule out. */
  record Outcome(boolean complete, double lowerBound) {}

  BoundOrderedSearch(NodeEvaluator evaluator) {
    if (evaluator.levelTable == null || !evaluator.lattice.hasIdentifiers()) {
      throw new IllegalArgumentException("the bound-ordered search needs a level table and a lattice of at most 2^63 nodes");
    }
    this.evaluator = evaluator;
    this.lattice = evaluator.lattice;
    this.dims = lattice.dimensions();
    this.costs = evaluator.metric.additiveCosts(evaluator.levelTable);
    this.minimum = evaluator.minimumLevels();
    Integer[] byCost = new Integer[dims];
    for (int d = 0; d < dims; d++) {
      byCost[d] = d;
    }
    Arrays.sort(byCost, (a, b) -> {
      int c = Double.compare(costs[b][costs[b].length - 1], costs[a][costs[a].length - 1]);
      return c != 0 ? c : Integer.compare(a, b);
    });
    this.order = Arrays.stream(byCost).mapToInt(Integer::intValue).toArray();
    this.inFlight = new double[Parallel.threads()];
    Arrays.fill(inFlight, Double.POSITIVE_INFINITY);
    push(rank(new int[dims], 0), 0L, 0);
  }

  /**
   * Searches until the optimum is proven or {@code deadlineNanos}; may be called again to go on
   * where it stopped (a heuristic in between may have lowered the cut-off).
   */
  Outcome run(long deadlineNanos) {
    this.deadline = deadlineNanos;
    if (!exhausted && heapSize + 64 <= MAX_FRONTIER) {
      stopped = false;
    }
    List<Callable<Void>> workers = new ArrayList<>();
    for (int w = 0; w < inFlight.length; w++) {
      int slot = w;
      workers.add(() -> {
        work(slot);
        return null;
      });
    }
    Parallel.runAll(workers);
    if (exhausted || (!stopped && heapSize == 0)) {
      return new Outcome(true, evaluator.bestScore());
    }
    double lowest = heapSize > 0 ? heapRanks[0] : Double.POSITIVE_INFINITY;
    for (double b : inFlight) {
      lowest = Math.min(lowest, b);
    }
    return new Outcome(false, Math.min(evaluator.metric.boundFromCost(lowest, dims), evaluator.bestScore()));
  }

  /** The cost of the assigned dimensions plus the cheapest level the pair projections allow for each other one. */
  private double rank(int[] levels, int depth) {
    double cost = 0;
    for (int i = 0; i < depth; i++) {
      cost += costs[order[i]][levels[order[i]]];
    }
    for (int i = depth; i < dims; i++) {
      cost += costs[order[i]][lowestAllowed(levels, depth, order[i])];
    }
    return cost;
  }

  /** The lowest level of {@code d} whose projections with the assigned dimensions are acceptable. */
  private int lowestAllowed(int[] levels, int depth, int d) {
    int lowest = 0;
    for (int i = 0; i < depth; i++) {
      int a = order[i];
      lowest = Math.max(lowest, minimum[a][d][levels[a]]);
    }
    return lowest;
  }

  /** The rank above which nothing can beat the best score found. */
  private double cutoff() {
    double best = evaluator.bestScore();
    if (best == Double.POSITIVE_INFINITY) {
      return best;
    }
    double cost = evaluator.metric == UtilityMetric.LOSS ? dims * Math.log1p(best) : dims * best;
    return cost + SLACK * Math.max(1, Math.abs(cost));
  }

  private void work(int slot) {
    while (true) {
      long id;
      double rank;
      synchronized (this) {
        inFlight[slot] = Double.POSITIVE_INFINITY;
        if (stopped || exhausted) {
          return;
        }
        if (heapSize == 0) {
          if (allIdle()) {
            exhausted = true;
            notifyAll();
            return;
          }
          waitBriefly();
          continue;
        }
        if (heapRanks[0] > cutoff()) {
          exhausted = true;
          notifyAll();
          return;
        }
        if (System.nanoTime() > deadline || evaluator.timedOut() || heapSize + 64 > MAX_FRONTIER) {
          stopped = true;
          notifyAll();
          return;
        }
        rank = heapRanks[0];
        id = heapIds[0];
        int depth = heapDepths[0];
        pop();
        if (depth < dims) {
          expand(lattice.levels(id), depth);
          notifyAll();
          continue;
        }
        inFlight[slot] = rank;
      }
      int[] levels = lattice.levels(id);
      if (rank <= cutoff() && (evaluator.knownAcceptable(levels) || evaluator.passesProjections(levels))) {
        evaluator.evaluate(levels);
      }
    }
  }

  /** Pushes the assignments of the next dimension that its projections with the assigned ones allow. */
  private void expand(int[] levels, int depth) {
    int d = order[depth];
    double cutoff = cutoff();
    for (int level = lowestAllowed(levels, depth, d); level <= lattice.maxLevels[d]; level++) {
      levels[d] = level;
      double rank = rank(levels, depth + 1);
      if (rank <= cutoff) {
        push(rank, lattice.id(levels), depth + 1);
      }
    }
    levels[d] = 0;
  }

  private boolean allIdle() {
    for (double b : inFlight) {
      if (b != Double.POSITIVE_INFINITY) {
        return false;
      }
    }
    return true;
  }

  private void waitBriefly() {
    try {
      wait(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }

  /** Heap order: rank, then complete before partial (deeper first), then identifier (lexicographic levels). */
  private boolean less(int i, double rank, long id, int depth) {
    if (heapRanks[i] != rank) {
      return heapRanks[i] < rank;
    }
    if (heapDepths[i] != depth) {
      return heapDepths[i] > depth;
    }
    return heapIds[i] < id;
  }

  private void push(double rank, long id, int depth) {
    if (heapSize == heapRanks.length) {
      heapRanks = Arrays.copyOf(heapRanks, heapSize * 2);
      heapIds = Arrays.copyOf(heapIds, heapSize * 2);
      heapDepths = Arrays.copyOf(heapDepths, heapSize * 2);
    }
    int i = heapSize++;
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      if (less(parent, rank, id, depth) || (heapRanks[parent] == rank && heapDepths[parent] == depth && heapIds[parent] == id)) {
        break;
      }
      move(parent, i);
      i = parent;
    }
    set(i, rank, id, depth);
  }

  private void pop() {
    heapSize--;
    if (heapSize == 0) {
      return;
    }
    double rank = heapRanks[heapSize];
    long id = heapIds[heapSize];
    int depth = heapDepths[heapSize];
    int i = 0;
    while (true) {
      int child = 2 * i + 1;
      if (child >= heapSize) {
        break;
      }
      if (child + 1 < heapSize && less(child + 1, heapRanks[child], heapIds[child], heapDepths[child])) {
        child++;
      }
      if (!less(child, rank, id, depth)) {
        break;
      }
      move(child, i);
      i = child;
    }
    set(i, rank, id, depth);
  }

  private void move(int from, int to) {
    heapRanks[to] = heapRanks[from];
    heapIds[to] = heapIds[from];
    heapDepths[to] = heapDepths[from];
  }

  private void set(int i, double rank, long id, int depth) {
    heapRanks[i] = rank;
    heapIds[i] = id;
    heapDepths[i] = depth;
  }
}

package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Iterated local search over the lattice, started from the best acceptable node found so far:
 * move to the best acceptable neighbour (one level lowered, one raised, or one lowered and another
 * raised) while that improves the score; at a local optimum, lower a few random levels of the
 * best node and climb back to acceptability greedily, then descend again. Only neighbours whose
 * lower bound beats the best score and whose projections pass are grouped, so the search spends
 * its time where an improvement is possible.
 *
 * <p>The random source is seeded, so a run with the same histogram and number of iterations is
 * reproducible; the answer still depends on how many iterations fit in the time budget.
 */
final class LocalSearch {
  private final NodeEvaluator evaluator;
  private long deadline;
  private final boolean raisesHelp;
  private final SplittableRandom random = new SplittableRandom(0x5eed);
  private final Map<Lattice.Key, GlobalRecoding.Evaluation> seen = new HashMap<>();
  private static final int MAX_SEEN = 1_000_000;

  private final int[][][] minimum;

  LocalSearch(NodeEvaluator evaluator) {
    this.evaluator = evaluator;
    this.minimum = evaluator.minimumLevels();
    // Without suppression a more general node never scores better; with it, it may suppress less.
    this.raisesHelp = evaluator.maxSuppressed > 0;
  }

  private boolean mustStop() {
    return System.nanoTime() > deadline || evaluator.timedOut();
  }

  /**
   * A first acceptable node, as fast as possible: the greedy climb from the bottom, given the whole
   * time budget (not a slice), so that no later phase starts without an answer to improve.
   */
  void seed() {
    this.deadline = evaluator.deadline;
    if (evaluator.best() == null) {
      climb(new int[evaluator.lattice.dimensions()]);
    }
  }

  /** Searches until {@code deadlineNanos}; may be called again, going on with the same random stream. */
  void run(long deadlineNanos) {
    this.deadline = deadlineNanos;
    if (evaluator.best() == null) {
      climb(new int[evaluator.lattice.dimensions()]);
    }
    GlobalRecoding.Evaluation start = evaluator.best();
    if (start == null) {
      return;
    }
    descend(start);
    while (!mustStop()) {
      GlobalRecoding.Evaluation best = evaluator.best();
      int strength = 1 + Math.min(failures / 8, evaluator.lattice.dimensions() - 1);
      round++;
      // Two ways off a local optimum, taken in turn: lower some levels and climb back to
      // acceptability, or raise some and lower every level as far as acceptability allows.
      GlobalRecoding.Evaluation restart = round % 2 == 0 ? climb(kick(best.levels(), strength))
          : minimalize(raise(best.levels(), strength));
      if (restart == null) {
        failures++;
        continue;
      }
      double before = evaluator.bestScore();
      descend(restart);
      failures = evaluator.bestScore() < before ? 0 : failures + 1;
    }
  }

  private int failures;
  private long round;

  /** Raises {@code count} randomly chosen levels to a random higher level. */
  private int[] raise(int[] levels, int count) {
    int[] raised = levels.clone();
    for (int i = 0; i < count; i++) {
      int d = random.nextInt(raised.length);
      int max = evaluator.lattice.maxLevels[d];
      if (raised[d] < max) {
        raised[d] += 1 + random.nextInt(max - raised[d]);
      }
    }
    return raised;
  }

  /**
   * From an acceptable node, lowers each level in a random order to the lowest value that keeps
   * the node acceptable (a binary search where acceptability is monotone, one step at a time
   * otherwise): a minimal acceptable node, different for every order, near which optima lie.
   */
  private GlobalRecoding.Evaluation minimalize(int[] levels) {
    GlobalRecoding.Evaluation current = evaluate(levels);
    if (!current.acceptable()) {
      return null;
    }
    // Random order, biased towards lowering first the levels that cost the most.
    double[] key = new double[levels.length];
    Integer[] byKey = new Integer[levels.length];
    for (int d = 0; d < levels.length; d++) {
      int[] down = levels.clone();
      down[d] = 0;
      double saving = evaluator.levelTable == null ? 1 : evaluator.bound(levels) - evaluator.bound(down);
      key[d] = -saving * (0.25 + random.nextDouble());
      byKey[d] = d;
    }
    Arrays.sort(byKey, (a, b) -> Double.compare(key[a], key[b]));
    int[] order = Arrays.stream(byKey).mapToInt(Integer::intValue).toArray();
    for (int d : order) {
      if (mustStop()) {
        break;
      }
      int[] x = current.levels();
      int low = 0;
      int high = x[d];
      while (low < high) {
        int mid = evaluator.modelsMonotone ? (low + high) >>> 1 : high - 1;
        x[d] = mid;
        GlobalRecoding.Evaluation e = evaluate(x);
        if (e.acceptable()) {
          current = e;
          high = mid;
        } else if (evaluator.modelsMonotone) {
          low = mid + 1;
        } else {
          break;
        }
      }
    }
    return current;
  }

  /**
   * Lowers {@code count} randomly chosen raised levels by a random amount, then raises, without
   * grouping anything, what the pair projections require of the others: the climb that follows
   * then starts from a node that can be acceptable.
   */
  private int[] kick(int[] levels, int count) {
    int[] kicked = levels.clone();
    boolean[] lowered = new boolean[kicked.length];
    for (int i = 0; i < count; i++) {
      int d = random.nextInt(kicked.length);
      if (kicked[d] > 0) {
        kicked[d] -= 1 + random.nextInt(kicked[d]);
        lowered[d] = true;
      }
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int a = 0; a < kicked.length; a++) {
        for (int b = 0; b < kicked.length; b++) {
          if (a != b && !lowered[b] && kicked[b] < minimum[a][b][kicked[a]]) {
            kicked[b] = minimum[a][b][kicked[a]];
            changed = true;
          }
        }
      }
    }
    return kicked;
  }

  private GlobalRecoding.Evaluation evaluate(int[] levels) {
    Lattice.Key key = new Lattice.Key(levels.clone());
    GlobalRecoding.Evaluation known = seen.get(key);
    if (known != null) {
      return known;
    }
    GlobalRecoding.Evaluation e = evaluator.evaluate(key.levels());
    if (seen.size() < MAX_SEEN) {
      seen.put(key, e);
    }
    return e;
  }

  private List<GlobalRecoding.Evaluation> evaluateAll(List<int[]> nodes) {
    List<int[]> fresh = new ArrayList<>();
    List<GlobalRecoding.Evaluation> result = new ArrayList<>();
    for (int[] n : nodes) {
      GlobalRecoding.Evaluation known = seen.get(new Lattice.Key(n));
      if (known != null) {
        result.add(known);
      } else {
        fresh.add(n);
      }
    }
    for (GlobalRecoding.Evaluation e : Parallel.map(fresh, evaluator::evaluate)) {
      if (seen.size() < MAX_SEEN) {
        seen.put(new Lattice.Key(e.levels()), e);
      }
      result.add(e);
    }
    return result;
  }

  /**
   * From {@code levels}, raises the one level whose successor is best ({@link #better}) until the
   * node is acceptable.
   */
  private GlobalRecoding.Evaluation climb(int[] levels) {
    GlobalRecoding.Evaluation current = evaluate(levels);
    while (!current.acceptable() && !mustStop()) {
      if (evaluator.bound(current.levels()) >= evaluator.bestScore()) {
        return null;
      }
      List<int[]> successors = new ArrayList<>();
      for (int d = 0; d < levels.length; d++) {
        if (current.levels()[d] < evaluator.lattice.maxLevels[d]) {
          int[] s = current.levels();
          s[d]++;
          successors.add(s);
        }
      }
      if (successors.isEmpty()) {
        return null;
      }
      GlobalRecoding.Evaluation next = null;
      for (GlobalRecoding.Evaluation e : evaluateAll(successors)) {
        if (next == null || better(e, next)) {
          next = e;
        }
      }
      current = next;
    }
    return current.acceptable() ? current : null;
  }

  /**
   * Acceptable before unacceptable; acceptable nodes by score; unacceptable ones by the records
   * they still suppress, then by loss. Near the bottom almost every class fails, so losses tie and
   * only the suppressed records show which step helps.
   */
  private static boolean better(GlobalRecoding.Evaluation a, GlobalRecoding.Evaluation b) {
    if (a.acceptable() != b.acceptable()) {
      return a.acceptable();
    }
    if (!a.acceptable() && a.suppressedRecords() != b.suppressedRecords()) {
      return a.suppressedRecords() < b.suppressedRecords();
    }
    double sa = a.acceptable() ? a.score() : a.penalized();
    double sb = b.acceptable() ? b.score() : b.penalized();
    return sa < sb || (sa == sb && Arrays.compare(a.levels(), b.levels()) < 0);
  }

  /** Best-improvement descent over single and paired level changes. */
  private void descend(GlobalRecoding.Evaluation start) {
    GlobalRecoding.Evaluation current = start;
    while (!mustStop()) {
      double target = Math.min(current.score(), evaluator.bestScore());
      List<int[]> neighbours = new ArrayList<>();
      int[] x = current.levels();
      int dims = x.length;
      for (int i = 0; i < dims; i++) {
        if (x[i] > 0) {
          int[] down = x.clone();
          down[i]--;
          consider(neighbours, down, target);
          for (int j = 0; j < dims; j++) {
            if (j != i && x[j] < evaluator.lattice.maxLevels[j]) {
              int[] swap = down.clone();
              swap[j]++;
              consider(neighbours, swap, target);
            }
          }
        }
        if (raisesHelp && x[i] < evaluator.lattice.maxLevels[i]) {
          int[] up = x.clone();
          up[i]++;
          consider(neighbours, up, target);
        }
      }
      GlobalRecoding.Evaluation next = null;
      for (GlobalRecoding.Evaluation e : evaluateAll(neighbours)) {
        if (e.acceptable() && e.score() < current.score() && (next == null || better(e, next))) {
          next = e;
        }
      }
      if (next == null) {
        return;
      }
      current = next;
    }
  }

  private void consider(List<int[]> neighbours, int[] node, double target) {
    if (evaluator.bound(node) < target && (evaluator.knownAcceptable(node) || evaluator.passesProjections(node))) {
      neighbours.add(node);
    }
  }
}

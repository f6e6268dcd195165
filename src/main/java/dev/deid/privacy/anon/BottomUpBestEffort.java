package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The bottom-up best-effort heuristic of ARX (its LIGHTNING algorithm, Prasser et al. 2016),
 * written from its published description: from the bottom, repeatedly expand the checked node
 * with the least information loss (every successor is checked and queued), and every so many
 * steps dive greedily towards the top along the best successor, so that an acceptable node is met
 * early. Nodes whose lower bound is no better than the best found are not expanded.
 *
 * <p>Used to seed the exact search with a good incumbent, and by the benchmark as the reference a
 * large-lattice result must at least match in the same time.
 */
final class BottomUpBestEffort {
  private final NodeEvaluator evaluator;
  private final long deadline;
  private final Map<Lattice.Key, GlobalRecoding.Evaluation> checked = new HashMap<>();
  private final Set<Lattice.Key> expanded = new HashSet<>();
  private final PriorityQueue<GlobalRecoding.Evaluation> queue = new PriorityQueue<>((a, b) -> {
    int byLoss = Double.compare(a.penalized(), b.penalized());
    return byLoss != 0 ? byLoss : Arrays.compare(a.levels(), b.levels());
  });
  private final int stepping;
  private static final int MAX_CHECKED = 2_000_000;

  BottomUpBestEffort(NodeEvaluator evaluator, long deadlineNanos) {
    this.evaluator = evaluator;
    this.deadline = deadlineNanos;
    int top = 0;
    for (int max : evaluator.lattice.maxLevels) {
      top += max;
    }
    this.stepping = Math.max(1, top);
  }

  private boolean mustStop() {
    return System.nanoTime() > deadline || evaluator.timedOut() || checked.size() > MAX_CHECKED;
  }

  void run() {
    int[] bottom = new int[evaluator.lattice.dimensions()];
    GlobalRecoding.Evaluation first = evaluator.evaluate(evaluator.bottomClasses(), false);
    checked.put(new Lattice.Key(bottom), first);
    queue.add(first);
    int step = 0;
    GlobalRecoding.Evaluation next;
    while (!mustStop() && (next = queue.poll()) != null) {
      if (prune(next)) {
        continue;
      }
      step++;
      if (step % stepping == 0) {
        dive(next);
      } else {
        expand(next);
      }
    }
  }

  private boolean prune(GlobalRecoding.Evaluation node) {
    return expanded.contains(new Lattice.Key(node.levels())) || evaluator.bound(node.levels()) >= evaluator.bestScore();
  }

  private void dive(GlobalRecoding.Evaluation node) {
    GlobalRecoding.Evaluation current = node;
    while (current != null && !mustStop()) {
      GlobalRecoding.Evaluation best = expand(current);
      if (best != null) {
        queue.remove(best);
      }
      current = best;
    }
  }

  /** Checks and queues the successors of {@code node} not yet expanded; returns the one with least loss. */
  private GlobalRecoding.Evaluation expand(GlobalRecoding.Evaluation node) {
    int[] levels = node.levels();
    List<int[]> toCheck = new ArrayList<>();
    List<GlobalRecoding.Evaluation> successors = new ArrayList<>();
    for (int d = 0; d < levels.length; d++) {
      if (levels[d] < evaluator.lattice.maxLevels[d]) {
        int[] successor = levels.clone();
        successor[d]++;
        Lattice.Key key = new Lattice.Key(successor);
        if (expanded.contains(key) || evaluator.bound(successor) >= evaluator.bestScore()) {
          continue;
        }
        GlobalRecoding.Evaluation known = checked.get(key);
        if (known != null) {
          successors.add(known);
        } else {
          toCheck.add(successor);
        }
      }
    }
    for (GlobalRecoding.Evaluation e : Parallel.map(toCheck, evaluator::evaluate)) {
      checked.put(new Lattice.Key(e.levels()), e);
      successors.add(e);
    }
    GlobalRecoding.Evaluation best = null;
    for (GlobalRecoding.Evaluation e : successors) {
      queue.add(e);
      if (best == null || e.penalized() < best.penalized()) {
        best = e;
      }
    }
    expanded.add(new Lattice.Key(levels));
    return best;
  }
}

package dev.deid.privacy.anon;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs a search's independent pieces of work on every core of the driver and waits for all of
 * them. The threads are daemons shared by all searches, started once: a search hands out work in
 * batches of a few milliseconds, too short to start threads for. Tasks never submit tasks, so
 * the shared pool cannot deadlock.
 */
final class Parallel {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(threads(), r -> {
    Thread t = new Thread(r, "deid-lattice-search");
    t.setDaemon(true);
    return t;
  });

  private Parallel() {}

  static int threads() {
    return Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  static void runAll(List<? extends Callable<Void>> tasks) {
    int threads = Math.max(1, Math.min(tasks.size(), threads()));
    if (threads == 1) {
      for (Callable<Void> task : tasks) {
        try {
          task.call();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      return;
    }
    try {
      for (Future<Void> f : POOL.invokeAll(tasks)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while searching", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    }
  }

  /** {@code f} applied to every input, results in input order; inputs are dealt out to the cores. */
  static <T, R> List<R> map(List<T> inputs, Function<T, R> f) {
    List<R> results = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      results.add(null);
    }
    if (inputs.size() <= 1 || threads() == 1) {
      for (int i = 0; i < inputs.size(); i++) {
        results.set(i, f.apply(inputs.get(i)));
      }
      return results;
    }
    AtomicInteger next = new AtomicInteger();
    List<Callable<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(threads(), inputs.size()); w++) {
      workers.add(() -> {
        for (int i = next.getAndIncrement(); i < inputs.size(); i = next.getAndIncrement()) {
          R r = f.apply(inputs.get(i));
          synchronized (results) {
            results.set(i, r);
          }
        }
        return null;
      });
    }
    runAll(workers);
    return results;
  }
}

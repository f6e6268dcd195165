package dev.deid.pipeline;

import dev.deid.io.StepClock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wall time per named step of a run, in the order the steps ran, for the report and the audit row;
 * each step also logs a line when it starts and when it ends (logger {@code dev.deid.progress}),
 * so a long run shows its progress in a terminal or a scheduler's task log.
 */
final class StepTimer implements StepClock {
  private static final Logger PROGRESS = LoggerFactory.getLogger("dev.deid.progress");
  private final Map<String, Long> millis = new LinkedHashMap<>();

  @Override
  public <T> T time(String step, Supplier<T> work) {
    long t0 = System.nanoTime();
    PROGRESS.info("{} ...", step);
    boolean done = false;
    try {
      T result = work.get();
      done = true;
      return result;
    } finally {
      long elapsed = (System.nanoTime() - t0) / 1_000_000;
      millis.put(step, elapsed);
      PROGRESS.info("{} {} in {} s", step, done ? "done" : "FAILED", String.format(Locale.ROOT, "%.1f", elapsed / 1000.0));
    }
  }

  Map<String, Long> millis() {
    return Collections.unmodifiableMap(millis);
  }
}

package dev.deid.pipeline;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Wall time per named step of a run, in the order the steps ran; for the report and the audit row. */
final class StepTimer {
  private final Map<String, Long> millis = new LinkedHashMap<>();

  <T> T time(String step, Supplier<T> work) {
    long t0 = System.nanoTime();
    try {
      return work.get();
    } finally {
      millis.put(step, (System.nanoTime() - t0) / 1_000_000);
    }
  }

  Map<String, Long> millis() {
    return Collections.unmodifiableMap(millis);
  }
}

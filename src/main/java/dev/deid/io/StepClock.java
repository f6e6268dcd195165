package dev.deid.io;

import java.util.function.Supplier;

/** Times a named piece of work, so that a run's report says where its time went. */
public interface StepClock {
  <T> T time(String step, Supplier<T> work);

  /** For callers that do not report timings. */
  StepClock UNTIMED = new StepClock() {
    @Override
    public <T> T time(String step, Supplier<T> work) {
      return work.get();
    }
  };
}

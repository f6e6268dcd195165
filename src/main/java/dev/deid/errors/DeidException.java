package dev.deid.errors;

import java.util.List;

/**
 * A user-facing failure: the message states the problem, its cause and the fix. Built only by
 * {@link Errors}, so every message has the same shape and none of them carries a secret.
 */
public final class DeidException extends RuntimeException {
  private final List<String> problems;

  DeidException(List<String> problems, Throwable cause) {
    super(String.join("\n", problems), cause);
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, one sentence each; a spec validation reports all of them at once. */
  public List<String> problems() {
    return problems;
  }
}

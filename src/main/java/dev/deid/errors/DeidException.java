package dev.deid.errors;

import java.util.List;

/**
 * A user-facing failure: the message states the problem, its cause and the fix. Built only by
 * {@link Errors}, so every message has the same shape and none of them carries a secret.
 */
public final class DeidException extends RuntimeException {
  private final List<String> problems;
  private final List<String> values;

  DeidException(List<String> problems, Throwable cause) {
    this(problems, List.of(), cause);
  }

  DeidException(List<String> problems, List<String> values, Throwable cause) {
    super(String.join("\n", problems), cause);
    this.problems = List.copyOf(problems);
    this.values = List.copyOf(values);
  }

  /**
   * Data values that illustrate the problem (e.g. values a hierarchy lacks). Never part of the
   * message, so never in a report or the audit table; the CLI prints them only when asked to with
   * {@code --show-values}.
   */
  public List<String> values() {
    return values;
  }

  /** Every problem found, one sentence each; a spec validation reports all of them at once. */
  public List<String> problems() {
    return problems;
  }
}

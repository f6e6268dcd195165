package dev.deid.privacy.anon;

import java.util.List;

/** A hierarchy that is malformed or does not cover the data; lists every problem found. */
public final class InvalidHierarchyException extends IllegalArgumentException {
  private final String attribute;
  private final List<String> problems;

  public InvalidHierarchyException(String attribute, List<String> problems) {
    super("Invalid hierarchy for '" + attribute + "': " + String.join("; ", problems));
    this.attribute = attribute;
    this.problems = List.copyOf(problems);
  }

  public String attribute() {
    return attribute;
  }

  public List<String> problems() {
    return problems;
  }
}

package dev.deid.privacy.anon;

import java.util.Collection;
import java.util.List;

/**
 * A hierarchy that is malformed or does not cover the data; lists every problem found. The
 * problems name rows, levels and counts, never a value: values come from the data or from a file
 * the spec points at, and error messages travel into reports and the audit table. Example values
 * are kept apart in {@link #examples()}, for a user who asks to see them on their own console.
 */
public final class InvalidHierarchyException extends IllegalArgumentException {
  private final String attribute;
  private final List<String> problems;
  private final List<String> examples;

  public InvalidHierarchyException(String attribute, List<String> problems) {
    this(attribute, problems, List.of());
  }

  public InvalidHierarchyException(String attribute, List<String> problems, List<String> examples) {
    super("Invalid hierarchy for '" + attribute + "': " + String.join("; ", problems));
    this.attribute = attribute;
    this.problems = List.copyOf(problems);
    this.examples = List.copyOf(examples);
  }

  /** "N values not covered by the hierarchy", with up to 20 of them as examples kept apart. */
  public static InvalidHierarchyException uncovered(String attribute, Collection<String> values) {
    return new InvalidHierarchyException(attribute, List.of(values.size() + " value(s) of '" + attribute
        + "' not covered by the hierarchy"), values.stream().limit(20).toList());
  }

  public String attribute() {
    return attribute;
  }

  public List<String> problems() {
    return problems;
  }

  /** Offending values, for a console that explicitly asked for them; never for messages, reports or audits. */
  public List<String> examples() {
    return examples;
  }
}

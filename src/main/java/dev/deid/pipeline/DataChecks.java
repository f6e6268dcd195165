package dev.deid.pipeline;

import dev.deid.config.OutputSpec;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.steps.Anonymize;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks that need the data, made before the first deletion so that a mistake they find
 * deletes nothing: for each anonymized output, its hierarchies against the values of its rows and
 * its k against their number (from one histogram of its rows). Given a context with pending
 * deletions ({@link RunContext#withPendingDeletions}) the rows are those the deletion will leave.
 */
final class DataChecks {
  private DataChecks() {}

  /** Every problem found, each naming its field and fix (with the values that show it, kept out of the messages); null when none. */
  static DeidException problems(RunContext context) {
    List<String> problems = new ArrayList<>();
    List<String> values = new ArrayList<>();
    for (OutputSpec output : context.spec().outputs()) {
      if (output.anonymization() == null) {
        continue;
      }
      try {
        Anonymize.check(Outputs.beforeAnonymization(context, output).data(), output.anonymization(),
            context.spec().hierarchies(), context.fileHierarchies(), output.path());
      } catch (DeidException e) {
        problems.addAll(e.problems());
        values.addAll(e.values());
      }
    }
    return problems.isEmpty() ? null : Errors.withValues(problems, values);
  }

  static void require(RunContext context) {
    DeidException problems = problems(context);
    if (problems != null) {
      throw problems;
    }
  }
}

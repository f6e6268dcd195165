package dev.deid.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a run would do, measured without changing anything ({@code run --dry-run}): per raw table
 * the rows retention and erasure would delete and the rows kept for a NULL in the rule's column,
 * the privacy budget each source and audience has left and what this run would spend of it, and
 * every reason the real run would stop (an exceeded {@code maxDeleteFraction}, a budget that does
 * not fit). Nothing is written: no report, no audit row, no ledger charge.
 */
public record DryRun(String job, String referenceTime, long erasureRequests, List<Table> tables, List<Budget> budgets,
    List<String> stops) {

  public DryRun {
    tables = List.copyOf(tables);
    budgets = List.copyOf(budgets);
    stops = List.copyOf(stops);
  }

  /** One raw table's planned deletions. */
  public record Table(String source, String location, long rows, long retention, long erasure,
      long retentionTimestampNull) {}

  /** One budget of a source and audience: what is left now, and what this run would spend. */
  public record Budget(String source, String audience, String window, double epsilonLeft, double deltaLeft,
      double epsilonSpent, double deltaSpent) {}

  public boolean wouldRun() {
    return stops.isEmpty();
  }

  /** The plan as lines for a terminal or a scheduler's log. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    lines.add("dry run of job '" + job + "' at reference time " + referenceTime + ": nothing was changed");
    if (erasureRequests >= 0) {
      lines.add("  erasure requests: " + erasureRequests);
    }
    for (Table t : tables) {
      lines.add("  delete     " + t.source() + ": " + t.retention() + " expired + " + t.erasure() + " erased of " + t.rows()
          + " rows" + (t.retentionTimestampNull() > 0 ? "; " + t.retentionTimestampNull()
              + " rows without a retention timestamp are kept" : ""));
    }
    for (Budget b : budgets) {
      lines.add(String.format(Locale.ROOT, "  budget     %s / %s (%s): epsilon %.4g left, this run spends %.4g; "
          + "delta %.3g left, this run spends %.3g", b.source(), b.audience(), b.window(), b.epsilonLeft(), b.epsilonSpent(),
          b.deltaLeft(), b.deltaSpent()));
    }
    stops.forEach(s -> lines.add("  WOULD STOP " + s));
    lines.add(wouldRun() ? "the run would proceed" : "the run would stop before deleting or writing anything");
    return lines;
  }
}

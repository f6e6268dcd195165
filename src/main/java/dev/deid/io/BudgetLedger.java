package dev.deid.io;

import dev.deid.config.BudgetSpec;
import dev.deid.errors.Errors;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The privacy-budget ledger: a Delta table with one row per release ever published (dataset,
 * audience, period, release, epsilon, delta, run id, time). Spending is reserve-then-verify: the
 * run appends its entry, then re-reads the ledger; if the period's total (its own entry and every
 * other run's, committed before or concurrently) exceeds the budget, it deletes its entry and
 * refuses. Two concurrent runs can thus both be refused but never both overspend: whichever reads
 * last sees both entries.
 */
public final class BudgetLedger {
  static final StructType SCHEMA = new StructType()
      .add("dataset", DataTypes.StringType, false)
      .add("audience", DataTypes.StringType, false)
      .add("period", DataTypes.StringType, false)
      .add("release", DataTypes.StringType, false)
      .add("epsilon", DataTypes.DoubleType, false)
      .add("delta", DataTypes.DoubleType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("recorded_at", DataTypes.TimestampType, false);
  private static final int DELETE_ATTEMPTS = 5;

  private final DeltaStore store;
  private final String table;

  public BudgetLedger(DeltaStore store, String table) {
    this.store = store;
    this.table = table;
  }

  public static String period(BudgetSpec budget, Instant time) {
    return switch (budget.period()) {
      case "day" -> DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC).format(time);
      case "year" -> DateTimeFormatter.ofPattern("yyyy").withZone(ZoneOffset.UTC).format(time);
      case "total" -> "total";
      default -> DateTimeFormatter.ofPattern("yyyy-MM").withZone(ZoneOffset.UTC).format(time);
    };
  }

  /** Epsilon and delta already spent in the period, as {epsilon, delta}. */
  public double[] spent(BudgetSpec budget, String period) {
    if (!store.exists(table)) {
      return new double[] {0, 0};
    }
    Row sums = store.read(table)
        .filter(functions.col("dataset").equalTo(budget.source()).and(functions.col("audience").equalTo(budget.audience()))
            .and(functions.col("period").equalTo(period)))
        .agg(functions.coalesce(functions.sum("epsilon"), functions.lit(0.0)),
            functions.coalesce(functions.sum("delta"), functions.lit(0.0)))
        .first();
    return new double[] {sums.getDouble(0), sums.getDouble(1)};
  }

  /** Refuses, before anything is written, a spend that the ledger as it stands cannot cover. */
  public void check(BudgetSpec budget, String period, String path, double epsilon, double delta) {
    double[] spent = spent(budget, period);
    if (spent[0] + epsilon > budget.epsilon() + 1e-12 || spent[1] + delta > budget.delta() + 1e-15) {
      throw refusal(budget, period, path, epsilon, delta, spent);
    }
  }

  /** Records a spend, then verifies the period's total including concurrent runs; undoes it and refuses if over. */
  public void reserve(BudgetSpec budget, String period, String path, String release, String runId, double epsilon,
      double delta, Instant now) {
    Row entry = RowFactory.create(budget.source(), budget.audience(), period, release, epsilon, delta, runId, Timestamp.from(now));
    ensureExists();
    store.append(table, store.spark().createDataFrame(List.of(entry), SCHEMA));
    double[] total = spent(budget, period);
    if (total[0] > budget.epsilon() + 1e-12 || total[1] > budget.delta() + 1e-15) {
      undo(release, runId);
      double[] others = {total[0] - epsilon, total[1] - delta};
      throw refusal(budget, period, path, epsilon, delta, others);
    }
  }

  /**
   * Creates the empty ledger on first use. Two runs creating it at once conflict in Delta, so a
   * failed creation is accepted when the table exists afterwards.
   */
  private void ensureExists() {
    if (store.exists(table)) {
      return;
    }
    try {
      store.append(table, store.spark().createDataFrame(List.<Row>of(), SCHEMA));
    } catch (RuntimeException e) {
      if (!store.exists(table)) {
        throw e;
      }
    }
  }

  private void undo(String release, String runId) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      try {
        store.delete(table, functions.col("run_id").equalTo(runId).and(functions.col("release").equalTo(release)));
        return;
      } catch (RuntimeException e) {
        last = e; // a concurrent commit; Delta asks us to retry
      }
    }
    throw last;
  }

  private static RuntimeException refusal(BudgetSpec budget, String period, String path, double epsilon, double delta,
      double[] spent) {
    return Errors.of("Cannot publish " + path + ": it needs epsilon " + epsilon + (delta > 0 ? ", delta " + delta : "")
        + " but only epsilon " + Math.max(0, budget.epsilon() - spent[0]) + ", delta " + Math.max(0, budget.delta() - spent[1])
        + " is left of the budget for source '" + budget.source() + "' and audience '" + budget.audience() + "' in period "
        + period + " (fix: wait for the next period, lower the release's epsilon, or raise the budget deliberately)");
  }
}

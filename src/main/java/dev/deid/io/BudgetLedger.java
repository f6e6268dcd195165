package dev.deid.io;

import dev.deid.config.BudgetSpec;
import dev.deid.errors.Errors;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The privacy-budget ledger: a Delta table with one row per charge ever made (a DP release, or one
 * run of an output with row-level DP columns).
 *
 * <p>Charges are keyed by the data, not by the spec: the raw table's Delta id (which survives a
 * renamed source, another warehouse's path to the same table, or a read by URI) and the audience.
 * The privacy unit is recorded; the loader only accepts units that identify the data subject, so
 * every charge on a table protects the same people and all of them count together. Each charge
 * carries the run's reference time ({@code charged_for}): a budget sums the charges whose time
 * falls in its window (day, month or year around the run's reference time, or all of them for a
 * lifetime budget), so changing a budget's period in the spec cannot reset what was spent.
 *
 * <p>Spending is reserve-then-verify: the run appends its charge, then re-reads the ledger; if any
 * applicable budget's total (its own charge and every other run's, committed before or
 * concurrently) exceeds it, the run deletes its charge and refuses. Two concurrent runs can thus
 * both be refused but never both overspend: whichever reads last sees both charges.
 */
public final class BudgetLedger {
  static final StructType SCHEMA = new StructType()
      .add("table_id", DataTypes.StringType, false)
      .add("table_location", DataTypes.StringType, false)
      .add("audience", DataTypes.StringType, false)
      .add("privacy_unit", DataTypes.StringType, false)
      .add("charge", DataTypes.StringType, false)
      .add("epsilon", DataTypes.DoubleType, false)
      .add("delta", DataTypes.DoubleType, false)
      .add("run_id", DataTypes.StringType, false)
      .add("charged_for", DataTypes.TimestampType, false)
      .add("recorded_at", DataTypes.TimestampType, false);
  private static final int DELETE_ATTEMPTS = 5;

  /** What one charge spends, on which data, for whom; {@code path} names it in errors (e.g. {@code releases[0]}). */
  public record Charge(String tableId, String tableLocation, String audience, String privacyUnit, String name, String path,
      double epsilon, double delta) {}

  private final TableStore store;
  private final String table;

  public BudgetLedger(TableStore store, String table) {
    this.store = store;
    this.table = table;
  }

  public String location() {
    return table;
  }

  /** A readable name of the budget window that contains {@code time}: 2026-11-25, 2026-11, 2026 or lifetime. */
  public static String period(BudgetSpec budget, Instant time) {
    LocalDate date = time.atZone(ZoneOffset.UTC).toLocalDate();
    return switch (budget.period()) {
      case "day" -> date.toString();
      case "year" -> String.valueOf(date.getYear());
      case "lifetime" -> "lifetime";
      default -> date.toString().substring(0, 7);
    };
  }

  /** The charges a budget counts at {@code time}: its window around that time, or all for a lifetime budget. */
  static Column inWindow(BudgetSpec budget, Instant time) {
    ZonedDateTime t = time.atZone(ZoneOffset.UTC);
    ZonedDateTime start = switch (budget.period()) {
      case "day" -> t.toLocalDate().atStartOfDay(ZoneOffset.UTC);
      case "year" -> t.toLocalDate().withDayOfYear(1).atStartOfDay(ZoneOffset.UTC);
      case "lifetime" -> null;
      default -> t.toLocalDate().withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC);
    };
    if (start == null) {
      return functions.lit(true);
    }
    ZonedDateTime end = switch (budget.period()) {
      case "day" -> start.plusDays(1);
      case "year" -> start.plusYears(1);
      default -> start.plusMonths(1);
    };
    Column c = functions.col("charged_for");
    return c.geq(functions.lit(Timestamp.from(start.toInstant()))).and(c.lt(functions.lit(Timestamp.from(end.toInstant()))));
  }

  /** Epsilon and delta already spent on a table for an audience within the budget's window at {@code time}. */
  public double[] spent(String tableId, String audience, BudgetSpec budget, Instant time) {
    if (!store.exists(table)) {
      return new double[] {0, 0};
    }
    requireCurrentSchema();
    Row sums = store.read(table)
        .filter(functions.col("table_id").equalTo(tableId).and(functions.col("audience").equalTo(audience))
            .and(inWindow(budget, time)))
        .agg(functions.coalesce(functions.sum("epsilon"), functions.lit(0.0)),
            functions.coalesce(functions.sum("delta"), functions.lit(0.0)))
        .first();
    return new double[] {sums.getDouble(0), sums.getDouble(1)};
  }

  /** How many charges the ledger holds for a table: it only grows, so fewer than an earlier run saw means a rollback. */
  public long charges(String tableId) {
    if (!store.exists(table)) {
      return 0;
    }
    return store.read(table).filter(functions.col("table_id").equalTo(tableId)).count();
  }

  /**
   * The latest reference time any charge on this table was made for, or null. A run may not move
   * its reference time before it: that would re-open a period whose charges it no longer counts.
   */
  public Instant latestChargedFor(String tableId) {
    if (!store.exists(table)) {
      return null;
    }
    requireCurrentSchema();
    Row latest = store.read(table).filter(functions.col("table_id").equalTo(tableId)).agg(functions.max("charged_for")).first();
    return latest.isNullAt(0) ? null : latest.getTimestamp(0).toInstant();
  }

  /** Refuses, before anything is written, charges that the ledger as it stands cannot cover. */
  public void check(BudgetSpec budget, Charge total, Instant time) {
    double[] spent = spent(total.tableId(), total.audience(), budget, time);
    if (spent[0] + total.epsilon() > budget.epsilon() + 1e-12 || spent[1] + total.delta() > budget.delta() + 1e-15) {
      throw refusal(budget, total, time, spent);
    }
  }

  /**
   * Records a charge, then verifies every applicable budget's total including concurrent runs;
   * undoes the charge and refuses if any is over.
   */
  public void reserve(List<BudgetSpec> budgets, Charge charge, String runId, Instant time, Instant now) {
    Row entry = RowFactory.create(charge.tableId(), charge.tableLocation(), charge.audience(), charge.privacyUnit(),
        charge.name(), charge.epsilon(), charge.delta(), runId, Timestamp.from(time), Timestamp.from(now));
    ensureExists();
    store.append(table, store.spark().createDataFrame(List.of(entry), SCHEMA));
    for (BudgetSpec budget : budgets) {
      double[] total = spent(charge.tableId(), charge.audience(), budget, time);
      if (total[0] > budget.epsilon() + 1e-12 || total[1] > budget.delta() + 1e-15) {
        undo(charge.name(), runId);
        throw refusal(budget, charge, time, new double[] {total[0] - charge.epsilon(), total[1] - charge.delta()});
      }
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

  private void requireCurrentSchema() {
    List<String> columns = Arrays.asList(store.read(table).columns());
    if (!columns.containsAll(Arrays.asList(SCHEMA.fieldNames()))) {
      throw Errors.outdatedLedger(table);
    }
  }

  private void undo(String charge, String runId) {
    RuntimeException last = null;
    for (int attempt = 0; attempt < DELETE_ATTEMPTS; attempt++) {
      try {
        store.delete(table, functions.col("run_id").equalTo(runId).and(functions.col("charge").equalTo(charge)));
        return;
      } catch (RuntimeException e) {
        last = e; // a concurrent commit; Delta asks us to retry
      }
    }
    throw last;
  }

  private static RuntimeException refusal(BudgetSpec budget, Charge charge, Instant time, double[] spent) {
    return Errors.budgetExceeded(charge.path(), charge.epsilon(), charge.delta(), Math.max(0, budget.epsilon() - spent[0]),
        Math.max(0, budget.delta() - spent[1]), budget.period(), budget.source(), budget.audience(), period(budget, time));
  }
}

package dev.deid.io;

import dev.deid.config.RetentionSpec;
import dev.deid.config.VacuumPolicy;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Deletes rows from a Delta table physically, for retention and erasure alike: every rule's
 * copy-on-write DELETE (files rewritten without the rows, see {@link DeltaStore}), then one VACUUM,
 * then a scan of every data file still on disk that counts, per rule, the rows that should be gone.
 * Grouping the rules of one table pays Delta's per-operation cost once.
 */
public final class PhysicalDelete {
  private PhysicalDelete() {}

  /** Which rows a rule deletes. */
  public sealed interface Rule {
    String name();

    /** The rows of {@code data} (the table, or raw data files) that this rule deletes. */
    Dataset<Row> matching(Dataset<Row> data);
  }

  /** Retention: rows whose timestamp column is older than the limit at the reference time. */
  public record OlderThan(String name, String column, Instant cutoff) implements Rule {
    public static OlderThan retention(RetentionSpec spec, Instant referenceTime) {
      return new OlderThan("retention", spec.column(), referenceTime.minus(Duration.ofDays(spec.maxAgeDays())));
    }

    Column condition() {
      return functions.col("`" + column + "`").lt(functions.lit(Timestamp.from(cutoff)));
    }

    /** The rows this rule deletes, as a condition (NULL timestamps are not expired). */
    public Column expired() {
      return functions.coalesce(condition(), functions.lit(false));
    }

    @Override
    public Dataset<Row> matching(Dataset<Row> data) {
      return data.filter(condition());
    }
  }

  /** Erasure: rows whose column (raw id or pseudonym) is one of the keys (a one-column dataset). */
  public record MatchingKeys(String name, String column, Dataset<Row> keys) implements Rule {
    Dataset<Row> distinctKeys() {
      return keys.select(functions.col(keys.columns()[0]).cast("string").as("deid_key")).distinct();
    }

    @Override
    public Dataset<Row> matching(Dataset<Row> data) {
      Dataset<Row> k = distinctKeys();
      return data.join(k, data.col("`" + column + "`").cast("string").equalTo(k.col("deid_key")), "left_semi");
    }
  }

  public static Map<String, PhysicalDeletion> apply(TableStore store, String table, List<Rule> rules, VacuumPolicy vacuum) {
    Map<String, Long> deleted = new LinkedHashMap<>();
    for (Rule rule : rules) {
      long count = rule instanceof OlderThan older
          ? store.delete(table, older.condition())
          : store.deleteMatching(table, ((MatchingKeys) rule).column(), ((MatchingKeys) rule).distinctKeys());
      deleted.put(rule.name(), count);
    }
    store.vacuum(table, vacuum);
    Map<String, PhysicalDeletion> result = new LinkedHashMap<>();
    for (Rule rule : rules) {
      DeltaStore.PhysicalScan scan = store.scanDataFiles(table, rule::matching);
      result.put(rule.name(), new PhysicalDeletion(table, deleted.get(rule.name()), scan.filesScanned(), scan.rowsFound(),
          vacuum.retentionHours()));
    }
    return result;
  }
}

package dev.deid.io;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The durable record of erasures in progress ({@code _deid/erasure_journal}): before a run
 * deletes a requested subject's rows it appends one {@code planned} row per subject and raw table,
 * and once every output and delivery has been rewritten without them, one {@code done} row each.
 * A run that dies in between leaves its entries planned; the next run finishes them (its outputs
 * and recall lists are rebuilt without the subjects) and reports them, so an erasure is never
 * recorded nowhere. Subjects are the audit audience's pseudonyms, as in the audit table.
 */
public final class ErasureJournal {
  static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("subject_pseudonym", DataTypes.StringType, false)
      .add("source", DataTypes.StringType, false)
      .add("state", DataTypes.StringType, false)
      .add("completed_by", DataTypes.StringType, true)
      .add("at", DataTypes.TimestampType, false);

  private static final String PLANNED = "planned";
  private static final String DONE = "done";

  private ErasureJournal() {}

  /** One subject's erasure from one raw table, begun by {@code runId}. */
  public record Entry(String runId, String subjectPseudonym, String source) {}

  /** Entries a run planned and no run completed, sorted by run, subject and source. */
  public static List<Entry> pending(TableStore store, String journal) {
    if (!store.exists(journal)) {
      return List.of();
    }
    Dataset<Row> rows = store.read(journal);
    Dataset<Row> done = rows.filter(functions.col("state").equalTo(DONE)).select("run_id", "subject_pseudonym", "source");
    List<Entry> pending = new ArrayList<>();
    for (Row row : rows.filter(functions.col("state").equalTo(PLANNED)).select("run_id", "subject_pseudonym", "source")
        .except(done).orderBy("run_id", "subject_pseudonym", "source").collectAsList()) {
      pending.add(new Entry(row.getString(0), row.getString(1), row.getString(2)));
    }
    return pending;
  }

  /** Appends {@code entries} as planned, in one commit, before their rows are deleted. */
  public static void planned(TableStore store, String journal, List<Entry> entries) {
    append(store, journal, entries, PLANNED, null);
  }

  /** Appends {@code entries} (this run's and earlier runs' pending ones) as done by {@code runId}, in one commit. */
  public static void completed(TableStore store, String journal, String runId, List<Entry> entries) {
    append(store, journal, entries, DONE, runId);
  }

  private static void append(TableStore store, String journal, List<Entry> entries, String state, String completedBy) {
    if (entries.isEmpty()) {
      return;
    }
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = entries.stream()
        .map(e -> RowFactory.create(e.runId(), e.subjectPseudonym(), e.source(), state, completedBy, now)).toList();
    store.append(journal, store.spark().createDataFrame(rows, SCHEMA));
  }
}

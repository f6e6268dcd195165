package dev.deid.io;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The audit table: one appended row per run, successful or not. Delta appends never conflict, so
 * concurrent runs each leave their record.
 */
public final class AuditLog {
  public static final StructType SCHEMA = new StructType()
      .add("run_id", DataTypes.StringType, false)
      .add("job", DataTypes.StringType, false)
      .add("spec_hash", DataTypes.StringType, true)
      .add("started_at", DataTypes.TimestampType, false)
      .add("duration_ms", DataTypes.LongType, false)
      .add("status", DataTypes.StringType, false)
      .add("error", DataTypes.StringType, true)
      .add("input_versions", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
      .add("output_versions", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
      .add("step_counts", DataTypes.createMapType(DataTypes.StringType, DataTypes.LongType), true)
      .add("erased_subject_pseudonyms", DataTypes.createArrayType(DataTypes.StringType), true)
      .add("report_path", DataTypes.StringType, true);

  private AuditLog() {}

  /** One run as the audit table records it: counts and versions, pseudonyms only, never a raw value. */
  public record Record(String runId, String job, String specHash, Instant startedAt, long durationMillis, String status,
      String error, Map<String, Long> inputVersions, Map<String, Long> outputVersions, Map<String, Long> counts,
      List<String> erasedSubjectPseudonyms, String reportPath) {}

  public static void append(TableStore store, String table, Record record) {
    Row row = RowFactory.create(record.runId(), record.job(), record.specHash(), Timestamp.from(record.startedAt()),
        record.durationMillis(), record.status(), record.error(), scalaMap(record.inputVersions()),
        scalaMap(record.outputVersions()), scalaMap(record.counts()),
        CollectionConverters.asScala(record.erasedSubjectPseudonyms()).toSeq(), record.reportPath());
    SparkSession spark = store.spark();
    Dataset<Row> rows = spark.createDataFrame(List.of(row), SCHEMA);
    store.append(table, rows);
  }

  /**
   * The largest value each count key had in any succeeded run's row (for counts that only grow,
   * such as the ledger's charges); empty when there is no audit table yet.
   */
  public static Map<String, Long> highestCounts(TableStore store, String table, String keyPrefix) {
    if (!store.exists(table)) {
      return Map.of();
    }
    Map<String, Long> highest = new HashMap<>();
    for (Row row : store.read(table).filter(org.apache.spark.sql.functions.col("status").equalTo("SUCCEEDED"))
        .select(org.apache.spark.sql.functions.explode(org.apache.spark.sql.functions.col("step_counts")))
        .filter(org.apache.spark.sql.functions.col("key").startsWith(keyPrefix))
        .groupBy("key").agg(org.apache.spark.sql.functions.max("value")).collectAsList()) {
      highest.put(row.getString(0), row.getLong(1));
    }
    return highest;
  }

  private static scala.collection.Map<String, Long> scalaMap(Map<String, Long> map) {
    return CollectionConverters.asScala(map == null ? Map.<String, Long>of() : map);
  }
}

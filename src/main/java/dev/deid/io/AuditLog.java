package dev.deid.io;

import dev.deid.report.RunReport;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

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

  public static void append(DeltaStore store, String table, RunReport report, String reportPath) {
    Map<String, Long> outputVersions = new LinkedHashMap<>();
    Map<String, Long> counts = new LinkedHashMap<>();
    if (report.retention() != null) {
      report.retention().forEach((source, d) -> counts.put("retention." + source + ".rows_deleted", d.rowsDeleted()));
    }
    List<String> erased = List.of();
    if (report.erasure() != null) {
      erased = report.erasure().erasedSubjectPseudonyms();
      counts.put("erasure.requests", report.erasure().requests());
      report.erasure().rawTables().forEach((source, d) -> counts.put("erasure." + source + ".rows_deleted", d.rowsDeleted()));
      report.erasure().outputs().forEach((output, d) -> counts.put("erasure.output." + output + ".rows_deleted", d.rowsDeleted()));
    }
    if (report.outputs() != null) {
      for (RunReport.OutputReport o : report.outputs()) {
        outputVersions.put(o.name(), o.version());
        counts.put("output." + o.name() + ".rows_in", o.rowsIn());
        counts.put("output." + o.name() + ".filtered_by_consent", o.rowsFilteredByConsent());
        counts.put("output." + o.name() + ".suppressed", o.rowsSuppressed());
        counts.put("output." + o.name() + ".rows_out", o.rowsOut());
      }
    }
    if (report.releases() != null) {
      for (RunReport.ReleaseReport r : report.releases()) {
        outputVersions.put(r.name(), r.version());
        counts.put("release." + r.name() + ".groups_released", r.groupsReleased());
      }
    }
    Row row = RowFactory.create(report.runId(), report.job(), report.specHash(),
        Timestamp.from(Instant.parse(report.startedAt())), report.durationMillis(), report.status(), report.error(),
        scalaMap(report.inputVersions()), scalaMap(outputVersions), scalaMap(counts),
        scala.jdk.javaapi.CollectionConverters.asScala(erased).toSeq(), reportPath);
    SparkSession spark = store.spark();
    Dataset<Row> rows = spark.createDataFrame(List.of(row), SCHEMA);
    store.append(table, rows);
  }

  private static scala.collection.Map<String, Long> scalaMap(Map<String, Long> map) {
    return scala.jdk.javaapi.CollectionConverters.asScala(map == null ? Map.<String, Long>of() : map);
  }
}

package dev.deid.pipeline;

import dev.deid.config.ColumnClass;
import dev.deid.config.ColumnSpec;
import dev.deid.config.SourceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Which columns Delta keeps file statistics for. Each file's statistics hold the first 32
 * characters of its minimum and maximum per column, in the log and its checksums, for as long as
 * the log keeps that version: an identifier there outlives the row it came from. So raw tables
 * this job deletes from keep statistics on insensitive columns only (the retention timestamp
 * among them, for data skipping), and outputs none on columns from direct identifiers
 * (pseudonyms). A column no spec classifies gets none either.
 */
final class StatisticsColumns {
  static final String STATS_COLUMNS = "delta.dataSkippingStatsColumns";
  static final String INDEXED_COLUMNS = "delta.dataSkippingNumIndexedCols";

  private StatisticsColumns() {}

  /** The table properties for a raw table (of {@code schema}) before this job rewrites its files. */
  static Map<String, String> forRawTable(SourceSpec source, StructType schema) {
    List<String> columns = new ArrayList<>();
    for (StructField field : schema.fields()) {
      ColumnSpec column = source.columns().get(field.name());
      boolean retention = source.retention() != null && source.retention().column().equals(field.name());
      if (column != null && (column.columnClass() == ColumnClass.INSENSITIVE || retention) && skippable(field)) {
        columns.add(field.name());
      }
    }
    return properties(columns);
  }

  /** The table properties for an output of {@code schema}, made from {@code columns}. */
  static Map<String, String> forOutput(List<ColumnSpec> columns, StructType schema) {
    List<String> kept = new ArrayList<>();
    for (StructField field : schema.fields()) {
      for (ColumnSpec column : columns) {
        if (column.outputName().equals(field.name()) && column.columnClass() != ColumnClass.DIRECT_IDENTIFIER
            && skippable(field)) {
          kept.add(field.name());
          break;
        }
      }
    }
    return properties(kept);
  }

  /** The types Delta collects statistics for (it refuses others in the property); nested columns are left out. */
  private static boolean skippable(StructField field) {
    DataType t = field.dataType();
    return t instanceof NumericType || t instanceof StringType || t instanceof DateType || t instanceof TimestampType
        || t instanceof TimestampNTZType;
  }

  /** Delta takes an empty column list as "the default", so no columns at all is said by a count of zero. */
  private static Map<String, String> properties(List<String> columns) {
    if (columns.isEmpty()) {
      return Map.of(INDEXED_COLUMNS, "0");
    }
    return Map.of(STATS_COLUMNS, String.join(",", columns.stream().map(c -> "`" + c.replace("`", "``") + "`").toList()));
  }

  /** Whether a table's properties already say what {@code wanted} says. */
  static boolean holds(Map<String, String> properties, Map<String, String> wanted) {
    return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(properties.get(e.getKey())));
  }
}

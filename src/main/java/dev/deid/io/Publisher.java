package dev.deid.io;

import dev.deid.config.OutputFormat;
import dev.deid.config.VacuumPolicy;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Publishes an output or a release in its format, atomically: a Delta table is replaced in one
 * commit with its properties, then vacuumed so earlier versions cannot bring back erased or
 * expired rows; a Parquet or CSV extract goes to a new directory with a manifest and becomes
 * current by an atomic pointer switch ({@link ExtractStore}).
 */
public final class Publisher {
  /** What was published: the Delta version (0 for extracts) and the rows written. */
  public record Published(long version, long rows) {}

  private final TableStore store;

  public Publisher(TableStore store) {
    this.store = store;
  }

  public Published publish(String location, OutputFormat format, Dataset<Row> data, Map<String, String> properties,
      Map<String, Object> manifestExtras, String runId, VacuumPolicy vacuum) {
    if (format == OutputFormat.DELTA) {
      long version = store.replace(location, data, properties);
      long rows = store.lastOutputRows(location);
      store.vacuum(location, vacuum);
      return new Published(version, rows);
    }
    Map<String, Object> metadata = new LinkedHashMap<>(properties);
    metadata.putAll(manifestExtras);
    ExtractStore.Written written = new ExtractStore(store.spark()).write(location, runId, data, format, metadata);
    return new Published(0, written.rows());
  }
}

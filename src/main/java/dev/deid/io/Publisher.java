package dev.deid.io;

import dev.deid.config.OutputFormat;
import dev.deid.config.VacuumPolicy;
import dev.deid.privacy.ManifestSignature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Publishes an output or a release in its format, atomically: a Delta table is replaced in one
 * commit with its properties, then (when it replaced an earlier version) vacuumed so earlier
 * versions cannot bring back erased or expired rows; a Parquet or CSV extract goes to a new directory with a signed manifest and
 * becomes current by an atomic pointer switch ({@link ExtractStore}).
 */
public final class Publisher {
  /** What was published: the Delta version (0 for extracts) and the rows written. */
  public record Published(long version, long rows) {}

  private final TableStore store;
  private final ManifestSignature.SigningKey signingKey;

  /** {@code signingKey} signs extract manifests; it may be null only when nothing published is an extract. */
  public Publisher(TableStore store, ManifestSignature.SigningKey signingKey) {
    this.store = store;
    this.signingKey = signingKey;
  }

  /** {@code encryption} (null for plaintext) applies to extracts; the loader refuses it for Delta and CSV. */
  public Published publish(String location, OutputFormat format, Dataset<Row> data, Map<String, String> properties,
      Map<String, Object> manifestExtras, String runId, VacuumPolicy vacuum, ExtractEncryption.Plan encryption) {
    if (format == OutputFormat.DELTA) {
      // A table created by this write has no earlier version whose files a VACUUM would remove.
      boolean replacing = store.exists(location);
      long version = store.replace(location, data, properties);
      long rows = store.lastOutputRows(location);
      if (replacing) {
        store.vacuum(location, vacuum);
      }
      return new Published(version, rows);
    }
    Map<String, Object> metadata = new LinkedHashMap<>(properties);
    metadata.putAll(manifestExtras);
    if (signingKey == null) {
      throw new IllegalStateException("an extract needs a signing key, which preflight loads for every spec writing one");
    }
    ExtractStore.Written written = new ExtractStore(store.spark()).write(location, runId, data, format, metadata, signingKey,
        encryption);
    return new Published(0, written.rows());
  }
}

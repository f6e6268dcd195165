package dev.deid.io;

import dev.deid.config.OutputFormat;
import dev.deid.privacy.ManifestSignature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Publishes an output or a release in its format, atomically: a Delta table is replaced in one
 * commit with its properties; a Parquet or CSV extract goes to a new directory with a signed
 * manifest and becomes current by an atomic pointer switch ({@link ExtractStore}). What the earlier
 * version or run leaves on disk goes when the run completes ({@link Publications}), so earlier
 * versions cannot bring back erased or expired rows and a failed run can be undone.
 */
public final class Publisher {
  /** What was published: the Delta version (0 for extracts) and the rows written. */
  public record Published(long version, long rows) {}

  private final TableStore store;
  private final ManifestSignature.SigningKey signingKey;
  private final Publications publications;

  /**
   * {@code signingKey} signs extract manifests; it may be null only when nothing published is an
   * extract. Every publication is recorded in {@code publications}, which completes or rolls back the run's.
   */
  public Publisher(TableStore store, ManifestSignature.SigningKey signingKey, Publications publications) {
    this.store = store;
    this.signingKey = signingKey;
    this.publications = publications;
  }

  /** {@code encryption} (null for plaintext) applies to extracts; the loader refuses it for Delta and CSV. */
  public Published publish(String location, OutputFormat format, Dataset<Row> data, Map<String, String> properties,
      Map<String, Object> manifestExtras, String runId, ExtractEncryption.Plan encryption) {
    if (format == OutputFormat.DELTA) {
      // The earlier version's files stay until the run completes, so that a failed run can restore it.
      Long previous = store.exists(location) ? store.latestVersion(location) : null;
      long version = store.replace(location, data, properties);
      publications.tableReplaced(location, previous, version);
      return new Published(version, store.lastOutputRows(location));
    }
    Map<String, Object> metadata = new LinkedHashMap<>(properties);
    metadata.putAll(manifestExtras);
    if (signingKey == null) {
      throw new IllegalStateException("an extract needs a signing key, which preflight loads for every spec writing one");
    }
    ExtractStore extracts = new ExtractStore(store.spark());
    String previousRun = extracts.currentRun(location);
    ExtractStore.Written written = extracts.write(location, runId, data, format, metadata, signingKey, encryption);
    publications.extractWritten(location, previousRun, runId);
    return new Published(0, written.rows());
  }
}

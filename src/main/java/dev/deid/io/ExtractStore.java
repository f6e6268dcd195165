package dev.deid.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deid.config.OutputFormat;
import dev.deid.privacy.ManifestSignature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Partner extracts: each run writes a new directory {@code <extract>/<run id>/} holding the files,
 * a {@code _manifest.json} (schema, row count, SHA-256 of every file, run id, key ids, guarantees,
 * the anonymization claims a partner can recheck, and the encryption's key ids when the partner's
 * contract requires Parquet encryption, see {@link ExtractEncryption}) and {@code _manifest.sig}, the publisher's
 * Ed25519 signature of the manifest's exact bytes (Spark readers skip files starting with '_').
 * Then it points {@code <extract>/_CURRENT} at the run with an atomic rename; older runs are removed
 * when the publishing run completes ({@link Publications}). A crashed run leaves {@code _CURRENT} on
 * the previous, complete extract; its orphan directory is removed by the next run.
 */
public final class ExtractStore {
  public static final String CURRENT = "_CURRENT";
  public static final String MANIFEST = "_manifest.json";
  public static final String SIGNATURE = "_manifest.sig";
  private final SparkSession spark;

  public ExtractStore(SparkSession spark) {
    this.spark = spark;
  }

  public record Written(String directory, long rows, Map<String, String> fileSha256) {}

  public Written write(String extract, String runId, Dataset<Row> data, OutputFormat format, Map<String, Object> metadata,
      ManifestSignature.SigningKey signingKey, ExtractEncryption.Plan encryption) {
    if (encryption != null && format != OutputFormat.PARQUET) {
      throw new IllegalArgumentException("only Parquet extracts can be encrypted; the spec loader refuses anything else");
    }
    String directory = extract + "/" + runId;
    var writer = data.write().mode("errorifexists");
    if (format == OutputFormat.CSV) {
      writer.option("header", "true").csv(directory);
    } else {
      writer.options(encryption == null ? Map.of() : encryption.writeOptions()).parquet(directory);
    }
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Dataset<Row> written = format == OutputFormat.CSV
        ? spark.read().option("header", "true").csv(directory)
        : spark.read().options(encryption == null ? Map.of() : encryption.readOptions()).parquet(directory);
    long rows = written.count();
    Map<String, String> hashes = hashFiles(directory, conf);
    Map<String, Object> manifest = new LinkedHashMap<>(metadata);
    manifest.put("runId", runId);
    manifest.put("format", format.name().toLowerCase());
    manifest.put("rows", rows);
    Map<String, String> schema = new LinkedHashMap<>();
    for (var field : data.schema().fields()) {
      schema.put(field.name(), field.dataType().simpleString());
    }
    manifest.put("schema", schema);
    manifest.put("files", hashes);
    if (encryption != null) {
      manifest.put("encryption", encryption.manifestEntry());
    }
    manifest.put("signingKeyId", signingKey.id());
    String json = AtomicFiles.toJson(manifest);
    AtomicFiles.writeAtomically(directory + "/" + MANIFEST, json, conf);
    AtomicFiles.writeAtomically(directory + "/" + SIGNATURE,
        ManifestSignature.sign(json.getBytes(StandardCharsets.UTF_8), signingKey) + "\n", conf);
    AtomicFiles.writeAtomically(extract + "/" + CURRENT, runId + "\n", conf);
    return new Written(directory, rows, hashes);
  }

  /** The rows of the extract's current run, decrypted with {@code readOptions} (empty for plaintext); null if none. */
  public Dataset<Row> readCurrent(String extract, OutputFormat format, Map<String, String> readOptions) {
    String run = currentRun(extract);
    if (run == null) {
      return null;
    }
    String directory = extract + "/" + run;
    return format == OutputFormat.CSV ? spark.read().option("header", "true").csv(directory)
        : spark.read().options(readOptions).parquet(directory);
  }

  /** The run id the extract's {@code _CURRENT} points at, or null if there is none. */
  public String currentRun(String extract) {
    try {
      Path pointer = new Path(extract + "/" + CURRENT);
      FileSystem fs = pointer.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(pointer)) {
        return null;
      }
      try (InputStream in = fs.open(pointer)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + extract + "/" + CURRENT, e);
    }
  }

  /** The text fields of the current run's manifest, or null when the extract has no current run. */
  public Map<String, String> currentProperties(String extract) {
    String run = currentRun(extract);
    if (run == null) {
      return null;
    }
    Path manifest = new Path(extract + "/" + run + "/" + MANIFEST);
    try (InputStream in = manifest.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(manifest)) {
      Map<String, String> fields = new LinkedHashMap<>();
      new ObjectMapper().readTree(in).fields().forEachRemaining(e -> {
        if (e.getValue().isTextual()) {
          fields.put(e.getKey(), e.getValue().asText());
        }
      });
      return fields;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the manifest of " + extract + "/" + run, e);
    }
  }

  private static Map<String, String> hashFiles(String directory, Configuration conf) {
    try {
      Path dir = new Path(directory);
      FileSystem fs = dir.getFileSystem(conf);
      Map<String, String> hashes = new LinkedHashMap<>();
      List<FileStatus> files = new ArrayList<>(List.of(fs.listStatus(dir)));
      files.sort((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()));
      for (FileStatus file : files) {
        String name = file.getPath().getName();
        if (file.isFile() && !name.startsWith(".") && !name.startsWith("_")) {
          hashes.put(name, sha256(fs, file.getPath()));
        }
      }
      return hashes;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot hash extract files in " + directory, e);
    }
  }

  /** The SHA-256 of a file, in hex: what the manifest states and a partner's verify recomputes. */
  static String sha256(FileSystem fs, Path file) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (InputStream in = fs.open(file)) {
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("The JDK offers no SHA-256", e);
    }
  }

  /** Removes every run of the extract but {@code keep}: when the publishing run completes, or a crashed run's orphans. */
  static void removeOtherRuns(String extract, String keep, Configuration conf) {
    try {
      Path root = new Path(extract);
      FileSystem fs = root.getFileSystem(conf);
      for (FileStatus status : fs.listStatus(root)) {
        if (status.isDirectory() && !status.getPath().getName().equals(keep)) {
          fs.delete(status.getPath(), true);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot remove superseded runs of " + extract, e);
    }
  }
}

package dev.deid.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deid.privacy.ManifestSignature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * What a partner runs on a delivered extract, with nothing but the extract folder and the
 * publisher's public key: the manifest's signature, every file's SHA-256 (no file missing, none
 * added), the row count and columns, and the anonymization the manifest claims, recomputed from
 * the data itself (every class of the quasi-identifiers holds at least k rows and, when stated, at
 * least l distinct sensitive values). Every check runs and every failure is reported.
 */
public final class ExtractVerifier {
  private ExtractVerifier() {}

  /** The run folder checked, what passed, and what failed (empty when the extract verifies). */
  public record Result(String runDirectory, List<String> passed, List<String> problems) {
    public boolean verified() {
      return problems.isEmpty();
    }
  }

  public static Result verify(SparkSession spark, String extract, ManifestSignature.VerifyingKey key) {
    return verify(spark, extract, key, List.of());
  }

  /**
   * Verifies an extract; {@code decryptionKeys} are the partner's copies of the master keys, needed
   * to read the rows of an encrypted extract (signature and hashes are checked without them).
   */
  public static Result verify(SparkSession spark, String extract, ManifestSignature.VerifyingKey key,
      List<ExtractEncryption.MasterKey> decryptionKeys) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<String> passed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    String directory;
    try {
      directory = runDirectory(extract, conf);
    } catch (IOException e) {
      return new Result(extract, passed, List.of("Cannot read " + extract + ": " + e.getClass().getSimpleName()));
    }
    if (directory == null) {
      return new Result(extract, passed, List.of("No extract at " + extract + ": neither " + ExtractStore.CURRENT
          + " nor " + ExtractStore.MANIFEST + " is there (fix: give the folder the publisher delivered)"));
    }
    byte[] manifestBytes;
    String signature;
    try {
      manifestBytes = read(directory + "/" + ExtractStore.MANIFEST, conf);
      signature = new String(read(directory + "/" + ExtractStore.SIGNATURE, conf), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new Result(directory, passed, List.of("The extract has no readable " + ExtractStore.MANIFEST + " and "
          + ExtractStore.SIGNATURE + " (" + e.getClass().getSimpleName() + "): it cannot be verified"));
    }
    if (ManifestSignature.verify(manifestBytes, signature, key)) {
      passed.add("signature: the manifest is signed by key '" + key.id() + "'");
    } else {
      problems.add("signature: the manifest's signature does not verify with key '" + key.id() + "': the manifest "
          + "was changed after signing, or was not signed with this key; nothing it states can be trusted");
    }
    JsonNode manifest;
    try {
      manifest = new ObjectMapper().readTree(manifestBytes);
    } catch (IOException e) {
      problems.add("manifest: not valid JSON");
      return new Result(directory, passed, problems);
    }
    checkFiles(directory, manifest.path("files"), conf, passed, problems);
    JsonNode encryption = manifest.path("encryption");
    if (!encryption.isMissingNode() && decryptionKeys.isEmpty()) {
      problems.add("data: the extract is encrypted (footer key '" + encryption.path("footerKeyId").asText() + "', column key '"
          + encryption.path("columnKeyId").asText() + "'), so rows and anonymization cannot be checked (fix: give your "
          + "copies of the keys with --decryption-key)");
      return new Result(directory, passed, problems);
    }
    Dataset<Row> data;
    long rows;
    try {
      data = "csv".equals(manifest.path("format").asText())
          ? spark.read().option("header", "true").csv(directory)
          : spark.read().options(decryptionKeys.isEmpty() ? Map.of() : ExtractEncryption.readOptions(decryptionKeys))
              .parquet(directory);
      rows = data.count();
    } catch (Exception e) {  // Spark's own SparkException is checked but undeclared
      problems.add("data: the files cannot be read as " + manifest.path("format").asText() + " ("
          + e.getClass().getSimpleName() + (encryption.isMissingNode() ? "" : "; are the decryption keys the right ones?")
          + "), so rows and anonymization cannot be checked");
      return new Result(directory, passed, problems);
    }
    if (!encryption.isMissingNode()) {
      passed.add("encryption: every file decrypts with footer key '" + encryption.path("footerKeyId").asText() + "'");
    }
    if (rows == manifest.path("rows").asLong(-1)) {
      passed.add("rows: " + rows + " as stated");
    } else {
      problems.add("rows: the data has " + rows + " rows, the manifest states " + manifest.path("rows").asText());
    }
    List<String> stated = new ArrayList<>();
    manifest.path("schema").fieldNames().forEachRemaining(stated::add);
    if (stated.equals(List.of(data.columns()))) {
      passed.add("columns: " + stated);
    } else {
      problems.add("columns: the data has " + List.of(data.columns()) + ", the manifest states " + stated);
    }
    JsonNode claims = manifest.path("anonymization");
    if (!claims.isMissingNode()) {
      try {
        checkAnonymization(data, claims, passed, problems);
      } catch (Exception e) {  // as above
        problems.add("anonymization: the rows cannot be read to recompute the classes (" + e.getClass().getSimpleName() + ")");
      }
    }
    return new Result(directory, passed, problems);
  }

  /**
   * Verifies a recall list ({@code partners/<partner>/_recalls/<run id>.json}): its signature in
   * the {@code .sig} beside it, and that it is a recall list; {@code passed} then says what it asks.
   */
  public static Result verifyRecall(String file, ManifestSignature.VerifyingKey key, Configuration conf) {
    List<String> passed = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    byte[] bytes;
    String signature;
    try {
      bytes = read(file, conf);
      signature = new String(read(file + ".sig", conf), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new Result(file, passed, List.of("The recall list or its " + file.replaceAll(".*/", "") + ".sig cannot be read ("
          + e.getClass().getSimpleName() + ")"));
    }
    if (!ManifestSignature.verify(bytes, signature, key)) {
      problems.add("signature: the recall list's signature does not verify with key '" + key.id() + "': do not act on it");
      return new Result(file, passed, problems);
    }
    passed.add("signature: the recall list is signed by key '" + key.id() + "'");
    try {
      JsonNode list = new ObjectMapper().readTree(bytes);
      if (!"erasure-recall".equals(list.path("kind").asText())) {
        problems.add("kind: not a recall list");
      }
      for (JsonNode extract : list.path("extracts")) {
        passed.add("recall: " + extract.path("extract").asText() + " (delivered in run " + extract.path("deliveredRun").asText()
            + "): " + (extract.has("pseudonyms") ? extract.path("pseudonyms").size() + " subjects by " + extract.path("column").asText()
                : "the whole delivery"));
      }
    } catch (IOException e) {
      problems.add("recall list: not valid JSON");
    }
    return new Result(file, passed, problems);
  }

  private static String runDirectory(String extract, Configuration conf) throws IOException {
    Path current = new Path(extract + "/" + ExtractStore.CURRENT);
    FileSystem fs = current.getFileSystem(conf);
    if (fs.exists(current)) {
      return extract + "/" + new String(read(current.toString(), conf), StandardCharsets.UTF_8).strip();
    }
    return fs.exists(new Path(extract + "/" + ExtractStore.MANIFEST)) ? extract : null;
  }

  private static byte[] read(String file, Configuration conf) throws IOException {
    Path path = new Path(file);
    try (InputStream in = raw(path.getFileSystem(conf)).open(path)) {
      return in.readAllBytes();
    }
  }

  /**
   * The file system without Hadoop's client-side checksums: a changed file must reach the
   * SHA-256 and signature checks, which name what changed, not fail on a stale {@code .crc}.
   */
  private static FileSystem raw(FileSystem fs) {
    return fs instanceof ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
  }

  private static void checkFiles(String directory, JsonNode files, Configuration conf, List<String> passed,
      List<String> problems) {
    Map<String, String> stated = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = files.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      stated.put(e.getKey(), e.getValue().asText());
    }
    try {
      Path dir = new Path(directory);
      FileSystem fs = raw(dir.getFileSystem(conf));
      TreeSet<String> present = new TreeSet<>();
      int matching = 0;
      for (FileStatus file : fs.listStatus(dir)) {
        String name = file.getPath().getName();
        if (!file.isFile() || name.startsWith("_") || name.startsWith(".")) {
          continue;
        }
        present.add(name);
        String expected = stated.get(name);
        if (expected == null) {
          problems.add("files: " + name + " is not in the manifest (added after publishing)");
        } else if (!expected.equals(ExtractStore.sha256(fs, file.getPath()))) {
          problems.add("files: " + name + " does not match its SHA-256 in the manifest (changed after publishing)");
        } else {
          matching++;
        }
      }
      for (String name : stated.keySet()) {
        if (!present.contains(name)) {
          problems.add("files: " + name + " is in the manifest but missing");
        }
      }
      if (matching == stated.size() && present.size() == stated.size()) {
        passed.add("files: all " + matching + " match their SHA-256");
      }
    } catch (IOException e) {
      problems.add("files: cannot list or read " + directory + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Recomputes the classes of the stated quasi-identifiers from the rows; star-suppressed rows form no class. */
  private static void checkAnonymization(Dataset<Row> data, JsonNode claims, List<String> passed, List<String> problems) {
    List<String> quasi = new ArrayList<>();
    claims.path("quasiIdentifiers").forEach(q -> quasi.add(q.asText()));
    int k = claims.path("k").asInt(1);
    int l = claims.path("distinctL").asInt(1);
    String sensitive = claims.path("sensitive").asText(null);
    List<String> missing = quasi.stream().filter(q -> !List.of(data.columns()).contains(q)).toList();
    if (!missing.isEmpty() || (l > 1 && (sensitive == null || !List.of(data.columns()).contains(sensitive)))) {
      problems.add("anonymization: the stated columns " + missing + (l > 1 ? " / " + sensitive : "") + " are not in the data");
      return;
    }
    Dataset<Row> released = data;
    if ("star".equals(claims.path("suppressedRows").asText())) {
      Column allStars = functions.lit(true);
      for (String q : quasi) {
        allStars = allStars.and(functions.coalesce(functions.col("`" + q + "`").cast("string").equalTo("*"), functions.lit(false)));
      }
      released = data.filter(functions.not(allStars));
    }
    Column[] keys = quasi.stream().map(q -> functions.col("`" + q + "`")).toArray(Column[]::new);
    List<Column> aggregates = new ArrayList<>(List.of(functions.count(functions.lit(1)).as("size")));
    if (l > 1) {
      aggregates.add(functions.countDistinct(functions.col("`" + sensitive + "`")).as("distinct"));
    }
    Dataset<Row> classes = released.groupBy(keys).agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
    Row smallest = classes.agg(functions.min("size"), l > 1 ? functions.min("distinct") : functions.lit(null),
        functions.count(functions.lit(1)), functions.sum(functions.when(functions.col("size").lt(k), functions.col("size"))
            .otherwise(0))).first();
    long classCount = smallest.getLong(2);
    if (classCount == 0) {
      passed.add("anonymization: no released rows to check");
      return;
    }
    long minSize = smallest.getLong(0);
    if (minSize >= k) {
      passed.add("k-anonymity: " + classCount + " classes of " + quasi + ", the smallest of " + minSize + " rows (k=" + k + ")");
    } else {
      problems.add("k-anonymity: does not hold for k=" + k + ": the smallest class of " + quasi + " has " + minSize
          + " rows; " + smallest.get(3) + " rows are in classes below k");
    }
    if (l > 1) {
      long minDistinct = smallest.getLong(1);
      if (minDistinct >= l) {
        passed.add("l-diversity: every class has at least " + minDistinct + " distinct " + sensitive + " values (l=" + l + ")");
      } else {
        problems.add("l-diversity: does not hold for l=" + l + ": a class has only " + minDistinct + " distinct "
            + sensitive + " values");
      }
    }
  }
}

package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.cli.DeidCli;
import dev.deid.config.OutputFormat;
import dev.deid.errors.DeidException;
import dev.deid.privacy.ManifestSignature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * A partner's {@code verify} on small signed extracts: an untouched one verifies; a changed data
 * file, manifest or signature, another publisher's key, an added or missing file, and a claimed k
 * or l the rows do not have are each reported, with a non-zero exit from the command.
 */
class ExtractVerifierTest {
  static final SparkSession SPARK = TestSpark.session();
  static final ManifestSignature.SigningKey SIGNING = KeyRingSigning.key(TestWarehouses.SIGNING[0]);
  static final ManifestSignature.VerifyingKey PUBLIC = KeyRingSigning.publicKey(TestWarehouses.SIGNING[1]);

  /** Parses the test key lines through the same code paths a run and a partner use. */
  static final class KeyRingSigning {
    static ManifestSignature.SigningKey key(String line) {
      return new KeyRing(Map.of(KeyRing.SIGNING_KEY_VARIABLE, line), null).signingKey();
    }

    static ManifestSignature.VerifyingKey publicKey(String line) {
      try {
        Path file = Files.createTempFile(TestSpark.tempDirectory("pub"), "signing", ".pub");
        Files.writeString(file, line);
        return KeyRing.verifyingKey(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Six people in two classes of three by (age band, city), each class with two distinct diagnoses. */
  static Dataset<Row> rows() {
    StructType schema = new StructType().add("age_band", DataTypes.StringType).add("city", DataTypes.StringType)
        .add("diagnosis", DataTypes.StringType);
    return SPARK.createDataFrame(List.of(
        RowFactory.create("30-39", "杭州", "flu"), RowFactory.create("30-39", "杭州", "cold"),
        RowFactory.create("30-39", "杭州", "flu"), RowFactory.create("40-49", "上海", "asthma"),
        RowFactory.create("40-49", "上海", "flu"), RowFactory.create("40-49", "上海", "flu")), schema).repartition(2);
  }

  static String extract(int k, int l) {
    String location = TestSpark.tempDirectory("extract").resolve("partner_out").toString();
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("quasiIdentifiers", List.of("age_band", "city"));
    claims.put("k", k);
    claims.put("distinctL", l);
    claims.put("sensitive", "diagnosis");
    claims.put("suppressedRows", "remove");
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("deid.key_id", "acme-k1");
    metadata.put("anonymization", claims);
    new ExtractStore(SPARK).write(location, "run-1", rows(), OutputFormat.PARQUET, metadata, SIGNING, null);
    return location;
  }

  static ExtractVerifier.Result verify(String extract) {
    return ExtractVerifier.verify(SPARK, extract, PUBLIC);
  }

  static Path dataFile(String extract) throws Exception {
    try (Stream<Path> files = Files.list(Path.of(extract, "run-1"))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
    }
  }

  static void assertProblem(ExtractVerifier.Result result, String text) {
    assertFalse(result.verified(), "must not verify: " + result);
    assertTrue(result.problems().stream().anyMatch(p -> p.contains(text)), "expected '" + text + "' in " + result.problems());
  }

  @Test
  void verify_untouchedExtract_passesEveryCheck() {
    ExtractVerifier.Result result = verify(extract(3, 2));
    assertTrue(result.verified(), result.problems().toString());
    assertEquals(List.of("signature", "files", "rows", "columns", "k-anonymity", "l-diversity"),
        result.passed().stream().map(p -> p.substring(0, p.indexOf(':'))).toList());
  }

  @Test
  void verify_changedDataFile_isCaughtByItsHash() throws Exception {
    String extract = extract(3, 2);
    Path file = dataFile(extract);
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 1;
    Files.write(file, bytes);
    assertProblem(verify(extract), "does not match its SHA-256");
  }

  @Test
  void verify_replacedDataFile_withValidParquetOfOtherRows_isCaught() throws Exception {
    String extract = extract(3, 2);
    Path file = dataFile(extract);
    Path other = TestSpark.tempDirectory("other");
    rows().limit(1).coalesce(1).write().parquet(other.resolve("p").toString());
    try (Stream<Path> files = Files.list(other.resolve("p"))) {
      Files.copy(files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow(), file,
          StandardCopyOption.REPLACE_EXISTING);
    }
    // A careful forger also removes Hadoop's checksum file, so only the manifest can tell.
    Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
    ExtractVerifier.Result result = verify(extract);
    assertProblem(result, "does not match its SHA-256");
    assertProblem(result, "rows: the data has");
  }

  @Test
  void verify_changedManifest_failsTheSignature() throws Exception {
    String extract = extract(3, 2);
    Path manifest = Path.of(extract, "run-1", ExtractStore.MANIFEST);
    Files.writeString(manifest, Files.readString(manifest).replace("\"rows\" : 6", "\"rows\" : 7"));
    ExtractVerifier.Result result = verify(extract);
    assertProblem(result, "signature does not verify");
    assertProblem(result, "the manifest states 7");
  }

  @Test
  void verify_changedSignatureOrAnotherPublishersKey_fails() throws Exception {
    String extract = extract(3, 2);
    Path signature = Path.of(extract, "run-1", ExtractStore.SIGNATURE);
    String original = Files.readString(signature).strip();
    int middle = original.indexOf(':') + 20;
    Files.writeString(signature, original.substring(0, middle) + (original.charAt(middle) == 'A' ? 'B' : 'A')
        + original.substring(middle + 1));
    assertProblem(verify(extract), "signature does not verify");
    Files.writeString(signature, original);
    assertTrue(verify(extract).verified(), "the restored signature verifies again");
    ManifestSignature.VerifyingKey other = KeyRingSigning.publicKey(ManifestSignature.generate("test-signing-1")[1]);
    ExtractVerifier.Result result = ExtractVerifier.verify(SPARK, extract, other);
    assertProblem(result, "signature does not verify");
  }

  @Test
  void verify_addedOrMissingFile_isCaught() throws Exception {
    String extract = extract(3, 2);
    Path file = dataFile(extract);
    Files.copy(file, file.resolveSibling("part-99999-extra.parquet"));
    assertProblem(verify(extract), "is not in the manifest");
    Files.delete(file.resolveSibling("part-99999-extra.parquet"));
    Files.delete(file);
    assertProblem(verify(extract), "is in the manifest but missing");
  }

  @Test
  void verify_claimedKOrLTheRowsDoNotHave_isCaughtFromTheData() {
    ExtractVerifier.Result overK = verify(extract(4, 2));
    assertTrue(overK.problems().stream().anyMatch(p -> p.startsWith("k-anonymity: does not hold for k=4")), overK.toString());
    ExtractVerifier.Result overL = verify(extract(3, 3));
    assertTrue(overL.problems().stream().anyMatch(p -> p.startsWith("l-diversity: does not hold for l=3")), overL.toString());
    assertTrue(overL.problems().stream().noneMatch(p -> p.contains("杭州")), "no data value in a problem: " + overL);
  }

  @Test
  void verifyCommand_exitsNonZeroWithTheProblem_andZeroWhenVerified() throws Exception {
    String extract = extract(3, 2);
    Path pub = TestSpark.tempDirectory("pub").resolve("signing.pub");
    Files.writeString(pub, TestWarehouses.SIGNING[1]);
    StringWriter out = new StringWriter();
    assertEquals(0, DeidCli.execute(new PrintWriter(out), new PrintWriter(new StringWriter()), "verify", extract,
        "--public-key", pub.toString()));
    assertTrue(out.toString().contains("verified"), out.toString());
    Files.delete(dataFile(extract));
    StringWriter failed = new StringWriter();
    assertEquals(DeidCli.FAILED, DeidCli.execute(new PrintWriter(failed), new PrintWriter(new StringWriter()), "verify",
        extract, "--public-key", pub.toString()));
    assertTrue(failed.toString().contains("FAIL  files:"), failed.toString());
  }

  @Test
  void keys_malformedSigningOrPublicKey_areRefusedWithoutEchoingThem() throws Exception {
    DeidException bad = assertThrows(DeidException.class,
        () -> new KeyRing(Map.of(KeyRing.SIGNING_KEY_VARIABLE, "k1:bm90LWEta2V5"), null).signingKey());
    assertTrue(bad.getMessage().contains("not a base64 PKCS#8 Ed25519 private key") && bad.getMessage().contains("fix:"),
        bad.getMessage());
    assertFalse(bad.getMessage().contains("bm90LWEta2V5"), bad.getMessage());
    DeidException missing = assertThrows(DeidException.class, () -> new KeyRing(Map.of(), null).signingKey());
    assertTrue(missing.getMessage().contains("DEID_SIGNING_KEY"), missing.getMessage());
    Path pub = TestSpark.tempDirectory("pub").resolve("bad.pub");
    Files.writeString(pub, "no colon here");
    DeidException badPublic = assertThrows(DeidException.class, () -> KeyRing.verifyingKey(pub));
    assertTrue(badPublic.getMessage().contains("Invalid public key"), badPublic.getMessage());
  }
}

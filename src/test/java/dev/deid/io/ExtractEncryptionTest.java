package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.config.OutputFormat;
import dev.deid.errors.DeidException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerEvent;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Partner extracts encrypted with Parquet modular encryption: unreadable without the partner's
 * keys or with a wrong one, every row back with them, the sensitive column under its own key, the
 * manifest naming key ids only, and no secret in what Spark records of the write.
 */
class ExtractEncryptionTest {
  static final SparkSession SPARK = TestSpark.session();
  static final ExtractEncryption.MasterKey FOOTER = new ExtractEncryption.MasterKey("acme-footer-1", bytes(3));
  static final ExtractEncryption.MasterKey COLUMNS = new ExtractEncryption.MasterKey("acme-columns-1", bytes(4));
  static final ExtractEncryption.Plan PLAN = new ExtractEncryption.Plan(
      new ExtractEncryption.PartnerKeys("acme", FOOTER, COLUMNS), List.of("amount"));

  static byte[] bytes(int seed) {
    byte[] b = new byte[32];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (seed * 17 + i * 5);
    }
    return b;
  }

  static Dataset<Row> rows() {
    StructType schema = new StructType().add("customer_id", DataTypes.StringType).add("region", DataTypes.StringType)
        .add("amount", DataTypes.DoubleType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(RowFactory.create("p" + i, i % 2 == 0 ? "east" : "north", 10.0 + i));
    }
    return SPARK.createDataFrame(rows, schema).repartition(2);
  }

  /** Writes an encrypted extract, recording the SQL executions Spark reported meanwhile. */
  static String write(List<String> recorded) {
    SparkListener listener = new SparkListener() {
      @Override
      public void onOtherEvent(SparkListenerEvent event) {
        if (event instanceof SparkListenerSQLExecutionStart start) {
          recorded.add(start.description() + "\n" + start.details() + "\n" + start.physicalPlanDescription()
              + "\n" + start.modifiedConfigs());
        }
      }
    };
    SPARK.sparkContext().addSparkListener(listener);
    String location = TestSpark.tempDirectory("encrypted").resolve("orders_partner").toString();
    try {
      new ExtractStore(SPARK).write(location, "run-1", rows(), OutputFormat.PARQUET, Map.of(),
          ExtractVerifierTest.SIGNING, PLAN);
    } finally {
      SPARK.sparkContext().removeSparkListener(listener);
    }
    return location + "/run-1";
  }

  static List<Row> read(String directory, List<ExtractEncryption.MasterKey> keys, String... columns) {
    Dataset<Row> data = SPARK.read().options(ExtractEncryption.readOptions(keys)).parquet(directory);
    return (columns.length == 0 ? data : data.selectExpr(columns)).orderBy("customer_id").collectAsList();
  }

  @Test
  void withThePartnersKeys_everyRowReadsBack() {
    String directory = write(new ArrayList<>());
    assertEquals(rows().orderBy("customer_id").collectAsList(), read(directory, List.of(FOOTER, COLUMNS)));
  }

  @Test
  void withoutKeys_orWithAWrongOne_nothingReads() {
    String directory = write(new ArrayList<>());
    assertThrows(Exception.class, () -> SPARK.read().parquet(directory).collectAsList(), "no keys");
    ExtractEncryption.MasterKey wrong = new ExtractEncryption.MasterKey(FOOTER.id(), bytes(9));
    assertThrows(Exception.class, () -> read(directory, List.of(wrong, COLUMNS)), "a wrong footer key");
  }

  @Test
  void theSensitiveColumn_needsTheColumnKey() {
    String directory = write(new ArrayList<>());
    assertEquals(40, read(directory, List.of(FOOTER), "customer_id", "region").size(),
        "the footer key reads the ordinary columns");
    assertThrows(Exception.class, () -> read(directory, List.of(FOOTER), "customer_id", "amount"),
        "amount is under the column key");
  }

  @Test
  void noSecret_inTheFiles_theManifest_orWhatSparkRecorded() throws Exception {
    List<String> recorded = new ArrayList<>();
    String directory = write(recorded);
    assertFalse(recorded.isEmpty(), "the write must have been observed");
    List<String> secrets = List.of(Base64.getEncoder().encodeToString(FOOTER.secret()),
        Base64.getEncoder().encodeToString(COLUMNS.secret()));
    for (String text : recorded) {
      for (String secret : secrets) {
        assertFalse(text.contains(secret), "a master key reached Spark's event: " + text.substring(0, Math.min(200, text.length())));
      }
    }
    try (Stream<Path> files = Files.list(Path.of(directory))) {
      for (Path file : files.toList()) {
        String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        for (String secret : secrets) {
          assertFalse(content.contains(secret), file.getFileName() + " holds a master key");
        }
        assertFalse(file.getFileName().toString().endsWith(".parquet") && content.contains("north"),
            file.getFileName() + " holds plaintext values");
      }
    }
    String manifest = Files.readString(Path.of(directory, ExtractStore.MANIFEST));
    assertTrue(manifest.contains("\"footerKeyId\" : \"acme-footer-1\"") || manifest.contains("\"footerKeyId\":\"acme-footer-1\""),
        manifest);
    assertTrue(manifest.contains("acme-columns-1"), manifest);
  }

  @Test
  void verify_readsTheRowsWithTheKeys_andSaysWhichKeysAreMissing() {
    String directory = write(new ArrayList<>());
    ExtractVerifier.Result with = ExtractVerifier.verify(SPARK, directory, ExtractVerifierTest.PUBLIC, List.of(FOOTER, COLUMNS));
    assertTrue(with.verified(), with.problems().toString());
    assertTrue(with.passed().stream().anyMatch(p -> p.startsWith("rows: 40")), with.passed().toString());
    ExtractVerifier.Result without = ExtractVerifier.verify(SPARK, directory, ExtractVerifierTest.PUBLIC);
    assertFalse(without.verified());
    assertTrue(without.problems().get(0).contains("--decryption-key") && without.problems().get(0).contains("acme-footer-1"),
        without.problems().toString());
    assertTrue(without.passed().stream().anyMatch(p -> p.startsWith("signature")), "signature and hashes need no key");
  }

  @Test
  void keyRing_missingOrMalformedMasterKeys_areClearErrors_withoutTheKey() throws Exception {
    DeidException missing = assertThrows(DeidException.class, () -> new KeyRing(Map.of(), null).encryptionKeys("acme"));
    assertTrue(missing.getMessage().contains("DEID_KMS_ACME_FOOTER") && missing.getMessage().contains("fix:"),
        missing.getMessage());
    String secret = Base64.getEncoder().encodeToString(bytes(5));
    DeidException swapped = assertThrows(DeidException.class, () -> new KeyRing(
        Map.of("DEID_KMS_ACME_FOOTER", secret + ":acme-footer-1", "DEID_KMS_ACME_COLUMNS", "c:" + secret), null)
        .encryptionKeys("acme"));
    assertFalse(swapped.getMessage().contains(secret), "the secret must not be echoed");
    DeidException shortKey = assertThrows(DeidException.class, () -> new KeyRing(
        Map.of("DEID_KMS_ACME_FOOTER", "f:" + Base64.getEncoder().encodeToString(new byte[7])), null).encryptionKeys("acme"));
    assertTrue(shortKey.getMessage().contains("7 bytes"), shortKey.getMessage());
    ExtractEncryption.PartnerKeys keys = new KeyRing(Map.of("DEID_KMS_ACME_FOOTER", "f1:" + secret,
        "DEID_KMS_ACME_COLUMNS", "c1:" + Base64.getEncoder().encodeToString(bytes(6))), null).encryptionKeys("acme");
    assertEquals("f1", keys.footer().id());
    assertFalse(keys.toString().contains(secret));
  }
}

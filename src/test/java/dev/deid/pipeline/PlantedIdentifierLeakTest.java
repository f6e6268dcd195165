package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.cli.DeidCli;
import dev.deid.io.Warehouse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Known values planted in every direct-identifier column (and, as free text, in a feedback comment)
 * must appear in no byte of any file the job writes: outputs, extracts, reports, audit. Parquet is
 * written uncompressed here so that a value cannot hide behind compression.
 */
class PlantedIdentifierLeakTest {
  static final String NAME = "金丝雀测试";
  static final String EMAIL = "canary.planted@example.org";
  static final String MOBILE = "13900001234";
  static final String RESIDENT_ID = "11010519491231002X";
  static final String ORDER_ID = "O-CANARY-0000001";

  @Test
  void run_plantedIdentifiers_appearInNoOutputByte() throws Exception {
    SparkSession spark = TestSpark.session();
    Warehouse warehouse = TestWarehouses.fresh("leak");
    String customerId = spark.sql("SELECT customer_id FROM delta.`" + warehouse.rawTable("customers") + "` "
        + "WHERE customer_id NOT IN (SELECT subject_id FROM delta.`" + warehouse.rawTable("erasure_requests") + "`) "
        + "ORDER BY customer_id LIMIT 1").first().getString(0);
    spark.sql("UPDATE delta.`" + warehouse.rawTable("customers") + "` SET name = '" + NAME + "', email = '" + EMAIL
        + "', mobile = '" + MOBILE + "', resident_id = '" + RESIDENT_ID + "', consent_analytics = true, "
        + "consent_partner_sharing = true, last_activity_at = TIMESTAMP '2026-10-01 00:00:00' WHERE customer_id = '" + customerId + "'");
    spark.sql("INSERT INTO delta.`" + warehouse.rawTable("orders") + "` VALUES ('" + ORDER_ID + "', '" + customerId
        + "', TIMESTAMP '2026-10-02 10:00:00', 12.50, 'books', 'east')");
    spark.sql("INSERT INTO delta.`" + warehouse.rawTable("feedback") + "` VALUES ('" + customerId
        + "', TIMESTAMP '2026-10-03 10:00:00', 5, '请联系我 " + EMAIL + " 或 " + MOBILE + "，身份证 " + RESIDENT_ID + "')");

    String previousCodec = spark.conf().get("spark.sql.parquet.compression.codec");
    spark.conf().set("spark.sql.parquet.compression.codec", "uncompressed");
    int code;
    try {
      code = DeidCli.execute("run", "jobs/customers.yaml", "--warehouse", warehouse.root(),
          "--key-dir", TestWarehouses.keyDirectory().toString(), "--reference-time", TestWarehouses.REFERENCE_TIME.toString());
    } finally {
      spark.conf().set("spark.sql.parquet.compression.codec", previousCodec);
    }
    assertEquals(0, code);

    // The planted customer did reach the outputs (so the check below is not vacuous).
    String pseudonym = TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, customerId);
    assertEquals(1, spark.read().format("delta").load(warehouse.root() + "/analysts/customers_analytics")
        .filter("customer_id = '" + pseudonym + "'").count());
    assertEquals(1, spark.read().format("delta").load(warehouse.root() + "/analysts/feedback_analytics")
        .filter("customer_id = '" + pseudonym + "' AND comment LIKE '%<email>%<phone>%<resident-id>%'").count());

    List<String> needles = List.of(NAME, EMAIL, MOBILE, RESIDENT_ID, ORDER_ID, customerId);
    List<Path> written = new ArrayList<>();
    for (String dir : List.of("analysts", "partners", "reports", "_deid")) {
      try (Stream<Path> files = Files.walk(Path.of(warehouse.root(), dir))) {
        files.filter(Files::isRegularFile).forEach(written::add);
      }
    }
    assertTrue(written.size() > 20, "the job wrote its outputs: " + written.size() + " files");
    // The check itself can fail: the raw table's own files hold the planted values.
    assertTrue(containsAnywhere(Path.of(warehouse.rawTable("customers")), EMAIL.getBytes(StandardCharsets.UTF_8))
        || containsAnywhere(Path.of(warehouse.rawTable("orders")), ORDER_ID.getBytes(StandardCharsets.UTF_8)),
        "the byte search must find values where they are");
    for (Path file : written) {
      byte[] bytes = Files.readAllBytes(file);
      for (String needle : needles) {
        assertTrue(indexOf(bytes, needle.getBytes(StandardCharsets.UTF_8)) < 0, needle + " leaked into " + file);
      }
    }
  }

  static boolean containsAnywhere(Path dir, byte[] needle) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        if (indexOf(Files.readAllBytes(f), needle) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}

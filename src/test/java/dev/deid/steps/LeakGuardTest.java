package dev.deid.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.sketch.BloomFilter;
import org.junit.jupiter.api.Test;

/**
 * The guard's counts on an inline output: raw identifier values are confirmed exactly whichever
 * way the candidates reach the raw values (broadcast, or a shuffle when there are too many), and
 * the filter's false positives, of which 2,000 cells bring some, are never counted as hits.
 */
class LeakGuardTest {
  static final SparkSession SPARK = TestSpark.session();
  static final StructType RAW = new StructType().add("email", DataTypes.StringType).add("mobile", DataTypes.StringType);
  static final StructType OUTPUT = new StructType().add("note", DataTypes.StringType).add("code", DataTypes.StringType);

  static LeakGuard.RawValues raw() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(RowFactory.create("user" + i + "@example.cn", i % 7 == 0 ? null : "1380000" + String.format("%04d", i)));
    }
    return LeakGuard.RawValues.of(SPARK.createDataFrame(rows, RAW), List.of("email", "mobile"), rows.size());
  }

  /** 2,000 cells that are no raw value (a few are filter false positives) and four that are. */
  static Dataset<Row> output() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      rows.add(RowFactory.create("band-" + i, "c" + i));
    }
    rows.add(RowFactory.create("user3@example.cn", "x"));
    rows.add(RowFactory.create("user3@example.cn", "13800000004"));
    rows.add(RowFactory.create(null, "13800000008"));
    return SPARK.createDataFrame(rows, OUTPUT);
  }

  @Test
  void check_countsExactlyTheRawValues_broadcastOrShuffled() {
    LeakGuard.RawValues raw = raw();
    Set<String> columns = Set.of("note", "code");
    for (long broadcastCandidates : List.of(LeakGuard.BROADCAST_CANDIDATES, 0L)) {
      LeakGuard.Hits hits = LeakGuard.check(output(), columns, columns, raw, broadcastCandidates);
      assertEquals(Set.of("note", "code"), hits.byColumn().keySet(), hits.toString());
      assertEquals(2L, hits.of("note", "raw_identifier"), hits.toString());
      assertEquals(2L, hits.of("code", "raw_identifier"), hits.toString());
      assertEquals(2L, hits.of("note", "email"), hits.toString());
      assertEquals(2L, hits.of("code", "mobile"), hits.toString());
    }
  }

  @Test
  void release_freesTheFilter() {
    LeakGuard.RawValues raw = raw();
    assertTrue(raw.filter().value().mightContainString("user3@example.cn"));
    raw.release();
    assertThrows(SparkException.class, () -> raw.filter().value());
  }

  /**
   * Ten million raw values, beyond the 4 million items Spark's own filter is capped at (which
   * gives it about 11 % false positives here), still give about 1 %. Of 100,000 values not among
   * them, more than 2 % passing has probability below 1e-100 for a 1 % filter.
   */
  @Test
  void filter_keepsItsFalsePositiveRate_atTenMillionValues() {
    long values = 10_000_000;
    Dataset<Row> raw = SPARK.range(values).select(functions.concat(functions.lit("v"), functions.col("id").cast("string")).as("email"));
    BloomFilter filter = LeakGuard.RawValues.of(raw, List.of("email"), values).filter().value();
    assertTrue(filter.mightContainString("v9999999") && filter.mightContainString("v0"), "no false negative");
    int probes = 100_000;
    long passed = IntStream.range(0, probes).filter(i -> filter.mightContainString("w" + i)).count();
    assertTrue(passed < 0.02 * probes, passed + " of " + probes + " absent values passed");
  }
}

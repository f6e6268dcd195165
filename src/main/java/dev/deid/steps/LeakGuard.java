package dev.deid.steps;

import dev.deid.privacy.PiiPatterns;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.sketch.BloomFilter;
import org.apache.spark.util.sketch.IncompatibleMergeException;

/**
 * The check of an output before the run deletes or writes anything: does any of its text cells
 * equal a raw direct-identifier value of its source, or hold a personal-data pattern (an e-mail
 * address, a valid resident ID, a mobile or landline number, a Luhn-valid card number, an IP
 * address)? A classification can be wrong; this finds what a wrong one lets through.
 *
 * <p>Raw values go into a Bloom filter built in Spark and broadcast, which every cell is probed
 * with; only the probable hits are confirmed exactly against the raw values, so the output is not
 * joined with the raw table as a whole. Counts only: no value leaves the executors.
 */
public final class LeakGuard {
  /** The filter's false-positive rate; a false positive costs one exact comparison, never a block. */
  static final double BLOOM_FPP = 0.01;
  /** A cell the filter says may be a raw value, to be confirmed. */
  private static final String RAW_CANDIDATE = "raw_candidate";

  /** Hits per output column, per check ({@code raw_identifier} or a pattern name). */
  public record Hits(Map<String, Map<String, Long>> byColumn) {
    public Hits {
      byColumn = Map.copyOf(byColumn);
    }

    public long of(String column, String check) {
      return byColumn.getOrDefault(column, Map.of()).getOrDefault(check, 0L);
    }
  }

  /**
   * The largest filter built, 128 MiB of bits, of which each task filling it and the driver
   * merging hold one: beyond about 110 million raw values the false-positive rate rises (and with
   * it the exact comparisons), never the memory.
   */
  static final long MAX_FILTER_BITS = 1L << 30;

  /** A source's raw direct-identifier values, as text, one column {@code raw_value}, with a filter of them. */
  public record RawValues(Dataset<Row> values, Broadcast<BloomFilter> filter) {
    public static RawValues of(Dataset<Row> raw, List<String> directIdentifiers, long rows) {
      if (directIdentifiers.isEmpty()) {
        return null;
      }
      Column[] values = directIdentifiers.stream().map(c -> functions.col("`" + c + "`").cast(DataTypes.StringType)).toArray(Column[]::new);
      Dataset<Row> stacked = raw.select(functions.explode(functions.array(values)).as("raw_value"))
          .filter(functions.col("raw_value").isNotNull().and(functions.length(functions.col("raw_value")).gt(0)));
      long expected = Math.max(1_000, rows * directIdentifiers.size());
      BloomFilter filter = filterOf(stacked, expected, Math.min(BloomFilter.optimalNumOfBits(expected, BLOOM_FPP), MAX_FILTER_BITS));
      Broadcast<BloomFilter> broadcast = JavaSparkContext.fromSparkContext(raw.sparkSession().sparkContext()).broadcast(filter);
      return new RawValues(stacked, broadcast);
    }

    /** Frees the filter on the driver and every executor now (up to 128 MiB each), not when Spark's cleaner gets to it. */
    public void release() {
      filter.destroy();
    }
  }

  /**
   * What the tasks' filters may weigh together when they reach the driver to be merged: well
   * within Spark's default limit on an action's results ({@code spark.driver.maxResultSize}, 1 GiB).
   */
  static final long MAX_FILTERS_BYTES = 256L << 20;

  /**
   * A filter of a one-column text dataset's values, of {@code bits} bits. Not Spark's
   * {@code stat().bloomFilter}: that one caps any filter at 4 million items and 64 million bits
   * whatever it is asked for, so that at 10 million customers nearly every cell was a candidate.
   * Each task fills a filter of the full size, so there are as many tasks as cores, but no more
   * than {@link #MAX_FILTERS_BYTES} of filters.
   */
  static BloomFilter filterOf(Dataset<Row> values, long expected, long bits) {
    long fit = MAX_FILTERS_BYTES / Math.max(1, bits / 8);
    int tasks = (int) Math.max(1, Math.min(values.sparkSession().sparkContext().defaultParallelism(), fit));
    return values.coalesce(tasks).queryExecution().toRdd().toJavaRDD().mapPartitions(new FillFilter(expected, bits))
        .reduce(LeakGuard::merged);
  }

  private record FillFilter(long expected, long bits) implements FlatMapFunction<Iterator<InternalRow>, BloomFilter> {
    @Override
    public Iterator<BloomFilter> call(Iterator<InternalRow> rows) {
      BloomFilter filter = BloomFilter.create(expected, bits);
      while (rows.hasNext()) {
        filter.putBinary(rows.next().getUTF8String(0).getBytes());
      }
      return List.of(filter).iterator();
    }
  }

  private static BloomFilter merged(BloomFilter a, BloomFilter b) {
    try {
      return a.mergeInPlace(b);
    } catch (IncompatibleMergeException e) {
      throw new IllegalStateException("filters of one size and hash count cannot be incompatible", e);
    }
  }

  /**
   * Up to this many candidate cells, a hash of each distinct one is broadcast to the scan of the
   * raw values (8 bytes a value, whatever its length); beyond, the two are joined by a shuffle.
   */
  static final long BROADCAST_CANDIDATES = 1_000_000;

  private LeakGuard() {}

  /**
   * The raw values that may be among the candidates: false positives of the filter are about one
   * cell in a hundred, so at scale there are always some, and joining the candidates with every raw
   * value by a shuffle would move the whole raw table. Raw values are kept when their hash is a
   * candidate's, in one scan with the hashes broadcast; the few kept, true leaks and rare hash
   * collisions, are then compared with the candidates exactly.
   */
  private static Dataset<Row> confirmed(RawValues raw, Dataset<Row> probable, boolean broadcast) {
    Dataset<Row> hashes = probable.select(functions.xxhash64(functions.col("value")).as("candidate_hash")).distinct();
    Dataset<Row> build = broadcast ? functions.broadcast(hashes) : hashes;
    return raw.values().join(build, functions.xxhash64(functions.col("raw_value")).equalTo(functions.col("candidate_hash")),
        "left_semi").select("raw_value").distinct();
  }

  /**
   * Counts the hits of {@code output}'s text columns: {@code rawChecked} against {@code raw} (may be
   * null when the source has no direct identifier), {@code patternChecked} against the patterns.
   */
  public static Hits check(Dataset<Row> output, Set<String> rawChecked, Set<String> patternChecked, RawValues raw) {
    return check(output, rawChecked, patternChecked, raw, BROADCAST_CANDIDATES);
  }

  static Hits check(Dataset<Row> output, Set<String> rawChecked, Set<String> patternChecked, RawValues raw,
      long broadcastCandidates) {
    List<String> columns = new ArrayList<>();
    for (String c : output.columns()) {
      if (rawChecked.contains(c) || patternChecked.contains(c)) {
        columns.add(c);
      }
    }
    Map<String, Map<String, Long>> hits = new LinkedHashMap<>();
    if (columns.isEmpty()) {
      return new Hits(hits);
    }
    Column[] cells = columns.stream().map(c -> functions.struct(functions.lit(c).as("column"),
        functions.col("`" + c + "`").cast(DataTypes.StringType).as("value"))).toArray(Column[]::new);
    Dataset<Row> all = output.select(functions.explode(functions.array(cells)).as("cell"))
        .select(functions.col("cell.column").as("column"), functions.col("cell.value").as("value"))
        .filter(functions.col("value").isNotNull());

    // One pass over the output finds every cell's pattern hits and probable raw values; only those
    // few rows are kept, so the exact comparison with the raw values reads the raw table only when
    // the filter found a candidate.
    HashSet<String> patterns = new HashSet<>(patternChecked);
    HashSet<String> rawColumns = raw == null ? new HashSet<>() : new HashSet<>(rawChecked);
    Broadcast<BloomFilter> filter = raw == null ? null : raw.filter();
    UDF2<String, String, String[]> checks = (column, value) -> {
      List<String> found = new ArrayList<>();
      if (patterns.contains(column)) {
        found.addAll(PiiPatterns.detect(value));
      }
      if (rawColumns.contains(column) && filter.value().mightContainString(value)) {
        found.add(RAW_CANDIDATE);
      }
      return found.toArray(String[]::new);
    };
    UserDefinedFunction checked = functions.udf(checks, DataTypes.createArrayType(DataTypes.StringType));
    Dataset<Row> found = all.select(functions.col("column"), functions.col("value"),
        functions.explode(checked.apply(functions.col("column"), functions.col("value"))).as("check"))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long candidates = 0;
      for (Row r : found.groupBy("column", "check").count().collectAsList()) {
        if (RAW_CANDIDATE.equals(r.getString(1))) {
          candidates += r.getLong(2);
        } else {
          hits.computeIfAbsent(r.getString(0), k -> new LinkedHashMap<>()).put(r.getString(1), r.getLong(2));
        }
      }
      if (candidates > 0) {
        Dataset<Row> probable = found.filter(functions.col("check").equalTo(RAW_CANDIDATE));
        Dataset<Row> confirmed = confirmed(raw, probable, candidates <= broadcastCandidates);
        for (Row r : probable.join(confirmed, functions.col("value").equalTo(functions.col("raw_value")), "left_semi")
            .groupBy("column").count().collectAsList()) {
          hits.computeIfAbsent(r.getString(0), k -> new LinkedHashMap<>()).put("raw_identifier", r.getLong(1));
        }
      }
    } finally {
      found.unpersist();
    }
    return new Hits(hits);
  }
}

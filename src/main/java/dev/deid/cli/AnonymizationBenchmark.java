package dev.deid.cli;

import dev.deid.config.AnonymizationSpec;
import dev.deid.config.HierarchySpec;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.privacy.anon.UtilityMetric;
import dev.deid.steps.Anonymize;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Adult replicated to N rows, each column shuffled independently in every copy (so the structure
 * does not repeat), written as Delta; then k-anonymized with ARX's hierarchies at 0 % and 5 %
 * suppression. Prints the wall time of each phase, including the Spark read, and the peak heap.
 */
@Command(name = "anonymization-benchmark", description = "Time k-anonymization of Adult replicated to N rows.")
final class AnonymizationBenchmark implements Callable<Integer> {
  static final String[] COLUMNS = {"sex", "age", "race", "marital-status", "education", "native-country", "workclass",
      "occupation", "salary-class"};

  @Option(names = "--rows", split = ",", defaultValue = "1000000,3000000")
  List<Long> rows;
  @Option(names = "--adult", defaultValue = "../shared/data/adult", description = "Directory of adult.csv and its hierarchies.")
  Path adult;
  @Option(names = "--k", defaultValue = "5")
  int k;
  @Option(names = "--suppression", split = ",", defaultValue = "0,0.05")
  List<Double> suppression;
  @Option(names = "--warehouse", defaultValue = "target/anon-bench")
  Path warehouse;

  @Override
  public Integer call() throws IOException {
    SparkSession spark = DeidCli.spark();
    List<String[]> base = new ArrayList<>();
    List<String> lines = Files.readAllLines(adult.resolve("adult.csv"), StandardCharsets.UTF_8);
    for (int i = 1; i < lines.size(); i++) {
      base.add(lines.get(i).strip().split(";"));
    }
    Map<String, HierarchySpec> hierarchies = new LinkedHashMap<>();
    Map<String, String> quasi = new LinkedHashMap<>();
    for (int c = 0; c < 8; c++) {
      String name = COLUMNS[c].replace('-', '_');
      hierarchies.put(name, new HierarchySpec.FromFile(name, adult.resolve("adult_hierarchy_" + COLUMNS[c] + ".csv")));
      quasi.put(name, name);
    }
    System.out.printf("machine: %d cores, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (long n : rows) {
      String table = warehouse.toAbsolutePath() + "/adult_" + n;
      writeReplicated(spark, base, n, table);
      for (double limit : suppression) {
        resetPeakHeap();
        AnonymizationSpec spec = new AnonymizationSpec(quasi, null, null, List.of(new PrivacyModel.KAnonymity(k)), limit,
            UtilityMetric.LOSS, AnonymizationSpec.Mode.GLOBAL, false, 3_600_000);
        long t0 = System.nanoTime();
        Dataset<Row> data = spark.read().format("delta").load(table);
        Anonymize.Outcome outcome = Anonymize.apply(data, spec, hierarchies, "benchmark");
        long t1 = System.nanoTime();
        outcome.data().write().format("delta").mode("overwrite").save(table + "_k" + k + "_s" + limit);
        long t2 = System.nanoTime();
        System.out.printf("rows %,d  k=%d  suppression %.0f%%: read+histogram+search %.1f s (Spark read and histogram %.1f s, "
                + "%,d distinct tuples; search %.1f s), transform+write %.1f s, total %.1f s; levels %s, loss %.4f, "
                + "suppressed %,d, nodes evaluated %,d of %,d; peak heap %d MiB%n",
            n, k, limit * 100, (t1 - t0) / 1e9, outcome.histogramMillis() / 1e3, outcome.histogramRows(),
            outcome.searchMillis() / 1e3, (t2 - t1) / 1e9, (t2 - t0) / 1e9,
            java.util.Arrays.toString(outcome.result().levels()), outcome.result().loss(),
            outcome.result().suppressedRecords(), outcome.result().nodesEvaluated(), outcome.result().latticeSize(),
            peakHeapMiB());
      }
    }
    return 0;
  }

  /** Adult copied until n rows, each copy's columns permuted independently, as a Delta table. */
  static void writeReplicated(SparkSession spark, List<String[]> base, long n, String table) {
    StructType schema = new StructType();
    for (String c : COLUMNS) {
      schema = schema.add(c.replace('-', '_'), DataTypes.StringType);
    }
    Random random = new Random(n);
    List<Row> rows = new ArrayList<>();
    boolean first = true;
    long written = 0;
    while (written < n) {
      int size = (int) Math.min(base.size(), n - written);
      List<List<String>> columns = new ArrayList<>();
      for (int c = 0; c < COLUMNS.length; c++) {
        List<String> column = new ArrayList<>(base.size());
        for (String[] r : base) {
          column.add(r[c]);
        }
        Collections.shuffle(column, random);
        columns.add(column);
      }
      for (int i = 0; i < size; i++) {
        Object[] values = new Object[COLUMNS.length];
        for (int c = 0; c < COLUMNS.length; c++) {
          values[c] = columns.get(c).get(i);
        }
        rows.add(RowFactory.create(values));
      }
      written += size;
      if (rows.size() >= 500_000 || written >= n) {
        spark.createDataFrame(rows, schema).write().format("delta").mode(first ? "overwrite" : "append").save(table);
        rows.clear();
        first = false;
      }
    }
  }

  static void resetPeakHeap() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  static long peakHeapMiB() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak >> 20;
  }
}

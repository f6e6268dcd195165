package dev.deid.bench;

import dev.deid.config.AnonymizationSpec;
import dev.deid.config.HierarchySpec;
import dev.deid.io.HierarchyFiles;
import dev.deid.io.SparkSessions;
import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.privacy.anon.UtilityMetric;
import dev.deid.sample.SampleData;
import dev.deid.steps.Anonymize;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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
@Command(mixinStandardHelpOptions = true, name = "anonymization-benchmark", description = "Time k-anonymization of Adult replicated to N rows.")
public final class AnonymizationBenchmark implements Callable<Integer> {
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
  @Option(names = "--repeat", defaultValue = "5", description = "Runs per configuration; the first also transforms and "
      + "writes the output, the others measure read+histogram+search only. The first runs of a JVM also pay for class "
      + "loading and JIT compilation, so the summary gives the first run, the median and the best.")
  int repeat;
  @Option(names = "--reuse", description = "Keep an existing replicated table of the right size instead of writing it again.")
  boolean reuse;
  @Option(names = "--customers", description = "Instead of Adult: k-anonymize the synthetic customers table of N customers "
      + "(age, gender, 6-digit postcode, city, province) as a partner extract.")
  Long customers;
  @Option(names = "--hierarchies", defaultValue = "conf/hierarchies", description = "Directory of city.csv, province.csv, gender.csv.")
  Path hierarchyDirectory;

  @Override
  public Integer call() throws IOException {
    SparkSession spark = SparkSessions.shared(null);
    if (customers != null) {
      return customers(spark);
    }
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
    Map<String, Hierarchy> fileHierarchies = HierarchyFiles.readAll(hierarchies);
    System.out.printf("machine: %d cores, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (long n : rows) {
      String table = warehouse.toAbsolutePath() + "/adult_" + n;
      if (!(reuse && Files.isDirectory(Path.of(table, "_delta_log")))) {
        writeReplicated(spark, base, n, table);
      }
      for (double limit : suppression) {
        List<Double> seconds = new ArrayList<>();
        List<Double> scans = new ArrayList<>();
        for (int run = 1; run <= repeat; run++) {
          resetPeakHeap();
          AnonymizationSpec spec = new AnonymizationSpec(quasi, null, null, List.of(new PrivacyModel.KAnonymity(k)), limit,
              UtilityMetric.LOSS, AnonymizationSpec.Mode.GLOBAL, false, 3_600_000, null, null);
          double scan = plainScanSeconds(spark.read().format("delta").load(table));
          long t0 = System.nanoTime();
          Dataset<Row> data = spark.read().format("delta").load(table);
          Anonymize.Outcome outcome = Anonymize.apply(data, spec, hierarchies, fileHierarchies, "benchmark");
          long t1 = System.nanoTime();
          if (run == 1) {
            outcome.data().write().format("delta").mode("overwrite").save(table + "_k" + k + "_s" + limit);
          }
          long t2 = System.nanoTime();
          seconds.add((t1 - t0) / 1e9);
          scans.add(scan);
          System.out.printf("run %d  rows %,d  k=%d  suppression %.0f%%: plain scan %.1f s; read+histogram+search %.1f s = %.1f x scan "
                  + "(Spark read and histogram %.1f s, "
                  + "%,d distinct tuples; search %.1f s), transform+write %.1f s, total %.1f s; levels %s, loss %.4f, "
                  + "suppressed %,d, nodes evaluated %,d of %,d; peak heap %d MiB%n",
              run, n, k, limit * 100, scan, (t1 - t0) / 1e9, (t1 - t0) / 1e9 / scan, outcome.histogramMillis() / 1e3, outcome.histogramRows(),
              outcome.searchMillis() / 1e3, (t2 - t1) / 1e9, (t2 - t0) / 1e9,
              Arrays.toString(outcome.result().levels()), outcome.result().loss(),
              outcome.result().suppressedRecords(), outcome.result().nodesEvaluated(), outcome.result().latticeSize(),
              peakHeapMiB());
        }
        List<Double> sorted = seconds.stream().sorted().toList();
        Double arx = ARX_SECONDS.get(n + "@" + limit);
        double bestScan = scans.stream().min(Double::compare).orElseThrow();
        System.out.printf("SUMMARY rows %,d  suppression %.0f%%: read+histogram+search first run %.1f s, median %.1f s, best %.1f s "
                + "over %d runs; best plain scan %.1f s (best search/scan %.1f x); ARX 3.9.2 in memory: %s%n", n, limit * 100,
            seconds.get(0), sorted.get(sorted.size() / 2), sorted.get(0), seconds.size(), bestScan, sorted.get(0) / bestScan,
            arx == null ? "no figure" : arx + " s");
      }
    }
    return 0;
  }

  /** ARX's published figures on 2 cores, keyed by rows@suppression. */
  private static final Map<String, Double> ARX_SECONDS = Map.of("1000000@0.0", 3.0, "1000000@0.05", 26.1, "3000000@0.0", 9.5);

  /**
   * The synthetic customers table (written once, then reused with --reuse), k-anonymized on exact
   * age, gender, full postcode, city and province, with ARX-format hierarchies for the categorical
   * ones and built hierarchies for age (5/10/20-year bands) and postcode (masked from the right).
   * In local mode the driver and the executors share one JVM, so the peak heap printed bounds
   * both together.
   */
  private Integer customers(SparkSession spark) {
    String table = warehouse.toAbsolutePath() + "/customers_" + customers;
    Instant reference = Instant.parse("2026-01-01T00:00:00Z");
    if (!(reuse && Files.isDirectory(Path.of(table, "_delta_log")))) {
      long g0 = System.nanoTime();
      new SampleData(spark, 42, reference).customers(customers)
          .write().format("delta").mode("overwrite").save(table);
      System.out.printf("generated %,d customers in %.1f s%n", customers, (System.nanoTime() - g0) / 1e9);
    }
    Map<String, HierarchySpec> hierarchies = new LinkedHashMap<>();
    hierarchies.put("age", new HierarchySpec.Intervals("age", 0, List.of(5, 10, 20)));
    hierarchies.put("gender", new HierarchySpec.FromFile("gender", hierarchyDirectory.resolve("gender.csv")));
    hierarchies.put("postcode", new HierarchySpec.Masking("postcode", 6));
    hierarchies.put("city", new HierarchySpec.FromFile("city", hierarchyDirectory.resolve("city.csv")));
    hierarchies.put("province", new HierarchySpec.FromFile("province", hierarchyDirectory.resolve("province.csv")));
    Map<String, String> quasi = new LinkedHashMap<>();
    hierarchies.keySet().forEach(q -> quasi.put(q, q));
    Map<String, Hierarchy> fileHierarchies = HierarchyFiles.readAll(hierarchies);
    System.out.printf("machine: %d cores, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    for (double limit : suppression) {
      for (int run = 1; run <= repeat; run++) {
        resetPeakHeap();
        AnonymizationSpec spec = new AnonymizationSpec(quasi, null, null, List.of(new PrivacyModel.KAnonymity(k)), limit,
            UtilityMetric.LOSS, AnonymizationSpec.Mode.GLOBAL, false, 3_600_000, null, null);
        long t0 = System.nanoTime();
        Dataset<Row> data = customerColumns(spark.read().format("delta").load(table));
        Anonymize.Outcome outcome = Anonymize.apply(data, spec, hierarchies, fileHierarchies, "benchmark");
        long histogramHeap = usedHeapMiB();
        long t1 = System.nanoTime();
        outcome.data().write().format("delta").mode("overwrite").save(table + "_k" + k + "_s" + limit);
        long t2 = System.nanoTime();
        double scan = plainScanSeconds(customerColumns(spark.read().format("delta").load(table)));
        System.out.printf("run %d  customers %,d  k=%d  suppression %.0f%%: plain scan %.1f s; read+histogram+search %.1f s = %.1f x scan "
                + "(Spark read and histogram %.1f s, %,d distinct tuples; search %.1f s), transform+write %.1f s, total %.1f s; levels %s, "
                + "loss %.4f, suppressed %,d, classes %,d, nodes evaluated %,d of %,d; heap in use after the search %d MiB, "
                + "peak heap %d MiB (driver and executors share this JVM)%n",
            run, customers, k, limit * 100, scan, (t1 - t0) / 1e9, (t1 - t0) / 1e9 / scan, outcome.histogramMillis() / 1e3,
            outcome.histogramRows(), outcome.searchMillis() / 1e3, (t2 - t1) / 1e9, (t2 - t0) / 1e9, quasi.keySet() + "=" +
            Arrays.toString(outcome.result().levels()), outcome.result().loss(),
            outcome.result().suppressedRecords(), outcome.result().outputRisk().classes(), outcome.result().nodesEvaluated(),
            outcome.result().latticeSize(), histogramHeap, peakHeapMiB());
      }
    }
    return 0;
  }

  /** The quasi-identifiers the customers run anonymizes, derived from the raw table as a job would. */
  private static Dataset<Row> customerColumns(Dataset<Row> raw) {
    return raw.select(org.apache.spark.sql.functions.floor(org.apache.spark.sql.functions.months_between(
                org.apache.spark.sql.functions.lit(Date.valueOf("2026-01-01")),
                org.apache.spark.sql.functions.col("birth_date")).divide(12)).cast("int").as("age"),
            org.apache.spark.sql.functions.col("gender"), org.apache.spark.sql.functions.col("postcode"),
            org.apache.spark.sql.functions.col("city"), org.apache.spark.sql.functions.col("province"),
            org.apache.spark.sql.functions.date_trunc("month", org.apache.spark.sql.functions.col("signup_at")).as("signup_month"));
  }

  /**
   * Wall time of reading every row of {@code data} and discarding it (Spark's no-op sink): the
   * floor that any pass over the table pays, next to which the search's own cost shows.
   */
  private static double plainScanSeconds(Dataset<Row> data) {
    long t0 = System.nanoTime();
    data.write().format("noop").mode("overwrite").save();
    return (System.nanoTime() - t0) / 1e9;
  }

  static long usedHeapMiB() {
    System.gc();
    Runtime runtime = Runtime.getRuntime();
    return (runtime.totalMemory() - runtime.freeMemory()) >> 20;
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

package dev.deid.bench;

import dev.deid.io.DeltaStore;
import dev.deid.io.DevelopmentKeys;
import dev.deid.io.KeyRing;
import dev.deid.io.LocalDirectories;
import dev.deid.io.SparkSessions;
import dev.deid.io.Warehouse;
import dev.deid.pipeline.JobRunner;
import dev.deid.pipeline.RunOptions;
import dev.deid.report.RunReport;
import dev.deid.sample.SampleData;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Generates N customers, copies the raw tables to Delta as a baseline, then runs the sample job on
 * the same raw tables and prints per-step wall time, rows/s, the job/copy ratio, the Spark jobs of
 * each with the time no job was running, and the job's peak heap.
 */
@Command(mixinStandardHelpOptions = true, name = "benchmark", description = "Time the sample job against a plain Delta copy of the same raw tables.")
public final class Benchmark implements Callable<Integer> {
  @Option(names = "--customers", defaultValue = "1000000")
  long customers;
  @Option(names = "--warehouse", defaultValue = "target/bench-warehouse")
  Path warehouse;
  @Option(names = "--spec", defaultValue = "jobs/customers.yaml")
  Path spec;
  @Option(names = "--keep-copy", description = "Keep the baseline copy of the raw tables; by default it is deleted "
      + "once timed, so that at 100M customers its disk goes to the job.")
  boolean keepCopy;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.shared(null);
    Warehouse target = new Warehouse(warehouse.toAbsolutePath().toString());
    DeltaStore store = new DeltaStore(spark);
    Instant now = Instant.now();
    long t0 = System.nanoTime();
    new SampleData(spark, 7, now).writeAll(target, customers);
    double generateSeconds = seconds(t0);

    Path copies = Path.of(target.root(), "copy");
    Map<String, Long> rows = new LinkedHashMap<>();
    long copyStart = System.nanoTime();
    SparkJobWatch copyJobs = new SparkJobWatch(spark.sparkContext());
    try (copyJobs) {
      for (String table : SampleData.tables()) {
        var data = store.read(target.rawTable(table));
        String copy = copies.resolve(table).toString();
        data.write().format("delta").mode("overwrite").save(copy);
        rows.put(table, store.lastOutputRows(copy));
      }
    }
    double copySeconds = seconds(copyStart);
    if (!keepCopy) {
      LocalDirectories.delete(copies);
    }
    long rawRows = rows.values().stream().mapToLong(Long::longValue).sum();

    Path keyDir = DevelopmentKeys.ensure(warehouse.toAbsolutePath().getParent().resolve("bench-keys"), spec);
    AnonymizationBenchmark.resetPeakHeap();
    RunReport report;
    double jobSeconds;
    long jobPeakHeap;
    long jobLiveHeap;
    SparkJobWatch jobJobs = new SparkJobWatch(spark.sparkContext());
    try (HeapWatch heap = new HeapWatch(); jobJobs) {
      long jobStart = System.nanoTime();
      report = new JobRunner(spark, new RunOptions(target, KeyRing.fromEnvironment(keyDir), now)).run(spec);
      jobSeconds = seconds(jobStart);
      jobPeakHeap = AnonymizationBenchmark.peakHeapMiB();
      jobLiveHeap = heap.maxLiveMiB();
    }

    System.out.printf("machine: %d cores, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20);
    System.out.printf("customers: %,d; raw rows in all tables: %,d %s%n", customers, rawRows, rows);
    System.out.printf("generate raw tables: %.1f s%n", generateSeconds);
    System.out.printf("%-32s %10s %14s%n", "step", "wall s", "rows/s");
    report.stepMillis().forEach((step, millis) -> {
      long stepRows = step.startsWith("output.") ? rowsIn(report, step.substring("output.".length()))
          : step.startsWith("prepare.") ? rowsIn(report, step.substring("prepare.".length()))
          : step.startsWith("release.") ? rows.get("orders") : rawRows;
      System.out.printf("%-32s %10.2f %,14.0f%n", step, millis / 1000.0, millis == 0 ? 0.0 : stepRows / (millis / 1000.0));
    });
    System.out.printf("job total:                 %.2f s%n", jobSeconds);
    System.out.printf("plain copy of raw tables:  %.2f s (%,.0f rows/s)%n", copySeconds, rawRows / copySeconds);
    System.out.printf("ratio job/copy:            %.2f%n", jobSeconds / copySeconds);
    printJobs("job", jobJobs, jobSeconds);
    printJobs("copy", copyJobs, copySeconds);
    System.out.printf("heap during the job:       at most %d MiB live after a collection, peak used %d MiB "
        + "(each pool's peak, summed; driver and executors share this JVM)%n", jobLiveHeap, jobPeakHeap);
    return 0;
  }

  private static void printJobs(String span, SparkJobWatch jobs, double seconds) {
    double busy = jobs.busyMillis() / 1000.0;
    System.out.printf("Spark jobs of the %-5s    %,d jobs, %,d tasks; a job running %.2f s, driver alone %.2f s (%.0f %%)%n",
        span + ":", jobs.jobs(), jobs.tasks(), busy, seconds - busy, 100 * (seconds - busy) / seconds);
  }

  private static long rowsIn(RunReport report, String output) {
    return report.outputs().stream().filter(o -> o.name().equals(output)).mapToLong(RunReport.OutputReport::rowsIn).findFirst().orElse(0);
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}

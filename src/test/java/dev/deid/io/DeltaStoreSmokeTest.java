package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deid.TestSpark;
import dev.deid.config.VacuumPolicy;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

class DeltaStoreSmokeTest {
  @Test
  void timing() throws Exception {
    java.util.concurrent.atomic.AtomicLong tasks = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong jobs = new java.util.concurrent.atomic.AtomicLong();
    TestSpark.session().sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
      @Override public void onTaskEnd(org.apache.spark.scheduler.SparkListenerTaskEnd e) { tasks.incrementAndGet(); }
      @Override public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart e) { jobs.incrementAndGet(); System.out.println("TIMING job " + e.jobId() + " stages " + e.stageInfos().size() + " " + e.properties().getProperty("spark.job.description")); }
    });
    TASKS = tasks;
    for (int i = 0; i < 2; i++) once();
  }

  void once() throws Exception {
    SparkSession spark = TestSpark.session();
    DeltaStore store = new DeltaStore(spark);
    String path = TestSpark.tempDirectory("smoke").resolve("t").toString();
    long t = System.nanoTime();
    store.replace(path, spark.range(10000).toDF("id"), Map.of("delta.enableDeletionVectors", "true"));
    t = lap("replace", t);
    store.delete(path, functions.col("id").lt(3));
    t = lap("delete", t);
    spark.sql("REORG TABLE delta.`" + path + "` APPLY (PURGE)");
    t = lap("reorg", t);
    spark.conf().set("spark.databricks.delta.retentionDurationCheck.enabled", "false");
    io.delta.tables.DeltaTable.forPath(spark, path).vacuum(0);
    t = lap("vacuum", t);
    store.scanDataFiles(path, d -> d.filter("id < 3"));
    t = lap("scan", t);
    store.latestVersion(path);
    t = lap("version", t);
  }

  static java.util.concurrent.atomic.AtomicLong TASKS;
  static long lap(String what, long t) {
    long now = System.nanoTime();
    System.out.println("TIMING " + what + " " + (now - t) / 1_000_000 + " ms tasks so far " + TASKS.get());
    return now;
  }
}

package dev.deid.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

class SparkJobWatchTest {
  private static SparkJobWatch.Interval of(long start, long end) {
    return new SparkJobWatch.Interval(start, end);
  }

  @Test
  void covered_countsOverlappingJobsOnce_andGapsNotAtAll() {
    assertEquals(0, SparkJobWatch.covered(List.of()));
    assertEquals(10, SparkJobWatch.covered(List.of(of(0, 10))));
    assertEquals(15, SparkJobWatch.covered(List.of(of(5, 15), of(0, 10))), "overlap counted once");
    assertEquals(10, SparkJobWatch.covered(List.of(of(0, 10), of(2, 4))), "a job inside another adds nothing");
    assertEquals(13, SparkJobWatch.covered(List.of(of(20, 23), of(0, 10))), "the gap between them is not counted");
    assertEquals(20, SparkJobWatch.covered(List.of(of(0, 10), of(10, 20))), "back to back");
  }

  @Test
  void watch_seesTheJobsAndTasksRunWhileOpen_only() {
    SparkSession spark = TestSpark.session();
    spark.range(0, 1000, 1, 3).count();
    SparkJobWatch watch = new SparkJobWatch(spark.sparkContext());
    try (watch) {
      spark.range(0, 1000, 1, 3).selectExpr("id % 7 AS k").distinct().count();
      spark.range(0, 1000, 1, 2).collectAsList();
    }
    spark.range(0, 1000, 1, 3).count();
    assertTrue(watch.jobs() >= 2, "two actions, at least a job each: " + watch.jobs());
    assertTrue(watch.tasks() >= 5, "at least the 3 + 2 scan tasks: " + watch.tasks());
    assertTrue(watch.busyMillis() > 0);
    int seen = watch.jobs();
    spark.range(10).count();
    assertEquals(seen, watch.jobs(), "a closed watch no longer counts");
  }
}

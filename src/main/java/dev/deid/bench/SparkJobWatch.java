package dev.deid.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The Spark jobs a measured span ran, and for how long at least one of them was running. The rest
 * of the span is driver work alone (planning, Delta log reads and commits, listings): a fixed cost
 * per operation that more data does not grow, which is where a small job's time goes.
 */
final class SparkJobWatch extends SparkListener implements AutoCloseable {
  /** A job's start and end, in milliseconds. */
  record Interval(long start, long end) {}

  private final SparkContext context;
  private final Map<Integer, Long> running = new HashMap<>();
  private final List<Interval> finished = new ArrayList<>();
  private long tasks;

  SparkJobWatch(SparkContext context) {
    this.context = context;
    context.addSparkListener(this);
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart start) {
    running.put(start.jobId(), start.time());
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd end) {
    Long started = running.remove(end.jobId());
    if (started != null) {
      finished.add(new Interval(started, end.time()));
    }
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    tasks++;
  }

  synchronized int jobs() {
    return finished.size();
  }

  synchronized long tasks() {
    return tasks;
  }

  /** Milliseconds during which at least one job ran: overlapping jobs count once. */
  synchronized long busyMillis() {
    return covered(finished);
  }

  static long covered(List<Interval> intervals) {
    List<Interval> sorted = new ArrayList<>(intervals);
    sorted.sort(Comparator.comparingLong(Interval::start));
    long total = 0;
    long start = Long.MIN_VALUE;
    long end = Long.MIN_VALUE;
    for (Interval i : sorted) {
      if (i.start() > end) {
        total += end - start;
        start = i.start();
        end = i.end();
      } else {
        end = Math.max(end, i.end());
      }
    }
    return total + (end - start);
  }

  /** The listener bus delivers events asynchronously; jobs that ended before close are all counted. */
  @Override
  public void close() {
    try {
      context.listenerBus().waitUntilEmpty(10_000);
    } catch (TimeoutException e) {
      // The figures then miss the last jobs' ends; a benchmark prints them anyway.
    }
    context.removeSparkListener(this);
  }
}

package dev.deid.bench;

import dev.deid.config.OutputFormat;
import dev.deid.config.ReleaseSpec;
import dev.deid.io.SparkSessions;
import dev.deid.privacy.dp.Accounting;
import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.ContributionBounds;
import dev.deid.privacy.dp.GroupStatistics;
import dev.deid.privacy.dp.Mechanism;
import dev.deid.privacy.dp.Mechanisms;
import dev.deid.privacy.dp.NoisyRelease;
import dev.deid.sample.SampleData;
import dev.deid.steps.DpAggregate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Count and sum of order amounts by region and month with customers as privacy unit, on N
 * synthetic orders: the DP release's wall time next to the plain Spark aggregate of the same
 * query and to the release's shuffle and sort without the bounding, in the same run, and the
 * measured noise standard deviation over the theoretical one.
 */
@Command(mixinStandardHelpOptions = true, name = "dp-benchmark", description = "Time a DP release against the plain aggregate on synthetic orders.")
public final class DpBenchmark implements Callable<Integer> {
  @Option(names = "--orders", defaultValue = "10000000")
  long orders;
  @Option(names = "--warehouse", defaultValue = "target/dp-bench")
  Path warehouse;
  @Option(names = "--samples", defaultValue = "100000", description = "Noise draws for the standard deviation check.")
  int samples;
  @Option(names = "--reuse", description = "Keep an existing orders table of the right size instead of writing it again.")
  boolean reuse;
  @Option(names = "--repeat", defaultValue = "3", description = "Rounds of plain aggregate then DP release.")
  int repeat;

  @Override
  public Integer call() {
    SparkSession spark = SparkSessions.shared(null);
    String table = warehouse.toAbsolutePath() + "/orders";
    long t0 = System.nanoTime();
    boolean reused = reuse && Files.isDirectory(Path.of(table, "_delta_log"))
        && spark.read().format("delta").load(table).count() == orders;
    if (!reused) {
      new SampleData(spark, 3, Instant.now()).orders(Math.max(1000, orders / 3), orders)
          .write().format("delta").mode("overwrite").save(table);
    }
    System.out.printf("machine: %d cores; %s %,d orders in %.1f s%n", Runtime.getRuntime().availableProcessors(),
        reused ? "reused" : "generated", orders, (System.nanoTime() - t0) / 1e9);

    ReleaseSpec release = new ReleaseSpec(0, "orders_by_region_month", "orders", "analysts", "analytics", "customer_id",
        List.of("store_region", "order_ts:month"), null, new ContributionBounds(4, 2), 1.0, 1e-6, NoisyRelease.Noise.LAPLACE,
        List.of(new Aggregate(Aggregate.Kind.COUNT, null, 0, 0, List.of()),
            new Aggregate(Aggregate.Kind.SUM, "amount", 0, 500, List.of())), OutputFormat.DELTA);
    double bestPlain = Double.MAX_VALUE;
    double bestShuffle = Double.MAX_VALUE;
    double bestDp = Double.MAX_VALUE;
    // Alternating rounds, so both queries run cold once and warm afterwards; the best of each is compared.
    for (int round = 1; round <= repeat; round++) {
      long p0 = System.nanoTime();
      List<Row> plain = spark.read().format("delta").load(table)
          .groupBy(functions.col("store_region"), functions.date_format(functions.col("order_ts"), "yyyy-MM").as("month"))
          .agg(functions.count(functions.lit(1)), functions.sum("amount")).collectAsList();
      double plainSeconds = (System.nanoTime() - p0) / 1e9;

      // The release's shuffle and sort alone, without bounding: the floor any one-shuffle bounding pays.
      long s0 = System.nanoTime();
      long shuffled = DpAggregate.unitsTogether(spark.read().format("delta").load(table), release).rows()
          .queryExecution().toRdd().count();
      double shuffleSeconds = (System.nanoTime() - s0) / 1e9;

      long d0 = System.nanoTime();
      Dataset<Row> input = spark.read().format("delta").load(table);
      List<GroupStatistics> stats = DpAggregate.statistics(input, release, new SecureRandom().nextLong());
      NoisyRelease.Plan plan = new NoisyRelease.Plan(release.aggregates(), release.bounds(), release.epsilon(), release.delta(),
          release.noise(), false);
      List<NoisyRelease.Released> released = NoisyRelease.release(stats, plan, Mechanisms.secure());
      double dpSeconds = (System.nanoTime() - d0) / 1e9;
      bestPlain = Math.min(bestPlain, plainSeconds);
      bestDp = Math.min(bestDp, dpSeconds);
      bestShuffle = Math.min(bestShuffle, shuffleSeconds);
      System.out.printf("round %d: plain aggregate %d groups in %.1f s; shuffle and sort of %,d rows by customer alone %.1f s; "
          + "DP release (bounding 4 groups x 2 rows per customer, selection, noise) %d of %d groups in %.1f s; "
          + "ratio DP/plain %.2f%n", round, plain.size(), plainSeconds, shuffled, shuffleSeconds, released.size(), stats.size(),
          dpSeconds, dpSeconds / plainSeconds);
    }
    System.out.printf("SUMMARY best plain aggregate %.1f s, best shuffle and sort alone %.1f s (%.2f x plain), "
        + "best DP release %.1f s, ratio DP/plain %.2f over %d rounds%n",
        bestPlain, bestShuffle, bestShuffle / bestPlain, bestDp, bestDp / bestPlain, repeat);
    Mechanisms secure = Mechanisms.secure();
    for (Mechanism m : List.of(secure.laplace(8, 1.0 / 3), secure.laplace(8 * 50_000, 1.0 / 3),
        secure.gaussian(Math.sqrt(4) * 2, Accounting.rhoFor(0.5, 1e-6)))) {
      double[] draws = new double[samples];
      for (int i = 0; i < samples; i++) {
        draws[i] = m.noised(0);
      }
      double measured = new StandardDeviation().evaluate(draws);
      System.out.printf("%-45s measured sd %.4f / theoretical %.4f = %.4f (%,d draws)%n", m.describe(), measured,
          m.standardDeviation(), measured / m.standardDeviation(), samples);
    }
    return 0;
  }
}

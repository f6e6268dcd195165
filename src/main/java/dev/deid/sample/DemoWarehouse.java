package dev.deid.sample;

import dev.deid.io.LocalDirectories;
import dev.deid.io.Warehouse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * The README's first command must give the same result every time it runs: each run starts from a
 * fresh demo warehouse (raw tables only: no outputs, no audit, no budget ledger) copied from a
 * generated template beside it. The template is regenerated when it is a day old, so that the
 * sample's ages and retention stay close to the clock.
 */
public final class DemoWarehouse {
  static final Duration TEMPLATE_LIFETIME = Duration.ofDays(1);
  private static final String GENERATED_AT = "GENERATED_AT";

  private DemoWarehouse() {}

  public static Warehouse reset(SparkSession spark, Path warehouse, long customers, Instant now) {
    Path root = warehouse.toAbsolutePath();
    Path template = root.resolveSibling(root.getFileName() + "-template");
    if (!fresh(template, customers, now)) {
      LocalDirectories.delete(template);
      System.out.println("generating " + customers + " sample customers in " + template + " ...");
      new SampleData(spark, 42, now).writeAll(new Warehouse(template.toString()), customers);
      LocalDirectories.write(template.resolve(GENERATED_AT), now + " " + customers + "\n");
    }
    // The catalog's metastore may be open in this session; the names it holds point at the paths
    // the next run replaces.
    LocalDirectories.deleteContentsExcept(root, Set.of(Warehouse.CATALOG));
    LocalDirectories.copy(template.resolve("raw"), root.resolve("raw"));
    return new Warehouse(root.toString());
  }

  private static boolean fresh(Path template, long customers, Instant now) {
    String text = LocalDirectories.readIfPresent(template.resolve(GENERATED_AT));
    if (text == null) {
      return false;
    }
    try {
      String[] marker = text.strip().split(" ");
      return marker.length == 2 && Long.parseLong(marker[1]) == customers
          && Instant.parse(marker[0]).plus(TEMPLATE_LIFETIME).isAfter(now);
    } catch (RuntimeException damaged) {
      return false;
    }
  }
}

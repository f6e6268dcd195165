package dev.deid.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Recomputes equivalence classes from a written output with plain Spark SQL and checks the
 * privacy properties a release claims. Shares no code with the anonymization engine.
 */
final class AnonymityChecker {
  private final Dataset<Row> data;
  private final Column[] quasi;

  AnonymityChecker(Dataset<Row> data, List<String> quasiIdentifiers) {
    this.data = data;
    this.quasi = quasiIdentifiers.stream().map(functions::col).toArray(Column[]::new);
  }

  Dataset<Row> classes() {
    return data.groupBy(quasi).count();
  }

  long classCount() {
    return classes().count();
  }

  long largestClass() {
    return classes().agg(functions.max("count")).first().getLong(0);
  }

  long smallestClass() {
    return classes().agg(functions.min("count")).first().getLong(0);
  }

  long distinctSensitiveMinimum(String sensitive) {
    return data.groupBy(quasi).agg(functions.countDistinct(functions.col(sensitive)).as("d"))
        .agg(functions.min("d")).first().getLong(0);
  }

  /** The largest, over classes, of half the L1 distance between the class's and the table's sensitive distribution. */
  double largestEqualDistance(String sensitive) {
    long total = data.count();
    Dataset<Row> global = data.groupBy(sensitive).count().withColumn("q", functions.col("count").divide(total)).select(sensitive, "q");
    Dataset<Row> perClass = data.groupBy(quasi).count().withColumnRenamed("count", "size");
    Dataset<Row> cells = data.groupBy(concat(quasi, sensitive)).count();
    // every (class, value) pair, including values absent from the class
    Dataset<Row> grid = perClass.crossJoin(global);
    Dataset<Row> joined = grid.join(cells, joinKeys(sensitive), "left")
        .withColumn("p", functions.coalesce(functions.col("count"), functions.lit(0L)).divide(functions.col("size")));
    return joined.groupBy(quasi).agg(functions.sum(functions.abs(functions.col("p").minus(functions.col("q")))).divide(2).as("emd"))
        .agg(functions.max("emd")).first().getDouble(0);
  }

  private Column[] concat(Column[] columns, String extra) {
    Column[] all = Arrays.copyOf(columns, columns.length + 1);
    all[columns.length] = functions.col(extra);
    return all;
  }

  private Seq<String> joinKeys(String sensitive) {
    List<String> names = new ArrayList<>();
    for (Column c : quasi) {
      names.add(c.toString());
    }
    names.add(sensitive);
    return CollectionConverters.asScala(names).toSeq();
  }
}

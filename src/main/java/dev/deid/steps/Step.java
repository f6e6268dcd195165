package dev.deid.steps;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One lazy transformation of an output's rows. A step reads and writes nothing and collects nothing
 * to the driver, so a chain of steps stays one Spark plan executed by the output's single write.
 */
public interface Step {
  String name();

  Dataset<Row> apply(Dataset<Row> input);
}

package dev.deid.steps;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One lazy transformation of an output's rows. A step reads and writes nothing and collects nothing
 * to the driver, so a chain of steps stays one Spark plan executed by the output's single write.
 * It returns, next to the lazy result, named figures of what it does that the plan alone shows
 * (columns kept, pseudonymized, generalized): they go into the run report under the step's name
 * without costing a Spark job.
 */
public interface Step {
  String name();

  Result apply(Dataset<Row> input);

  /** A step's lazy output and its named metrics, in a stable order. */
  record Result(Dataset<Row> data, Map<String, Object> metrics) {
    public Result {
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
  }

  /** The steps applied in order: the last lazy output, and each step's metrics under its name. */
  static Chain chain(Dataset<Row> input, List<Step> steps) {
    Dataset<Row> data = input;
    Map<String, Map<String, Object>> metrics = new LinkedHashMap<>();
    for (Step step : steps) {
      Result result = step.apply(data);
      if (metrics.put(step.name(), result.metrics()) != null) {
        throw new IllegalArgumentException("two steps are named " + step.name());
      }
      data = result.data();
    }
    return new Chain(data, metrics);
  }

  record Chain(Dataset<Row> data, Map<String, Map<String, Object>> metrics) {
    public Chain {
      metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }
  }
}

package dev.deid.steps;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** Keeps exactly the columns an output lists, in its order; nothing else can pass. */
public final class Minimize implements Step {
  private final List<String> columns;

  public Minimize(List<String> columns) {
    this.columns = List.copyOf(columns);
  }

  @Override
  public String name() {
    return "minimize";
  }

  @Override
  public Dataset<Row> apply(Dataset<Row> input) {
    return input.select(columns.stream().map(c -> functions.col("`" + c + "`")).toArray(Column[]::new));
  }
}

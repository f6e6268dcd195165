package dev.deid.steps;

import java.util.List;
import java.util.Map;
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
  public Result apply(Dataset<Row> input) {
    Dataset<Row> kept = input.select(columns.stream().map(c -> functions.col("`" + c + "`")).toArray(Column[]::new));
    return new Result(kept, Map.of("columnsIn", input.columns().length, "columnsOut", columns.size()));
  }
}

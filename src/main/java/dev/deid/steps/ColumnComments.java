package dev.deid.steps;

import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;

/**
 * Attaches a comment to each named column (the field metadata Delta keeps in its schema and
 * {@code DESCRIBE TABLE} shows), so what was done to a column is read where it is queried.
 */
public final class ColumnComments implements Step {
  private final Map<String, String> comments;

  public ColumnComments(Map<String, String> comments) {
    this.comments = Map.copyOf(comments);
  }

  @Override
  public String name() {
    return "column_comments";
  }

  @Override
  public Result apply(Dataset<Row> input) {
    Column[] columns = new Column[input.columns().length];
    int commented = 0;
    for (int i = 0; i < columns.length; i++) {
      String name = input.columns()[i];
      String comment = comments.get(name);
      Column column = functions.col("`" + name + "`");
      if (comment != null) {
        Metadata metadata = new MetadataBuilder().withMetadata(input.schema().fields()[i].metadata())
            .putString("comment", comment).build();
        column = column.as(name, metadata);
        commented++;
      }
      columns[i] = column;
    }
    return new Result(input.select(columns), Map.of("columns_commented", commented));
  }
}

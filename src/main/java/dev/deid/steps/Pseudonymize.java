package dev.deid.steps;

import dev.deid.privacy.Pseudonymizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;

/**
 * Replaces identifier columns with keyed pseudonyms (text of {@link Pseudonymizer#PSEUDONYM_LENGTH}
 * characters). The key travels to executors inside the serialized UDF, never through driver state.
 */
public final class Pseudonymize implements Step {
  private final List<String> columns;
  private final UserDefinedFunction udf;
  private final String keyId;

  public Pseudonymize(List<String> columns, Pseudonymizer pseudonymizer) {
    this.columns = List.copyOf(columns);
    this.udf = udf(pseudonymizer);
    this.keyId = pseudonymizer.keyId();
  }

  /** A deterministic, null-preserving UDF computing pseudonyms of a value's text form. */
  public static UserDefinedFunction udf(Pseudonymizer pseudonymizer) {
    UDF1<String, String> f = pseudonymizer::pseudonym;
    return functions.udf(f, DataTypes.StringType).withName("deid_pseudonym");
  }

  public static Column pseudonymOf(UserDefinedFunction udf, Column value) {
    return udf.apply(value.cast(DataTypes.StringType));
  }

  @Override
  public String name() {
    return "pseudonymize";
  }

  @Override
  public Result apply(Dataset<Row> input) {
    Dataset<Row> result = input;
    for (String column : columns) {
      result = result.withColumn(column, pseudonymOf(udf, functions.col("`" + column + "`")));
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("columns", columns.size());
    metrics.put("keyId", keyId);
    return new Result(result, metrics);
  }
}

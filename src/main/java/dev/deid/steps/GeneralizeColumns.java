package dev.deid.steps;

import dev.deid.config.ColumnSpec;
import dev.deid.config.Transform;
import dev.deid.privacy.PiiPatterns;
import dev.deid.privacy.dp.RandomizedResponse;
import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;

/**
 * Masking and simple generalization with Spark's built-in expressions (no UDFs, so the optimizer
 * and code generation see through them), then the renames that specs ask for with {@code as}.
 * Age bands are computed at the run's reference date, so a re-run of the same day gives the same
 * bands.
 */
public final class GeneralizeColumns implements Step {
  private final List<ColumnSpec> columns;
  private final LocalDate referenceDate;

  public GeneralizeColumns(List<ColumnSpec> columns, LocalDate referenceDate) {
    this.columns = List.copyOf(columns);
    this.referenceDate = referenceDate;
  }

  @Override
  public String name() {
    return "mask_and_generalize";
  }

  @Override
  public Result apply(Dataset<Row> input) {
    Dataset<Row> result = input;
    int transformedColumns = 0;
    int renamed = 0;
    for (ColumnSpec column : columns) {
      Column value = functions.col("`" + column.name() + "`");
      DataType type = input.schema().apply(column.name()).dataType();
      Column transformed = expression(column.transform(), value, type);
      if (transformed != null) {
        result = result.withColumn(column.name(), transformed);
        transformedColumns++;
      }
      if (!column.outputName().equals(column.name())) {
        result = result.withColumnRenamed(column.name(), column.outputName());
        renamed++;
      }
    }
    Map<String, Object> metrics = new LinkedHashMap<>();
    metrics.put("columnsTransformed", transformedColumns);
    metrics.put("columnsRenamed", renamed);
    return new Result(result, metrics);
  }

  private Column expression(Transform transform, Column value, DataType type) {
    if (transform instanceof Transform.Mask mask) {
      return mask(value, mask.keepFirst(), mask.keepLast());
    }
    if (transform instanceof Transform.Prefix prefix) {
      return mask(value, prefix.length(), 0);
    }
    if (transform instanceof Transform.AgeBand band) {
      return ageBand(value, band.width());
    }
    if (transform instanceof Transform.Age) {
      return age(value);
    }
    if (transform instanceof Transform.RandomizedResponse rr) {
      RandomizedResponse mechanism = RandomizedResponse.categorical(rr.epsilon(), rr.domain());
      UDF1<String, String> f = mechanism::respond;
      return functions.udf(f, DataTypes.StringType).asNondeterministic().apply(value.cast("string"));
    }
    if (transform instanceof Transform.NumericNoise n) {
      RandomizedResponse mechanism = RandomizedResponse.numeric(n.epsilon(), n.lower(), n.upper());
      UDF1<Double, Double> f = mechanism::perturb;
      return functions.udf(f, DataTypes.DoubleType).asNondeterministic().apply(value.cast("double"));
    }
    if (transform instanceof Transform.Truncate truncate) {
      if (type instanceof DateType) {
        return truncate.unit().equals("day") ? value : functions.trunc(value, truncate.unit());
      }
      return functions.date_trunc(truncate.unit(), value);
    }
    if (transform instanceof Transform.Redact) {
      return redacted(value);
    }
    return null;
  }

  /** Free text with every personal-data pattern replaced by its placeholder, as {@link PiiPatterns#redact} does. */
  public static Column redacted(Column text) {
    Column result = text;
    for (PiiPatterns.Pattern p : PiiPatterns.ALL) {
      result = functions.regexp_replace(result, p.regex(), p.placeholder());
    }
    return result;
  }

  /**
   * Keeps the first and last characters asked for and replaces the rest with '*'. A value too
   * short to hide anything is masked whole, so short values never pass through unchanged.
   */
  static Column mask(Column value, int keepFirst, int keepLast) {
    Column text = value.cast("string");
    Column length = functions.length(text);
    Column hidden = functions.concat(
        functions.substring(text, 1, keepFirst),
        functions.repeat(functions.lit("*"), length.minus(keepFirst + keepLast)),
        keepLast == 0 ? functions.lit("") : functions.substring(text, -keepLast, keepLast));
    return functions.when(text.isNull(), functions.lit(null).cast("string"))
        .when(length.gt(keepFirst + keepLast), hidden)
        .otherwise(functions.repeat(functions.lit("*"), length));
  }

  private Column age(Column birthDate) {
    return functions.floor(functions.months_between(
        functions.lit(Date.valueOf(referenceDate)), birthDate.cast("date")).divide(12)).cast("int");
  }

  private Column ageBand(Column birthDate, int width) {
    Column age = age(birthDate);
    if (width == 1) {
      return age.cast("string");
    }
    Column lower = functions.floor(age.divide(width)).multiply(width).cast("int");
    return functions.when(age.isNull(), functions.lit(null).cast("string"))
        .otherwise(functions.concat(lower.cast("string"), functions.lit("-"), lower.plus(width - 1).cast("string")));
  }
}

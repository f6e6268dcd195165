package dev.deid.pipeline;

import dev.deid.config.DraftSpec;
import dev.deid.io.TableStore;
import dev.deid.io.Warehouse;
import dev.deid.privacy.ColumnClassifier.ColumnProfile;
import dev.deid.privacy.ColumnClassifier.Proposal;
import dev.deid.privacy.ColumnClassifier;
import dev.deid.privacy.PiiPatterns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * {@code discover}: profiles raw tables in Spark and proposes, per column, a class and an action
 * with the evidence ({@link ColumnClassifier}), then a draft job spec and a data map. Counts
 * (rows, nulls, distinct values) are over every row; what values look like is judged on a sample,
 * on the executors: no raw value is collected to the driver, only shares.
 */
public final class Discovery {
  /** What was found: the profiles and proposals per table, the draft spec as YAML, the data map. */
  public record Found(Map<String, Map<String, ColumnProfile>> profiles, Map<String, Map<String, Proposal>> proposals,
      String draftSpec, Map<String, Map<String, List<String>>> dataMap) {}

  private Discovery() {}

  public static Found discover(TableStore store, Warehouse warehouse, List<String> tables, int sampleRows, String specName) {
    Map<String, Map<String, ColumnProfile>> profiles = new LinkedHashMap<>();
    for (String table : tables) {
      profiles.put(table, profile(store.read(warehouse.rawTable(table)), table, sampleRows));
    }
    Set<String> keys = new LinkedHashSet<>();
    profiles.values().forEach(columns -> columns.values().stream()
        .filter(p -> p.distinct() >= 100 && p.uniqueness() >= 0.95 && !"date".equals(p.type()) && !"timestamp".equals(p.type()))
        .forEach(p -> keys.add(p.column())));
    Map<String, Map<String, Proposal>> proposals = new LinkedHashMap<>();
    profiles.forEach((table, columns) -> {
      Map<String, Proposal> byColumn = new LinkedHashMap<>();
      columns.forEach((column, p) -> byColumn.put(column, ColumnClassifier.propose(p, keys)));
      proposals.put(table, byColumn);
    });
    return new Found(profiles, proposals, DraftSpec.yaml(specName, warehouse.root(), profiles, proposals),
        ColumnClassifier.dataMap(proposals));
  }

  static Map<String, ColumnProfile> profile(Dataset<Row> raw, String table, int sampleRows) {
    List<Column> counts = new ArrayList<>(List.of(functions.count(functions.lit(1)).as("rows")));
    StructField[] fields = raw.schema().fields();
    for (StructField f : fields) {
      Column c = functions.col("`" + f.name() + "`");
      counts.add(functions.count(c).as(f.name() + "#nonnull"));
      counts.add(functions.approx_count_distinct(c, 0.02).as(f.name() + "#distinct"));
      if (f.dataType() instanceof StringType) {
        counts.add(functions.avg(functions.length(c)).as(f.name() + "#length"));
      }
      if (isTime(f.dataType())) {
        counts.add(functions.min(functions.year(c)).as(f.name() + "#minyear"));
        counts.add(functions.max(functions.year(c)).as(f.name() + "#maxyear"));
      }
    }
    Row totals = raw.agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new)).first();
    long rows = totals.getLong(0);
    Row shares = sampleShares(raw, fields, rows, sampleRows);
    Map<String, ColumnProfile> profiles = new LinkedHashMap<>();
    for (StructField f : fields) {
      long nonNull = totals.getLong(totals.fieldIndex(f.name() + "#nonnull"));
      long distinct = totals.getLong(totals.fieldIndex(f.name() + "#distinct"));
      double length = 0;
      Map<String, Double> whole = new LinkedHashMap<>();
      Map<String, Double> contains = new LinkedHashMap<>();
      double names = 0;
      double places = 0;
      double genders = 0;
      double postcodes = 0;
      if (f.dataType() instanceof StringType) {
        Object avg = totals.get(totals.fieldIndex(f.name() + "#length"));
        length = avg == null ? 0 : ((Number) avg).doubleValue();
        long sampled = shares.getLong(shares.fieldIndex(f.name() + "#sampled"));
        for (String pattern : PiiPatterns.detectedNames()) {
          double w = fraction(shares, f.name() + "#whole#" + pattern, sampled);
          double c = fraction(shares, f.name() + "#contains#" + pattern, sampled);
          if (w > 0) {
            whole.put(pattern, w);
          }
          if (c > 0) {
            contains.put(pattern, c);
          }
        }
        names = fraction(shares, f.name() + "#name", sampled);
        places = fraction(shares, f.name() + "#place", sampled);
        genders = fraction(shares, f.name() + "#gender", sampled);
        postcodes = fraction(shares, f.name() + "#postcode", sampled);
      }
      Integer minYear = isTime(f.dataType()) ? (Integer) totals.get(totals.fieldIndex(f.name() + "#minyear")) : null;
      Integer maxYear = isTime(f.dataType()) ? (Integer) totals.get(totals.fieldIndex(f.name() + "#maxyear")) : null;
      profiles.put(f.name(), new ColumnProfile(table, f.name(), typeName(f.dataType()), rows, rows - nonNull, distinct, length,
          whole, contains, names, places, genders, postcodes, minYear, maxYear));
    }
    return profiles;
  }

  /** One aggregation over a uniform sample of about {@code sampleRows} rows: per text column, how many values look like what. */
  private static Row sampleShares(Dataset<Row> raw, StructField[] fields, long rows, int sampleRows) {
    Dataset<Row> sample = rows <= sampleRows ? raw : raw.sample(false, Math.min(1.0, 1.2 * sampleRows / rows), 20261202L);
    UserDefinedFunction whole = functions.udf((UDF1<String, String>) PiiPatterns::wholeValue, DataTypes.StringType);
    UserDefinedFunction detect = functions.udf((UDF1<String, String[]>) v -> PiiPatterns.detect(v).toArray(String[]::new),
        DataTypes.createArrayType(DataTypes.StringType));
    UserDefinedFunction name = flag(v -> ColumnClassifier.isChineseName(v));
    UserDefinedFunction place = flag(v -> ColumnClassifier.isGeography(v));
    UserDefinedFunction gender = flag(v -> ColumnClassifier.isGender(v));
    UserDefinedFunction postcode = flag(v -> ColumnClassifier.isPostcode(v));
    List<Column> derived = new ArrayList<>();
    List<Column> sums = new ArrayList<>();
    for (StructField f : fields) {
      if (!(f.dataType() instanceof StringType)) {
        continue;
      }
      Column c = functions.col("`" + f.name() + "`");
      String w = f.name() + "#w";
      String d = f.name() + "#d";
      derived.add(c.as(f.name() + "#v"));
      derived.add(whole.apply(c).as(w));
      derived.add(detect.apply(c).as(d));
      derived.add(name.apply(c).as(f.name() + "#n"));
      derived.add(place.apply(c).as(f.name() + "#p"));
      derived.add(gender.apply(c).as(f.name() + "#g"));
      derived.add(postcode.apply(c).as(f.name() + "#z"));
      sums.add(functions.count(functions.col("`" + f.name() + "#v`")).as(f.name() + "#sampled"));
      for (String pattern : PiiPatterns.detectedNames()) {
        sums.add(count(functions.col("`" + w + "`").equalTo(pattern), f.name() + "#whole#" + pattern));
        sums.add(count(functions.array_contains(functions.col("`" + d + "`"), pattern), f.name() + "#contains#" + pattern));
      }
      sums.add(count(functions.col("`" + f.name() + "#n`"), f.name() + "#name"));
      sums.add(count(functions.col("`" + f.name() + "#p`"), f.name() + "#place"));
      sums.add(count(functions.col("`" + f.name() + "#g`"), f.name() + "#gender"));
      sums.add(count(functions.col("`" + f.name() + "#z`"), f.name() + "#postcode"));
    }
    if (sums.isEmpty()) {
      return null;
    }
    return sample.limit(sampleRows).select(derived.toArray(Column[]::new))
        .agg(sums.get(0), sums.subList(1, sums.size()).toArray(Column[]::new)).first();
  }

  private static UserDefinedFunction flag(UDF1<String, Boolean> test) {
    UDF1<String, Boolean> f = v -> v != null && test.call(v);
    return functions.udf(f, DataTypes.BooleanType);
  }

  private static Column count(Column condition, String as) {
    return functions.sum(functions.when(condition, 1L).otherwise(0L)).as(as);
  }

  private static double fraction(Row row, String field, long of) {
    if (of == 0) {
      return 0;
    }
    Object v = row.get(row.fieldIndex(field));
    return v == null ? 0 : ((Number) v).doubleValue() / of;
  }

  private static boolean isTime(DataType type) {
    return type instanceof DateType || type instanceof TimestampType || type instanceof TimestampNTZType;
  }

  private static String typeName(DataType type) {
    if (type instanceof StringType) {
      return "string";
    }
    if (type instanceof DateType) {
      return "date";
    }
    if (type instanceof TimestampType || type instanceof TimestampNTZType) {
      return "timestamp";
    }
    if (type instanceof BooleanType) {
      return "boolean";
    }
    return type instanceof NumericType ? "number" : type.simpleString();
  }
}

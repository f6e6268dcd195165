package dev.deid.steps;

import dev.deid.config.AnonymizationSpec;
import dev.deid.config.HierarchySpec;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.privacy.anon.Anonymizer;
import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.anon.HierarchyBuilders;
import dev.deid.privacy.anon.InvalidHierarchyException;
import dev.deid.privacy.anon.SensitiveContext;
import dev.deid.privacy.anon.TupleHistogram;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Generalizes an output's quasi-identifiers until its privacy models hold. Unlike the other steps
 * it collects one thing to the driver, by design: the histogram of distinct (quasi-identifier
 * tuple, sensitive value) combinations with their counts, computed by Spark in one pass, so the
 * driver holds distinct tuples, never rows. The search runs on the histogram; the result is a
 * lookup from each distinct tuple to its labels (and whether it is suppressed), joined back to the
 * data as a small table — no driver state in any closure.
 */
public final class Anonymize {
  public static final String NULL_VALUE = "(null)";
  private static final long MAX_EXHAUSTIVE_NODES = 2_000_000;

  private Anonymize() {}

  public record Outcome(Dataset<Row> data, Anonymizer.Outcome result, List<String> quasiIdentifiers,
      List<Hierarchy> hierarchies, long histogramMillis, long searchMillis, long histogramRows) {}

  public static Outcome apply(Dataset<Row> input, AnonymizationSpec spec, Map<String, HierarchySpec> hierarchySpecs,
      String path) {
    List<String> quasi = List.copyOf(spec.quasiIdentifiers().keySet());
    List<Column> keyColumns = new ArrayList<>();
    for (String q : quasi) {
      keyColumns.add(text(q).as(q));
    }
    List<Column> grouping = new ArrayList<>(keyColumns);
    if (spec.sensitive() != null) {
      grouping.add(text(spec.sensitive()).as("deid_sensitive"));
    }
    long t0 = System.nanoTime();
    List<Row> counts = input.groupBy(grouping.toArray(Column[]::new)).count().collectAsList();
    if (counts.isEmpty()) {
      throw Errors.of("Cannot anonymize output at " + path + ": no rows reach it (fix: check consent and retention, "
          + "or remove the output)");
    }

    Hierarchy[] hierarchies = new Hierarchy[quasi.size()];
    for (int d = 0; d < quasi.size(); d++) {
      Set<String> values = new HashSet<>();
      for (Row r : counts) {
        values.add(r.getString(d));
      }
      String field = path + ".anonymization.quasiIdentifiers." + quasi.get(d);
      hierarchies[d] = hierarchy(hierarchySpecs.get(spec.quasiIdentifiers().get(quasi.get(d))), quasi.get(d), values, field);
    }
    TupleHistogram.Builder builder = TupleHistogram.builder(hierarchies, spec.sensitive() != null);
    String[] tuple = new String[quasi.size()];
    for (Row r : counts) {
      for (int d = 0; d < quasi.size(); d++) {
        tuple[d] = r.getString(d);
      }
      builder.add(tuple, spec.sensitive() != null ? r.getString(quasi.size()) : null, r.getLong(r.length() - 1));
    }
    TupleHistogram histogram;
    try {
      histogram = builder.build();
    } catch (InvalidHierarchyException e) {
      throw hierarchyError(path + ".anonymization.quasiIdentifiers." + e.attribute(), e);
    }
    if (spec.k() > histogram.records()) {
      throw Errors.of("Cannot anonymize output at " + path + ".anonymization.k: k = " + spec.k() + " but only "
          + histogram.records() + " rows reach the output (fix: lower k or release more rows)");
    }
    Hierarchy sensitiveHierarchy = null;
    if (spec.sensitiveHierarchy() != null) {
      Set<String> values = new HashSet<>(histogram.sensitiveValues());
      sensitiveHierarchy = hierarchy(hierarchySpecs.get(spec.sensitiveHierarchy()), spec.sensitive(), values,
          path + ".anonymization.tCloseness.hierarchy");
    }
    SensitiveContext context;
    try {
      context = spec.sensitive() == null ? null : new SensitiveContext(histogram, sensitiveHierarchy);
    } catch (InvalidHierarchyException e) {
      throw hierarchyError(path + ".anonymization.tCloseness.hierarchy", e);
    }
    long t1 = System.nanoTime();
    Anonymizer.Outcome outcome;
    try {
      outcome = Anonymizer.anonymize(histogram, new Anonymizer.Plan(spec.models(), spec.suppressionLimit(), spec.metric(),
          spec.mode() == AnonymizationSpec.Mode.LOCAL, spec.timeBudgetMillis(), MAX_EXHAUSTIVE_NODES), context);
    } catch (IllegalArgumentException e) {
      throw Errors.of("Cannot anonymize output at " + path + ".anonymization: " + e.getMessage()
          + " (fix: relax the privacy models or raise the suppression limit)");
    }
    long t2 = System.nanoTime();
    Dataset<Row> data = transform(input, quasi, histogram, outcome, spec.starSuppressed());
    return new Outcome(data, outcome, quasi, List.of(hierarchies), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, histogram.rows());
  }

  private static Column text(String column) {
    Column c = functions.col("`" + column + "`");
    return functions.coalesce(c.cast(DataTypes.StringType), functions.lit(NULL_VALUE));
  }

  /** Joins the data to the lookup of distinct tuples → labels, then drops or stars the suppressed rows. */
  private static Dataset<Row> transform(Dataset<Row> input, List<String> quasi, TupleHistogram h, Anonymizer.Outcome outcome,
      boolean star) {
    StructType schema = new StructType();
    for (int d = 0; d < quasi.size(); d++) {
      schema = schema.add("deid_key_" + d, DataTypes.StringType, false);
    }
    for (int d = 0; d < quasi.size(); d++) {
      schema = schema.add("deid_label_" + d, DataTypes.StringType, false);
    }
    schema = schema.add("deid_suppressed", DataTypes.BooleanType, false);
    List<Row> lookup = new ArrayList<>();
    Set<List<String>> seen = new HashSet<>();
    for (int r = 0; r < h.rows(); r++) {
      Object[] values = new Object[2 * quasi.size() + 1];
      List<String> key = new ArrayList<>();
      for (int d = 0; d < quasi.size(); d++) {
        values[d] = h.hierarchies()[d].value(h.code(r, d));
        key.add((String) values[d]);
        values[quasi.size() + d] = outcome.labels()[r][d];
      }
      values[values.length - 1] = outcome.suppressedRow()[r];
      if (seen.add(key)) {
        lookup.add(RowFactory.create(values));
      }
    }
    SparkSession spark = input.sparkSession();
    Dataset<Row> table = spark.createDataFrame(lookup, schema);
    Column condition = null;
    for (int d = 0; d < quasi.size(); d++) {
      Column eq = text(quasi.get(d)).equalTo(table.col("deid_key_" + d));
      condition = condition == null ? eq : condition.and(eq);
    }
    Dataset<Row> joined = input.join(table, condition, "inner");
    if (!star) {
      joined = joined.filter(functions.not(functions.col("deid_suppressed")));
    }
    List<Column> columns = new ArrayList<>();
    for (String c : input.columns()) {
      int d = quasi.indexOf(c);
      if (d < 0) {
        columns.add(functions.col("`" + c + "`"));
      } else {
        Column label = functions.col("deid_label_" + d);
        columns.add((star ? functions.when(functions.col("deid_suppressed"), functions.lit("*")).otherwise(label) : label).as(c));
      }
    }
    return joined.select(columns.toArray(Column[]::new));
  }

  private static Hierarchy hierarchy(HierarchySpec spec, String column, Set<String> values, String field) {
    try {
      Hierarchy h;
      if (spec instanceof HierarchySpec.FromFile f) {
        try (Reader reader = Files.newBufferedReader(f.file(), StandardCharsets.UTF_8)) {
          h = Hierarchy.readArxCsv(column, reader);
        } catch (IOException e) {
          throw Errors.of("Cannot read hierarchy " + f.file() + " for " + field + " (fix: check the file is readable)");
        }
      } else if (spec instanceof HierarchySpec.Intervals i) {
        h = HierarchyBuilders.intervals(column, values, i.min(), i.widths());
      } else if (spec instanceof HierarchySpec.Dates d) {
        h = HierarchyBuilders.dates(column, values, d.levels());
      } else if (spec instanceof HierarchySpec.Masking m) {
        h = HierarchyBuilders.maskingFromRight(column, values, m.length());
      } else {
        h = HierarchyBuilders.groups(column, values, ((HierarchySpec.Groups) spec).levels());
      }
      List<String> uncovered = h.uncovered(values);
      if (!uncovered.isEmpty()) {
        throw new InvalidHierarchyException(column, List.of("values not covered by the hierarchy: "
            + uncovered.stream().limit(20).toList() + (uncovered.size() > 20 ? " and " + (uncovered.size() - 20) + " more" : "")));
      }
      return h;
    } catch (InvalidHierarchyException e) {
      throw hierarchyError(field, e);
    }
  }

  private static DeidException hierarchyError(String field, InvalidHierarchyException e) {
    return Errors.of("Invalid hierarchy at " + field + ": " + String.join("; ", e.problems())
        + " (fix: add the missing values to the hierarchy, or correct its levels)");
  }
}

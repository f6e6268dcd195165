package dev.deid.steps;

import dev.deid.config.AnonymizationSpec;
import dev.deid.config.HierarchySpec;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.privacy.anon.Anonymizer;
import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.anon.HierarchyBuilders;
import dev.deid.privacy.anon.InvalidHierarchyException;
import dev.deid.privacy.anon.RiskProfile;
import dev.deid.privacy.anon.SensitiveContext;
import dev.deid.privacy.anon.TupleHistogram;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Generalizes an output's quasi-identifiers until its privacy models hold. Unlike the other steps
 * it collects one thing to the driver, by design: the histogram of distinct (quasi-identifier
 * tuple, sensitive value) combinations with their counts, computed by Spark in one pass, so the
 * driver holds distinct tuples, never rows.
 *
 * <p>Quasi-identifiers with a hierarchy file are encoded to hierarchy codes inside Spark and
 * packed into long words, so the pass groups by a few longs instead of strings; those whose
 * hierarchy is built from the data's values are grouped by their text. After the search, global
 * recoding is applied column by column (each value's label at the chosen level) and only the
 * suppressed classes are joined back; local recoding joins a lookup of tuples to labels. Every
 * closure holds only small serializable maps — no driver state.
 */
public final class Anonymize {
  private static final Logger LOG = LoggerFactory.getLogger(Anonymize.class);

  public static final String NULL_VALUE = "(null)";
  private static final long MAX_EXHAUSTIVE_NODES = 2_000_000;

  private Anonymize() {}

  /** {@code alternatives}: the outcome of each variant spec asked for, from the same histogram (null: no solution). */
  public record Outcome(Dataset<Row> data, Anonymizer.Outcome result, List<String> quasiIdentifiers,
      List<Hierarchy> hierarchies, long histogramMillis, long searchMillis, long histogramRows,
      List<Anonymizer.Outcome> alternatives) {}

  /** Where each encoded quasi-identifier's code sits: which packed word, at which bit. */
  private record Packing(int[] word, int[] shift, int words) {
    static Packing of(Hierarchy[] known) {
      int[] word = new int[known.length];
      int[] shift = new int[known.length];
      int words = 0;
      int used = 63;
      for (int d = 0; d < known.length; d++) {
        if (known[d] == null) {
          word[d] = -1;
          continue;
        }
        // Codes run to valueCount inclusive: valueCount itself marks a value the hierarchy lacks.
        int bits = 64 - Long.numberOfLeadingZeros(known[d].valueCount());
        if (used + bits > 63) {
          words++;
          used = 0;
        }
        word[d] = words - 1;
        shift[d] = used;
        used += bits;
      }
      return new Packing(word, shift, words);
    }
  }

  /**
   * Anonymizes an output's rows. {@code fileHierarchies} are the spec's ARX hierarchy files, read by
   * the caller (io) by hierarchy name; built hierarchies are made here from the values found.
   */
  public static Outcome apply(Dataset<Row> input, AnonymizationSpec spec, Map<String, HierarchySpec> hierarchySpecs,
      Map<String, Hierarchy> fileHierarchies, String path) {
    return apply(input, spec, hierarchySpecs, fileHierarchies, path, List.of());
  }

  /** As {@link #apply(Dataset, AnonymizationSpec, Map, Map, String)}, also searching each of {@code variants} on the same histogram. */
  public static Outcome apply(Dataset<Row> input, AnonymizationSpec spec, Map<String, HierarchySpec> hierarchySpecs,
      Map<String, Hierarchy> fileHierarchies, String path, List<AnonymizationSpec> variants) {
    Searchable s = searchable(input, spec, hierarchySpecs, fileHierarchies, path);
    if (spec.populationSize() == null) {
      LOG.warn("{}.anonymization.populationSize is not given: population uniqueness treats the {} records as the whole "
          + "population (the most pessimistic estimate); state the population they are drawn from", path, s.histogram().records());
    }
    long t1 = System.nanoTime();
    Anonymizer.Outcome outcome = search(s, spec, path);
    long t2 = System.nanoTime();
    Dataset<Row> data = outcome.levels() != null
        ? transformGlobal(input, s.quasi(), s.histogram(), outcome, spec.starSuppressed())
        : transformLocal(input, s.quasi(), s.histogram(), outcome, spec.starSuppressed());
    return new Outcome(data, outcome, s.quasi(), List.of(s.hierarchies()), (t1 - s.startNanos()) / 1_000_000,
        (t2 - t1) / 1_000_000, s.histogram().rows(), searchAll(s, variants, path));
  }

  private static List<Anonymizer.Outcome> searchAll(Searchable s, List<AnonymizationSpec> variants, String path) {
    List<Anonymizer.Outcome> outcomes = new ArrayList<>();
    for (AnonymizationSpec variant : variants) {
      if (variant.k() > s.histogram().records()) {
        outcomes.add(null);
        continue;
      }
      try {
        outcomes.add(search(s, variant, path));
      } catch (DeidException e) {
        outcomes.add(null);
      }
    }
    return outcomes;
  }

  /**
   * Everything about an output's rows that can refuse its anonymization before any search: every
   * value covered by its hierarchy, the hierarchies well formed, k not above the rows. Run before
   * the first deletion: deletion only removes rows, so data that passes now passes then.
   */
  public static void check(Dataset<Row> input, AnonymizationSpec spec, Map<String, HierarchySpec> hierarchySpecs,
      Map<String, Hierarchy> fileHierarchies, String path) {
    searchable(input, spec, hierarchySpecs, fileHierarchies, path);
  }

  /** The histogram of an output's rows and what the search needs besides the spec. */
  private record Searchable(List<String> quasi, Hierarchy[] hierarchies, TupleHistogram histogram, SensitiveContext context,
      long startNanos) {}

  private static Anonymizer.Outcome search(Searchable s, AnonymizationSpec spec, String path) {
    if (spec.populationSize() != null && spec.populationSize() < s.histogram().records()) {
      throw Errors.populationSmallerThanRecords(path + ".anonymization.populationSize", spec.populationSize(),
          s.histogram().records());
    }
    try {
      return Anonymizer.anonymize(s.histogram(), new Anonymizer.Plan(spec.models(), spec.suppressionLimit(), spec.metric(),
          spec.mode() == AnonymizationSpec.Mode.LOCAL, spec.timeBudgetMillis(), MAX_EXHAUSTIVE_NODES,
          new RiskProfile.Assumptions(spec.populationSize(), spec.riskThreshold())), s.context());
    } catch (IllegalArgumentException e) {
      throw Errors.noAnonymousTransformation(path + ".anonymization", e.getMessage());
    }
  }

  private static Searchable searchable(Dataset<Row> input, AnonymizationSpec spec, Map<String, HierarchySpec> hierarchySpecs,
      Map<String, Hierarchy> fileHierarchies, String path) {
    List<String> quasi = List.copyOf(spec.quasiIdentifiers().keySet());
    int dims = quasi.size();
    long t0 = System.nanoTime();
    Hierarchy[] hierarchies = new Hierarchy[dims];
    for (int d = 0; d < dims; d++) {
      if (hierarchySpecs.get(spec.quasiIdentifiers().get(quasi.get(d))) instanceof HierarchySpec.FromFile) {
        hierarchies[d] = hierarchy(hierarchySpecs.get(spec.quasiIdentifiers().get(quasi.get(d))), fileHierarchies,
            quasi.get(d), null, field(path, quasi.get(d)));
      }
    }
    Packing packing = Packing.of(hierarchies);
    Column[] words = new Column[packing.words()];
    for (int d = 0; d < dims; d++) {
      if (hierarchies[d] != null) {
        Column code = codeOf(hierarchies[d], text(quasi.get(d)));
        Column shifted = functions.shiftleft(code, packing.shift()[d]);
        int w = packing.word()[d];
        words[w] = words[w] == null ? shifted : words[w].bitwiseOR(shifted);
      }
    }
    List<Column> grouping = new ArrayList<>();
    for (int w = 0; w < words.length; w++) {
      grouping.add(words[w].as("deid_word_" + w));
    }
    for (int d = 0; d < dims; d++) {
      if (hierarchies[d] == null) {
        grouping.add(text(quasi.get(d)).as("deid_text_" + d));
      }
    }
    if (spec.sensitive() != null) {
      grouping.add(text(spec.sensitive()).as("deid_sensitive"));
    }
    List<Row> counts = input.groupBy(grouping.toArray(Column[]::new)).count().collectAsList();
    if (counts.isEmpty()) {
      throw Errors.noRowsToAnonymize(path);
    }

    int[][] codes = new int[dims][counts.size()];
    int textColumn = words.length;
    for (int d = 0; d < dims; d++) {
      if (hierarchies[d] != null) {
        int w = packing.word()[d];
        long mask = (1L << (64 - Long.numberOfLeadingZeros(hierarchies[d].valueCount()))) - 1;
        for (int r = 0; r < counts.size(); r++) {
          int code = (int) ((counts.get(r).getLong(w) >>> packing.shift()[d]) & mask);
          if (code == hierarchies[d].valueCount()) {
            throw uncovered(input, quasi.get(d), hierarchies[d], field(path, quasi.get(d)));
          }
          codes[d][r] = code;
        }
      } else {
        int column = textColumn++;
        Set<String> values = new HashSet<>();
        for (Row r : counts) {
          values.add(r.getString(column));
        }
        hierarchies[d] = hierarchy(hierarchySpecs.get(spec.quasiIdentifiers().get(quasi.get(d))), fileHierarchies,
            quasi.get(d), values,
            field(path, quasi.get(d)));
        for (int r = 0; r < counts.size(); r++) {
          codes[d][r] = hierarchies[d].code(counts.get(r).getString(column));
        }
      }
    }
    long[] sizes = new long[counts.size()];
    int[] sensitive = spec.sensitive() == null ? null : new int[counts.size()];
    Map<String, Integer> sensitiveIndex = new LinkedHashMap<>();
    for (int r = 0; r < counts.size(); r++) {
      Row row = counts.get(r);
      sizes[r] = row.getLong(row.length() - 1);
      if (sensitive != null) {
        sensitive[r] = sensitiveIndex.computeIfAbsent(row.getString(row.length() - 2), v -> sensitiveIndex.size());
      }
    }
    TupleHistogram histogram = TupleHistogram.of(hierarchies, codes, sensitive, sizes, List.copyOf(sensitiveIndex.keySet()));
    if (spec.k() > histogram.records()) {
      throw Errors.kAboveRows(path + ".anonymization.k", spec.k(), histogram.records());
    }
    Hierarchy sensitiveHierarchy = null;
    if (spec.sensitiveHierarchy() != null) {
      Set<String> values = new HashSet<>(histogram.sensitiveValues());
      sensitiveHierarchy = hierarchy(hierarchySpecs.get(spec.sensitiveHierarchy()), fileHierarchies, spec.sensitive(), values,
          path + ".anonymization.tCloseness.hierarchy");
    }
    SensitiveContext context;
    try {
      context = spec.sensitive() == null ? null : new SensitiveContext(histogram, sensitiveHierarchy);
    } catch (InvalidHierarchyException e) {
      throw hierarchyError(path + ".anonymization.tCloseness.hierarchy", e);
    }
    return new Searchable(quasi, hierarchies, histogram, context, t0);
  }

  private static String field(String path, String column) {
    return path + ".anonymization.quasiIdentifiers." + column;
  }

  private static Column text(String column) {
    Column c = functions.col("`" + column + "`");
    return functions.coalesce(c.cast(DataTypes.StringType), functions.lit(NULL_VALUE));
  }

  /** The value's hierarchy code, or the hierarchy's value count for a value it does not cover. */
  private static Column codeOf(Hierarchy hierarchy, Column value) {
    HashMap<String, Long> codes = new HashMap<>();
    for (int code = 0; code < hierarchy.valueCount(); code++) {
      codes.put(hierarchy.value(code), (long) code);
    }
    long missing = hierarchy.valueCount();
    UserDefinedFunction lookup = functions.udf((UDF1<String, Long>) v -> codes.getOrDefault(v, missing), DataTypes.LongType)
        .asNonNullable();
    return lookup.apply(value);
  }

  /** A second look at the data, only to name the values a hierarchy file lacks; nothing is written. */
  private static DeidException uncovered(Dataset<Row> input, String column, Hierarchy hierarchy, String field) {
    Dataset<Row> missing = input.select(text(column).as("v")).distinct()
        .where(codeOf(hierarchy, functions.col("v")).equalTo(hierarchy.valueCount()));
    long count = missing.count();
    List<String> examples = missing.orderBy("v").limit(20).as(Encoders.STRING()).collectAsList();
    return hierarchyError(field, new InvalidHierarchyException(column, List.of(count + " value(s) of '" + column
        + "' not covered by the hierarchy"), examples));
  }

  /**
   * Full-domain generalization: each quasi-identifier's value becomes its label at the chosen
   * level through a per-column map; then the suppressed classes (few) are removed or starred by a
   * join on their labels. A value missing from the map (the data changed since it was measured)
   * gets no label and its row is dropped: fail closed.
   */
  private static Dataset<Row> transformGlobal(Dataset<Row> input, List<String> quasi, TupleHistogram h,
      Anonymizer.Outcome outcome, boolean star) {
    int dims = quasi.size();
    List<Column> withLabels = new ArrayList<>();
    for (String c : input.columns()) {
      withLabels.add(functions.col("`" + c + "`"));
    }
    Column labelled = functions.lit(true);
    for (int d = 0; d < dims; d++) {
      HashMap<String, String> labels = new HashMap<>(h.hierarchies()[d].mapping(outcome.levels()[d]));
      UserDefinedFunction label = functions.udf((UDF1<String, String>) labels::get, DataTypes.StringType);
      withLabels.add(label.apply(text(quasi.get(d))).as("deid_label_" + d));
      labelled = labelled.and(functions.col("deid_label_" + d).isNotNull());
    }
    Dataset<Row> data = input.select(withLabels.toArray(Column[]::new)).where(labelled);

    Set<List<String>> suppressed = new HashSet<>();
    for (int r = 0; r < h.rows(); r++) {
      if (outcome.suppressedRow()[r]) {
        suppressed.add(List.of(outcome.labels()[r]));
      }
    }
    Column isSuppressed = functions.lit(false);
    if (!suppressed.isEmpty()) {
      StructType schema = new StructType();
      for (int d = 0; d < dims; d++) {
        schema = schema.add("deid_suppressed_" + d, DataTypes.StringType, false);
      }
      schema = schema.add("deid_suppressed", DataTypes.BooleanType, false);
      List<Row> rows = new ArrayList<>();
      for (List<String> key : suppressed) {
        Object[] values = new Object[dims + 1];
        key.toArray(values);
        values[dims] = true;
        rows.add(RowFactory.create(values));
      }
      Dataset<Row> table = input.sparkSession().createDataFrame(rows, schema);
      Column condition = null;
      for (int d = 0; d < dims; d++) {
        Column eq = data.col("deid_label_" + d).equalTo(table.col("deid_suppressed_" + d));
        condition = condition == null ? eq : condition.and(eq);
      }
      if (star) {
        data = data.join(functions.broadcast(table), condition, "left");
        isSuppressed = functions.coalesce(functions.col("deid_suppressed"), functions.lit(false));
      } else {
        data = data.join(functions.broadcast(table), condition, "left_anti");
      }
    }
    return data.select(labelled(input.columns(), quasi, star ? isSuppressed : null));
  }

  /** The input's columns in order, each quasi-identifier replaced by its label (or '*' where {@code starred}). */
  private static Column[] labelled(String[] inputColumns, List<String> quasi, Column starred) {
    List<Column> columns = new ArrayList<>();
    for (String c : inputColumns) {
      int d = quasi.indexOf(c);
      if (d < 0) {
        columns.add(functions.col("`" + c + "`"));
      } else {
        Column label = functions.col("deid_label_" + d);
        columns.add((starred != null ? functions.when(starred, functions.lit("*")).otherwise(label) : label).as(c));
      }
    }
    return columns.toArray(Column[]::new);
  }

  /** Local recoding labels depend on the whole tuple: a lookup of distinct tuples to labels, joined back. */
  private static Dataset<Row> transformLocal(Dataset<Row> input, List<String> quasi, TupleHistogram h, Anonymizer.Outcome outcome,
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
    return joined.select(labelled(input.columns(), quasi, star ? functions.col("deid_suppressed") : null));
  }

  private static Hierarchy hierarchy(HierarchySpec spec, Map<String, Hierarchy> fileHierarchies, String column,
      Set<String> values, String field) {
    try {
      Hierarchy h;
      if (spec instanceof HierarchySpec.FromFile f) {
        h = fileHierarchies.get(f.name()).withAttribute(column);
      } else if (spec instanceof HierarchySpec.Intervals i) {
        h = HierarchyBuilders.intervals(column, values, i.min(), i.widths());
      } else if (spec instanceof HierarchySpec.Dates d) {
        h = HierarchyBuilders.dates(column, values, d.levels());
      } else if (spec instanceof HierarchySpec.Masking m) {
        h = HierarchyBuilders.maskingFromRight(column, values, m.length());
      } else {
        h = HierarchyBuilders.groups(column, values, ((HierarchySpec.Groups) spec).levels());
      }
      List<String> uncovered = values == null ? List.of() : h.uncovered(values);
      if (!uncovered.isEmpty()) {
        throw InvalidHierarchyException.uncovered(column, uncovered);
      }
      return h;
    } catch (InvalidHierarchyException e) {
      throw hierarchyError(field, e);
    }
  }

  private static DeidException hierarchyError(String field, InvalidHierarchyException e) {
    return Errors.invalidHierarchy(field, e.problems(), e.examples());
  }
}

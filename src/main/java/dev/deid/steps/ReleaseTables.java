package dev.deid.steps;

import dev.deid.config.ReleaseSpec;
import dev.deid.privacy.dp.Aggregate;
import dev.deid.privacy.dp.NoisyRelease;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A release as a table: the group columns, then per statistic its noised value, the noise's
 * standard deviation ({@code _noise_sd}) and the half-width of a 95% interval ({@code _error95}),
 * so that a reader can see how exact each figure is. Quantiles instead carry
 * {@code _rank_error95}: how many rows the released value's rank may be off, with 95 % probability.
 */
public final class ReleaseTables {
  private ReleaseTables() {}

  /** What each column of the release table is and how exact it is, for {@code DESCRIBE TABLE}. */
  public static Map<String, String> columnComments(ReleaseSpec release) {
    Map<String, String> comments = new LinkedHashMap<>();
    for (int g = 0; g < release.groupBy().size(); g++) {
      comments.put(DpAggregate.groupName(release, g), "group key (" + release.groupBy().get(g) + "): "
          + (release.publicGroups() != null ? "one of the spec's public groups, released whatever the data"
              : "released only for groups that passed DP group selection, so a missing group may hold a few units"));
    }
    for (Aggregate a : release.aggregates()) {
      String clamp = a.column() == null ? "" : " of " + a.column() + " clamped to [" + a.lower() + ", " + a.upper() + "]";
      if (a.kind() == Aggregate.Kind.QUANTILES) {
        for (double q : a.quantiles()) {
          String name = NoisyRelease.quantileName(q, a);
          comments.put(name, "DP quantile " + q + clamp);
          comments.put(name + "_rank_error95", "with 95 % probability the rank of " + name
              + " among the group's rows is off by at most this many rows");
        }
      } else {
        String name = a.name();
        comments.put(name, "DP " + (a.kind() == Aggregate.Kind.COUNT_UNITS ? "count of distinct privacy units"
            : a.kind() == Aggregate.Kind.COUNT ? "count of rows"
            : a.kind().name().toLowerCase(Locale.ROOT)) + clamp + ", "
            + release.noise().name().toLowerCase(Locale.ROOT) + " noise; " + name + " ± " + name
            + "_error95 is a 95 % interval");
        comments.put(name + "_noise_sd", "standard deviation of the noise in " + name);
        comments.put(name + "_error95", "half-width of the 95 % interval around " + name);
      }
    }
    return comments;
  }

  /** The table comment: audience, purpose, privacy unit, budget and contribution bounds. */
  public static String tableComment(ReleaseSpec release) {
    return "DP release '" + release.name() + "' for " + release.audience() + ", purpose '" + release.purpose()
        + "'; privacy unit " + release.privacyUnit() + "; (epsilon " + release.epsilon() + ", delta " + release.delta()
        + ")-differentially private; each unit contributes to at most " + release.bounds().maxGroups()
        + " groups and " + release.bounds().maxRowsPerGroup() + " rows per group.";
  }

  public static Dataset<Row> toDataset(SparkSession spark, ReleaseSpec release, List<NoisyRelease.Released> released) {
    StructType schema = new StructType();
    for (int g = 0; g < release.groupBy().size(); g++) {
      schema = schema.add(DpAggregate.groupName(release, g), DataTypes.StringType);
    }
    // The columns follow from the spec, so a release in which no group passed selection has them too.
    List<String> statistics = new ArrayList<>();
    List<Boolean> rank = new ArrayList<>();
    for (Aggregate a : release.aggregates()) {
      if (a.kind() == Aggregate.Kind.QUANTILES) {
        for (double q : a.quantiles()) {
          statistics.add(NoisyRelease.quantileName(q, a));
          rank.add(true);
        }
      } else {
        statistics.add(a.name());
        rank.add(false);
      }
    }
    for (int i = 0; i < statistics.size(); i++) {
      String s = statistics.get(i);
      schema = schema.add(s, DataTypes.DoubleType);
      if (rank.get(i)) {
        schema = schema.add(s + "_rank_error95", DataTypes.DoubleType);
      } else {
        schema = schema.add(s + "_noise_sd", DataTypes.DoubleType).add(s + "_error95", DataTypes.DoubleType);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (NoisyRelease.Released r : released) {
      List<Object> values = new ArrayList<>(r.key());
      for (String s : statistics) {
        NoisyRelease.Statistic st = r.statistics().get(s);
        values.add(st.value());
        if (st.errorKind() == NoisyRelease.ErrorKind.VALUE) {
          values.add(st.noiseStandardDeviation());
        }
        values.add(st.errorBound95());
      }
      rows.add(RowFactory.create(values.toArray()));
    }
    return spark.createDataFrame(rows, schema);
  }
}

package dev.deid.steps;

import dev.deid.config.ReleaseSpec;
import dev.deid.privacy.dp.NoisyRelease;
import java.util.ArrayList;
import java.util.List;
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

  public static Dataset<Row> toDataset(SparkSession spark, ReleaseSpec release, List<NoisyRelease.Released> released) {
    StructType schema = new StructType();
    for (int g = 0; g < release.groupBy().size(); g++) {
      schema = schema.add(DpAggregate.groupName(release, g), DataTypes.StringType);
    }
    // The columns follow from the spec, so a release in which no group passed selection has them too.
    List<String> statistics = new ArrayList<>();
    List<Boolean> rank = new ArrayList<>();
    for (dev.deid.privacy.dp.Aggregate a : release.aggregates()) {
      if (a.kind() == dev.deid.privacy.dp.Aggregate.Kind.QUANTILES) {
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

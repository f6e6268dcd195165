package dev.deid.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.config.AnonymizationSpec;
import dev.deid.config.HierarchySpec;
import dev.deid.errors.DeidException;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.privacy.anon.UtilityMetric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Suppressed rows removed or starred: five customers in area 1111, five in 1112 and one alone in
 * 2221. With k=5 and one record allowed out, the global optimum keeps full postcodes and
 * suppresses the lone customer; local recoding instead generalizes it into a larger partition.
 */
class AnonymizeStepTest {
  static final SparkSession SPARK = TestSpark.session();

  static Dataset<Row> fixture() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      rows.add(RowFactory.create("1111", "a" + i));
      rows.add(RowFactory.create("1112", "b" + i));
    }
    rows.add(RowFactory.create("2221", "lone"));
    return SPARK.createDataFrame(rows, new StructType().add("zip", DataTypes.StringType).add("note", DataTypes.StringType));
  }

  static Map<String, List<String>> run(AnonymizationSpec.Mode mode, boolean star, long expectedSuppressed) {
    AnonymizationSpec spec = new AnonymizationSpec(Map.of("zip", "zips"), null, null, List.of(new PrivacyModel.KAnonymity(5)),
        0.1, UtilityMetric.LOSS, mode, star, 60_000, null, null);
    Anonymize.Outcome outcome = Anonymize.apply(fixture(), spec, Map.of("zips", new HierarchySpec.Masking("zips", 4)), Map.of(), "outputs[0]");
    assertEquals(expectedSuppressed, outcome.result().suppressedRecords(), mode + " " + Arrays.toString(outcome.result().levels()) + " " + outcome.result().loss());
    return outcome.data().collectAsList().stream()
        .collect(Collectors.groupingBy(r -> r.getString(0), Collectors.mapping(r -> r.getString(1), Collectors.toList())));
  }

  @Test
  void suppressedRows_areRemovedByDefault() {
    Map<String, List<String>> byZip = run(AnonymizationSpec.Mode.GLOBAL, false, 1);
    assertEquals(Set.of("1111", "1112"), byZip.keySet());
    assertEquals(10, byZip.values().stream().mapToInt(List::size).sum());
  }

  @Test
  void suppressedRows_keepTheirOtherColumnsWithQuasiIdentifiersStarred() {
    Map<String, List<String>> byZip = run(AnonymizationSpec.Mode.GLOBAL, true, 1);
    assertEquals(List.of("lone"), byZip.get("*"));
    assertEquals(5, byZip.get("1111").size());
    assertEquals(5, byZip.get("1112").size());
  }

  @Test
  void localRecoding_generalizesTheLoneCustomerIntoAClassOfAtLeastK() {
    Map<String, List<String>> byZip = run(AnonymizationSpec.Mode.LOCAL, false, 0);
    assertEquals(11, byZip.values().stream().mapToInt(List::size).sum());
    byZip.forEach((zip, notes) -> assertTrue(notes.size() >= 5, zip + " holds " + notes));
    assertTrue(byZip.keySet().stream().noneMatch("2221"::equals), "the lone postcode must not be released: " + byZip.keySet());
  }

  @Test
  void populationSmallerThanTheRecords_isRefusedNamingTheField() {
    AnonymizationSpec spec = new AnonymizationSpec(Map.of("zip", "zips"), null, null, List.of(new PrivacyModel.KAnonymity(5)),
        0.1, UtilityMetric.LOSS, AnonymizationSpec.Mode.GLOBAL, false, 60_000, 3L, null);
    DeidException e = Assertions.assertThrows(DeidException.class,
        () -> Anonymize.apply(fixture(), spec, Map.of("zips", new HierarchySpec.Masking("zips", 4)), Map.of(), "outputs[0]"));
    assertTrue(e.getMessage().contains("outputs[0].anonymization.populationSize") && e.getMessage().contains("fix:"), e.getMessage());
  }
}

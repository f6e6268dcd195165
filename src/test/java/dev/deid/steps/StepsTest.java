package dev.deid.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deid.TestSpark;
import dev.deid.config.ColumnClass;
import dev.deid.config.ColumnSpec;
import dev.deid.config.Transform;
import dev.deid.privacy.PseudonymKey;
import dev.deid.privacy.Pseudonymizer;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Each lazy step on a small inline fixture with an explicit schema. */
class StepsTest {
  static final SparkSession SPARK = TestSpark.session();
  static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.StringType)
      .add("mobile", DataTypes.StringType)
      .add("postcode", DataTypes.StringType)
      .add("born", DataTypes.DateType)
      .add("seen", DataTypes.TimestampType)
      .add("ok", DataTypes.BooleanType);

  static Dataset<Row> fixture() {
    return SPARK.createDataFrame(List.of(
        RowFactory.create("a", "13812345678", "100080", Date.valueOf("1990-06-15"), Timestamp.valueOf("2024-03-17 13:45:00"), true),
        RowFactory.create("b", "123", "10", Date.valueOf("2000-11-01"), Timestamp.valueOf("2025-12-31 23:59:59"), false),
        RowFactory.create("c", null, null, null, null, null)), SCHEMA);
  }

  static ColumnSpec column(String name, Transform t, String as) {
    return new ColumnSpec(name, ColumnClass.QUASI_IDENTIFIER, t, as);
  }

  @Test
  void generalize_maskPrefixAgeBandTruncate_giveReadableLabels() {
    GeneralizeColumns step = new GeneralizeColumns(List.of(
        column("mobile", new Transform.Mask(0, 4), "mobile"),
        column("postcode", new Transform.Prefix(4), "postcode"),
        column("born", new Transform.AgeBand(10), "age_band"),
        column("seen", new Transform.Truncate("month"), "seen_month")), LocalDate.parse("2026-11-01"));
    List<Row> rows = step.apply(fixture()).data().orderBy("id").collectAsList();
    Row a = rows.get(0);
    assertEquals("*******5678", a.getAs("mobile"));
    assertEquals("1000**", a.getAs("postcode"));
    assertEquals("30-39", a.getAs("age_band"), "36 years old on the reference date");
    assertEquals(Timestamp.valueOf("2024-03-01 00:00:00"), a.getAs("seen_month"));
    Row b = rows.get(1);
    assertEquals("***", b.getAs("mobile"), "a value too short to mask partly is masked whole");
    assertEquals("**", b.getAs("postcode"));
    assertEquals("20-29", b.getAs("age_band"), "turned 26 on the reference date");
    Row c = rows.get(2);
    assertEquals((Object) null, c.getAs("mobile"));
    assertEquals((Object) null, c.getAs("age_band"));
  }

  @Test
  void generalize_truncateDate_keepsDateType() {
    Dataset<Row> out = new GeneralizeColumns(List.of(column("born", new Transform.Truncate("year"), "born")),
        LocalDate.parse("2026-11-01")).apply(fixture()).data();
    assertEquals(DataTypes.DateType, out.schema().apply("born").dataType());
    assertEquals(Date.valueOf("1990-01-01"), out.orderBy("id").first().getAs("born"));
  }

  @Test
  void consent_onOwnColumn_keepsOnlyTrue() {
    List<Row> rows = ConsentFilter.onOwnColumn("ok").apply(fixture()).data().collectAsList();
    assertEquals(1, rows.size());
    assertEquals("a", rows.get(0).getAs("id"));
  }

  @Test
  void consent_throughSubjects_dropsRowsWithoutConsentRecord() {
    Dataset<Row> orders = SPARK.createDataFrame(List.of(RowFactory.create("o1", "a"), RowFactory.create("o2", "b"),
        RowFactory.create("o3", "zz")), new StructType().add("order", DataTypes.StringType).add("who", DataTypes.StringType));
    List<Row> rows = ConsentFilter.throughSubjects("who", fixture(), "id", "ok").apply(orders).data().collectAsList();
    assertEquals(List.of(RowFactory.create("o1", "a")), rows);
  }

  /** Ids typed differently on the two sides hash differently: the equality alone must decide. */
  @Test
  void consent_throughSubjectsOfAnotherType_stillMatchesEqualIds() {
    Dataset<Row> customers = SPARK.createDataFrame(List.of(RowFactory.create(7L, true), RowFactory.create(8L, false)),
        new StructType().add("id", DataTypes.LongType).add("ok", DataTypes.BooleanType));
    Dataset<Row> orders = SPARK.createDataFrame(List.of(RowFactory.create("o1", 7), RowFactory.create("o2", 8)),
        new StructType().add("order", DataTypes.StringType).add("who", DataTypes.IntegerType));
    // Not broadcast, as a large consent table would not be: the join that keys on the ids' hash.
    List<Row> rows = TestSpark.withConf("spark.sql.autoBroadcastJoinThreshold", "-1",
        () -> ConsentFilter.throughSubjects("who", customers, "id", "ok").apply(orders).data().collectAsList());
    assertEquals(List.of(RowFactory.create("o1", 7)), rows);
  }

  @Test
  void minimizeThenPseudonymize_keepsListedColumnsAndReplacesIds() {
    Pseudonymizer p = new Pseudonymizer(new PseudonymKey("k", new byte[32]));
    Dataset<Row> out = new Pseudonymize(List.of("id"), p).apply(new Minimize(List.of("id", "ok")).apply(fixture()).data()).data();
    assertEquals(List.of("id", "ok"), List.of(out.columns()));
    assertEquals(p.pseudonym("a"), out.orderBy("ok").filter("ok").first().getAs("id"));
  }

  @Test
  void redact_freeText_replacesIdentifiers() {
    Dataset<Row> text = SPARK.createDataFrame(List.of(RowFactory.create("mail a.b@qq.com or 13812345678")),
        new StructType().add("comment", DataTypes.StringType));
    Row r = new GeneralizeColumns(List.of(column("comment", new Transform.Redact(), "comment")), LocalDate.now())
        .apply(text).data().first();
    assertEquals("mail <email> or <phone>", r.getString(0));
  }

  @Test
  void chain_recordsWhatEachStepDidUnderItsName_withoutRunningAJob() {
    Pseudonymizer p = new Pseudonymizer(new PseudonymKey("k-metrics", new byte[32]));
    Step.Chain chain = Step.chain(fixture(), List.of(ConsentFilter.onOwnColumn("ok"), new Minimize(List.of("id", "born")),
        new Pseudonymize(List.of("id"), p), new GeneralizeColumns(List.of(column("born", new Transform.AgeBand(10), "age_band")),
            LocalDate.parse("2026-11-01"))));
    assertEquals(List.of("consent", "minimize", "pseudonymize", "mask_and_generalize"), List.copyOf(chain.metrics().keySet()));
    assertEquals(Map.of("columnsIn", fixture().columns().length, "columnsOut", 2), chain.metrics().get("minimize"));
    assertEquals(1, chain.metrics().get("pseudonymize").get("columns"));
    assertEquals("k-metrics", chain.metrics().get("pseudonymize").get("keyId"));
    assertEquals(1, chain.metrics().get("mask_and_generalize").get("columnsTransformed"));
    assertEquals(1, chain.metrics().get("mask_and_generalize").get("columnsRenamed"));
    assertEquals(List.of("id", "age_band"), List.of(chain.data().columns()));
  }
}

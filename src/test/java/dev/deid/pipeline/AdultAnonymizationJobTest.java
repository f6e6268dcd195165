package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.io.ExtractStore;
import dev.deid.io.KeyRing;
import dev.deid.io.Warehouse;
import dev.deid.privacy.anon.ArxExpected;
import dev.deid.privacy.anon.PopulationUniqueness;
import dev.deid.report.Assessment;
import dev.deid.report.RunReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Adult, written as a raw Delta table, anonymized by the whole job with ARX's hierarchies; each
 * output is re-checked from its written files by {@link AnonymityChecker}.
 */
class AdultAnonymizationJobTest {
  static final List<String> QIS = List.of("sex", "age", "race", "marital_status", "education", "native_country",
      "workclass", "occupation");
  static final String[] FILES = {"sex", "age", "race", "marital-status", "education", "native-country", "workclass", "occupation"};
  static SparkSession spark;
  static Warehouse warehouse;
  static RunReport report;

  @BeforeAll
  static void run() throws Exception {
    spark = TestSpark.session();
    warehouse = new Warehouse(TestSpark.tempDirectory("adult").toString());
    List<String> lines = Files.readAllLines(Path.of("src/test/resources/adult/adult.csv"), StandardCharsets.UTF_8);
    StructType schema = new StructType().add("record_id", DataTypes.StringType);
    for (String q : QIS) {
      schema = q.equals("age") ? schema.add(q, DataTypes.IntegerType) : schema.add(q, DataTypes.StringType);
    }
    schema = schema.add("salary_class", DataTypes.StringType).add("consent_research", DataTypes.BooleanType);
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).strip().split(";");
      rows.add(RowFactory.create("A" + i, f[0], Integer.parseInt(f[1]), f[2], f[3], f[4], f[5], f[6], f[7], f[8], true));
    }
    spark.createDataFrame(rows, schema).write().format("delta").save(warehouse.rawTable("adult"));
    report = new JobRunner(spark, new RunOptions(warehouse, new KeyRing(Map.of(), TestWarehouses.keyDirectory()),
        TestWarehouses.REFERENCE_TIME)).run(Path.of("src/test/resources/adult/adult.yaml"));
  }

  static RunReport.OutputReport output(String name) {
    return report.outputs().stream().filter(o -> o.name().equals(name)).findFirst().orElseThrow();
  }

  static Dataset<Row> analysts(String name) {
    return spark.read().format("delta").load(warehouse.root() + "/analysts/" + name);
  }

  static List<Integer> levels(RunReport.OutputReport o) {
    return QIS.stream().map(q -> o.anonymization().levels().get(q)).toList();
  }

  /** Labels of one level of an ARX hierarchy file, read with a plain split. */
  static Set<String> labels(String file, int level) throws Exception {
    Set<String> labels = new HashSet<>();
    for (String line : Files.readAllLines(Path.of("src/test/resources/adult/adult_hierarchy_" + file + ".csv"))) {
      if (!line.isBlank()) {
        labels.add(line.split(";")[level].strip());
      }
    }
    return labels;
  }

  @Test
  void k5_matchesArxAndTheWrittenTableIsFiveAnonymous() throws Exception {
    RunReport.OutputReport o = output("adult_k5");
    ArxExpected arx = ArxExpected.adult(5, 0.0);
    assertEquals(arx.levels(), levels(o));
    assertEquals(arx.loss(), o.anonymization().loss(), 0.00005);
    assertTrue(o.anonymization().optimal());
    AnonymityChecker check = new AnonymityChecker(analysts("adult_k5"), QIS);
    assertEquals(30, check.classCount());
    assertEquals(16, check.smallestClass());
    assertEquals(30162, analysts("adult_k5").count());
    assertEquals(16, o.anonymization().outputRisk().smallestClass());
    assertEquals(1.0 / 16, o.anonymization().outputRisk().highestProsecutorRisk(), 1e-12);
    assertTrue(o.anonymization().inputRisk().sampleUniques() > 0, "the raw data has unique records");
    // The report's table of alternatives: the configured cell is the run's own answer, and the cell
    // k=10 with 5 % suppression is ARX's optimum for that spec, found from the same histogram.
    List<Assessment.Alternative> alternatives = o.anonymization().alternatives();
    assertEquals(6, alternatives.size(), "k 2, 5, 10 by suppression 0 and 5 %: " + alternatives);
    Assessment.Alternative configured = alternatives.stream()
        .filter(Assessment.Alternative::configured).findFirst().orElseThrow();
    assertEquals(levels(o), configured.levels());
    assertEquals(o.anonymization().loss(), configured.loss(), 1e-12);
    ArxExpected arx10 = ArxExpected.adult(10, 0.05);
    Assessment.Alternative k10 = alternatives.stream().filter(a -> a.k() == 10 && a.suppressionLimit() == 0.05)
        .findFirst().orElseThrow();
    assertEquals(arx10.levels(), k10.levels());
    assertEquals(arx10.loss(), k10.loss(), 0.00005);
    assertEquals(arx10.suppressed(), k10.suppressedRecords());
    for (int d = 0; d < QIS.size(); d++) {
      Set<String> written = new HashSet<>(analysts("adult_k5").select(QIS.get(d)).distinct().as(Encoders.STRING()).collectAsList());
      assertTrue(labels(FILES[d], levels(o).get(d)).containsAll(written), QIS.get(d) + " labels must come from its level");
    }
  }

  @Test
  void k10WithSuppression_matchesArxAndTheExtractIsTenAnonymous() {
    RunReport.OutputReport o = output("adult_k10_suppressed");
    ArxExpected arx = ArxExpected.adult(10, 0.05);
    assertEquals(arx.levels(), levels(o));
    assertEquals(arx.loss(), o.anonymization().loss(), 0.00005);
    assertEquals(arx.suppressed(), o.rowsSuppressed());
    Path extract = Path.of(warehouse.root(), "partners", "acme", "adult_k10_suppressed");
    String run = new ExtractStore(spark).currentRun(extract.toString());
    Dataset<Row> written = spark.read().parquet(extract.resolve(run).toString());
    AnonymityChecker check = new AnonymityChecker(written, QIS);
    assertEquals(arx.classes(), check.classCount());
    assertTrue(check.smallestClass() >= 10);
    assertEquals(30162 - arx.suppressed(), written.count());
  }

  @Test
  void lDiversityAndTCloseness_holdInTheWrittenTable() {
    RunReport.OutputReport o = output("adult_l_diverse");
    AnonymityChecker check = new AnonymityChecker(analysts("adult_l_diverse"), QIS);
    assertTrue(check.smallestClass() >= 5);
    assertTrue(check.distinctSensitiveMinimum("salary_class") >= 2, "every class must hold both salary classes");
    // salary-class has a two-level hierarchy (value, *), where hierarchical distance equals equal distance
    assertTrue(check.largestEqualDistance("salary_class") <= 0.2 + 1e-9, "0.2-closeness must hold");
    assertTrue(o.rowsSuppressed() <= 0.02 * 30162);
    assertEquals(List.of("5-anonymity", "distinct 2-diversity", "0.2-closeness (hierarchical distance)"), o.anonymization().models());
  }

  @Test
  void populationUniqueness_usesTheStatedPopulationOrAssumesTheWorstCase() {
    PopulationUniqueness raw = output("adult_local").anonymization().inputRisk().population();
    assertEquals(248_000_000, raw.populationSize());
    assertFalse(raw.populationSizeAssumed());
    // The raw data's classes, recomputed from the raw table, give the same estimates.
    Map<Long, Long> frequencies = new TreeMap<>();
    new AnonymityChecker(spark.read().format("delta").load(warehouse.rawTable("adult")), QIS).classes().select("count")
        .as(Encoders.LONG()).collectAsList().forEach(size -> frequencies.merge(size, 1L, Long::sum));
    assertEquals(PopulationUniqueness.estimate(frequencies, 248_000_000, false), raw);
    assertEquals(PopulationUniqueness.Model.PITMAN, raw.dankarModel(), "sampling fraction 0.012 %");
    assertTrue(raw.dankar() > 0 && raw.dankar() < raw.sampleUniques() / raw.samplingFraction(), raw.toString());
    PopulationUniqueness written = output("adult_local").anonymization().outputRisk().population();
    assertEquals(PopulationUniqueness.Model.NO_SAMPLE_UNIQUES, written.dankarModel());
    assertEquals(0, written.dankar());

    PopulationUniqueness assumed = output("adult_k5").anonymization().inputRisk().population();
    assertTrue(assumed.populationSizeAssumed());
    assertEquals(30162, assumed.populationSize());
    assertEquals(PopulationUniqueness.Model.SAMPLE_IS_POPULATION, assumed.dankarModel());
    assertEquals(assumed.sampleUniques(), assumed.dankar());
    assertEquals(output("adult_k5").anonymization().inputRisk().sampleUniques() * 30162, assumed.sampleUniques(), 1e-6);
  }

  @Test
  void localRecoding_isFiveAnonymousAndLosesLessThanGlobal() {
    RunReport.OutputReport local = output("adult_local");
    AnonymityChecker check = new AnonymityChecker(analysts("adult_local"), QIS);
    assertTrue(check.smallestClass() >= 5, "local recoding must keep k");
    // The report describes the classes written, recomputed here from the table: partitions given the
    // same labels are one class.
    assertEquals(0, local.anonymization().suppressedRecords());
    assertEquals(check.classCount(), local.anonymization().outputRisk().classes());
    assertEquals(check.smallestClass(), local.anonymization().outputRisk().smallestClass());
    assertEquals(check.largestClass(), local.anonymization().outputRisk().largestClass());
    assertEquals(1.0 / check.smallestClass(), local.anonymization().outputRisk().highestProsecutorRisk(), 1e-12);
    assertEquals((double) check.classCount() / 30162, local.anonymization().outputRisk().averageProsecutorRisk(), 1e-12);
    List<Long> sizes = check.classes().select("count").as(Encoders.LONG()).collectAsList();
    long smallest = check.smallestClass();
    long atHighest = sizes.stream().filter(s -> s == smallest).mapToLong(Long::longValue).sum();
    long above = sizes.stream().filter(s -> 1.0 / s > 0.05).mapToLong(Long::longValue).sum();
    assertTrue(above > 0, "local recoding leaves classes smaller than 20");
    assertEquals((double) atHighest / 30162, local.anonymization().outputRisk().recordsAtHighestRisk(), 1e-12);
    assertEquals(0.05, local.anonymization().outputRisk().riskThreshold());
    assertEquals((double) above / 30162, local.anonymization().outputRisk().recordsAboveThreshold(), 1e-12);
    assertEquals(30162, analysts("adult_local").count());
    assertTrue(local.anonymization().loss() < output("adult_k5").anonymization().loss(),
        "local " + local.anonymization().loss() + " should beat global " + output("adult_k5").anonymization().loss());
    assertFalse(local.anonymization().optimal());
    Map<String, Long> classes = new LinkedHashMap<>();
    classes.put("local", check.classCount());
    assertTrue(classes.get("local") > 30, "local recoding keeps more, smaller classes: " + classes);
  }
}

package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.io.DeltaStore;
import dev.deid.io.ErasureJournal;
import dev.deid.io.KeyRing;
import dev.deid.io.Warehouse;
import dev.deid.report.RunReport;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/**
 * A run that dies after it deleted the requested subjects' raw rows, before it published: the next
 * run finds nothing left to delete, yet must finish and report that erasure, because the outputs
 * and deliveries of the last good run still hold those subjects. The erasure journal carries it.
 * The run dies by an executor failure while writing its first output, which is as late as a kill
 * can come after deletion; the journal does not depend on the failed run writing anything else.
 */
class InterruptedErasureTest {
  static final Path SPEC = Path.of("src/test/resources/specs/successive_runs.yaml");
  static final SparkSession SPARK = TestSpark.session();

  @Test
  void aRunKilledAfterDeletion_isFinishedAndReportedByTheNextRun() throws Exception {
    Warehouse warehouse = TestWarehouses.fresh("interrupted-erasure");
    DeltaStore store = new DeltaStore(SPARK);
    RunOptions options = new RunOptions(warehouse, new KeyRing(Map.of(), TestWarehouses.keyDirectory()),
        TestWarehouses.REFERENCE_TIME);
    new JobRunner(SPARK, options).run(SPEC);
    String analysts = warehouse.root() + "/analysts/customers_analytics";
    List<String> erase = store.read(warehouse.rawTable("customers")).select("customer_id").orderBy("customer_id")
        .as(Encoders.STRING()).collectAsList().subList(10, 12);
    List<String> expected = erase.stream().map(id -> TestWarehouses.hmacHex(TestWarehouses.ANALYSTS_SECRET, id)).sorted()
        .toList();
    SPARK.createDataFrame(erase.stream().map(id -> RowFactory.create(id, Timestamp.from(TestWarehouses.REFERENCE_TIME)))
        .toList(), store.read(warehouse.rawTable("erasure_requests")).schema())
        .write().format("delta").mode("append").save(warehouse.rawTable("erasure_requests"));

    UDF1<String, Boolean> die = id -> {
      throw new IllegalStateException("injected executor failure");
    };
    var dying = functions.udf(die, DataTypes.BooleanType).asNondeterministic();
    assertThrows(Exception.class, () -> new JobRunner(SPARK, options,
        data -> data.filter(dying.apply(functions.col(data.columns()[0])))).run(SPEC));
    assertEquals(0, store.read(warehouse.rawTable("customers")).filter(functions.col("customer_id").isin(erase.toArray()))
        .count(), "the interrupted run had deleted the raw rows");
    List<ErasureJournal.Entry> pending = ErasureJournal.pending(store, warehouse.erasureJournal());
    assertEquals(expected, pending.stream().map(ErasureJournal.Entry::subjectPseudonym).distinct().sorted().toList(),
        "the journal holds the begun erasure");
    assertTrue(pending.stream().anyMatch(e -> e.source().equals("orders")), "per raw table: " + pending);
    String interruptedRun = pending.get(0).runId();

    RunReport report = new JobRunner(SPARK, options).run(SPEC);

    assertEquals(List.of(), report.erasure().erasedSubjectPseudonyms(), "no raw row was left for this run to find");
    assertEquals(Map.of(interruptedRun, expected), report.erasure().finishedForEarlierRuns());
    List<String> audited = store.read(warehouse.auditTable()).filter(functions.col("run_id").equalTo(report.runId()))
        .select(functions.explode(functions.col("erased_subject_pseudonyms"))).as(Encoders.STRING()).collectAsList();
    assertEquals(expected, audited.stream().sorted().toList(), "the audit row of the finishing run records them");
    assertEquals(List.of(), ErasureJournal.pending(store, warehouse.erasureJournal()), "nothing is left unfinished");
    assertEquals(0, store.read(analysts).filter(functions.col("customer_id").isin(expected.toArray())).count(),
        "the analysts' table no longer holds them");
    String recall = java.nio.file.Files.readString(Path.of(report.recalls().get(0).file()));
    assertTrue(recall.contains(TestWarehouses.hmacHex(TestWarehouses.PARTNER_SECRET, erase.get(0))),
        "the partner's recall list names the subjects its earlier delivery holds");
  }
}

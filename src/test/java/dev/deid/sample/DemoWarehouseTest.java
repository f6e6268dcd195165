package dev.deid.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.io.Warehouse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The README's first command starts every run from the same fresh demo warehouse. */
class DemoWarehouseTest {
  @Test
  void reset_dropsWhatEarlierRunsLeft_andReusesTheTemplateForADay() throws Exception {
    Path root = TestSpark.tempDirectory("demo").resolve("sample-warehouse");
    Instant now = Instant.parse("2026-11-20T08:00:00Z");
    Warehouse first = DemoWarehouse.reset(TestSpark.session(), root, 1_000, now);
    long customers = TestSpark.session().read().format("delta").load(first.rawTable("customers")).count();
    assertTrue(customers > 0);
    // What a run leaves: outputs, the audit table and the budget ledger a later run would find spent.
    Files.createDirectories(root.resolve("_deid/privacy_budget"));
    Files.writeString(root.resolve("_deid/privacy_budget/spent"), "x");
    Files.createDirectories(root.resolve("analysts/customers_analytics"));
    Path marker = root.resolveSibling("sample-warehouse-template").resolve("GENERATED_AT");
    String generated = Files.readString(marker);

    Warehouse second = DemoWarehouse.reset(TestSpark.session(), root, 1_000, now.plus(Duration.ofHours(3)));
    assertFalse(Files.exists(root.resolve("_deid")), "the ledger and audit of earlier demo runs are gone");
    assertFalse(Files.exists(root.resolve("analysts")), "earlier outputs are gone");
    assertEquals(customers, TestSpark.session().read().format("delta").load(second.rawTable("customers")).count());
    assertEquals(generated, Files.readString(marker), "a template younger than a day is reused");

    DemoWarehouse.reset(TestSpark.session(), root, 1_000, now.plus(Duration.ofDays(2)));
    assertNotEquals(generated, Files.readString(marker), "an older template is generated again");
  }
}

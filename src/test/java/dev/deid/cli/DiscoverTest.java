package dev.deid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.config.ColumnClass;
import dev.deid.config.JobSpec;
import dev.deid.config.SourceSpec;
import dev.deid.io.SpecFiles;
import dev.deid.io.Warehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code discover} on the sample raw tables: every column the generator fills with an identifier
 * is proposed as a direct identifier, the quasi-identifiers and the free text are recognized from
 * their values, and the draft spec it writes passes {@code validate} against the same warehouse.
 */
class DiscoverTest {
  @Test
  void discover_proposesEveryPlantedIdentifierAsADirectIdentifier_andWritesADraftValidateAccepts() throws Exception {
    Warehouse warehouse = TestWarehouses.fresh("discover");
    Path draft = TestSpark.tempDirectory("draft").resolve("jobs").resolve("draft.yaml");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(out), new PrintWriter(err), "discover", "--warehouse", warehouse.root(),
        "--out", draft.toString());
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("customers.email") && out.toString().contains("of sampled values are each one email"),
        "the evidence is printed: " + out);

    JobSpec spec = SpecFiles.load(draft);
    Map<String, List<String>> identifiers = Map.of(
        "customers", List.of("customer_id", "name", "email", "mobile", "resident_id"),
        "orders", List.of("order_id", "customer_id"),
        "feedback", List.of("customer_id"));
    identifiers.forEach((table, columns) -> columns.forEach(column -> assertEquals(ColumnClass.DIRECT_IDENTIFIER,
        spec.source(table).columns().get(column).columnClass(), table + "." + column)));
    SourceSpec customers = spec.source("customers");
    for (String quasi : List.of("birth_date", "gender", "postcode", "city", "province")) {
      assertEquals(ColumnClass.QUASI_IDENTIFIER, customers.columns().get(quasi).columnClass(), "customers." + quasi);
    }
    assertEquals("redact", spec.source("feedback").columns().get("comment").transform().action(), "free text is redacted");
    assertEquals("customers", spec.consent().source(), "the consent table is recognized by its consent_ columns");
    assertTrue(spec.consent().purposeColumns().containsKey("analytics"));

    StringWriter validation = new StringWriter();
    assertEquals(0, DeidCli.execute(new PrintWriter(validation), new PrintWriter(validation), "validate", draft.toString(),
        "--warehouse", warehouse.root(), "--key-dir", TestWarehouses.keyDirectory().toString()), "validate accepts the draft: " + validation);

    JsonNode map = new ObjectMapper().readTree(draft.resolveSibling("draft.datamap.json").toFile());
    assertTrue(map.path("customers").path("direct_identifier").toString().contains("resident_id"), map.toString());
    assertEquals(1, DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), "discover",
        "--warehouse", warehouse.root(), "--out", draft.toString()), "an existing draft is never overwritten");
  }
}

package dev.deid.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.privacy.ColumnClassifier.ColumnProfile;
import dev.deid.privacy.ColumnClassifier.Proposal;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The proposal rules on small profiles: what values look like decides, and what no rule knows is dropped. */
class ColumnClassifierTest {
  static ColumnProfile text(String column, long distinct, double length, Map<String, Double> whole, Map<String, Double> contains,
      double names, double places) {
    return new ColumnProfile("t", column, "string", 1_000, 0, distinct, length, whole, contains, names, places, 0, 0, null, null);
  }

  @Test
  void valuesDecide_notNames() {
    Proposal phones = ColumnClassifier.propose(text("contact", 990, 11, Map.of("mobile", 0.97), Map.of("mobile", 0.97), 0, 0), Set.of());
    assertEquals("direct_identifier", phones.columnClass());
    assertEquals(Map.of("keepLast", 4), phones.parameters());
    Proposal ips = ColumnClassifier.propose(text("x1", 500, 12, Map.of("ipv4", 0.9), Map.of("ipv4", 0.9), 0, 0), Set.of());
    assertEquals("drop", ips.action());
    Proposal people = ColumnClassifier.propose(text("col7", 300, 2.6, Map.of(), Map.of(), 0.95, 0), Set.of());
    assertEquals("direct_identifier", people.columnClass());
  }

  @Test
  void freeTextIsRedacted_placesAreQuasiIdentifiers_andTheUnknownIsDropped() {
    assertEquals("redact", ColumnClassifier.propose(text("notes", 800, 40, Map.of(), Map.of("email", 0.1), 0, 0), Set.of()).action());
    assertEquals("quasi_identifier", ColumnClassifier.propose(text("where", 30, 2.5, Map.of(), Map.of(), 0, 0.99), Set.of()).columnClass());
    Proposal unknown = ColumnClassifier.propose(text("code", 400, 6, Map.of(), Map.of(), 0, 0), Set.of());
    assertEquals("sensitive", unknown.columnClass());
    assertEquals("drop", unknown.action(), "a column no rule recognizes is not released");
    assertEquals("direct_identifier", ColumnClassifier.propose(text("customer_id", 300, 10, Map.of(), Map.of(), 0, 0),
        Set.of("customer_id")).columnClass(), "a reference to a key elsewhere identifies too");
  }

  @Test
  void helpers_recognizeNamesPlacesAndPersonIds() {
    assertTrue(ColumnClassifier.isChineseName("王伟"));
    assertFalse(ColumnClassifier.isChineseName("上海"), "no common surname first");
    assertTrue(ColumnClassifier.isGeography("广东") && ColumnClassifier.isGeography("朝阳区"));
    assertTrue(ColumnClassifier.namesAPerson("customer_id") && ColumnClassifier.namesAPerson("subject_id"));
    assertFalse(ColumnClassifier.namesAPerson("order_id"));
  }
}

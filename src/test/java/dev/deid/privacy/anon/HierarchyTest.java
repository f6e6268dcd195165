package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HierarchyTest {
  @Test
  void readArxCsv_adultAge_hasArxShape() {
    Hierarchy age = AdultData.hierarchy("age");
    assertEquals(5, age.height());
    assertEquals(100, age.domainSize());
    assertEquals("35-39", age.label(age.code("37"), 1));
    assertEquals("*", age.label(age.code("37"), 4));
    assertEquals(5, age.leafCount(1, age.labelIndex(age.code("37"), 1)));
  }

  @Test
  void readArxCsv_quotedValuesWithSeparators_areRead() throws Exception {
    Hierarchy h = Hierarchy.readArxCsv("income", new StringReader("\"[1; 5[\";low;*\n\"[5; 9[\";low;*\n"));
    assertEquals("[1; 5[", h.value(0));
    assertEquals(3, h.height());
  }

  @Test
  void of_inconsistentLevels_isRejectedNamingTheGroup() {
    InvalidHierarchyException e = assertThrows(InvalidHierarchyException.class, () -> Hierarchy.of("city",
        List.of(new String[] {"a", "g1", "x", "*"}, new String[] {"b", "g1", "y", "*"})));
    assertTrue(e.getMessage().contains("a level 1 group has two different parents at level 2"), e.getMessage());
    assertFalse(e.getMessage().contains("g1"), "no value of the file in the message: " + e.getMessage());
  }

  @Test
  void of_raggedRowsAndDuplicates_areAllReported() {
    InvalidHierarchyException e = assertThrows(InvalidHierarchyException.class, () -> Hierarchy.of("x",
        List.of(new String[] {"a", "*"}, new String[] {"a", "*"}, new String[] {"b"})));
    assertEquals(2, e.problems().size(), e.problems().toString());
  }

  @Test
  void histogram_uncoveredValues_areCountedAndKeptApartFromTheMessage() {
    Hierarchy sex = AdultData.hierarchy("sex");
    InvalidHierarchyException e = assertThrows(InvalidHierarchyException.class,
        () -> TupleHistogram.builder(new Hierarchy[] {sex}, false).add(new String[] {"Other"}, null, 3).build());
    assertTrue(e.getMessage().contains("1 value(s) of 'sex' not covered"), e.getMessage());
    assertFalse(e.getMessage().contains("Other"), "raw values never enter the message: " + e.getMessage());
    assertEquals(List.of("Other"), e.examples());
  }

  @Test
  void builders_giveReadableNestedLabels() {
    Hierarchy age = HierarchyBuilders.intervals("age", List.of("32", "47"), 0, List.of(5, 10, 20));
    assertEquals(List.of("32", "30-34", "30-39", "20-39", "*"), labels(age, "32"));
    Hierarchy dates = HierarchyBuilders.dates("day", List.of("2019-08-15"), List.of("month", "quarter", "year", "decade"));
    assertEquals(List.of("2019-08-15", "2019-08", "2019-Q3", "2019", "2010s", "*"), labels(dates, "2019-08-15"));
    Hierarchy zip = HierarchyBuilders.maskingFromRight("postcode", List.of("100080"), 6);
    assertEquals("1000**", zip.label(zip.code("100080"), 2));
    assertEquals("******", zip.label(zip.code("100080"), 6));
    Hierarchy cities = HierarchyBuilders.groups("city", List.of("上海", "杭州"),
        List.of(Map.of("华东", List.of("上海", "杭州"))));
    assertEquals(List.of("杭州", "华东", "*"), labels(cities, "杭州"));
  }

  @Test
  void builders_badInput_isRejected() {
    assertThrows(InvalidHierarchyException.class, () -> HierarchyBuilders.intervals("a", List.of("x"), 0, List.of(5)));
    assertThrows(InvalidHierarchyException.class, () -> HierarchyBuilders.intervals("a", List.of("1"), 0, List.of(5, 7)));
    assertThrows(InvalidHierarchyException.class, () -> HierarchyBuilders.maskingFromRight("z", List.of("123"), 6));
    InvalidHierarchyException e = assertThrows(InvalidHierarchyException.class,
        () -> HierarchyBuilders.groups("c", List.of("上海", "拉萨"), List.of(Map.of("华东", List.of("上海")))));
    assertTrue(e.getMessage().contains("1 value(s) are not in any group"), e.getMessage());
    assertFalse(e.getMessage().contains("拉萨"), "the value stays out of the message: " + e.getMessage());
    assertEquals(List.of("拉萨"), e.examples());
  }

  static List<String> labels(Hierarchy h, String value) {
    List<String> out = new java.util.ArrayList<>();
    for (int level = 0; level < h.height(); level++) {
      out.add(h.label(h.code(value), level));
    }
    return out;
  }
}

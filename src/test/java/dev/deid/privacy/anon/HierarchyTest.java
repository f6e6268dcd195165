package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.ArrayList;
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
  void of_raggedRowsAndConflictingRows_areAllReported() {
    InvalidHierarchyException e = assertThrows(InvalidHierarchyException.class, () -> Hierarchy.of("x",
        List.of(new String[] {"a", "*"}, new String[] {"a", "g"}, new String[] {"b"})));
    assertEquals(2, e.problems().size(), e.problems().toString());
  }

  /** fars's age hierarchy repeats its row for 99 word for word; ARX reads it, and so do we. */
  @Test
  void readArxCsv_identicalRepeatedRow_isAcceptedAndCountedAsArxCounts() throws Exception {
    Hierarchy h = Hierarchy.readArxCsv("age", new StringReader("97;[95,99];*\n98;[95,99];*\n99;[95,99];*\n99;[95,99];*\n"));
    assertEquals(3, h.valueCount());
    assertEquals(4, h.domainSize(), "ARX's domain size counts every row of the file");
    assertEquals(2, h.leafCount(0, h.labelIndex(h.code("99"), 0)));
    assertEquals(4, h.leafCount(1, h.labelIndex(h.code("97"), 1)));
  }

  /** cup's age hierarchy lists 94..98 twice with different groups: refused by default, naming rows not values. */
  @Test
  void readArxCsv_conflictingRows_areRefusedNamingTheRowsNotTheValues() {
    String file = "94;[90,94];*\n95;[95,99];*\n94;[94,98];*\n";
    InvalidHierarchyException e = assertThrows(InvalidHierarchyException.class,
        () -> Hierarchy.readArxCsv("age", new StringReader(file)));
    assertEquals(List.of("rows 1 and 3 give one original value two different generalizations"), e.problems());
    assertFalse(e.getMessage().contains("94"), "values stay out of the message: " + e.getMessage());
    assertEquals(List.of("94"), e.examples());
  }

  @Test
  void readArxCsv_conflictingRowsWithLastRowWins_usesTheLastRowAsArxDoes() throws Exception {
    String file = "94;[90,94];[90,99];*\n95;[95,99];[90,99];*\n94;[94,98];[90,99];*\n";
    Hierarchy h = Hierarchy.readArxCsv("age", new StringReader(file), Hierarchy.ConflictingRows.LAST_ROW_WINS);
    assertEquals(2, h.valueCount());
    assertEquals("[94,98]", h.label(h.code("94"), 1));
    assertEquals(List.of("[94,98]", "[95,99]"), List.of(h.labelAt(1, 0), h.labelAt(1, 1)));
    assertEquals(3, h.domainSize());
    assertEquals(3, h.leafCount(2, 0));
  }

  @Test
  void of_lastRowWins_checksConsistencyOnTheRowsThatWin() {
    // The overridden first row would give group g1 two parents; the row that wins does not.
    Hierarchy h = Hierarchy.of("x", List.of(new String[] {"a", "g1", "p", "*"}, new String[] {"b", "g1", "q", "*"},
        new String[] {"a", "g2", "p", "*"}), Hierarchy.ConflictingRows.LAST_ROW_WINS);
    assertEquals("g2", h.label(h.code("a"), 1));
    assertThrows(InvalidHierarchyException.class, () -> Hierarchy.of("x", List.of(new String[] {"a", "g1", "p", "*"},
        new String[] {"b", "g1", "q", "*"}, new String[] {"a", "g1", "p", "*"}), Hierarchy.ConflictingRows.LAST_ROW_WINS));
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
    List<String> out = new ArrayList<>();
    for (int level = 0; level < h.height(); level++) {
      out.add(h.label(h.code(value), level));
    }
    return out;
  }
}

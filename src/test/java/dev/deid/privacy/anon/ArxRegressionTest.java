package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ARX 3.9.2's optimum on Adult (quasi-identifiers sex, age, race, marital-status, education,
 * native-country, workclass, occupation; salary-class insensitive; Loss metric), reproduced exactly.
 */
class ArxRegressionTest {
  static final TupleHistogram ADULT = AdultData.histogram(false);

  @Test
  void search_k5NoSuppression_matchesArx() {
    GlobalRecoding.Result r = GlobalRecoding.search(ADULT, List.of(new PrivacyModel.KAnonymity(5)), 0.0,
        UtilityMetric.LOSS, null, 60_000, 10_000_000);
    assertTrue(r.optimal());
    assertArrayEquals(new int[] {0, 4, 0, 2, 3, 2, 2, 1}, r.best().levels());
    assertEquals(0.5916, r.best().score(), 0.00005);
    assertEquals(0, r.best().suppressedRecords());
    assertEquals(30, r.best().classes());
    EquivalenceClasses classes = EquivalenceClasses.of(ADULT, r.best().levels());
    long smallest = Long.MAX_VALUE;
    for (int c = 0; c < classes.count(); c++) {
      smallest = Math.min(smallest, classes.size(c));
    }
    assertEquals(16, smallest);
  }

  @Test
  void search_k10FivePercentSuppression_matchesArx() {
    GlobalRecoding.Result r = GlobalRecoding.search(ADULT, List.of(new PrivacyModel.KAnonymity(10)), 0.05,
        UtilityMetric.LOSS, null, 60_000, 10_000_000);
    assertTrue(r.optimal());
    assertArrayEquals(new int[] {0, 3, 0, 1, 1, 1, 1, 2}, r.best().levels());
    assertEquals(0.3055, r.best().score(), 0.00005);
    assertEquals(1484, r.best().suppressedRecords());
    assertEquals(200, r.best().classes());
  }
}

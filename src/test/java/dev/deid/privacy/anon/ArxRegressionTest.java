package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ARX 3.9.2's optimum on Adult ({@link ArxExpected}: quasi-identifiers sex, age, race,
 * marital-status, education, native-country, workclass, occupation; Loss metric), reproduced exactly.
 */
class ArxRegressionTest {
  static final TupleHistogram ADULT = AdultData.histogram(false);

  static GlobalRecoding.Result search(ArxExpected arx) {
    return GlobalRecoding.search(ADULT, List.of(new PrivacyModel.KAnonymity(arx.k())), arx.suppression(),
        UtilityMetric.LOSS, null, 60_000, 10_000_000);
  }

  static void assertMatches(ArxExpected arx, GlobalRecoding.Result r) {
    assertTrue(r.optimal());
    assertArrayEquals(arx.levelArray(), r.best().levels());
    assertEquals(arx.loss(), r.best().score(), 0.00005);
    assertEquals(arx.suppressed(), r.best().suppressedRecords());
    assertEquals(arx.classes(), r.best().classes());
  }

  @Test
  void search_k5NoSuppression_matchesArx() {
    GlobalRecoding.Result r = search(ArxExpected.adult(5, 0.0));
    assertMatches(ArxExpected.adult(5, 0.0), r);
    EquivalenceClasses classes = EquivalenceClasses.of(ADULT, r.best().levels());
    long smallest = Long.MAX_VALUE;
    for (int c = 0; c < classes.count(); c++) {
      smallest = Math.min(smallest, classes.size(c));
    }
    assertEquals(16, smallest);
  }

  @Test
  void search_k10FivePercentSuppression_matchesArx() {
    assertMatches(ArxExpected.adult(10, 0.05), search(ArxExpected.adult(10, 0.05)));
  }
}

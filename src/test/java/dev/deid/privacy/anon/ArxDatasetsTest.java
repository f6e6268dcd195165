package dev.deid.privacy.anon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.io.ArxDatasets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ARX's other benchmark datasets in {@code ../shared/data} (every column with a hierarchy file a
 * quasi-identifier, k=5, Loss): fars and cup, whose hierarchy files repeat rows, are read as ARX
 * reads them and solved optimally; creditcard's 5·10^13-node lattice gets an answer at least as
 * good as ARX's bottom-up best-effort heuristic in the same time, with a proven gap. Every answer
 * is checked from its labels alone.
 */
class ArxDatasetsTest {
  static final Path DATA = Path.of("../shared/data");
  /** The time each of the two searches gets on creditcard's lattice. */
  static final long CREDITCARD_MILLIS = 5_000;

  /** The smallest released class and the suppressed records, recomputed from the labels each record gets. */
  static long[] fromLabels(TupleHistogram h, Anonymizer.Outcome outcome) {
    Map<List<String>, Long> classes = new HashMap<>();
    long suppressed = 0;
    for (int r = 0; r < h.rows(); r++) {
      if (outcome.suppressedRow()[r]) {
        suppressed += h.count(r);
      } else {
        classes.merge(List.of(outcome.labels()[r]), h.count(r), Long::sum);
      }
    }
    return new long[] {classes.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE), suppressed};
  }

  static Anonymizer.Outcome anonymize(TupleHistogram h, double limit, long millis) {
    return Anonymizer.anonymize(h, new Anonymizer.Plan(List.of(new PrivacyModel.KAnonymity(5)), limit, UtilityMetric.LOSS,
        false, millis, 2_000_000), null);
  }

  static void assertKAnonymous(String name, TupleHistogram h, double limit, Anonymizer.Outcome outcome) {
    long[] check = fromLabels(h, outcome);
    assertTrue(check[0] >= 5, name + " at " + limit + ": a written class of " + check[0] + " records");
    assertTrue(check[1] <= (long) Math.floor(limit * h.records()), name + ": " + check[1] + " records suppressed");
    assertEquals(outcome.suppressedRecords(), check[1], name + ": the reported suppression is what was written");
  }

  @Test
  void farsAndCup_repeatedHierarchyRows_areReadAsArxReadsThem_andSolvedOptimally() {
    for (String name : List.of("fars", "cup")) {
      ArxDatasets.Dataset dataset = ArxDatasets.read(DATA.resolve(name));
      assertEquals(name.equals("fars") ? 8 : 7, dataset.quasiIdentifiers().size(), name);
      for (double limit : new double[] {0, 0.05}) {
        Anonymizer.Outcome outcome = anonymize(dataset.histogram(), limit, 60_000);
        assertTrue(outcome.optimal(), name + " at " + limit);
        assertEquals(0, outcome.optimalityGap(), name);
        assertKAnonymous(name, dataset.histogram(), limit, outcome);
      }
    }
  }

  /**
   * adult_full's 14 quasi-identifiers make an 8.7-million-node lattice, four times the old search's
   * 2-million-node limit; without materializing it, the bound-ordered search proves the optimum.
   */
  @Test
  void adultFull_eightMillionNodeLattice_isProvenOptimal() {
    ArxDatasets.Dataset dataset = ArxDatasets.read(DATA.resolve("adult_full"));
    Anonymizer.Outcome outcome = anonymize(dataset.histogram(), 0, 120_000);
    assertTrue(outcome.latticeSize() > 8_000_000, "lattice " + outcome.latticeSize());
    assertTrue(outcome.optimal(), outcome.strategy());
    assertEquals(0, outcome.optimalityGap());
    assertKAnonymous("adult_full", dataset.histogram(), 0, outcome);
    assertTrue(outcome.nodesEvaluated() < outcome.latticeSize() / 100, "evaluated " + outcome.nodesEvaluated());
  }

  @Test
  void creditcard_hugeLattice_atLeastAsGoodAsBottomUpBestEffortInTheSameTime_withAProvenGap() {
    ArxDatasets.Dataset dataset = ArxDatasets.read(DATA.resolve("creditcard"));
    assertEquals(24, dataset.quasiIdentifiers().size());
    for (double limit : new double[] {0, 0.05}) {
      Anonymizer.Outcome outcome = anonymize(dataset.histogram(), limit, CREDITCARD_MILLIS);
      assertFalse(outcome.optimal(), "a 5·10^13-node lattice is not expected to be proven optimal in seconds");
      assertTrue(outcome.latticeSize() > 10_000_000_000_000L);
      assertKAnonymous("creditcard", dataset.histogram(), limit, outcome);
      assertTrue(outcome.lowerBound() > 0 && outcome.lowerBound() <= outcome.loss(), "bound " + outcome.lowerBound());
      assertEquals((outcome.loss() - outcome.lowerBound()) / outcome.lowerBound(), outcome.optimalityGap(), 1e-12);
      GlobalRecoding.Result reference = GlobalRecoding.bottomUpBestEffort(dataset.histogram(),
          List.of(new PrivacyModel.KAnonymity(5)), limit, UtilityMetric.LOSS, null, CREDITCARD_MILLIS);
      System.out.printf("creditcard at %s in %d ms: loss %.6f, bottom-up best-effort %.6f%n", limit, CREDITCARD_MILLIS,
          outcome.loss(), reference.best().score());
      assertTrue(outcome.loss() <= reference.best().score() + 1e-12, "at " + limit + ": loss " + outcome.loss()
          + " worse than bottom-up best-effort's " + reference.best().score());
    }
  }
}

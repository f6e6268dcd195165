package dev.deid.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.cli.DeidCli;
import dev.deid.io.KeyRing;
import dev.deid.io.Warehouse;
import dev.deid.privacy.dp.NoisyRelease;
import dev.deid.report.Assessment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code assess} on the sample spec: what it states, checked against the models, and that it changes nothing. */
class AssessmentTest {
  static Warehouse warehouse;
  static Path keys;
  static Assessment assessment;

  @BeforeAll
  static void assess() {
    TestSpark.session();
    warehouse = TestWarehouses.fresh("assess");
    keys = TestWarehouses.keyDirectory();
    assessment = new JobRunner(TestSpark.session(), new RunOptions(warehouse, new KeyRing(Map.of(), keys),
        TestWarehouses.REFERENCE_TIME)).assess(Path.of("jobs/customers.yaml"));
  }

  /** Every file under the warehouse with its size and modification time. */
  static Map<String, String> listing(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        files.put(root.relativize(p).toString(), Files.isDirectory(p) ? "dir" : Files.size(p) + "@" + Files.getLastModifiedTime(p));
      }
    }
    return files;
  }

  @Test
  void assessCommand_printsTheAssessment_writesNothingInTheWarehouse() throws IOException {
    Path root = Path.of(warehouse.root());
    Map<String, String> before = listing(root);
    Path html = TestSpark.tempDirectory("assess-html").resolve("assessment.html");
    StringWriter out = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), "assess",
        "jobs/customers.yaml", "--warehouse", warehouse.root(), "--key-dir", keys.toString(), "--reference-time",
        TestWarehouses.REFERENCE_TIME.toString(), "--html", html.toString());
    assertEquals(0, code, out.toString());
    assertEquals(before, listing(root), "assess must not change the warehouse (tables, ledger, audit, reports)");
    String text = out.toString();
    for (String expected : List.of("output customers_partner", "highest prosecutor risk", "population uniques", "alternatives",
        "release orders_by_region_year", "release orders_by_region_partner", "no budget spent")) {
      assertTrue(text.contains(expected), "expected '" + expected + "' in:\n" + text);
    }
    String page = Files.readString(html);
    assertTrue(page.contains("<h2>Output customers_partner</h2>") && page.contains("<h2>DP release orders_by_region_partner</h2>"),
        page);
  }

  @Test
  void alternatives_includeTheConfiguredSpec_andBehaveAsTheModelsDemand() {
    Assessment.OutputAssessment partner = assessment.outputs().stream().filter(o -> o.name().equals("customers_partner"))
        .findFirst().orElseThrow();
    Assessment.Alternative configured = partner.alternatives().stream().filter(Assessment.Alternative::configured).findFirst()
        .orElseThrow();
    assertEquals(10, configured.k());
    assertEquals(0.01, configured.suppressionLimit(), 1e-12);
    assertEquals(List.copyOf(partner.levels().values()), configured.levels(), "the configured cell is the transformation chosen");
    assertEquals(partner.loss(), configured.loss(), 1e-12);
    assertEquals(9, partner.alternatives().size(), "k 5, 10, 20 by suppression 0 %, 1 %, 5 %");
    for (Assessment.Alternative a : partner.alternatives()) {
      assertNotNull(a.levels(), "the sample has a solution for every cell: " + a);
      assertTrue(a.highestProsecutorRisk() <= 1.0 / a.k() + 1e-12, "k holds in every alternative: " + a);
      assertTrue(a.suppressedRecords() <= a.suppressionLimit() * partner.before().records() + 1e-9, "within its limit: " + a);
      for (Assessment.Alternative b : partner.alternatives()) {
        // The search is optimal: more suppression allowed never costs Loss, a larger k never gains any.
        if (a.k() == b.k() && a.suppressionLimit() < b.suppressionLimit()) {
          assertTrue(b.loss() <= a.loss() + 1e-12, a + " vs " + b);
        }
        if (a.suppressionLimit() == b.suppressionLimit() && a.k() < b.k()) {
          assertTrue(b.loss() >= a.loss() - 1e-12, a + " vs " + b);
        }
      }
    }
    assertTrue(partner.before().highestProsecutorRisk() > partner.after().highestProsecutorRisk());
    assertEquals(partner.before().records() - partner.suppressedRecords(), partner.after().records());
  }

  @Test
  void releases_expectedError_isTheDiscreteLaplaceOfTheirSensitivityAndShare() {
    Assessment.ReleaseAssessment partner = assessment.releases().stream()
        .filter(r -> r.name().equals("orders_by_region_partner")).findFirst().orElseThrow();
    // 2 groups x 3 rows per unit, epsilon 0.5 shared by 2 statistics: count scale 6 / 0.25 = 24; sum (0..500) 6 x 500 / 0.25.
    assertEquals(laplaceSd(24), partner.expectedError().get("count").noiseStandardDeviation(), 1e-6);
    assertEquals(laplaceSd(6 * 50_000 / 0.25) / 100, partner.expectedError().get("sum_amount").noiseStandardDeviation(), 1e-3);
    for (NoisyRelease.Statistic s : partner.expectedError().values()) {
      assertEquals(null, s.value(), "no value is released by an assessment");
    }
    Assessment.ReleaseAssessment analysts = assessment.releases().stream()
        .filter(r -> r.name().equals("orders_by_region_year")).findFirst().orElseThrow();
    assertTrue(analysts.dependOnGroupSize().contains("mean_amount"), analysts.toString());
    assertTrue(analysts.expectedError().containsKey("count"));
  }

  /** The standard deviation of the discrete Laplace distribution of scale b: sqrt(2 e^(-1/b)) / (1 - e^(-1/b)). */
  static double laplaceSd(double b) {
    double p = Math.exp(-1 / b);
    return Math.sqrt(2 * p) / (1 - p);
  }
}

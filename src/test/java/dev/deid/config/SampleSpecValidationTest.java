package dev.deid.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.errors.DeidException;
import dev.deid.io.SpecFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes in the sample job spec that the spec alone shows, refused when it loads with the field
 * and the fix: no Spark, no data. That a refused spec writes nothing and leaves a FAILED audit
 * record is shown once, for the whole job, by {@code BadInputTest}.
 */
class SampleSpecValidationTest {
  static final String SAMPLE = read();

  static String read() {
    try {
      return Files.readString(Path.of("src/test/resources/specs/customers_fixture.yaml"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String edit(String from, String to) {
    assertTrue(SAMPLE.contains(from), "the sample spec must contain: " + from);
    return SAMPLE.replace(from, to);
  }

  static void assertRefused(String yaml, String... expected) {
    DeidException e = assertThrows(DeidException.class, () -> SpecLoader.parse(yaml, "customers.yaml"));
    String message = e.getMessage();
    for (String text : expected) {
      assertTrue(message.contains(text), "expected '" + text + "' in: " + message);
    }
    assertTrue(message.contains("fix:"), "the error must say how to fix it: " + message);
  }

  @Test
  void parse_sampleFixture_isValid() {
    SpecLoader.parse(SAMPLE, "customers.yaml");
  }

  @Test
  void parse_malformedYaml_isRefused() {
    DeidException e = assertThrows(DeidException.class, () -> SpecLoader.parse(SAMPLE + "\noutputs: [\n", "customers.yaml"));
    assertTrue(e.getMessage().contains("malformed YAML"), e.getMessage());
  }

  @Test
  void parse_unknownOutputColumn_namesTheColumnAndSource() {
    assertRefused(edit("signup_at, last_activity_at]", "signup_at, last_activity_at, shoe_size]"),
        "outputs[0].columns[10]", "'shoe_size' is not a column of source 'customers'");
  }

  @Test
  void parse_retentionColumnNotClassified_isRefused() {
    assertRefused(edit("{column: last_activity_at, maxAgeDays: 1095", "{column: deleted_at, maxAgeDays: 1095"),
        "sources.customers.retention.column", "'deleted_at' is not a column");
  }

  @Test
  void parse_droppedColumnListedInOutput_isRefused() {
    assertRefused(edit("columns: [customer_id, email, mobile,", "columns: [customer_id, name, mobile,"),
        "outputs[0].columns[1]", "'name' is classified with action drop");
  }

  @Test
  void parse_directIdentifierReleasedUnchanged_isRefused() {
    assertRefused(edit("{class: direct_identifier, action: mask, keepLast: 4}", "{class: direct_identifier, action: keep}"),
        "sources.customers.columns.mobile.action", "cannot be released unchanged");
  }

  @Test
  void parse_unknownPurpose_isRefused() {
    assertRefused(edit("purpose: partner_sharing", "purpose: resale"), "outputs[3].purpose", "unknown purpose 'resale'");
  }

  @Test
  void parse_releaseWithoutBudget_isRefused() {
    String noBudget = SAMPLE.substring(0, SAMPLE.indexOf("budgets:"))
        + "budgets:\n  - {source: customers, audience: analysts, epsilon: 1}\n" + SAMPLE.substring(SAMPLE.indexOf("releases:"));
    assertRefused(noBudget, "releases[0].epsilon", "no budget is declared for source 'orders'");
  }

  @Test
  void parse_everyProblem_isReportedAtOnce() {
    DeidException e = assertThrows(DeidException.class, () -> SpecLoader.parse(
        edit("maxAgeDays: 1095", "maxAgeDays: -1").replace("purpose: partner_sharing", "purpose: resale"), "customers.yaml"));
    List<String> problems = e.problems();
    assertTrue(problems.stream().anyMatch(p -> p.contains("sources.customers.retention.maxAgeDays")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("outputs[3].purpose")), problems.toString());
  }

  @Test
  void load_missingHierarchyFile_namesTheField(@TempDir Path dir) throws Exception {
    Path spec = Files.writeString(dir.resolve("customers.yaml"),
        edit("hierarchies:\n", "hierarchies:\n  cities: {file: no/such/cities.csv}\n"));
    DeidException e = assertThrows(DeidException.class, () -> SpecFiles.load(spec));
    assertTrue(e.getMessage().contains("hierarchies.cities.file") && e.getMessage().contains("no hierarchy file at"),
        e.getMessage());
  }

  @Test
  void parse_partnerOutputsKeepingTheirContract_areAccepted() {
    JobSpec spec = SpecLoader.parse(SAMPLE, "customers.yaml");
    assertTrue(spec.outputs().stream().anyMatch(o -> o.audience().equals("partner:acme")));
  }

  @Test
  void parse_partnerOutputBreakingItsContract_isRefusedAtTheBreach() {
    assertRefused(edit("    allowedColumns: [customer_id, order_day, amount,", "    allowedColumns: [customer_id, order_day,"),
        "outputs[3].columns", "columns [amount] are not allowed by the contract of partner 'acme'",
        "partners.acme.allowedColumns");
    assertRefused(edit("    purposes: [partner_sharing]", "    purposes: [research]"),
        "outputs[3].purpose", "purpose 'partner_sharing' is not in the contract of partner 'acme'",
        "releases[1].purpose");
    assertRefused(edit("    minimumK: 10", "    minimumK: 20"), "outputs[4].anonymization", "k=10 is below the contract's minimum k=20");
    assertRefused(edit("    formats: [parquet]", "    formats: [csv]"), "outputs[3].format", "format parquet is not in the contract");
  }

  @Test
  void parse_encryptionContracts_refuseWhatCannotBeEncrypted() {
    String orders = "    format: parquet\n    columns: [customer_id, order_ts, amount, category, store_region]";
    assertTrue(SAMPLE.contains(orders));
    String csv = edit("    formats: [parquet]", "    formats: [parquet, csv]")
        .replace(orders, orders.replace("format: parquet", "format: csv"));
    assertRefused(csv, "outputs[3].format", "requires encrypted files, and CSV cannot be encrypted at rest", "use format parquet");
    assertRefused(edit("    sensitiveColumns: [amount]", "    sensitiveColumns: [amount, name]"),
        "partners.acme.sensitiveColumns", "columns [name] are not in allowedColumns");
    assertRefused(edit("    encryption: required", "    encryption: none"), "partners.acme.sensitiveColumns",
        "this contract encrypts nothing");
    JobSpec spec = SpecLoader.parse(SAMPLE, "customers.yaml");
    assertTrue(spec.contractOf("partner:acme").encryptionRequired());
    assertTrue(spec.contractOf("partner:acme").sensitiveColumns().equals(Set.of("amount")));
  }

  @Test
  void parse_quasiIdentifiersReleasedToAPartnerWithoutAnonymization_breakTheMinimumK() {
    assertRefused(edit("""
            anonymization:
              quasiIdentifiers: {age_band: age_bands, postcode: postcode_areas, province: regions}
              k: 10
              suppressionLimit: 0.01
        """, ""), "outputs[4].anonymization", "the output is not k-anonymized");
  }

  @Test
  void parse_populationSizeAndRiskThreshold_areReadAndCheckedForRange() {
    String block = "      k: 10\n      suppressionLimit: 0.01\n";
    JobSpec spec = SpecLoader.parse(edit(block, block + "      populationSize: 1400000000\n      riskThreshold: 0.05\n"),
        "customers.yaml");
    AnonymizationSpec a = spec.outputs().get(4).anonymization();
    Assertions.assertEquals(1_400_000_000L, a.populationSize());
    Assertions.assertEquals(0.05, a.riskThreshold());
    Assertions.assertNull(SpecLoader.parse(SAMPLE, "customers.yaml").outputs().get(4).anonymization()
        .populationSize(), "absent: the records are taken as the whole population");
    assertRefused(edit(block, block + "      populationSize: 1500.5\n"), "outputs[4].anonymization.populationSize",
        "whole number");
    assertRefused(edit(block, block + "      populationSize: 0\n"), "outputs[4].anonymization.populationSize");
    assertRefused(edit(block, block + "      riskThreshold: 1.5\n"), "outputs[4].anonymization.riskThreshold");
    assertRefused(edit(block, block + "      riskThreshold: 0\n"), "outputs[4].anonymization.riskThreshold");
  }
}

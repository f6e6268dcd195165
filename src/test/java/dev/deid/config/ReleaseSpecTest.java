package dev.deid.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.errors.DeidException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The releases and budgets sections: every guarantee the accounting relies on is enforced at load. */
class ReleaseSpecTest {
  static final String BASE = """
      name: t
      consent: {source: orders, subjectColumn: customer, purposes: {analytics: ok}}
      budgets:
        - {source: orders, audience: analysts, epsilon: 2, delta: 1.0e-5, period: month}
      sources:
        orders:
          subjectColumn: customer
          subjectAliases: [email_hash]
          columns:
            order_id:   {class: direct_identifier, action: drop}
            customer:   {class: direct_identifier, action: pseudonymize}
            email_hash: {class: direct_identifier, action: drop}
            day:        {class: insensitive, action: keep}
            region:     {class: insensitive, action: keep}
            amount:     {class: sensitive, action: keep}
            ok:         {class: insensitive, action: drop}
      releases:
        - name: by_region
          source: orders
          audience: analysts
          purpose: analytics
          privacyUnit: customer
          groupBy: [region]
          maxGroupsPerUnit: 2
          maxRowsPerGroup: 3
          epsilon: 1
          delta: 1.0e-6
          aggregates: [{type: count}, {type: sum, column: amount, lower: 0, upper: 500}]
      """;

  static List<String> problems(String yaml) {
    return assertThrows(DeidException.class, () -> SpecLoader.parse(yaml, "test.yaml")).problems();
  }

  static void assertProblem(String yaml, String path, String text) {
    List<String> problems = problems(yaml);
    assertTrue(problems.stream().anyMatch(p -> p.matches("(?s).*at " + Pattern.quote(path) + "( \\(line \\d+\\))?:.*") && p.contains(text) && p.contains("fix:")),
        "expected a problem at " + path + " containing '" + text + "' in " + problems);
  }

  static String with(String from, String to) {
    assertTrue(BASE.contains(from), from);
    return BASE.replace(from, to);
  }

  @Test
  void publicGroups_repeatedAfterCoercion_areRefused() {
    String groupBy = "groupBy: [region]";
    assertProblem(with(groupBy, groupBy + "\n    publicGroups: [[east], [west], [east]]"), "releases[0].publicGroups[2]",
        "repeats an earlier one");
    // A YAML date and the same date quoted are one group for the data.
    assertProblem(with(groupBy, "groupBy: [day]\n    publicGroups: [[2026-01-01], [\"2026-01-01\"]]"),
        "releases[0].publicGroups[1]", "repeats an earlier one");
    JobSpec spec = SpecLoader.parse(with(groupBy, "groupBy: [day]\n    publicGroups: [[2026-01-01], [2026-01-02]]"), "t.yaml");
    assertEquals(List.of(List.of("2026-01-01"), List.of("2026-01-02")), spec.releases().get(0).publicGroups());
  }

  @Test
  void sumBounds_whoseSensitivityOverflows_areRefused() {
    assertProblem(with("maxGroupsPerUnit: 2\n    maxRowsPerGroup: 3", "maxGroupsPerUnit: 200\n    maxRowsPerGroup: 1000")
        .replace("upper: 500", "upper: 1000000000000"), "releases[0].aggregates[1]", "exceeds 2^53");
  }

  @Test
  void privacyUnit_thatIsNotThePerson_isRefused_andADeclaredAliasAccepted() {
    assertProblem(with("privacyUnit: customer", "privacyUnit: order_id"), "releases[0].privacyUnit",
        "protects rows, not people");
    assertEquals("email_hash", SpecLoader.parse(with("privacyUnit: customer", "privacyUnit: email_hash"), "t.yaml")
        .releases().get(0).privacyUnit());
  }

  @Test
  void releaseName_thatIsAPath_isRefused() {
    assertProblem(with("name: by_region", "name: ../../raw/customers"), "releases[0].name", "not a valid release name");
  }

  @Test
  void releaseFormat_isHonouredOrRefused() {
    String purpose = "purpose: analytics\n    privacyUnit";
    assertEquals(OutputFormat.CSV, SpecLoader.parse(with(purpose, "purpose: analytics\n    format: csv\n    privacyUnit"),
        "t.yaml").releases().get(0).format());
    assertProblem(with(purpose, "purpose: analytics\n    format: xlsx\n    privacyUnit"), "releases[0].format",
        "unknown format");
  }

  @Test
  void everyApplicableBudget_isChecked_andLifetimeIsAPeriod() {
    String budgets = "- {source: orders, audience: analysts, epsilon: 2, delta: 1.0e-5, period: month}";
    String two = budgets + "\n  - {source: orders, audience: analysts, epsilon: 0.5, delta: 1.0e-5, period: lifetime}";
    assertProblem(with(budgets, two), "releases[0].epsilon", "more than the whole lifetime budget");
    JobSpec spec = SpecLoader.parse(with(budgets, two.replace("epsilon: 0.5", "epsilon: 5")), "t.yaml");
    assertEquals(List.of("month", "lifetime"), spec.budgets().stream().map(BudgetSpec::period).toList());
  }

  @Test
  void rowLevelDpColumns_needABudget() {
    String spec = BASE.replace("region:     {class: insensitive, action: keep}",
        "region:     {class: insensitive, action: randomized_response, epsilon: 1, values: [east, west]}")
        + "outputs:\n  - {name: o, source: orders, audience: analysts, purpose: analytics, columns: [customer, region]}\n";
    assertEquals(1.0, SpecLoader.localDpEpsilon(SpecLoader.parse(spec, "t.yaml").outputs().get(0),
        SpecLoader.parse(spec, "t.yaml").source("orders")));
    assertProblem(spec.replace("audience: analysts, purpose", "audience: \"partner:acme\", purpose"), "outputs[0].columns",
        "no budget is declared");
  }

  @Test
  void validatedSpec_isImmutable() {
    JobSpec spec = SpecLoader.parse(with("groupBy: [region]", "groupBy: [region]\n    publicGroups: [[east]]"), "t.yaml");
    assertThrows(UnsupportedOperationException.class, () -> spec.releases().add(spec.releases().get(0)));
    assertThrows(UnsupportedOperationException.class, () -> spec.sources().clear());
    assertThrows(UnsupportedOperationException.class, () -> spec.source("orders").columns().remove("amount"));
    assertThrows(UnsupportedOperationException.class, () -> spec.releases().get(0).groupBy().add("day"));
    assertThrows(UnsupportedOperationException.class, () -> spec.releases().get(0).publicGroups().get(0).add("west"));
    assertThrows(UnsupportedOperationException.class, () -> spec.budgets().clear());
    assertThrows(UnsupportedOperationException.class, () -> spec.consent().purposeColumns().put("x", "y"));
    assertThrows(UnsupportedOperationException.class, () -> spec.source("orders").subjectAliases().add("day"));
  }
}

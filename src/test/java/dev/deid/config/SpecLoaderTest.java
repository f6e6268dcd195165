package dev.deid.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.errors.DeidException;
import dev.deid.io.SpecFiles;
import dev.deid.privacy.anon.Hierarchy;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SpecLoaderTest {
  static final String VALID = """
      name: t
      consent: {source: people, subjectColumn: id, purposes: {analytics: ok}}
      sources:
        people:
          subjectColumn: id
          retention: {column: seen, maxAgeDays: 30}
          columns:
            id:    {class: direct_identifier, action: pseudonymize}
            phone: {class: direct_identifier, action: mask, keepLast: 4}
            born:  {class: quasi_identifier, action: age_band, width: 10, as: age}
            seen:  {class: insensitive, action: truncate, unit: month}
            ok:    {class: insensitive, action: drop}
      outputs:
        - {name: out, source: people, audience: analysts, purpose: analytics, columns: [id, phone, born, seen]}
      """;

  static List<String> problems(String yaml) {
    return assertThrows(DeidException.class, () -> SpecLoader.parse(yaml, "test.yaml")).problems();
  }

  static void assertProblem(List<String> problems, String path, String text) {
    assertTrue(problems.stream().anyMatch(p -> p.matches("(?s).*at " + Pattern.quote(path) + "( \\(line \\d+\\))?:.*") && p.contains(text) && p.contains("fix:")),
        "expected a problem at " + path + " containing '" + text + "' in " + problems);
  }

  @Test
  void problems_nameTheLineOfTheFieldTheyAreAbout_orOfItsParentWhenTheFieldIsMissing() {
    String yaml = """
        name: lines
        sources:
          customers:
            columns:
              customer_id: {class: direct_identifier, action: pseudonymize}
              email: {class: direct_identifier, action: smudge}
              city:
                class: quasi_identifier
        outputs:
          - {name: out, source: customers, audience: analysts, purpose: analytics, columns: [city], formt: delta}
        """;
    DeidException e = assertThrows(DeidException.class, () -> SpecLoader.parse(yaml, "lines.yaml", Path.of(".")));
    String message = String.join("\n", e.problems());
    assertTrue(message.contains("sources.customers.columns.email.action (line 6)"), message);
    assertTrue(message.contains("sources.customers.columns.city.action (line 7)"), "a missing field takes its parent's line: " + message);
    assertTrue(message.contains("outputs[0].formt (line 10)"), message);
  }

  @Test
  void parse_validSpec_buildsRecords() {
    JobSpec spec = SpecLoader.parse(VALID, "test.yaml");
    SourceSpec people = spec.source("people");
    assertEquals(List.of("id", "phone", "born", "seen", "ok"), List.copyOf(people.columns().keySet()));
    assertEquals(new Transform.Mask(0, 4), people.columns().get("phone").transform());
    assertEquals("age", people.columns().get("born").outputName());
    assertEquals(new RetentionSpec("seen", 30), people.retention());
    assertEquals(OutputFormat.DELTA, spec.outputs().get(0).format());
    assertEquals(168, spec.vacuum().retentionHours());
    assertEquals(64, spec.specHash().length());
  }

  @Test
  void parse_sampleJobSpec_isValid() {
    JobSpec spec = SpecFiles.load(Path.of("jobs/customers.yaml"));
    assertEquals(3, spec.sources().size());
    assertInstanceOf(Transform.Redact.class, spec.source("feedback").columns().get("comment").transform());
    assertEquals(OutputFormat.PARQUET, spec.outputs().get(3).format());
  }

  @Test
  void parse_manyErrors_reportsEveryOneWithItsPath() {
    String yaml = VALID
        .replace("maxAgeDays: 30", "maxAgeDays: thirty")
        .replace("action: mask, keepLast: 4", "action: keep")
        .replace("unit: month", "unit: fortnight")
        .replace("purpose: analytics, columns: [id, phone, born, seen]", "purpose: sales, columns: [id, ok, nope]");
    List<String> problems = problems(yaml);
    assertProblem(problems, "sources.people.retention.maxAgeDays", "expected a whole number");
    assertProblem(problems, "sources.people.columns.phone.action", "direct identifier cannot be released unchanged");
    assertProblem(problems, "sources.people.columns.seen.unit", "unknown unit 'fortnight'");
    assertProblem(problems, "outputs[0].purpose", "unknown purpose 'sales'");
    assertProblem(problems, "outputs[0].columns[1]", "classified with action drop");
    assertProblem(problems, "outputs[0].columns[2]", "'nope' is not a column of source 'people'");
    assertEquals(6, problems.size(), problems.toString());
  }

  @Test
  void parse_malformedYaml_namesThePosition() {
    DeidException e = assertThrows(DeidException.class, () -> SpecLoader.parse("name: t\nsources: [\n  a: b", "bad.yaml"));
    assertTrue(e.getMessage().startsWith("Cannot read job spec bad.yaml: malformed YAML"), e.getMessage());
    assertTrue(e.getMessage().contains("line"), e.getMessage());
  }

  /** A column classified twice would otherwise be released under whichever entry YAML reads last. */
  @Test
  void parse_fieldGivenTwice_isRefusedNamingTheKeyAndLine() {
    DeidException e = assertThrows(DeidException.class,
        () -> SpecLoader.parse("name: t\nname: u\nsources: {}\n", "twice.yaml"));
    assertTrue(e.getMessage().contains("duplicate key name"), e.getMessage());
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    assertTrue(e.getMessage().contains("fix:"), e.getMessage());
  }

  @Test
  void parse_unknownFieldAndMissingRequired_areReported() {
    List<String> problems = problems(VALID.replace("name: t\n", "nmae: t\n"));
    assertProblem(problems, "nmae", "unknown field (did you mean 'name'?)");
    assertProblem(problems, "name", "required field is missing");
  }

  @Test
  void parse_misspeltField_suggestsTheNearestOne_andOnlyWhenItIsNear() {
    assertProblem(problems(VALID.replace("    subjectColumn: id\n    retention", "    subjectColum: id\n    retention")),
        "sources.people.subjectColum", "did you mean 'subjectColumn'?");
    List<String> far = problems(VALID.replace("name: t\n", "name: t\nshoe_size: 42\n"));
    assertProblem(far, "shoe_size", "unknown field");
    assertTrue(far.stream().noneMatch(p -> p.contains("did you mean")), far.toString());
  }

  @Test
  void parse_unknownClassAndAction_areReported() {
    List<String> problems = problems(VALID.replace("class: insensitive, action: drop", "class: secret, action: shred"));
    assertProblem(problems, "sources.people.columns.ok.class", "unknown class 'secret'");
    assertProblem(problems, "sources.people.columns.ok.action", "unknown action 'shred'");
  }

  @Test
  void parse_shortVacuumWithoutConsent_isRefused() {
    List<String> problems = problems(VALID + "vacuum: {retentionHours: 0}\n");
    assertProblem(problems, "vacuum.retentionHours", "below Delta's safe minimum");
    JobSpec allowed = SpecLoader.parse(VALID + "vacuum: {retentionHours: 0, allowShortRetention: true}\n", "t");
    assertTrue(allowed.vacuum().needsRelaxedCheck());
  }

  @Test
  void parse_badReferences_areReported() {
    List<String> problems = problems(VALID
        .replace("retention: {column: seen", "retention: {column: missing")
        .replace("source: people, audience: analysts", "source: persons, audience: everyone"));
    assertProblem(problems, "sources.people.retention.column", "'missing' is not a column");
    assertProblem(problems, "outputs[0].source", "'persons' is not a declared source");
    assertProblem(problems, "outputs[0].audience", "'everyone' is not an audience");
  }

  @Test
  void parse_keyMaterialInSpec_isAnUnknownField() {
    List<String> problems = problems(VALID + "keys: {analysts: 'k1:AAAA'}\n");
    assertProblem(problems, "keys", "unknown field");
    assertTrue(problems.stream().noneMatch(p -> p.contains("AAAA")), "a secret must not be echoed: " + problems);
  }

  @Test
  void parse_conflictingRowsChoice_isReadForFileHierarchiesOnly() {
    JobSpec spec = SpecLoader.parse(VALID + "hierarchies:\n  age: {file: age.csv, conflictingRows: last}\n"
        + "  band: {file: band.csv}\n", "t");
    assertEquals(Hierarchy.ConflictingRows.LAST_ROW_WINS,
        ((HierarchySpec.FromFile) spec.hierarchies().get("age")).conflicting());
    assertEquals(Hierarchy.ConflictingRows.REFUSE,
        ((HierarchySpec.FromFile) spec.hierarchies().get("band")).conflicting());
    assertProblem(problems(VALID + "hierarchies:\n  age: {file: age.csv, conflictingRows: first}\n"),
        "hierarchies.age.conflictingRows", "unknown choice 'first'");
    assertProblem(problems(VALID + "hierarchies:\n  age: {intervals: {widths: [5]}, conflictingRows: last}\n"),
        "hierarchies.age.conflictingRows", "only a hierarchy read from a file");
  }
}

package dev.deid.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The JSON Schema editors check specs with agrees with the loader: every spec the project ships
 * (and the loader accepts) passes it, and the mistakes editors should flag fail it.
 */
class SpecSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonSchema schema() throws Exception {
    try (InputStream in = Files.newInputStream(Path.of("conf/job-spec.schema.json"))) {
      return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
    }
  }

  private static JsonNode yaml(String text) {
    return JSON.valueToTree(new Yaml().load(text));
  }

  @Test
  void everyShippedSpec_thatTheLoaderAccepts_passesTheSchema() throws Exception {
    JsonSchema schema = schema();
    List<Path> specs;
    try (Stream<Path> jobs = Files.list(Path.of("jobs")); Stream<Path> tests = Files.walk(Path.of("src/test/resources"))) {
      specs = Stream.concat(jobs, tests).filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(specs.size() >= 4, "the shipped specs: " + specs);
    for (Path spec : specs) {
      SpecLoader.parse(Files.readString(spec), spec.toString(), spec.toAbsolutePath().getParent());
      Set<ValidationMessage> problems = schema.validate(yaml(Files.readString(spec)));
      assertEquals(Set.of(), problems, spec.toString());
    }
  }

  @Test
  void theSchemaFlags_misspeltFields_unknownActions_andMissingParameters() throws Exception {
    JsonSchema schema = schema();
    String good = Files.readString(Path.of("jobs/customers.yaml"));
    assertEquals(Set.of(), schema.validate(yaml(good)));
    for (String[] mistake : new String[][] {
        {"subjectColumn: customer_id\n    retention", "subjectColum: customer_id\n    retention"},
        {"action: mask, keepLast: 4", "action: smudge, keepLast: 4"},
        {"action: age_band, width: 10", "action: age_band"},
        {"audience: analysts", "audience: everyone"}}) {
      assertTrue(good.contains(mistake[0]), "the sample spec has " + mistake[0]);
      String bad = good.replaceFirst(Pattern.quote(mistake[0]), mistake[1]);
      assertFalse(schema.validate(yaml(bad)).isEmpty(), "the schema must flag: " + mistake[1]);
    }
  }
}

package dev.deid;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's "Bad input" table promises, per mistake, a test that shows the error: each row must
 * name a test method that exists, so that the table cannot promise a check nobody runs.
 */
class BadInputTableTest {
  private static final Path README = Path.of("README.md");
  private static final String SECTION = "## Bad input";
  private static final Pattern ROW = Pattern.compile("\\|[^|]*\\|[^|]+\\| `(\\w+)#(\\w+)` \\|");

  /** What is wrong with the section's rows: a row not of the table's form, or one naming no test. */
  static List<String> problems(List<String> lines, Map<String, String> testClasses) {
    List<String> problems = new ArrayList<>();
    int start = lines.indexOf(SECTION);
    if (start < 0) {
      return List.of("no '" + SECTION + "' section");
    }
    int rows = 0;
    for (String line : lines.subList(start + 1, lines.size())) {
      if (line.startsWith("## ")) {
        break;
      }
      if (!line.startsWith("|") || line.startsWith("|---") || line.startsWith("| | Bad input |")) {
        continue;
      }
      rows++;
      Matcher row = ROW.matcher(line);
      if (!row.matches()) {
        problems.add("not a row of the form | group | mistake | `Class#method` |: " + line);
      } else if (!isTest(testClasses.get(row.group(1)), row.group(2))) {
        problems.add("no test " + row.group(1) + "#" + row.group(2));
      }
    }
    if (rows == 0) {
      problems.add("the section lists no bad input");
    }
    return problems;
  }

  private static boolean isTest(String className, String method) {
    if (className == null) {
      return false;
    }
    try {
      // Not initialized: many test classes start the shared SparkSession in a static field.
      Class<?> type = Class.forName(className, false, BadInputTableTest.class.getClassLoader());
      return Stream.of(type.getDeclaredMethods()).anyMatch(m -> m.getName().equals(method) && m.isAnnotationPresent(Test.class));
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Every test source by simple class name, with its fully qualified name. */
  static Map<String, String> testClasses() throws IOException {
    Path root = Path.of("src/test/java");
    Map<String, String> classes = new HashMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(f -> f.toString().endsWith(".java")).forEach(f -> {
        String relative = root.relativize(f).toString();
        String name = relative.substring(0, relative.length() - ".java".length()).replace('/', '.');
        classes.put(f.getFileName().toString().replace(".java", ""), name);
      });
    }
    return classes;
  }

  @Test
  void everyBadInputTheReadmeLists_namesATestThatExists() throws Exception {
    assertEquals(List.of(), problems(Files.readAllLines(README), testClasses()));
  }

  @Test
  void aRowNamingAMissingTestOrAMethodThatIsNoTest_isAProblem() throws Exception {
    Map<String, String> classes = testClasses();
    List<String> lines = List.of("intro", SECTION, "", "| | Bad input | Test |", "|---|---|---|",
        "| Spec | a real one | `BadInputTableTest#everyBadInputTheReadmeLists_namesATestThatExists` |",
        "|  | a renamed test | `BadInputTableTest#noSuchTest` |",
        "|  | a helper, not a test | `BadInputTableTest#problems` |",
        "|  | a class that is gone | `NoSuchTest#anything` |",
        "|  | no test named |", "", "## Next section", "| | x | `NoSuchTest#ignored` |");
    assertEquals(List.of("no test BadInputTableTest#noSuchTest", "no test BadInputTableTest#problems",
        "no test NoSuchTest#anything", "not a row of the form | group | mistake | `Class#method` |: |  | no test named |"),
        problems(lines, classes));
    assertEquals(List.of("the section lists no bad input"), problems(List.of(SECTION, "text", "## Next"), classes));
  }
}

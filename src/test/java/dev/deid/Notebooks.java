package dev.deid;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Jupyter notebooks executed end to end as an analyst's Jupyter would (Debian's nbconvert and
 * Python 3 kernel), and read back: what the cells printed, showed as HTML, and drew.
 */
public final class Notebooks {
  public static final Path NBCONVERT = Path.of("/usr/bin/jupyter-nbconvert");
  private static final ObjectMapper JSON = new ObjectMapper();

  private Notebooks() {}

  /** Executes {@code notebook} against {@code warehouse}; a cell that raises fails the execution. */
  public static JsonNode execute(Path notebook, Path warehouse) throws Exception {
    if (!Files.isExecutable(NBCONVERT)) {
      throw new AssertionError(NBCONVERT + " is missing: the notebook tests need Debian's jupyter-nbconvert, "
          + "python3-ipykernel, python3-pandas and python3-matplotlib (src/test/sh/test-tools installs them)");
    }
    Path folder = TestSpark.tempDirectory("notebook");
    Path executed = folder.resolve("executed.ipynb");
    ProcessBuilder builder = new ProcessBuilder(NBCONVERT.toString(), "--to", "notebook", "--execute",
        "--ExecutePreprocessor.timeout=600", "--output", executed.toString(), notebook.toAbsolutePath().toString())
        .redirectErrorStream(true);
    builder.environment().put("DEID_WAREHOUSE", warehouse.toAbsolutePath().toString());
    // Debian's kernel is /usr/bin/python3 with Debian's packages, whatever python3 comes first on PATH.
    builder.environment().put("PATH", "/usr/bin:/bin:" + System.getenv("PATH"));
    Path log = folder.resolve("nbconvert.log");
    Process process = builder.redirectOutput(log.toFile()).start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the notebook did not finish: " + Files.readString(log));
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("the notebook failed (exit " + process.exitValue() + "): " + Files.readString(log));
    }
    return JSON.readTree(executed.toFile());
  }

  /** Everything the code cells printed, in order. */
  public static String streams(JsonNode notebook) {
    StringBuilder text = new StringBuilder();
    outputs(notebook).stream().filter(o -> "stream".equals(o.path("output_type").asText()))
        .forEach(o -> text.append(joined(o.get("text"))));
    return text.toString();
  }

  /** The HTML the cells displayed (tables), in order. */
  public static String html(JsonNode notebook) {
    StringBuilder text = new StringBuilder();
    outputs(notebook).stream().filter(o -> o.path("data").has("text/html"))
        .forEach(o -> text.append(joined(o.path("data").get("text/html"))));
    return text.toString();
  }

  /** How many figures the cells drew. */
  public static long images(JsonNode notebook) {
    return outputs(notebook).stream().filter(o -> o.path("data").has("image/png")).count();
  }

  private static List<JsonNode> outputs(JsonNode notebook) {
    List<JsonNode> outputs = new ArrayList<>();
    for (JsonNode cell : notebook.get("cells")) {
      cell.path("outputs").forEach(outputs::add);
    }
    return outputs;
  }

  private static String joined(JsonNode text) {
    if (text.isArray()) {
      StringBuilder s = new StringBuilder();
      text.forEach(t -> s.append(t.asText()));
      return s.toString();
    }
    return text.asText();
  }
}

package dev.deid.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Golden files for whole-job results: a report (or audit row) is normalized, so that what differs
 * between two correct runs (run id, times, durations, the warehouse's temporary path, the number
 * of groups DP selection released, how many lattice nodes two threads happened to evaluate) is
 * replaced by a placeholder, then compared with the file under {@code src/test/resources/golden}.
 * Run with {@code -Ddeid.golden.update=true} to rewrite the files after a deliberate change.
 */
final class GoldenReports {
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
  private static final String[] VOLATILE = {"runId", "run_id", "startedAt", "started_at", "durationMillis", "duration_ms",
      "stepMillis", "nodesEvaluated", "report_path"};

  private GoldenReports() {}

  static JsonNode normalized(JsonNode report, String warehouseRoot) {
    JsonNode copy = report.deepCopy();
    normalize(copy, warehouseRoot);
    return copy;
  }

  private static void normalize(JsonNode node, String root) {
    if (node instanceof ObjectNode object) {
      for (String field : VOLATILE) {
        if (object.has(field)) {
          object.put(field, "<varies>");
        }
      }
      if ("DP group selection".equals(object.path("groupSelection").asText())) {
        object.put("groupsReleased", "<DP selection>");
      }
      // The audit row's counts cannot tell which release selected its groups by DP: none is golden.
      List<String> releaseCounts = new ArrayList<>();
      object.fieldNames().forEachRemaining(f -> {
        if (f.startsWith("release.") && f.endsWith(".groups_released")) {
          releaseCounts.add(f);
        }
      });
      releaseCounts.forEach(f -> object.put(f, "<DP selection>"));
      // Ledger charges are counted per raw table under its Delta id, which each generated warehouse draws anew.
      List<String> ledgerKeys = new ArrayList<>();
      object.fieldNames().forEachRemaining(f -> {
        if (f.startsWith(PrivacyBudget.CHARGES_COUNT) && !f.endsWith("<table id>")) {
          ledgerKeys.add(f);
        }
      });
      for (String f : ledgerKeys) {
        object.set(PrivacyBudget.CHARGES_COUNT + "<table id>", object.remove(f));
      }
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> e = fields.next();
        if (e.getValue().isTextual() && e.getValue().asText().contains(root)) {
          e.setValue(new TextNode(e.getValue().asText().replace(root, "<warehouse>")));
        } else {
          normalize(e.getValue(), root);
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        if (node.get(i).isTextual() && node.get(i).asText().contains(root)) {
          ((ArrayNode) node).set(i, new TextNode(node.get(i).asText().replace(root, "<warehouse>")));
        } else {
          normalize(node.get(i), root);
        }
      }
    }
  }

  /** The golden text for {@code name}, rewritten first when updating was asked for. */
  static String golden(String name, JsonNode actual) throws IOException {
    Path file = Path.of("src/test/resources/golden", name);
    String text = JSON.writeValueAsString(JSON.treeToValue(actual, Object.class)) + "\n";
    if (Boolean.getBoolean("deid.golden.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    }
    return Files.readString(file);
  }

  static String text(JsonNode actual) throws IOException {
    return JSON.writeValueAsString(JSON.treeToValue(actual, Object.class)) + "\n";
  }
}

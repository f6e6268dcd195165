package dev.deid.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The column values a Delta log holds, wherever it holds them: the min/max statistics and
 * partition values of every file action, in commit files, checksum files ({@code allFiles}) and
 * checkpoint rows alike. Each is a value some file had when it was written; after deletion, a value
 * the table no longer holds is a trace of a deleted row. Spark-free: it reads JSON text.
 */
final class LogValues {
  /**
   * Delta keeps the first 32 characters of a string statistic and marks a truncated maximum with
   * one more, a tie-breaker character (U+007F or higher, depending on the value).
   */
  static final int STRING_PREFIX = 32;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> FILE_ACTIONS = Set.of("add", "remove", "cdc");

  /** Values per column (dotted path for nested columns), each set sorted. */
  private final Map<String, Set<String>> byColumn = new TreeMap<>();
  private int actions;

  /** Adds what one log line (a commit action, a checkpoint row as JSON, or a whole checksum file) holds. */
  void addJson(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot read a Delta log entry as JSON (the log is damaged)", e);
    }
    if (node == null) {
      return;
    }
    for (String action : FILE_ACTIONS) {
      if (node.hasNonNull(action)) {
        addFileAction(node.get(action));
      }
    }
    JsonNode allFiles = node.get("allFiles");
    if (allFiles != null && allFiles.isArray()) {
      allFiles.forEach(this::addFileAction);
    }
  }

  private void addFileAction(JsonNode file) {
    actions++;
    JsonNode stats = file.get("stats");
    if (stats != null && stats.isTextual() && !stats.asText().isEmpty()) {
      try {
        stats = JSON.readTree(stats.asText());
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("Cannot read a file's statistics in the Delta log (the log is damaged)", e);
      }
    } else if (file.hasNonNull("stats_parsed")) {
      stats = file.get("stats_parsed");
    }
    if (stats != null && stats.isObject()) {
      addLeaves("", stats.get("minValues"));
      addLeaves("", stats.get("maxValues"));
    }
    addLeaves("", file.get("partitionValues"));
  }

  private void addLeaves(String prefix, JsonNode node) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        addLeaves(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue());
      }
      return;
    }
    byColumn.computeIfAbsent(prefix, c -> new TreeSet<>()).add(node.asText());
  }

  /** File actions read (adds, removes, change files, checksum entries). */
  int actions() {
    return actions;
  }

  Map<String, Set<String>> byColumn() {
    return byColumn;
  }

  /**
   * A statistic of {@link #STRING_PREFIX} characters or more was (or may have been) truncated, so
   * it stands for the values that start with its first {@link #STRING_PREFIX} characters; a
   * shorter one stands for itself only.
   */
  static boolean isPrefix(String value) {
    return value.codePointCount(0, value.length()) >= STRING_PREFIX;
  }

  /** The value as a current row must match it: a truncated one without the tie-breaker Delta appends to a maximum. */
  static String comparable(String value) {
    return isPrefix(value) ? value.substring(0, value.offsetByCodePoints(0, STRING_PREFIX)) : value;
  }
}

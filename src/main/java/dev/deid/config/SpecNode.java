package dev.deid.config;

import dev.deid.errors.Errors;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * A YAML mapping with its path, reading typed fields and collecting every problem instead of
 * stopping at the first, so that a validation reports all errors at once.
 */
final class SpecNode {
  private final String path;
  private final Map<String, Object> values;
  private final List<String> problems;

  private SpecNode(String path, Map<String, Object> values, List<String> problems) {
    this.path = path;
    this.values = values;
    this.problems = problems;
  }

  static SpecNode root(Map<String, Object> values, List<String> problems) {
    return new SpecNode("", values, problems);
  }

  String path() {
    return path.isEmpty() ? "<root>" : path;
  }

  String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  void problem(String key, String problem, String fix) {
    problems.add(Errors.invalidSpec(key == null ? path() : child(key), problem, fix));
  }

  boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  void allowOnly(Set<String> keys) {
    for (String key : values.keySet()) {
      if (!keys.contains(key)) {
        String near = closest(key, keys);
        problem(key, "unknown field" + (near == null ? "" : " (did you mean '" + near + "'?)"),
            near == null ? "remove it or use one of " + new TreeSet<>(keys) : "rename it to " + near);
      }
    }
  }

  /** The allowed key a misspelt one most likely meant: two edits, or a third of its letters for long keys, ignoring case. */
  static String closest(String key, Set<String> keys) {
    LevenshteinDistance distance = LevenshteinDistance.getDefaultInstance();
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : new TreeSet<>(keys)) {
      int d = distance.apply(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    int limit = best == null ? 0 : best.length() >= 4 ? Math.max(2, best.length() / 3) : 1;
    return best != null && bestDistance <= limit ? best : null;
  }

  String string(String key, boolean required) {
    Object value = values.get(key);
    if (value == null) {
      if (required) {
        problem(key, "required field is missing", "add " + key + ": <text>");
      }
      return null;
    }
    if (!(value instanceof String) || ((String) value).isBlank()) {
      problem(key, "expected non-empty text but found " + describe(value), "write a text value");
      return null;
    }
    return (String) value;
  }

  Integer integer(String key, boolean required, int min, int max) {
    Object value = values.get(key);
    if (value == null) {
      if (required) {
        problem(key, "required field is missing", "add " + key + ": <whole number>");
      }
      return null;
    }
    if (!(value instanceof Integer)) {
      problem(key, "expected a whole number but found " + describe(value),
          "write a whole number from " + min + " to " + max);
      return null;
    }
    int number = (Integer) value;
    if (number < min || number > max) {
      problem(key, "value " + number + " is out of range", "use a whole number from " + min + " to " + max);
      return null;
    }
    return number;
  }

  Double number(String key, boolean required, double min, double max) {
    Object value = values.get(key);
    if (value == null) {
      if (required) {
        problem(key, "required field is missing", "add " + key + ": <number>");
      }
      return null;
    }
    if (!(value instanceof Number n)) {
      problem(key, "expected a number but found " + describe(value), "write a number from " + min + " to " + max);
      return null;
    }
    double number = n.doubleValue();
    if (!(number >= min && number <= max)) {
      problem(key, "value " + number + " is out of range", "use a number from " + min + " to " + max);
      return null;
    }
    return number;
  }

  /** The raw YAML value, for shapes the typed readers do not cover. */
  Object raw(String key) {
    return values.get(key);
  }

  boolean bool(String key, boolean defaultValue) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean)) {
      problem(key, "expected true or false but found " + describe(value), "write true or false");
      return defaultValue;
    }
    return (Boolean) value;
  }

  SpecNode mapping(String key, boolean required) {
    Object value = values.get(key);
    if (value == null) {
      if (required) {
        problem(key, "required section is missing", "add a " + key + ": mapping");
      }
      return null;
    }
    return asMapping(child(key), value);
  }

  /** The entries of a mapping whose values are mappings themselves, in spec order. */
  Map<String, SpecNode> mappings(String key, boolean required) {
    SpecNode node = mapping(key, required);
    Map<String, SpecNode> result = new LinkedHashMap<>();
    if (node == null) {
      return result;
    }
    for (Map.Entry<String, Object> e : node.values.entrySet()) {
      SpecNode entry = asMapping(node.child(e.getKey()), e.getValue());
      if (entry != null) {
        result.put(e.getKey(), entry);
      }
    }
    return result;
  }

  List<SpecNode> list(String key, boolean required) {
    Object value = values.get(key);
    List<SpecNode> result = new ArrayList<>();
    if (value == null) {
      if (required) {
        problem(key, "required list is missing", "add a " + key + ": list");
      }
      return result;
    }
    if (!(value instanceof List<?> items)) {
      problem(key, "expected a list but found " + describe(value), "write a YAML list");
      return result;
    }
    for (int i = 0; i < items.size(); i++) {
      SpecNode item = asMapping(child(key) + "[" + i + "]", items.get(i));
      if (item != null) {
        result.add(item);
      }
    }
    return result;
  }

  List<String> strings(String key, boolean required) {
    Object value = values.get(key);
    List<String> result = new ArrayList<>();
    if (value == null) {
      if (required) {
        problem(key, "required list is missing", "add " + key + ": [a, b, ...]");
      }
      return result;
    }
    if (!(value instanceof List<?> items) || items.isEmpty()) {
      problem(key, "expected a non-empty list of names but found " + describe(value), "write [a, b, ...]");
      return result;
    }
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof String s && !s.isBlank()) {
        result.add(s);
      } else {
        problems.add(Errors.invalidSpec(child(key) + "[" + i + "]",
            "expected a column name but found " + describe(items.get(i)), "write the column's name"));
      }
    }
    return result;
  }

  /** A mapping of names to text values, e.g. purposes to consent columns. */
  Map<String, String> stringMap(String key, boolean required) {
    SpecNode node = mapping(key, required);
    Map<String, String> result = new LinkedHashMap<>();
    if (node != null) {
      for (String k : node.values.keySet()) {
        String v = node.string(k, true);
        if (v != null) {
          result.put(k, v);
        }
      }
    }
    return result;
  }

  private SpecNode asMapping(String childPath, Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      problems.add(Errors.invalidSpec(childPath, "expected a mapping but found " + describe(value),
          "write key: value pairs"));
      return null;
    }
    Map<String, Object> typed = new LinkedHashMap<>();
    map.forEach((k, v) -> typed.put(String.valueOf(k), v));
    return new SpecNode(childPath, typed, problems);
  }

  private static String describe(Object value) {
    if (value == null) {
      return "nothing";
    }
    if (value instanceof Map) {
      return "a mapping";
    }
    if (value instanceof List) {
      return "a list";
    }
    return value.getClass().getSimpleName().toLowerCase() + " '" + value + "'";
  }
}

package dev.deid.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Where each field of a spec is written, so that a problem names its line: paths as the loader
 * writes them ({@code sources.customers.columns.email}, {@code outputs[2].columns}), each mapped
 * to the 1-based line of its key or list item. A field that is missing takes its parent's line.
 */
final class SpecLines {
  private static final Pattern PROBLEM = Pattern.compile("^(Invalid job spec at )(\\S+?)(: )");

  private final Map<String, Integer> lines;

  private SpecLines(Map<String, Integer> lines) {
    this.lines = lines;
  }

  /** The lines of a document that already parsed as YAML. */
  static SpecLines of(String yaml) {
    Map<String, Integer> lines = new HashMap<>();
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Node root = new Yaml(options).compose(new StringReader(yaml));
    if (root != null) {
      walk(root, "", lines);
    }
    return new SpecLines(lines);
  }

  private static void walk(Node node, String path, Map<String, Integer> lines) {
    if (node instanceof MappingNode mapping) {
      for (NodeTuple tuple : mapping.getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          String child = path.isEmpty() ? key.getValue() : path + "." + key.getValue();
          lines.put(child, key.getStartMark().getLine() + 1);
          walk(tuple.getValueNode(), child, lines);
        }
      }
    } else if (node instanceof SequenceNode sequence) {
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        String child = path + "[" + i + "]";
        lines.put(child, items.get(i).getStartMark().getLine() + 1);
        walk(items.get(i), child, lines);
      }
    }
  }

  /** The line of {@code path}, or of its nearest written parent; null when nothing on the path is written. */
  Integer lineOf(String path) {
    String p = path;
    while (!p.isEmpty()) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut <= 0 ? "" : p.substring(0, cut);
    }
    return null;
  }

  /** Each spec problem with the line of the field it names. */
  List<String> annotate(List<String> problems) {
    List<String> annotated = new ArrayList<>(problems.size());
    for (String problem : problems) {
      Matcher m = PROBLEM.matcher(problem);
      Integer line = m.find() ? lineOf(m.group(2)) : null;
      annotated.add(line == null ? problem
          : m.group(1) + m.group(2) + " (line " + line + ")" + m.group(3) + problem.substring(m.end()));
    }
    return annotated;
  }
}

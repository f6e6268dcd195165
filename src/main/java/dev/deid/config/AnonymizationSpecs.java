package dev.deid.config;

import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.privacy.anon.UtilityMetric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/** Reads the {@code hierarchies} section and each output's {@code anonymization} section of a spec. */
final class AnonymizationSpecs {
  private static final Set<String> DATE_LEVELS = Set.of("month", "quarter", "year", "decade");

  private AnonymizationSpecs() {}

  static HierarchySpec hierarchy(String name, SpecNode node, UnaryOperator<String> locate) {
    node.allowOnly(Set.of("file", "intervals", "dates", "masking", "groups", "conflictingRows"));
    List<String> kinds = new ArrayList<>();
    for (String kind : List.of("file", "intervals", "dates", "masking", "groups")) {
      if (node.has(kind)) {
        kinds.add(kind);
      }
    }
    if (node.has("conflictingRows") && !node.has("file")) {
      node.problem("conflictingRows", "only a hierarchy read from a file can have conflicting rows",
          "remove conflictingRows, or read the hierarchy from a file");
    }
    if (kinds.size() != 1) {
      node.problem(null, "a hierarchy needs exactly one of file, intervals, dates, masking, groups; found " + kinds,
          "keep one of them");
      return null;
    }
    switch (kinds.get(0)) {
      case "file": {
        String file = node.string("file", true);
        Hierarchy.ConflictingRows conflicting = Hierarchy.ConflictingRows.REFUSE;
        if (node.has("conflictingRows")) {
          String choice = node.string("conflictingRows", false);
          if ("last".equals(choice)) {
            conflicting = Hierarchy.ConflictingRows.LAST_ROW_WINS;
          } else if (!"refuse".equals(choice)) {
            node.problem("conflictingRows", "unknown choice '" + choice + "'",
                "use last (the last row for a value wins, as ARX reads such files) or refuse (the default)");
            return null;
          }
        }
        if (file == null) {
          return null;
        }
        // Whether the file exists is checked where files are read (io.SpecFiles), not here.
        return new HierarchySpec.FromFile(name, locate.apply(file), conflicting);
      }
      case "intervals": {
        SpecNode n = node.mapping("intervals", true);
        n.allowOnly(Set.of("min", "widths"));
        Integer min = n.has("min") ? n.integer("min", false, -1_000_000_000, 1_000_000_000) : Integer.valueOf(0);
        List<Integer> widths = positiveIntegers(n, "widths");
        return min == null || widths == null ? null : new HierarchySpec.Intervals(name, min, widths);
      }
      case "dates": {
        SpecNode n = node.mapping("dates", true);
        n.allowOnly(Set.of("levels"));
        List<String> levels = n.strings("levels", true);
        for (String level : levels) {
          if (!DATE_LEVELS.contains(level)) {
            n.problem("levels", "unknown date level '" + level + "'", "use month, quarter, year and decade, in that order");
            return null;
          }
        }
        return new HierarchySpec.Dates(name, levels);
      }
      case "masking": {
        SpecNode n = node.mapping("masking", true);
        n.allowOnly(Set.of("length"));
        Integer length = n.integer("length", true, 1, 64);
        return length == null ? null : new HierarchySpec.Masking(name, length);
      }
      default: {
        Object raw = node.raw("groups");
        List<Map<String, List<String>>> levels = new ArrayList<>();
        if (!(raw instanceof List<?> list) || list.isEmpty()) {
          node.problem("groups", "expected a list of levels, each mapping group names to members", "see the README");
          return null;
        }
        for (Object level : list) {
          Map<String, List<String>> groups = new LinkedHashMap<>();
          if (!(level instanceof Map<?, ?> map)) {
            node.problem("groups", "each level must map group names to lists of members", "see the README");
            return null;
          }
          for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof List<?> members)) {
              node.problem("groups", "group '" + e.getKey() + "' must list its members", "write " + e.getKey() + ": [a, b]");
              return null;
            }
            groups.put(String.valueOf(e.getKey()), members.stream().map(String::valueOf).toList());
          }
          levels.add(groups);
        }
        return new HierarchySpec.Groups(name, levels);
      }
    }
  }

  private static List<Integer> positiveIntegers(SpecNode node, String key) {
    Object raw = node.raw(key);
    if (!(raw instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(v -> v instanceof Integer i && i > 0)) {
      node.problem(key, "expected a list of positive whole numbers", "write e.g. [5, 10, 20]");
      return null;
    }
    return list.stream().map(v -> (Integer) v).toList();
  }

  static AnonymizationSpec anonymization(SpecNode node, List<ColumnSpec> released, Map<String, HierarchySpec> hierarchies) {
    node.allowOnly(Set.of("quasiIdentifiers", "sensitive", "k", "lDiversity", "tCloseness", "suppressionLimit", "metric",
        "mode", "suppressedRows", "timeBudgetSeconds", "populationSize", "riskThreshold"));
    Map<String, String> quasi = node.stringMap("quasiIdentifiers", true);
    Map<String, ColumnSpec> byOutputName = new LinkedHashMap<>();
    released.forEach(c -> byOutputName.put(c.outputName(), c));
    quasi.forEach((column, hierarchy) -> {
      if (!byOutputName.containsKey(column)) {
        node.problem("quasiIdentifiers." + column, "'" + column + "' is not a column of this output",
            "name an output column (after 'as:' renames)");
      }
      if (!hierarchies.containsKey(hierarchy)) {
        node.problem("quasiIdentifiers." + column, "hierarchy '" + hierarchy + "' is not declared",
            "declare it under hierarchies, or name one of " + hierarchies.keySet());
      }
    });
    for (ColumnSpec c : released) {
      if (c.columnClass() == ColumnClass.QUASI_IDENTIFIER && !quasi.containsKey(c.outputName())) {
        node.problem("quasiIdentifiers", "quasi-identifier '" + c.outputName() + "' of this output has no hierarchy",
            "add " + c.outputName() + ": <hierarchy> (every quasi-identifier of an anonymized output is generalized)");
      }
    }
    String sensitive = node.has("sensitive") ? node.string("sensitive", false) : null;
    if (sensitive != null && (!byOutputName.containsKey(sensitive) || quasi.containsKey(sensitive))) {
      node.problem("sensitive", "'" + sensitive + "' is not a released, non-quasi-identifier column", "name the sensitive output column");
    }
    List<PrivacyModel> models = new ArrayList<>();
    if (node.has("k")) {
      Integer k = node.integer("k", true, 2, 1_000_000);
      if (k != null) {
        models.add(new PrivacyModel.KAnonymity(k));
      }
    }
    String sensitiveHierarchy = null;
    SpecNode l = node.mapping("lDiversity", false);
    if (l != null) {
      l.allowOnly(Set.of("variant", "l", "c"));
      String variant = l.has("variant") ? l.string("variant", false) : "distinct";
      Double lValue = l.number("l", true, 2, 1_000);
      if (lValue != null && variant != null) {
        switch (variant) {
          case "distinct" -> models.add(new PrivacyModel.DistinctLDiversity((int) Math.round(lValue)));
          case "entropy" -> models.add(new PrivacyModel.EntropyLDiversity(lValue));
          case "recursive" -> {
            Double c = l.number("c", true, 0.0001, 1_000_000);
            if (c != null) {
              models.add(new PrivacyModel.RecursiveCLDiversity(c, (int) Math.round(lValue)));
            }
          }
          default -> l.problem("variant", "unknown variant '" + variant + "'", "use distinct, entropy or recursive");
        }
      }
    }
    SpecNode t = node.mapping("tCloseness", false);
    if (t != null) {
      t.allowOnly(Set.of("t", "distance", "hierarchy"));
      Double tValue = t.number("t", true, 0, 1);
      String distance = t.has("distance") ? t.string("distance", false) : "equal";
      PrivacyModel.GroundDistance ground = null;
      if (distance != null) {
        try {
          ground = PrivacyModel.GroundDistance.valueOf(distance.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          t.problem("distance", "unknown distance '" + distance + "'", "use equal, ordered or hierarchical");
        }
      }
      if (ground == PrivacyModel.GroundDistance.HIERARCHICAL) {
        sensitiveHierarchy = t.string("hierarchy", true);
        if (sensitiveHierarchy != null && !hierarchies.containsKey(sensitiveHierarchy)) {
          t.problem("hierarchy", "hierarchy '" + sensitiveHierarchy + "' is not declared", "declare it under hierarchies");
        }
      }
      if (tValue != null && ground != null) {
        models.add(new PrivacyModel.TCloseness(tValue, ground));
      }
    }
    if ((l != null || t != null) && sensitive == null) {
      node.problem("sensitive", "l-diversity and t-closeness need a sensitive column", "add sensitive: <output column>");
    }
    if (models.isEmpty() && !node.has("k") && l == null && t == null) {
      node.problem(null, "no privacy model is given", "add k, lDiversity or tCloseness");
    }
    Double limit = node.has("suppressionLimit") ? node.number("suppressionLimit", false, 0, 1) : Double.valueOf(0);
    UtilityMetric metric = UtilityMetric.LOSS;
    if (node.has("metric")) {
      String m = node.string("metric", false);
      try {
        metric = UtilityMetric.valueOf(String.valueOf(m).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        node.problem("metric", "unknown metric '" + m + "'", "use loss, discernibility, average_class_size or precision");
      }
    }
    AnonymizationSpec.Mode mode = AnonymizationSpec.Mode.GLOBAL;
    if (node.has("mode")) {
      String m = node.string("mode", false);
      if ("local".equals(m)) {
        mode = AnonymizationSpec.Mode.LOCAL;
      } else if (!"global".equals(m)) {
        node.problem("mode", "unknown mode '" + m + "'", "use global (full-domain generalization) or local (Mondrian)");
      }
    }
    boolean star = false;
    if (node.has("suppressedRows")) {
      String s = node.string("suppressedRows", false);
      star = "star".equals(s);
      if (!"star".equals(s) && !"remove".equals(s)) {
        node.problem("suppressedRows", "unknown choice '" + s + "'", "use remove or star");
      }
    }
    Integer budget = node.has("timeBudgetSeconds") ? node.integer("timeBudgetSeconds", false, 1, 86_400) : Integer.valueOf(300);
    if (limit == null || budget == null) {
      return null;
    }
    Long population = null;
    if (node.has("populationSize")) {
      Double size = node.number("populationSize", false, 1, 1e13);
      if (size != null && size != Math.rint(size)) {
        node.problem("populationSize", "must be a whole number of people, got " + size,
            "give the size of the population the records are drawn from, e.g. 1400000000");
      } else if (size != null) {
        population = size.longValue();
      }
    }
    Double threshold = node.has("riskThreshold") ? node.number("riskThreshold", false, 1e-9, 1) : null;
    return new AnonymizationSpec(quasi, sensitive, sensitiveHierarchy, models, limit, metric, mode, star, budget * 1000L,
        population, threshold);
  }
}

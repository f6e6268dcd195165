package dev.deid.privacy.anon;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Builds hierarchies for the values that occur in the data, as declared in a job spec. Every
 * hierarchy ends in '*' (fully generalized); labels are readable: {@code 30-39}, {@code 2019-Q3},
 * {@code 1000**}, a group's name.
 */
public final class HierarchyBuilders {
  private HierarchyBuilders() {}

  /**
   * Whole numbers in bands of increasing width: widths {@code [5, 10, 20]} give 32 → 30-34 → 30-39
   * → 20-39 → *. Each width must be a multiple of the previous one so that bands nest.
   */
  public static Hierarchy intervals(String attribute, Collection<String> values, long min, List<Integer> widths) {
    List<String> problems = new ArrayList<>();
    for (int i = 1; i < widths.size(); i++) {
      if (widths.get(i) % widths.get(i - 1) != 0) {
        problems.add("width " + widths.get(i) + " is not a multiple of " + widths.get(i - 1) + ", so bands would not nest");
      }
    }
    List<String[]> rows = new ArrayList<>();
    List<String> notNumbers = new ArrayList<>();
    for (String value : new TreeSet<>(values)) {
      long number;
      try {
        number = Long.parseLong(value.strip());
      } catch (NumberFormatException e) {
        notNumbers.add(value);
        continue;
      }
      String[] row = new String[widths.size() + 2];
      row[0] = value;
      for (int i = 0; i < widths.size(); i++) {
        long w = widths.get(i);
        long lower = Math.floorDiv(number - min, w) * w + min;
        row[i + 1] = lower + "-" + (lower + w - 1);
      }
      row[row.length - 1] = "*";
      rows.add(row);
    }
    if (!notNumbers.isEmpty()) {
      problems.add(notNumbers.size() + " value(s) are not whole numbers");
    }
    if (!problems.isEmpty()) {
      throw new InvalidHierarchyException(attribute, problems, notNumbers.stream().limit(10).toList());
    }
    return Hierarchy.of(attribute, rows);
  }

  /** Dates (yyyy-MM-dd) through coarser periods: month {@code 2019-07}, quarter {@code 2019-Q3}, year, decade {@code 2010s}. */
  public static Hierarchy dates(String attribute, Collection<String> values, List<String> levels) {
    List<String[]> rows = new ArrayList<>();
    List<String> notDates = new ArrayList<>();
    for (String value : new TreeSet<>(values)) {
      LocalDate date;
      try {
        date = LocalDate.parse(value.length() > 10 ? value.substring(0, 10) : value);
      } catch (DateTimeParseException e) {
        notDates.add(value);
        continue;
      }
      String[] row = new String[levels.size() + 2];
      row[0] = value;
      for (int i = 0; i < levels.size(); i++) {
        row[i + 1] = switch (levels.get(i)) {
          case "month" -> String.format("%04d-%02d", date.getYear(), date.getMonthValue());
          case "quarter" -> date.getYear() + "-Q" + ((date.getMonthValue() - 1) / 3 + 1);
          case "year" -> String.valueOf(date.getYear());
          case "decade" -> (date.getYear() / 10 * 10) + "s";
          default -> throw new InvalidHierarchyException(attribute, List.of("unknown date level '" + levels.get(i)
              + "' (use month, quarter, year, decade)"));
        };
      }
      row[row.length - 1] = "*";
      rows.add(row);
    }
    if (!notDates.isEmpty()) {
      throw new InvalidHierarchyException(attribute, List.of(notDates.size() + " value(s) are not dates (yyyy-MM-dd)"),
          notDates.stream().limit(10).toList());
    }
    return Hierarchy.of(attribute, rows);
  }

  /** Masks characters from the right, one per level: 100080 → 10008* → 1000** → … → ******. */
  public static Hierarchy maskingFromRight(String attribute, Collection<String> values, int length) {
    List<String[]> rows = new ArrayList<>();
    List<String> wrongLength = new ArrayList<>();
    for (String value : new TreeSet<>(values)) {
      if (value.length() != length) {
        wrongLength.add(value);
        continue;
      }
      String[] row = new String[length + 1];
      for (int masked = 0; masked <= length; masked++) {
        row[masked] = value.substring(0, length - masked) + "*".repeat(masked);
      }
      rows.add(row);
    }
    if (!wrongLength.isEmpty()) {
      throw new InvalidHierarchyException(attribute, List.of(wrongLength.size() + " value(s) are not " + length
          + " characters long"), wrongLength.stream().limit(10).toList());
    }
    return Hierarchy.of(attribute, rows);
  }

  /**
   * Explicit groupings: level 1 maps each group name to the original values it holds, each further
   * level maps group names to names of the level below; '*' is added on top. Every value in the
   * data must belong to a group.
   */
  public static Hierarchy groups(String attribute, Collection<String> values, List<Map<String, List<String>>> levels) {
    List<Map<String, String>> parentOf = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < levels.size(); i++) {
      Map<String, String> parent = new HashMap<>();
      for (Map.Entry<String, List<String>> group : levels.get(i).entrySet()) {
        for (String member : group.getValue()) {
          String previous = parent.put(member, group.getKey());
          if (previous != null) {
            problems.add("'" + member + "' is in both '" + previous + "' and '" + group.getKey() + "' at level " + (i + 1));
          }
        }
      }
      parentOf.add(parent);
    }
    List<String[]> rows = new ArrayList<>();
    TreeSet<String> ungrouped = new TreeSet<>();
    for (String value : new TreeSet<>(values)) {
      String[] row = new String[levels.size() + 2];
      row[0] = value;
      String current = value;
      for (int i = 0; i < levels.size() && current != null; i++) {
        current = parentOf.get(i).get(current);
        if (current == null) {
          ungrouped.add(i == 0 ? value : row[i] + " (level " + i + ")");
        }
        row[i + 1] = current;
      }
      row[row.length - 1] = "*";
      rows.add(row);
    }
    if (!ungrouped.isEmpty()) {
      problems.add(ungrouped.size() + " value(s) are not in any group");
    }
    if (!problems.isEmpty()) {
      throw new InvalidHierarchyException(attribute, problems, ungrouped.stream().limit(20).toList());
    }
    return Hierarchy.of(attribute, rows);
  }

  /** A value-or-'*' hierarchy, for attributes that are either released or suppressed. */
  public static Hierarchy suppressOnly(String attribute, Collection<String> values) {
    List<String[]> rows = new ArrayList<>();
    for (String v : new TreeSet<>(values)) {
      rows.add(new String[] {v, "*"});
    }
    return Hierarchy.of(attribute, rows);
  }
}

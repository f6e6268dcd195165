package dev.deid.privacy.anon;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * A generalization hierarchy: one row per original value, one column per level from the value
 * itself (level 0) to the most general label (level {@code height() - 1}), as in ARX's CSV format.
 * Immutable; values are encoded as the index of their row ({@link #code}).
 *
 * <p>Guarantee: levels are consistent (values that share a label at level i share it at every
 * level above i), so generalizing step by step and in one jump give the same result.
 */
public final class Hierarchy {
  private final String attribute;
  private final String[][] rows;
  private final Map<String, Integer> codes;
  /** Per level: for each row, the index of its label among that level's distinct labels. */
  private final int[][] labelIndex;
  /** Per level: the distinct labels, and how many rows (leaves) each covers. */
  private final String[][] labels;
  private final int[][] leafCounts;

  private Hierarchy(String attribute, String[][] rows) {
    this.attribute = attribute;
    this.rows = rows;
    this.codes = new HashMap<>();
    for (int r = 0; r < rows.length; r++) {
      codes.put(rows[r][0], r);
    }
    int height = rows[0].length;
    labelIndex = new int[height][rows.length];
    labels = new String[height][];
    leafCounts = new int[height][];
    for (int level = 0; level < height; level++) {
      Map<String, Integer> index = new LinkedHashMap<>();
      List<Integer> counts = new ArrayList<>();
      for (int r = 0; r < rows.length; r++) {
        String label = rows[r][level];
        Integer i = index.get(label);
        if (i == null) {
          i = index.size();
          index.put(label, i);
          counts.add(0);
        }
        counts.set(i, counts.get(i) + 1);
        labelIndex[level][r] = i;
      }
      labels[level] = index.keySet().toArray(String[]::new);
      leafCounts[level] = counts.stream().mapToInt(Integer::intValue).toArray();
    }
  }

  /**
   * Builds a hierarchy from rows (original value first), checking that every row has the same
   * number of levels, no original value repeats, and the levels are consistent.
   */
  public static Hierarchy of(String attribute, List<String[]> rows) {
    List<String> problems = new ArrayList<>();
    if (rows.isEmpty()) {
      throw new InvalidHierarchyException(attribute, List.of("the hierarchy has no rows"));
    }
    int height = rows.get(0).length;
    Map<String, Integer> seen = new HashMap<>();
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      if (row.length != height) {
        problems.add("row " + (r + 1) + " has " + row.length + " levels, the first row has " + height);
      }
      Integer earlier = seen.put(row[0], r);
      if (earlier != null) {
        problems.add("row " + (r + 1) + " repeats the original value of row " + (earlier + 1));
      }
    }
    if (problems.isEmpty()) {
      for (int level = 1; level + 1 < height; level++) {
        Map<String, String> parent = new HashMap<>();
        for (String[] row : rows) {
          String previous = parent.putIfAbsent(row[level], row[level + 1]);
          if (previous != null && !previous.equals(row[level + 1])) {
            problems.add("a level " + level + " group has two different parents at level " + (level + 1));
            break;
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidHierarchyException(attribute, problems);
    }
    return new Hierarchy(attribute, rows.toArray(String[][]::new));
  }

  /** Reads ARX's hierarchy CSV: ';' separated, '"' quoted, one row per original value. */
  public static Hierarchy readArxCsv(String attribute, Reader reader) throws IOException {
    CSVFormat format = CSVFormat.Builder.create().setDelimiter(';').setQuote('"').setIgnoreEmptyLines(true)
        .setTrim(false).build();
    List<String[]> rows = new ArrayList<>();
    for (CSVRecord record : format.parse(reader)) {
      String[] row = record.values();
      for (int i = 0; i < row.length; i++) {
        row[i] = row[i].strip();
      }
      rows.add(row);
    }
    return of(attribute, rows);
  }

  public String attribute() {
    return attribute;
  }

  /** The same hierarchy for another attribute (one file may generalize several columns). */
  public Hierarchy withAttribute(String other) {
    return other.equals(attribute) ? this : new Hierarchy(other, rows);
  }

  /** Number of levels, including level 0 (the original values). */
  public int height() {
    return rows[0].length;
  }

  /** Number of original values the hierarchy covers (ARX's domain size). */
  public int domainSize() {
    return rows.length;
  }

  /** The row of an original value, or -1 if the hierarchy does not cover it. */
  public int code(String value) {
    Integer c = codes.get(value);
    return c == null ? -1 : c;
  }

  public String value(int code) {
    return rows[code][0];
  }

  public String label(int code, int level) {
    return rows[code][level];
  }

  /** The index of a value's label among the distinct labels of {@code level}. */
  public int labelIndex(int code, int level) {
    return labelIndex[level][code];
  }

  /** For every code, its label index at {@code level}; the hierarchy's own array, callers must not modify it. */
  int[] labelIndexes(int level) {
    return labelIndex[level];
  }

  public int labelCount(int level) {
    return labels[level].length;
  }

  public String labelAt(int level, int labelIndex) {
    return labels[level][labelIndex];
  }

  /** How many original values (hierarchy rows) a label of {@code level} covers. */
  public int leafCount(int level, int labelIndex) {
    return leafCounts[level][labelIndex];
  }

  /** For each label of level {@code from}, its label index at the coarser level {@code to}. */
  public int[] rollUp(int from, int to) {
    int[] map = new int[labels[from].length];
    for (int r = 0; r < rows.length; r++) {
      map[labelIndex[from][r]] = labelIndex[to][r];
    }
    return map;
  }

  /** The values among {@code values} that the hierarchy does not cover, sorted. */
  public List<String> uncovered(Collection<String> values) {
    TreeSet<String> missing = new TreeSet<>();
    for (String v : values) {
      if (v == null || !codes.containsKey(v)) {
        missing.add(String.valueOf(v));
      }
    }
    return List.copyOf(missing);
  }

  /** The value to label map of one level, e.g. for a Spark {@code map} literal. */
  public Map<String, String> mapping(int level) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String[] row : rows) {
      map.put(row[0], row[level]);
    }
    return map;
  }

  @Override
  public String toString() {
    return "Hierarchy[" + attribute + ", " + rows.length + " values, " + height() + " levels, top "
        + Arrays.toString(labels[height() - 1]) + "]";
  }
}

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
  /**
   * What to do when two rows of a file give the same original value different generalizations.
   * Identical repeated rows are always accepted: they say the same thing twice.
   */
  public enum ConflictingRows {
    /** Refuse the file, naming the rows. */
    REFUSE,
    /** The row that comes last in the file wins, as ARX 3.9 reads such files. */
    LAST_ROW_WINS
  }

  private final String attribute;
  /** One row per distinct original value, in the order values first appear. */
  private final String[][] rows;
  /** How many rows the file had, repeated ones included: ARX's domain size, the denominator of its shares. */
  private final int fileRows;
  /** Per level, label to the number of file rows carrying it (repeated rows included, as ARX counts). */
  private final List<Map<String, Integer>> fileLeafCounts;
  private final Map<String, Integer> codes;
  /** Per level: for each row, the index of its label among that level's distinct labels. */
  private final int[][] labelIndex;
  /** Per level: the distinct labels, and how many file rows (leaves) each covers. */
  private final String[][] labels;
  private final int[][] leafCounts;

  private Hierarchy(String attribute, String[][] rows, int fileRows, List<Map<String, Integer>> fileLeafCounts) {
    this.attribute = attribute;
    this.rows = rows;
    this.fileRows = fileRows;
    this.fileLeafCounts = fileLeafCounts;
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
      for (int r = 0; r < rows.length; r++) {
        String label = rows[r][level];
        Integer i = index.get(label);
        if (i == null) {
          i = index.size();
          index.put(label, i);
        }
        labelIndex[level][r] = i;
      }
      labels[level] = index.keySet().toArray(String[]::new);
      Map<String, Integer> counts = fileLeafCounts.get(level);
      leafCounts[level] = Arrays.stream(labels[level]).mapToInt(counts::get).toArray();
    }
  }

  /**
   * Builds a hierarchy from rows (original value first), checking that every row has the same
   * number of levels, no original value has two different rows, and the levels are consistent.
   */
  public static Hierarchy of(String attribute, List<String[]> rows) {
    return of(attribute, rows, ConflictingRows.REFUSE);
  }

  /**
   * The same, with a choice for original values whose rows disagree. Shares of the domain (the
   * Loss metric) count every row of the file, repeated ones included, which is what ARX does.
   */
  public static Hierarchy of(String attribute, List<String[]> rows, ConflictingRows conflicting) {
    List<String> problems = new ArrayList<>();
    List<String> examples = new ArrayList<>();
    if (rows.isEmpty()) {
      throw new InvalidHierarchyException(attribute, List.of("the hierarchy has no rows"));
    }
    int height = rows.get(0).length;
    Map<String, Integer> firstRow = new HashMap<>();
    Map<String, String[]> effective = new LinkedHashMap<>();
    for (int r = 0; r < rows.size(); r++) {
      String[] row = rows.get(r);
      if (row.length != height) {
        problems.add("row " + (r + 1) + " has " + row.length + " levels, the first row has " + height);
        continue;
      }
      Integer earlier = firstRow.putIfAbsent(row[0], r);
      String[] previous = effective.get(row[0]);
      if (previous != null && !Arrays.equals(previous, row) && conflicting == ConflictingRows.REFUSE) {
        problems.add("rows " + (earlier + 1) + " and " + (r + 1) + " give one original value two different generalizations");
        examples.add(row[0]);
        continue;
      }
      effective.put(row[0], row);
    }
    if (problems.isEmpty()) {
      for (int level = 1; level + 1 < height; level++) {
        Map<String, String> parent = new HashMap<>();
        for (String[] row : effective.values()) {
          String previous = parent.putIfAbsent(row[level], row[level + 1]);
          if (previous != null && !previous.equals(row[level + 1])) {
            problems.add("a level " + level + " group has two different parents at level " + (level + 1));
            break;
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidHierarchyException(attribute, problems, examples);
    }
    List<Map<String, Integer>> fileLeafCounts = new ArrayList<>();
    for (int level = 0; level < height; level++) {
      Map<String, Integer> counts = new HashMap<>();
      for (String[] row : rows) {
        counts.merge(row[level], 1, Integer::sum);
      }
      fileLeafCounts.add(Map.copyOf(counts));
    }
    return new Hierarchy(attribute, effective.values().toArray(String[][]::new), rows.size(), List.copyOf(fileLeafCounts));
  }

  /** Reads ARX's hierarchy CSV: ';' separated, '"' quoted, one row per original value. */
  public static Hierarchy readArxCsv(String attribute, Reader reader) throws IOException {
    return readArxCsv(attribute, reader, ConflictingRows.REFUSE);
  }

  /** The same, with a choice for original values whose rows disagree. */
  public static Hierarchy readArxCsv(String attribute, Reader reader, ConflictingRows conflicting) throws IOException {
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
    return of(attribute, rows, conflicting);
  }

  public String attribute() {
    return attribute;
  }

  /** The same hierarchy for another attribute (one file may generalize several columns). */
  public Hierarchy withAttribute(String other) {
    return other.equals(attribute) ? this : new Hierarchy(other, rows, fileRows, fileLeafCounts);
  }

  /** Number of levels, including level 0 (the original values). */
  public int height() {
    return rows[0].length;
  }

  /** Number of distinct original values the hierarchy covers; codes run from 0 to this, exclusive. */
  public int valueCount() {
    return rows.length;
  }

  /**
   * ARX's domain size: the number of rows of the file, repeated rows included. A label's share of
   * the domain is {@link #leafCount} over this; without repeated rows it equals {@link #valueCount()}.
   */
  public int domainSize() {
    return fileRows;
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

  /** How many rows of the file a label of {@code level} covers (ARX's count, repeated rows included). */
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

package dev.deid.privacy.anon;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Adult test fixture: records and ARX's hierarchies, read without Spark. */
final class AdultData {
  static final String[] QUASI_IDENTIFIERS = {"sex", "age", "race", "marital-status", "education", "native-country",
      "workclass", "occupation"};
  static final List<String[]> RECORDS = records();

  private AdultData() {}

  static Hierarchy hierarchy(String attribute) {
    try (Reader r = new InputStreamReader(AdultData.class.getResourceAsStream("/adult/adult_hierarchy_" + attribute + ".csv"),
        StandardCharsets.UTF_8)) {
      return Hierarchy.readArxCsv(attribute, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Hierarchy[] hierarchies() {
    Hierarchy[] h = new Hierarchy[QUASI_IDENTIFIERS.length];
    for (int i = 0; i < h.length; i++) {
      h[i] = hierarchy(QUASI_IDENTIFIERS[i]);
    }
    return h;
  }

  private static List<String[]> records() {
    try (var in = AdultData.class.getResourceAsStream("/adult/adult.csv")) {
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\r?\n");
      List<String[]> rows = new ArrayList<>();
      for (int i = 1; i < lines.length; i++) {
        rows.add(lines[i].split(";", -1));
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Distinct (quasi-identifier tuple, salary-class) rows with counts; the salary class is column 8. */
  static TupleHistogram histogram(boolean withSensitive) {
    Map<List<String>, Long> counts = new LinkedHashMap<>();
    for (String[] r : RECORDS) {
      List<String> key = new ArrayList<>(List.of(r).subList(0, 8));
      if (withSensitive) {
        key.add(r[8]);
      }
      counts.merge(key, 1L, Long::sum);
    }
    TupleHistogram.Builder b = TupleHistogram.builder(hierarchies(), withSensitive);
    counts.forEach((key, count) -> b.add(key.subList(0, 8).toArray(String[]::new), withSensitive ? key.get(8) : null, count));
    return b.build();
  }
}

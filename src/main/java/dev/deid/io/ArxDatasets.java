package dev.deid.io;

import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.anon.TupleHistogram;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a dataset in the layout of ARX's benchmark data ({@code <name>.csv} with a header row and
 * {@code <name>_hierarchy_<column>.csv} per quasi-identifier, ';' separated) into a histogram,
 * without Spark: for the lattice benchmark and the tests that compare with ARX. Every column with a
 * hierarchy file is a quasi-identifier, as in ARX's benchmarks. Hierarchy files are read as ARX
 * reads them: the last of conflicting rows wins.
 */
public final class ArxDatasets {
  private ArxDatasets() {}

  /** A dataset's quasi-identifier columns, hierarchies and distinct tuples with counts. */
  public record Dataset(String name, List<String> quasiIdentifiers, Hierarchy[] hierarchies, TupleHistogram histogram,
      long records) {}

  /**
   * Reads {@code directory/<file>.csv}; {@code file} defaults to the directory's name with
   * {@code _int} when such a file exists (fars_int.csv), else the directory's name.
   */
  public static Dataset read(Path directory) {
    String base = directory.getFileName().toString();
    String file = Files.exists(directory.resolve(base + "_int.csv")) ? base + "_int" : base;
    try {
      List<String> lines = Files.readAllLines(directory.resolve(file + ".csv"), StandardCharsets.UTF_8);
      String[] header = lines.get(0).strip().split(";", -1);
      List<Integer> columns = new ArrayList<>();
      List<String> names = new ArrayList<>();
      List<Hierarchy> hierarchies = new ArrayList<>();
      for (int c = 0; c < header.length; c++) {
        Path h = directory.resolve(file + "_hierarchy_" + header[c] + ".csv");
        if (Files.exists(h)) {
          try (Reader reader = Files.newBufferedReader(h, StandardCharsets.UTF_8)) {
            hierarchies.add(Hierarchy.readArxCsv(header[c], reader, Hierarchy.ConflictingRows.LAST_ROW_WINS));
          }
          columns.add(c);
          names.add(header[c]);
        }
      }
      Map<List<String>, Long> counts = new LinkedHashMap<>();
      long records = 0;
      for (int i = 1; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty()) {
          continue;
        }
        String[] values = line.split(";", -1);
        List<String> key = new ArrayList<>(columns.size());
        for (int c : columns) {
          key.add(values[c].strip());
        }
        counts.merge(key, 1L, Long::sum);
        records++;
      }
      Hierarchy[] h = hierarchies.toArray(Hierarchy[]::new);
      TupleHistogram.Builder builder = TupleHistogram.builder(h, false);
      counts.forEach((key, count) -> builder.add(key.toArray(String[]::new), null, count));
      return new Dataset(base, List.copyOf(names), h, builder.build(), records);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the ARX dataset in " + directory, e);
    }
  }
}

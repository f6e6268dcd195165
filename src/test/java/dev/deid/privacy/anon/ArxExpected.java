package dev.deid.privacy.anon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** ARX 3.9.2's results on Adult, kept as data (src/test/resources/arx) for every test that compares with them. */
public record ArxExpected(int k, double suppression, List<Integer> levels, double loss, long suppressed, int classes) {
  public static List<ArxExpected> adult() {
    try {
      return Files.readAllLines(Path.of("src/test/resources/arx/adult_expected.csv")).stream()
          .filter(line -> !line.startsWith("#") && !line.startsWith("k,") && !line.isBlank())
          .map(line -> line.split(","))
          .map(f -> new ArxExpected(Integer.parseInt(f[0]), Double.parseDouble(f[1]),
              Arrays.stream(f[2].trim().split(" ")).map(Integer::valueOf).toList(), Double.parseDouble(f[3]),
              Long.parseLong(f[4]), Integer.parseInt(f[5])))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ArxExpected adult(int k, double suppression) {
    return adult().stream().filter(e -> e.k() == k && e.suppression() == suppression).findFirst().orElseThrow();
  }

  public int[] levelArray() {
    return levels.stream().mapToInt(Integer::intValue).toArray();
  }
}

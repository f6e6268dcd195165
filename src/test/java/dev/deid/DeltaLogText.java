package dev.deid;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.functions;

/** Everything a Delta table's log says, as text: commits and checksums as written, checkpoints and sidecars row by row as JSON. */
public final class DeltaLogText {
  private DeltaLogText() {}

  public static String of(String table) throws IOException {
    StringBuilder text = new StringBuilder();
    List<String> parquet = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of(table, "_delta_log"))) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        if (file.getFileName().toString().endsWith(".parquet")) {
          parquet.add(file.toString());
        } else if (!file.getFileName().toString().startsWith(".")) {
          text.append(Files.readString(file)).append('\n');
        }
      }
    }
    if (!parquet.isEmpty()) {
      TestSpark.session().read().option("mergeSchema", "true").parquet(parquet.toArray(String[]::new))
          .select(functions.to_json(functions.struct(functions.col("*")))).as(Encoders.STRING()).collectAsList()
          .forEach(row -> text.append(row).append('\n'));
    }
    return text.toString();
  }
}

package dev.deid.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import scala.Option;

/**
 * A Delta table's log as a place where deleted data can hide: every commit keeps the statistics
 * (first 32 characters of the min and max of each column) of the files it added, and the checksum
 * files repeat them, so a row deleted and vacuumed is still readable there. {@link #forgetHistory}
 * checkpoints the current version and removes every log file of an earlier one; {@link #traces}
 * proves the result by reading every file left under {@code _delta_log}.
 */
final class DeltaLogs {
  private static final Pattern VERSIONED = Pattern.compile("^\\.?(\\d{20})\\..*");

  private DeltaLogs() {}

  /**
   * Writes a checkpoint of the current version, then deletes every log file (commit, checksum,
   * checkpoint, staged or compacted commit) of an earlier version, so that neither time travel nor
   * a reader of the log reaches a deleted row. Assumes, like a zero-hour VACUUM, that no other
   * writer is committing meanwhile. Returns the number of files removed.
   */
  static int forgetHistory(SparkSession spark, String path) {
    DeltaLog log = DeltaLog.forTable(spark, new Path(path));
    Snapshot snapshot = log.update(false, Option.empty(), Option.empty());
    long version = snapshot.version();
    if (version <= 0) {
      return 0;
    }
    log.checkpoint(snapshot, Option.empty());
    int removed = 0;
    try {
      FileSystem fs = log.logPath().getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (LocatedFileStatus file : list(fs, log.logPath())) {
        Long fileVersion = versionOf(file.getPath().getName());
        if (fileVersion != null && fileVersion < version && fs.delete(file.getPath(), false)) {
          removed++;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot remove the earlier log entries of " + path, e);
    }
    DeltaLog.invalidateCache(spark, new Path(path));
    return removed;
  }

  /**
   * Reads every file under the table's log (commits and checksums as JSON, checkpoints and
   * sidecars through Spark) and checks each statistic and partition value of a text, date or
   * integer column against the table's current rows: each must be a value (or, if truncated, a
   * prefix of a value) some row still holds. Statistics of other types are not checked.
   */
  static TableStore.LogTraces traces(SparkSession spark, String path, Dataset<Row> current) {
    LogValues values = new LogValues();
    int scanned = 0;
    int earlier = 0;
    try {
      Path logPath = new Path(new Path(path), "_delta_log");
      FileSystem fs = logPath.getFileSystem(spark.sparkContext().hadoopConfiguration());
      long checkpoint = DeltaLog.forTable(spark, new Path(path)).update(false, Option.empty(), Option.empty())
          .logSegment().checkpointProvider().version();
      List<String> parquet = new ArrayList<>();
      for (LocatedFileStatus file : list(fs, logPath)) {
        String name = file.getPath().getName();
        if (name.startsWith(".")) {
          continue; // a Hadoop checksum of another file
        }
        scanned++;
        Long fileVersion = versionOf(name);
        if (fileVersion != null && fileVersion < checkpoint) {
          earlier++;
        }
        if (name.endsWith(".parquet")) {
          parquet.add(file.getPath().toString());
        } else if (name.endsWith(".crc")) {
          values.addJson(read(fs, file.getPath()));
        } else if (name.endsWith(".json")) {
          for (String line : read(fs, file.getPath()).split("\n")) {
            if (!line.isBlank()) {
              values.addJson(line);
            }
          }
        }
      }
      if (!parquet.isEmpty()) {
        // A checkpoint and its sidecars have different columns; one file needs no merge.
        Dataset<Row> rows = spark.read().option("mergeSchema", String.valueOf(parquet.size() > 1))
            .parquet(parquet.toArray(String[]::new));
        for (String json : rows.select(functions.to_json(functions.struct(functions.col("*")))).as(
            Encoders.STRING()).collectAsList()) {
          values.addJson(json);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the log of " + path, e);
    }
    return missingFromTable(current, values, scanned, earlier);
  }

  private static TableStore.LogTraces missingFromTable(Dataset<Row> current, LogValues values, int scanned, int earlier) {
    Map<String, StructField> fields = new HashMap<>();
    for (StructField f : current.schema().fields()) {
      fields.put(f.name(), f);
    }
    List<String> columns = new ArrayList<>();
    List<Set<String>> exact = new ArrayList<>();
    List<Set<String>> prefixes = new ArrayList<>();
    List<Column> aggregates = new ArrayList<>();
    for (Map.Entry<String, Set<String>> entry : values.byColumn().entrySet()) {
      StructField field = fields.get(entry.getKey());
      if (field == null || !checked(field.dataType())) {
        continue;
      }
      Set<String> whole = new TreeSet<>();
      Set<String> prefix = new TreeSet<>();
      for (String v : entry.getValue()) {
        (LogValues.isPrefix(v) ? prefix : whole).add(LogValues.comparable(v));
      }
      Column text = functions.col("`" + field.name().replace("`", "``") + "`").cast("string");
      Column head = functions.substring(text, 1, LogValues.STRING_PREFIX);
      aggregates.add(functions.collect_set(functions.when(text.isin(whole.toArray()), text)));
      aggregates.add(functions.collect_set(functions.when(head.isin(prefix.toArray()), head)));
      columns.add(field.name());
      exact.add(whole);
      prefixes.add(prefix);
    }
    if (aggregates.isEmpty()) {
      return new TableStore.LogTraces(scanned, earlier, 0, List.of());
    }
    Row found = current.agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new)).first();
    long missing = 0;
    List<String> traced = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Set<String> absentWhole = new TreeSet<>(exact.get(i));
      absentWhole.removeAll(found.getList(2 * i));
      Set<String> absentPrefix = new TreeSet<>(prefixes.get(i));
      absentPrefix.removeAll(found.getList(2 * i + 1));
      long n = absentWhole.size() + absentPrefix.size();
      if (n > 0) {
        missing += n;
        traced.add(columns.get(i));
      }
    }
    return new TableStore.LogTraces(scanned, earlier, missing, traced);
  }

  private static boolean checked(DataType type) {
    return type.equals(DataTypes.StringType) || type.equals(DataTypes.DateType) || type.equals(DataTypes.LongType)
        || type.equals(DataTypes.IntegerType) || type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType);
  }

  /** The version a log file belongs to, from its name, or null for files of no version ({@code _last_checkpoint}, sidecars). */
  static Long versionOf(String fileName) {
    Matcher m = VERSIONED.matcher(fileName);
    return m.matches() ? Long.parseLong(m.group(1)) : null;
  }

  private static List<LocatedFileStatus> list(FileSystem fs, Path dir) throws IOException {
    List<LocatedFileStatus> files = new ArrayList<>();
    if (!fs.exists(dir)) {
      return files;
    }
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
    while (it.hasNext()) {
      files.add(it.next());
    }
    return files;
  }

  private static String read(FileSystem fs, Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

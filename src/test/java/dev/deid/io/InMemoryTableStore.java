package dev.deid.io;

import dev.deid.config.VacuumPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A test-only table store holding table properties in memory: enough for stages that decide from
 * metadata (key continuity) without Spark. Anything that needs rows fails loudly, so a test cannot
 * pass by silently skipping data.
 */
public final class InMemoryTableStore implements TableStore {
  private final Map<String, Map<String, String>> properties = new HashMap<>();

  private final Map<String, Map<String, String>> extracts = new HashMap<>();

  public InMemoryTableStore table(String path, Map<String, String> tableProperties) {
    properties.put(path, new HashMap<>(tableProperties));
    return this;
  }

  /** A delivered partner extract whose manifest holds these text fields. */
  public InMemoryTableStore extract(String path, Map<String, String> manifest) {
    extracts.put(path, new HashMap<>(manifest));
    return this;
  }

  @Override
  public String register(String namespace, String name, String path) {
    return namespace + "." + name;
  }

  @Override
  public Map<String, String> extractProperties(String extract) {
    return extracts.containsKey(extract) ? Map.copyOf(extracts.get(extract)) : null;
  }

  @Override
  public boolean exists(String path) {
    return properties.containsKey(path);
  }

  @Override
  public Map<String, String> properties(String path) {
    return Map.copyOf(properties.get(path));
  }

  @Override
  public void setProperties(String path, Map<String, String> added) {
    properties.get(path).putAll(added);
  }

  @Override
  public String tableId(String path) {
    return "id-" + path;
  }

  @Override
  public String qualifiedLocation(String path) {
    return "mem:" + path;
  }

  @Override
  public String qualifiedPath(String path) {
    return "mem:" + path;
  }

  private static UnsupportedOperationException rows() {
    return new UnsupportedOperationException("the in-memory store holds no rows");
  }

  @Override
  public SparkSession spark() {
    throw rows();
  }

  @Override
  public long latestVersion(String path) {
    throw rows();
  }

  @Override
  public Dataset<Row> read(String path) {
    throw rows();
  }

  @Override
  public Dataset<Row> read(String path, long version) {
    throw rows();
  }

  @Override
  public long delete(String path, Column condition) {
    throw rows();
  }

  @Override
  public long deleteMatching(String path, String column, Dataset<Row> keys) {
    throw rows();
  }

  @Override
  public void vacuum(String path, VacuumPolicy policy) {
    throw rows();
  }

  @Override
  public DataFiles dataFilesOnDisk(String path) {
    throw rows();
  }

  @Override
  public LogTraces logTraces(String path) {
    throw rows();
  }

  @Override
  public long replace(String path, Dataset<Row> data, Map<String, String> tableProperties) {
    throw rows();
  }

  @Override
  public long restore(String path, long version) {
    throw rows();
  }

  @Override
  public long lastOutputRows(String path) {
    throw rows();
  }

  @Override
  public void append(String path, Dataset<Row> rows) {
    throw rows();
  }
}

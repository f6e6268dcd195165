package dev.deid.config;

import java.util.Map;

/**
 * A raw Delta table and the classification of every one of its columns. {@code columns} keeps the
 * spec's order. {@code subjectColumn} holds the data subject's id (used for consent and erasure).
 */
public record SourceSpec(
    String name, String table, String subjectColumn, RetentionSpec retention, Map<String, ColumnSpec> columns) {

  public String path() {
    return "sources." + name;
  }
}

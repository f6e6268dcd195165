package dev.deid.config;

import java.util.List;
import java.util.Map;

/**
 * A raw Delta table and the classification of every one of its columns. {@code columns} keeps the
 * spec's order. {@code subjectColumn} holds the data subject's id (used for consent and erasure);
 * {@code subjectAliases} are other columns the spec declares as identifying the same person one to
 * one (e.g. a hashed e-mail), which may serve as a DP release's privacy unit.
 */
public record SourceSpec(
    String name, String table, String subjectColumn, List<String> subjectAliases, RetentionSpec retention,
    Map<String, ColumnSpec> columns) {

  public SourceSpec {
    subjectAliases = List.copyOf(subjectAliases);
    columns = Copies.orderedMap(columns);
  }

  /** Whether {@code column} identifies the data subject: the subject column or a declared alias of it. */
  public boolean identifiesSubject(String column) {
    return column.equals(subjectColumn) || subjectAliases.contains(column);
  }

  public String path() {
    return "sources." + name;
  }
}

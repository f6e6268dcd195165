package dev.deid.config;

import java.util.Map;

/** Where consent lives: a source whose boolean columns say, per purpose, who consented. */
public record ConsentSpec(String source, String subjectColumn, Map<String, String> purposeColumns) {
  public ConsentSpec {
    purposeColumns = Copies.orderedMap(purposeColumns);
  }
}

package dev.deid.config;

/** Delta tables for analysts; Parquet or CSV extracts for partners. */
public enum OutputFormat {
  DELTA, PARQUET, CSV;

  static OutputFormat fromYaml(String value) {
    for (OutputFormat f : values()) {
      if (f.name().equalsIgnoreCase(value)) {
        return f;
      }
    }
    return null;
  }
}

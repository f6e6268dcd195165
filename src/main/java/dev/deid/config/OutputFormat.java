package dev.deid.config;

/** Delta tables for analysts; Parquet or CSV extracts for partners. */
public enum OutputFormat {
  DELTA, PARQUET, CSV;

  /**
   * The format a spec node asks for in its {@code format} field, or its audience's default;
   * null, with the problem recorded, for an unknown one.
   */
  static OutputFormat of(SpecNode node, String audience) {
    if (!node.has("format")) {
      return Audience.isValid(audience) ? Audience.of(audience).defaultFormat() : DELTA;
    }
    String name = node.string("format", false);
    OutputFormat format = name == null ? null : fromYaml(name);
    if (name != null && format == null) {
      node.problem("format", "unknown format '" + name + "'", "use delta, parquet or csv");
    }
    return format;
  }

  static OutputFormat fromYaml(String value) {
    for (OutputFormat f : values()) {
      if (f.name().equalsIgnoreCase(value)) {
        return f;
      }
    }
    return null;
  }
}

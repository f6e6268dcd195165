package dev.deid.config;

/** The sensitivity class of a raw column; it limits which transforms the column may take. */
public enum ColumnClass {
  DIRECT_IDENTIFIER("direct_identifier"),
  QUASI_IDENTIFIER("quasi_identifier"),
  SENSITIVE("sensitive"),
  INSENSITIVE("insensitive");

  private final String yamlName;

  ColumnClass(String yamlName) {
    this.yamlName = yamlName;
  }

  public String yamlName() {
    return yamlName;
  }

  static ColumnClass fromYaml(String value) {
    for (ColumnClass c : values()) {
      if (c.yamlName.equals(value)) {
        return c;
      }
    }
    return null;
  }
}

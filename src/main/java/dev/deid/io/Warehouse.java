package dev.deid.io;

import dev.deid.config.OutputSpec;

/**
 * Where everything lives, relative to one root (a local path or any Hadoop file system URI):
 * {@code raw/} holds the raw Delta tables, {@code analysts/} the minimized Delta tables,
 * {@code partners/<partner>/} the extracts, {@code reports/<job>/} the run reports and
 * {@code _deid/audit} the audit table. This is the only class that builds paths.
 */
public record Warehouse(String root) {

  public Warehouse {
    root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
  }

  /** A raw table: a bare name lives under {@code raw/}; a path or URI is taken as it is. */
  public String rawTable(String table) {
    return table.contains("/") || table.contains(":") ? table : root + "/raw/" + table;
  }

  public String output(OutputSpec output) {
    if (output.forPartner()) {
      return root + "/partners/" + output.audience().substring("partner:".length()) + "/" + output.name();
    }
    return root + "/analysts/" + output.name();
  }

  public String release(dev.deid.config.ReleaseSpec release) {
    if (release.forPartner()) {
      return root + "/partners/" + release.audience().substring("partner:".length()) + "/" + release.name();
    }
    return root + "/analysts/" + release.name();
  }

  public String budgetLedger() {
    return root + "/_deid/privacy_budget";
  }

  public String auditTable() {
    return root + "/_deid/audit";
  }

  public String reportDirectory(String job) {
    return root + "/reports/" + job;
  }
}

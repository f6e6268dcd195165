package dev.deid.io;

import dev.deid.config.Audience;
import dev.deid.config.OutputSpec;
import dev.deid.config.ReleaseSpec;
import dev.deid.errors.Errors;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;

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

  /** Refuses, as a user mistake, a root whose scheme no configured Hadoop file system serves. */
  public void requireFileSystem(Configuration conf) {
    try {
      new org.apache.hadoop.fs.Path(root).getFileSystem(conf);
    } catch (IOException | IllegalArgumentException e) {
      throw Errors.unusableWarehouse(root, e.getClass().getSimpleName());
    }
  }

  /** Whether the root is on this machine's file system (a path, or a {@code file:} URI). */
  public boolean isLocal() {
    return !root.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") || root.startsWith("file:");
  }

  /** The embedded catalog's metastore of a local warehouse: kept when the demo resets its tables. */
  public String catalog() {
    String local = root.startsWith("file:") ? URI.create(root).getPath() : root;
    return java.nio.file.Path.of(local).toAbsolutePath().normalize() + "/" + CATALOG;
  }

  public static final String CATALOG = "_catalog";

  /** A raw table: a bare name lives under {@code raw/}; a path or URI is taken as it is. */
  public String rawTable(String table) {
    return table.contains("/") || table.contains(":") ? table : root + "/raw/" + table;
  }

  public String output(OutputSpec output) {
    return published(output.audience(), output.name());
  }

  public String release(ReleaseSpec release) {
    return published(release.audience(), release.name());
  }

  /** Where a partner's signed recall lists go, beside its extracts (no output name starts with '_'). */
  public String recalls(String partner) {
    return inZone("partners", partner) + "/_recalls";
  }

  /** An output's or release's location: {@code analysts/<name>} or {@code partners/<partner>/<name>}. */
  private String published(String audience, String name) {
    Audience parsed = Audience.of(audience);
    if (parsed.isPartner()) {
      return inZone("partners", parsed.partner(), name);
    }
    return inZone("analysts", name);
  }

  /**
   * A location under a zone, built only from plain names: a name that could climb out of its zone
   * ({@code ..}, a separator, a scheme) is refused here whatever the loader let through, so no
   * computed location can point at a raw table or the job's own tables.
   */
  private String inZone(String zone, String... names) {
    StringBuilder path = new StringBuilder(root).append('/').append(zone);
    for (String name : names) {
      if (!SAFE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("Cannot place '" + name + "' under " + zone + "/: names of outputs, releases "
            + "and partners must be lower-case letters, digits, _ or -, starting with a letter or digit");
      }
      path.append('/').append(name);
    }
    return path.toString();
  }

  private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,127}");

  /**
   * The zone of the job's own tables ({@code analysts}, {@code partners}, {@code reports},
   * {@code _deid}) that {@code location} lies in, or null: a raw source there would let a spec
   * delete ledger or audit rows, or feed one output from another.
   */
  public String jobZoneOf(String location) {
    String at = normalized(location);
    for (String zone : JOB_ZONES) {
      String prefix = normalized(root + "/" + zone);
      if (at.equals(prefix) || at.startsWith(prefix + "/")) {
        return zone;
      }
    }
    return null;
  }

  private static final List<String> JOB_ZONES = List.of("analysts", "partners", "reports", "_deid");

  /** Absolute and without {@code .} or {@code ..} segments, scheme kept: local paths and URIs alike. */
  private static String normalized(String location) {
    URI uri = new org.apache.hadoop.fs.Path(location).toUri();
    if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
      return "file:" + java.nio.file.Path.of(uri.getPath()).toAbsolutePath().normalize();
    }
    return uri.normalize().toString().replaceAll("/+$", "");
  }

  public String budgetLedger() {
    return root + "/_deid/privacy_budget";
  }

  public String auditTable() {
    return root + "/_deid/audit";
  }

  /** Erasures begun and not yet finished (see {@link ErasureJournal}). */
  public String erasureJournal() {
    return root + "/_deid/erasure_journal";
  }

  public String reportDirectory(String job) {
    return inZone("reports", job);
  }
}

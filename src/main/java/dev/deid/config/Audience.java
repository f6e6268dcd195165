package dev.deid.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Who receives an output or a release: {@code analysts}, or one partner ({@code partner:<name>}).
 * The one place that parses the text form: an audience selects its pseudonymization key (by
 * environment variable or key file), its zone in the warehouse and its default format.
 */
public record Audience(String name, String partner) {
  private static final Pattern TEXT = Pattern.compile("analysts|partner:[a-z][a-z0-9_-]{0,62}");
  private static final String PARTNER = "partner:";

  /** Whether {@code text} names an audience. */
  public static boolean isValid(String text) {
    return text != null && TEXT.matcher(text).matches();
  }

  /** The audience {@code text} names; call only on text {@link #isValid} accepted (the loader checks every one). */
  public static Audience of(String text) {
    if (!isValid(text)) {
      throw new IllegalArgumentException("Invalid audience: '" + text + "' (must be analysts or partner:<name>)");
    }
    return new Audience(text, text.startsWith(PARTNER) ? text.substring(PARTNER.length()) : null);
  }

  public boolean isPartner() {
    return partner != null;
  }

  /** Delta tables for analysts, Parquet extracts for partners, unless the spec says otherwise. */
  public OutputFormat defaultFormat() {
    return isPartner() ? OutputFormat.PARQUET : OutputFormat.DELTA;
  }

  /** DEID_KEY_ANALYSTS, DEID_KEY_PARTNER_ACME, … */
  public String keyEnvironmentVariable() {
    return "DEID_KEY_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** analysts.key, partner_acme.key, … */
  public String keyFileName() {
    return name.replaceAll("[^a-z0-9_-]", "_") + ".key";
  }

  /** The catalog namespace of this audience's Delta tables: analysts, partner_acme, … */
  public String catalogNamespace() {
    return name.replaceAll("[^a-z0-9_]", "_");
  }

  @Override
  public String toString() {
    return name;
  }
}

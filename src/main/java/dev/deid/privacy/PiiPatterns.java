package dev.deid.privacy;

import java.util.List;

/**
 * Patterns of personal data that turn up in free text, as Java regular expressions (which Spark's
 * {@code regexp_replace} also uses), each with the placeholder that replaces a match. Resident IDs
 * come before mobile numbers, and mobile numbers (with an optional +86) before card numbers,
 * because the longer patterns contain runs the shorter ones would match.
 */
public final class PiiPatterns {
  public record Pattern(String name, String regex, String placeholder) {}

  public static final List<Pattern> ALL = List.of(
      new Pattern("email", "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}", "<email>"),
      new Pattern("resident_id", "(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])", "<resident-id>"),
      new Pattern("mobile", "(?<![0-9])(?:\\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])", "<phone>"),
      new Pattern("card_number", "(?<![0-9])(?:[0-9][ -]?){12,18}[0-9](?![0-9])", "<card-number>"));

  private PiiPatterns() {}

  /** The text with every pattern replaced, for use outside Spark (tests, reports). */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String result = text;
    for (Pattern p : ALL) {
      result = result.replaceAll(p.regex(), p.placeholder());
    }
    return result;
  }
}

package dev.deid.privacy;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Patterns of personal data that turn up in free text, as Java regular expressions (which Spark's
 * {@code regexp_replace} also uses), each with the placeholder that replaces a match, in the order
 * they are applied: e-mail addresses first (they hold digits and dots), IPv6 before the numbers
 * its groups contain, resident IDs before mobile numbers, mobile numbers before card numbers and
 * card numbers before landlines, because the longer patterns contain runs the shorter ones would
 * match. A Chinese address takes the place name written before it too (寄到北京市… → <address>).
 * Separators people type (spaces, dashes, a +86 or 0086 prefix, brackets round an area code) are
 * part of each pattern: redaction errs towards removing too much.
 *
 * <p>{@link #detect} is stricter, for the publish-time leak guard, where a hit stops a run: a
 * resident ID must carry a valid check character, a card number must pass the Luhn check.
 */
public final class PiiPatterns {
  public record Pattern(String name, String regex, String placeholder) {
    java.util.regex.Pattern compiled() {
      return java.util.regex.Pattern.compile(regex);
    }
  }

  private static final String SEP = "[ -]?";
  private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
  private static final String HEX = "[0-9A-Fa-f]{1,4}";

  public static final Pattern EMAIL = new Pattern("email",
      "[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}", "<email>");
  public static final Pattern IPV6 = new Pattern("ipv6",
      "(?<![0-9A-Fa-f:])(?:(?:" + HEX + ":){7}" + HEX + "|(?:" + HEX + ":){1,7}:(?:" + HEX + "(?::" + HEX + "){0,6})?|::(?:"
          + HEX + "(?::" + HEX + "){0,6}))(?![0-9A-Fa-f:])", "<ip>");
  public static final Pattern RESIDENT_ID = new Pattern("resident_id",
      "(?<![0-9A-Za-z])[1-9][0-9]{5}" + SEP + "(?:18|19|20)[0-9]{2}" + SEP + "(?:0[1-9]|1[0-2])" + SEP
          + "(?:0[1-9]|[12][0-9]|3[01])" + SEP + "[0-9]{3}[0-9Xx](?![0-9A-Za-z])", "<resident-id>");
  public static final Pattern MOBILE = new Pattern("mobile",
      "(?<![0-9])(?:(?:\\+|00)86" + SEP + ")?1[3-9][0-9](?:" + SEP + "[0-9]{4}){2}(?![0-9])", "<phone>");
  /** An area code (with its 0, or without it after +86), then seven or eight digits grouped as people group them. */
  public static final Pattern LANDLINE = new Pattern("landline",
      "(?<![0-9])(?:(?:\\+|00)86" + SEP + "\\(?[1-9][0-9]{1,2}\\)?|\\(0[1-9][0-9]{1,2}\\)|0[1-9][0-9]{1,2})" + SEP
          + "[2-9](?:[0-9]{2,3}" + SEP + "[0-9]{4}|[0-9]{3}" + SEP + "[0-9]{3})(?![0-9])", "<phone>");
  public static final Pattern CARD_NUMBER = new Pattern("card_number",
      "(?<![0-9])(?:[0-9]" + SEP + "){12,18}[0-9](?![0-9])", "<card-number>");
  public static final Pattern IPV4 = new Pattern("ipv4",
      "(?<![0-9.])" + OCTET + "(?:\\." + OCTET + "){3}(?![0-9]|\\.[0-9])", "<ip>");
  /** Street addresses: Chinese (…路/街/巷 + 号) and English (number, words, a street type). Free-form, so best effort. */
  public static final Pattern ADDRESS = new Pattern("address",
      "(?:[\\p{IsHan}]{2,9}(?:省|自治区|市))?(?:[\\p{IsHan}]{1,9}(?:市|区|县|镇))?[\\p{IsHan}A-Za-z0-9]{1,12}"
          + "(?:路|街|大道|巷|胡同|里)[0-9]{1,5}(?:号|號)(?:[0-9]{1,5}(?:室|楼|单元|栋))*"
          + "|(?<![0-9])[0-9]{1,5}[A-Za-z]?(?: [A-Z][a-z]+){1,3} (?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|"
          + "Drive|Dr|Parkway|Pkwy|Way|Court|Ct|Place|Pl)\\b\\.?",
      "<address>");

  /**
   * A Chinese passport number (E or G and eight digits, or a service passport's D/S/P and seven),
   * recognized only as a whole value (discover): in free text it is too like an order code.
   */
  public static final Pattern PASSPORT = new Pattern("passport", "[EeGg][0-9]{8}|[DdSsPp][0-9]{7}", "<passport>");

  public static final List<Pattern> ALL = List.of(EMAIL, IPV6, RESIDENT_ID, MOBILE, CARD_NUMBER, LANDLINE, IPV4, ADDRESS);

  /** What the leak guard checks an output column for: raw identifier values of its source, and these patterns. */
  public static final List<String> LEAK_CHECKS = List.of("raw_identifier", EMAIL.name(), RESIDENT_ID.name(), MOBILE.name(),
      LANDLINE.name(), CARD_NUMBER.name(), IPV4.name(), IPV6.name());

  private static final List<Pattern> DETECTED = List.of(EMAIL, IPV6, RESIDENT_ID, MOBILE, CARD_NUMBER, LANDLINE, IPV4);
  private static final List<java.util.regex.Pattern> DETECTED_COMPILED = DETECTED.stream().map(Pattern::compiled).toList();
  private static final java.util.regex.Pattern PASSPORT_COMPILED = PASSPORT.compiled();
  private static final List<java.util.regex.Pattern> ALL_COMPILED = ALL.stream().map(Pattern::compiled).toList();

  private PiiPatterns() {}

  /** The text with every pattern replaced, for use outside Spark (tests, reports). */
  public static String redact(String text) {
    if (text == null) {
      return null;
    }
    String result = text;
    for (int i = 0; i < ALL.size(); i++) {
      result = ALL_COMPILED.get(i).matcher(result).replaceAll(ALL.get(i).placeholder());
    }
    return result;
  }

  /**
   * The patterns {@code text} holds a valid instance of, by name. Matches are taken in the
   * redaction order and removed as found, so a mobile number inside a resident ID is not counted twice.
   */
  public static Set<String> detect(String text) {
    if (text == null || !mayHoldAny(text)) {
      return new LinkedHashSet<>();
    }
    return detectAll(text);
  }

  /**
   * False when no detected pattern can match: each needs an '@' (e-mail), a ':' (IPv6), three dots
   * (IPv4) or at least nine digits (resident ID 17, card 13, mobile 11, landline 9 with its area
   * code). Most cells of an output (codes, bands, masked values, names) fail it, so the leak guard
   * runs no regular expression on them.
   */
  static boolean mayHoldAny(String text) {
    int digits = 0;
    int dots = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '@' || c == ':') {
        return true;
      }
      if (c >= '0' && c <= '9') {
        digits++;
      } else if (c == '.') {
        dots++;
      }
    }
    return digits >= 9 || dots >= 3;
  }

  /** {@link #detect} without the shortcut of {@link #mayHoldAny}. */
  static Set<String> detectAll(String text) {
    Set<String> found = new LinkedHashSet<>();
    if (text.isEmpty()) {
      return found;
    }
    String rest = text;
    for (int i = 0; i < DETECTED.size(); i++) {
      Pattern pattern = DETECTED.get(i);
      Matcher m = DETECTED_COMPILED.get(i).matcher(rest);
      StringBuilder kept = new StringBuilder();
      int last = 0;
      while (m.find()) {
        if (valid(pattern, m.group())) {
          found.add(pattern.name());
          kept.append(rest, last, m.start()).append(' ');
          last = m.end();
        }
      }
      rest = kept.append(rest.substring(last)).toString();
    }
    return found;
  }

  /** The pattern the whole (trimmed) value is a valid instance of, or null: an e-mail column, not a comment holding one. */
  public static String wholeValue(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    for (int i = 0; i < DETECTED.size(); i++) {
      if (DETECTED_COMPILED.get(i).matcher(v).matches() && valid(DETECTED.get(i), v)) {
        return DETECTED.get(i).name();
      }
    }
    return PASSPORT_COMPILED.matcher(v).matches() ? PASSPORT.name() : null;
  }

  /** The names of the patterns {@link #wholeValue} recognizes, {@link #detect}'s and passports. */
  public static List<String> detectedNames() {
    List<String> names = new ArrayList<>(DETECTED.stream().map(Pattern::name).toList());
    names.add(PASSPORT.name());
    return names;
  }

  private static boolean valid(Pattern pattern, String match) {
    String digits = match.replaceAll("[^0-9Xx]", "");
    if (pattern == RESIDENT_ID) {
      return ChineseIds.isValidResidentId(digits.toUpperCase(Locale.ROOT));
    }
    if (pattern == CARD_NUMBER) {
      return luhn(digits);
    }
    return true;
  }

  /** The Luhn check digit test that payment card numbers pass. */
  public static boolean luhn(String digits) {
    int sum = 0;
    boolean doubled = false;
    for (int i = digits.length() - 1; i >= 0; i--) {
      char c = digits.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      int d = c - '0';
      if (doubled) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      doubled = !doubled;
    }
    return digits.length() >= 12 && sum % 10 == 0;
  }
}

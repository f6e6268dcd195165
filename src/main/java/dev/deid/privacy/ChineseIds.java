package dev.deid.privacy;

/**
 * Mainland China's resident identity number (GB 11643-1999): 6-digit area code, 8-digit birth
 * date, 3-digit sequence (odd for men), and an ISO 7064 MOD 11-2 check character.
 */
public final class ChineseIds {
  private static final int[] WEIGHTS = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  private static final char[] CHECK = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};

  private ChineseIds() {}

  /** The check character for the first 17 digits of a resident ID number. */
  public static char checkCharacter(String first17) {
    if (first17 == null || first17.length() != 17) {
      throw new IllegalArgumentException("Invalid resident ID body: length " + (first17 == null ? 0 : first17.length())
          + " (must be 17 digits)");
    }
    int sum = 0;
    for (int i = 0; i < 17; i++) {
      char c = first17.charAt(i);
      if (c < '0' || c > '9') {
        throw new IllegalArgumentException("Invalid resident ID body: non-digit at position " + i);
      }
      sum += (c - '0') * WEIGHTS[i];
    }
    return CHECK[sum % 11];
  }

  public static boolean isValidResidentId(String id) {
    if (id == null || id.length() != 18) {
      return false;
    }
    try {
      return Character.toUpperCase(id.charAt(17)) == checkCharacter(id.substring(0, 17));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A mainland mobile number: 11 digits starting with 1 and a second digit from 3 to 9. */
  public static boolean isMobileNumber(String number) {
    return number != null && number.matches("1[3-9][0-9]{9}");
  }
}

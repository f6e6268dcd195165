package dev.deid.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PseudonymizerTest {
  static final byte[] KEY_BYTES = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      KEY_BYTES[i] = (byte) i;
    }
  }

  @Test
  void pseudonym_knownKey_matchesIndependentHmacSha256() {
    // Golden values computed with Python's hmac module, an implementation sharing no code with JCA.
    Pseudonymizer p = new Pseudonymizer(new PseudonymKey("k1", KEY_BYTES));
    assertEquals("11cf90d5384be0b6f62b4d500a0ebdde15ffc356f2367c08af64d2bd520d1488", p.pseudonym("C0000000042"));
    assertEquals("f816bf03f906c81a577a6e55c71fb0f25258befe2deafb9334b12c0a9a74d804", p.pseudonym("张三"));
  }

  @Test
  void pseudonym_anyValue_hasFixedLengthAndNullStaysNull() {
    Pseudonymizer p = new Pseudonymizer(new PseudonymKey("k1", KEY_BYTES));
    assertEquals(Pseudonymizer.PSEUDONYM_LENGTH, p.pseudonym("").length());
    assertEquals(Pseudonymizer.PSEUDONYM_LENGTH, p.pseudonym("x".repeat(1000)).length());
    assertNull(p.pseudonym(null));
  }

  @Test
  void pseudonym_twoAudienceKeys_differSoTheyCannotBeJoined() {
    byte[] other = KEY_BYTES.clone();
    other[0] = 1;
    Pseudonymizer a = new Pseudonymizer(new PseudonymKey("a", KEY_BYTES));
    Pseudonymizer b = new Pseudonymizer(new PseudonymKey("b", other));
    assertNotEquals(a.pseudonym("C0000000042"), b.pseudonym("C0000000042"));
    assertNotEquals(a.checkValue(), b.checkValue());
  }

  @Test
  void serialization_roundTrip_givesSamePseudonymsAndToStringHidesSecret() throws Exception {
    Pseudonymizer p = new Pseudonymizer(new PseudonymKey("k1", KEY_BYTES));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(p);
    }
    Pseudonymizer copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (Pseudonymizer) in.readObject();
    }
    assertEquals(p.pseudonym("v"), copy.pseudonym("v"));
    String shown = new PseudonymKey("k1", KEY_BYTES).toString();
    assertFalse(shown.contains(Base64.getEncoder().encodeToString(KEY_BYTES)), shown);
    assertEquals("PseudonymKey[id=k1, secret=<redacted>]", shown);
  }

  @Test
  void constructor_shortSecret_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new PseudonymKey("k", new byte[31]));
  }
}

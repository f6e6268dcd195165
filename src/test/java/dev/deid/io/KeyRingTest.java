package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.errors.DeidException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {
  static final byte[] KEY_BYTES = new byte[32];
  static {
    for (int i = 0; i < KEY_BYTES.length; i++) {
      KEY_BYTES[i] = (byte) (i * 7 + 1);
    }
  }

  static final String SECRET = Base64.getEncoder().encodeToString(KEY_BYTES);
  static final String SHORT_SECRET = Base64.getEncoder().encodeToString(new byte[16]);

  @Test
  void key_fromEnvironment_parsesIdAndSecret() {
    KeyRing ring = new KeyRing(Map.of("DEID_KEY_PARTNER_ACME", "acme-2026:" + SECRET), null);
    assertEquals("acme-2026", ring.key("partner:acme").id());
  }

  @Test
  void key_fromFile_whenEnvironmentHasNone(@TempDir Path dir) throws Exception {
    ownerOnly(Files.writeString(dir.resolve("partner_acme.key"), "file-key:" + SECRET + "\n"));
    assertEquals("file-key", new KeyRing(Map.of(), dir).key("partner:acme").id());
  }

  static Path ownerOnly(Path file) throws Exception {
    return Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void key_fileReadableByOthers_isRefusedLikeSsh(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("analysts.key"), "file-key:" + SECRET);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    DeidException e = assertThrows(DeidException.class, () -> new KeyRing(Map.of(), dir).key("analysts"));
    assertTrue(e.getMessage().contains("rw-r--r--") && e.getMessage().contains("chmod 600"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), "the secret must not be printed");
  }

  @Test
  void key_idAndSecretSwapped_isRefusedWithoutPrintingTheSecret(@TempDir Path dir) throws Exception {
    // A secret of letters and digits only passes as a key id: the message must still not quote it.
    byte[] bytes = new byte[33];
    String alphanumeric;
    int seed = 0;
    do {
      new Random(seed++).nextBytes(bytes);
      alphanumeric = Base64.getEncoder().encodeToString(bytes);
    } while (!alphanumeric.matches("[A-Za-z0-9]+"));
    ownerOnly(Files.writeString(dir.resolve("analysts.key"), alphanumeric + ":acme-2026-11"));
    DeidException e = assertThrows(DeidException.class, () -> new KeyRing(Map.of(), dir).key("analysts"));
    assertTrue(e.getMessage().contains("swapped"), e.getMessage());
    assertFalse(e.getMessage().contains(alphanumeric), "the secret must not be printed: " + e.getMessage());
    String envText = "env-key:" + alphanumeric.substring(0, 20) + "!";
    DeidException bad = assertThrows(DeidException.class,
        () -> new KeyRing(Map.of("DEID_KEY_ANALYSTS", envText), null).key("analysts"));
    assertFalse(bad.getMessage().contains(alphanumeric.substring(0, 20)), bad.getMessage());
  }

  @Test
  void key_environmentWinsOverFile(@TempDir Path dir) throws Exception {
    ownerOnly(Files.writeString(dir.resolve("analysts.key"), "file-key:" + SECRET));
    assertEquals("env-key", new KeyRing(Map.of("DEID_KEY_ANALYSTS", "env-key:" + SECRET), dir).key("analysts").id());
  }

  @Test
  void key_missing_namesVariableAndFileAndFix(@TempDir Path dir) {
    DeidException e = assertThrows(DeidException.class, () -> new KeyRing(Map.of(), dir).key("partner:acme"));
    assertTrue(e.getMessage().contains("DEID_KEY_PARTNER_ACME"), e.getMessage());
    assertTrue(e.getMessage().contains("partner_acme.key"), e.getMessage());
    assertTrue(e.getMessage().contains("fix:"), e.getMessage());
  }

  @Test
  void key_tooShort_isRefusedWithoutShowingTheSecret() {
    DeidException e = assertThrows(DeidException.class,
        () -> new KeyRing(Map.of("DEID_KEY_ANALYSTS", "k1:" + SHORT_SECRET), null).key("analysts"));
    assertTrue(e.getMessage().contains("16 bytes, shorter than the 32 bytes required"), e.getMessage());
    assertFalse(e.getMessage().contains(SHORT_SECRET), "the secret must not appear in the error");
  }

  @Test
  void key_malformed_isRefused() {
    assertThrows(DeidException.class, () -> new KeyRing(Map.of("DEID_KEY_ANALYSTS", SECRET), null).key("analysts"));
    DeidException e = assertThrows(DeidException.class,
        () -> new KeyRing(Map.of("DEID_KEY_ANALYSTS", "k1:not*base64!"), null).key("analysts"));
    assertTrue(e.getMessage().contains("not valid base64"), e.getMessage());
    assertFalse(e.getMessage().contains("not*base64!"), "the secret must not appear in the error");
  }
}

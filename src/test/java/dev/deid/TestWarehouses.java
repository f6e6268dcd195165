package dev.deid;

import dev.deid.io.ExtractEncryption;
import dev.deid.io.LocalDirectories;
import dev.deid.io.Warehouse;
import dev.deid.privacy.ManifestSignature;
import dev.deid.sample.SampleData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sample raw tables generated once per test JVM (1,000 customers, seed 7, pinned reference time)
 * and copied for each test that needs its own warehouse; plus the test keys. Delta tables hold
 * relative file paths, so a copied directory is the same table.
 */
public final class TestWarehouses {
  public static final Instant REFERENCE_TIME = Instant.parse("2026-11-01T00:00:00Z");
  public static final byte[] ANALYSTS_SECRET = bytes(1);
  public static final byte[] PARTNER_SECRET = bytes(2);
  public static final byte[] FOOTER_SECRET = bytes(3);
  public static final byte[] COLUMNS_SECRET = bytes(4);
  private static Path template;

  private TestWarehouses() {}

  private static byte[] bytes(int seed) {
    byte[] b = new byte[32];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (seed * 31 + i);
    }
    return b;
  }

  /** A fresh warehouse holding a copy of the sample raw tables. */
  public static synchronized Warehouse fresh(String name) {
    if (template == null) {
      template = TestSpark.tempDirectory("template");
      new SampleData(TestSpark.session(), 7, REFERENCE_TIME).writeAll(new Warehouse(template.toString()), 1_000);
    }
    Path target = TestSpark.tempDirectory(name);
    copy(template, target);
    return new Warehouse(target.toString());
  }

  /** One extract-signing key pair for the test JVM: private {@code <id>:<pkcs8>}, public {@code <id>:<x509>}. */
  public static final String[] SIGNING = ManifestSignature.generate("test-signing-1");

  /** A key directory with keys 'analysts-k1' and 'acme-k1', the signing key and its public key, acme's master keys. */
  public static Path keyDirectory() {
    Path dir = TestSpark.tempDirectory("keys");
    writeKey(dir, "analysts.key", "analysts-k1", ANALYSTS_SECRET);
    writeKey(dir, "partner_acme.key", "acme-k1", PARTNER_SECRET);
    writeSigningKey(dir);
    writeMasterKey(dir, "kms_acme_footer.key", "acme-footer-k1", FOOTER_SECRET);
    writeMasterKey(dir, "kms_acme_columns.key", "acme-columns-k1", COLUMNS_SECRET);
    return dir;
  }

  /** The partner's copies of its master keys, as it would hold them to read and verify an extract. */
  public static List<ExtractEncryption.MasterKey> acmeMasterKeys() {
    return List.of(new ExtractEncryption.MasterKey("acme-footer-k1", FOOTER_SECRET),
        new ExtractEncryption.MasterKey("acme-columns-k1", COLUMNS_SECRET));
  }

  public static void writeMasterKey(Path dir, String file, String id, byte[] secret) {
    writeKey(dir, file, id, secret);
  }

  public static void writeSigningKey(Path dir) {
    try {
      Files.writeString(dir.resolve("signing.key"), SIGNING[0] + "\n");
      Files.setPosixFilePermissions(dir.resolve("signing.key"), PosixFilePermissions.fromString("rw-------"));
      Files.writeString(dir.resolve("signing.pub"), SIGNING[1] + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void writeKey(Path dir, String file, String id, byte[] secret) {
    try {
      Files.writeString(dir.resolve(file), id + ":" + Base64.getEncoder().encodeToString(secret));
      Files.setPosixFilePermissions(dir.resolve(file), PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** HMAC-SHA-256 hex computed straight from the JCA, independently of the project's pseudonymizer. */
  public static String hmacHex(byte[] secret, String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      StringBuilder hex = new StringBuilder();
      for (byte b : mac.doFinal(value.getBytes(StandardCharsets.UTF_8))) {
        hex.append(String.format("%02x", b));
      }
      return hex.toString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static void copy(Path from, Path to) {
    LocalDirectories.copy(from, to);
  }
}

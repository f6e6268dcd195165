package dev.deid.privacy;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms: HMAC-SHA-256 (JCA) of the value's UTF-8 bytes, as 64 lower-case hex characters.
 * The same value under the same key always gives the same pseudonym, so pseudonymized columns still
 * join within one audience; under another audience's key the pseudonyms are unrelated, so two
 * audiences cannot join their data. Without the key a pseudonym cannot be reversed or recomputed.
 *
 * <p>Serializable so Spark can ship it to executors inside a UDF; each deserialized copy builds its
 * own {@link Mac} per thread, since Mac is not thread-safe.
 */
public final class Pseudonymizer implements Serializable {
  public static final int PSEUDONYM_LENGTH = 64;
  private static final long serialVersionUID = 1L;
  private static final String ALGORITHM = "HmacSHA256";

  private final PseudonymKey key;
  private transient ThreadLocal<Mac> macs;

  public Pseudonymizer(PseudonymKey key) {
    this.key = key;
  }

  public String keyId() {
    return key.id();
  }

  /**
   * A short keyed check value, stored in output metadata next to the key id: if a key's secret
   * changes while its id stays the same, the check values differ and the job refuses to run.
   * It reveals nothing about the secret (it is itself an HMAC).
   */
  public String checkValue() {
    return pseudonym("deid:key-check-value").substring(0, 16);
  }

  /** The pseudonym of {@code value}; {@code null} stays {@code null}. */
  public String pseudonym(String value) {
    if (value == null) {
      return null;
    }
    byte[] digest = mac().doFinal(value.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest);
  }

  private Mac mac() {
    if (macs == null) {
      macs = ThreadLocal.withInitial(this::newMac);
    }
    return macs.get();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key.secret(), ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot initialise " + ALGORITHM + " (required by every Java platform)", e);
    }
  }
}

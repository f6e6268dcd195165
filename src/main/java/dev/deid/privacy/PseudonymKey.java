package dev.deid.privacy;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A pseudonymization key: a public id (recorded in output metadata) and a secret of at least 32
 * bytes. {@link #toString()} never shows the secret, so a key that reaches a log shows only its id.
 */
public final class PseudonymKey implements Serializable {
  public static final int MIN_SECRET_BYTES = 32;
  private static final long serialVersionUID = 1L;

  private final String id;
  private final byte[] secret;

  public PseudonymKey(String id, byte[] secret) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("Invalid key secret: " + secret.length + " bytes (must be at least "
          + MIN_SECRET_BYTES + ")");
    }
    this.id = id;
    this.secret = secret.clone();
  }

  public String id() {
    return id;
  }

  byte[] secret() {
    return secret.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PseudonymKey key && key.id.equals(id) && Arrays.equals(key.secret, secret);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "PseudonymKey[id=" + id + ", secret=<redacted>]";
  }
}

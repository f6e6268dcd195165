package dev.deid.privacy;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 signatures of partner-extract manifests, from the JDK's own provider. The publisher holds
 * the private key (a file or the environment, like pseudonym keys); partners get the public key out
 * of band and check that a manifest, and through its hashes every file, is what the publisher wrote.
 * Keys are written {@code <key-id>:<base64>} (PKCS#8 for private, X.509 for public keys); a
 * signature is written {@code <key-id>:<base64 signature>}, so a partner sees which key to use.
 */
public final class ManifestSignature {
  private static final String ALGORITHM = "Ed25519";

  private ManifestSignature() {}

  /** The publisher's signing key. {@code toString} never shows the key. */
  public record SigningKey(String id, PrivateKey key) {
    @Override
    public String toString() {
      return "SigningKey[" + id + "]";
    }
  }

  public record VerifyingKey(String id, PublicKey key) {}

  /** A new key pair, as the two lines to store: private {@code <id>:<pkcs8>} and public {@code <id>:<x509>}. */
  public static String[] generate(String id) {
    try {
      KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
      Base64.Encoder b64 = Base64.getEncoder();
      return new String[] {id + ":" + b64.encodeToString(pair.getPrivate().getEncoded()),
          id + ":" + b64.encodeToString(pair.getPublic().getEncoded())};
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("The JDK offers no " + ALGORITHM, e);
    }
  }

  /** Decodes a PKCS#8 private key; throws {@link IllegalArgumentException} without quoting the bytes. */
  public static SigningKey signingKey(String id, byte[] pkcs8) {
    try {
      return new SigningKey(id, KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(pkcs8)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an Ed25519 private key in PKCS#8 form");
    }
  }

  public static VerifyingKey verifyingKey(String id, byte[] x509) {
    try {
      return new VerifyingKey(id, KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(x509)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an Ed25519 public key in X.509 form");
    }
  }

  /** {@code <key-id>:<base64 signature>} over {@code message}. */
  public static String sign(byte[] message, SigningKey key) {
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key.key());
      signer.update(message);
      return key.id() + ":" + Base64.getEncoder().encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot sign with key '" + key.id() + "'", e);
    }
  }

  /** Whether {@code signature} ({@code <key-id>:<base64>}) is {@code key}'s valid signature of {@code message}. */
  public static boolean verify(byte[] message, String signature, VerifyingKey key) {
    String text = signature.strip();
    int colon = text.indexOf(':');
    if (colon <= 0 || !text.substring(0, colon).equals(key.id())) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key.key());
      verifier.update(message);
      return verifier.verify(Base64.getDecoder().decode(text.substring(colon + 1)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}

package dev.deid.io;

import dev.deid.config.Audience;
import dev.deid.errors.Errors;
import dev.deid.privacy.ManifestSignature;
import dev.deid.privacy.PseudonymKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the pseudonymization key of each audience, never in a job spec: first in the environment
 * variable {@code DEID_KEY_<AUDIENCE>} (e.g. {@code DEID_KEY_PARTNER_ACME} for
 * {@code partner:acme}), then in the file {@code <key dir>/<audience>.key} (e.g.
 * {@code partner_acme.key}). Either holds {@code <key-id>:<base64 secret>}. Rotating a key means a
 * new key id: the id is written into every output's metadata, so a change is never silent.
 */
public final class KeyRing {
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final Map<String, String> environment;
  /** A local path or a Hadoop URI (see {@link DriverFiles}), or null. */
  private final String keyDirectory;

  public KeyRing(Map<String, String> environment, Path keyDirectory) {
    this(keyDirectory == null ? null : keyDirectory.toString(), environment);
  }

  private KeyRing(String keyDirectory, Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    this.keyDirectory = keyDirectory;
  }

  /** Keys from {@code environment}, else from files in {@code keyDirectory}: a local path or a Hadoop URI. */
  public static KeyRing at(Map<String, String> environment, String keyDirectory) {
    return new KeyRing(keyDirectory, environment);
  }

  /** Keys from the process environment; the key directory (a local path or a Hadoop URI) from {@code DEID_KEY_DIR} unless given. */
  public static KeyRing fromEnvironment(String keyDirectory) {
    Map<String, String> env = System.getenv();
    return new KeyRing(keyDirectory != null ? keyDirectory : env.get("DEID_KEY_DIR"), env);
  }

  public static KeyRing fromEnvironment(Path keyDirectory) {
    return fromEnvironment(keyDirectory == null ? null : keyDirectory.toString());
  }

  /** The key file named {@code name} in the key directory, or null without one. */
  private String keyFile(String name) {
    return keyDirectory == null ? null : DriverFiles.resolve(keyDirectory, name);
  }

  public static String environmentVariable(String audience) {
    return Audience.of(audience).keyEnvironmentVariable();
  }

  public static String fileName(String audience) {
    return Audience.of(audience).keyFileName();
  }

  public PseudonymKey key(String audience) {
    String variable = environmentVariable(audience);
    String fromEnv = environment.get(variable);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return parse(audience, "environment variable " + variable, fromEnv);
    }
    String file = keyFile(fileName(audience));
    if (file != null && DriverFiles.isFile(file)) {
      requireOwnerOnly(audience, file);
      try {
        return parse(audience, "key file " + file, DriverFiles.readString(file));
      } catch (IOException e) {
        throw Errors.badKey(audience, "key file " + file, "the file cannot be read (" + e.getClass().getSimpleName() + ")");
      }
    }
    throw Errors.missingKey(audience, variable,
        file == null ? "<DEID_KEY_DIR>/" + fileName(audience) + " (DEID_KEY_DIR is not set)" : file);
  }

  /** Where the extract-signing key comes from: this variable, or this file in the key directory. */
  public static final String SIGNING_KEY_VARIABLE = "DEID_SIGNING_KEY";
  public static final String SIGNING_KEY_FILE = "signing.key";
  /** The public half, for partners; written next to a development signing key. */
  public static final String SIGNING_PUBLIC_KEY_FILE = "signing.pub";

  /**
   * The Ed25519 key that signs partner-extract manifests: {@code <key-id>:<base64 PKCS#8>} from
   * {@value #SIGNING_KEY_VARIABLE} or {@code <key dir>/signing.key} (owner-only, like pseudonym keys).
   */
  public ManifestSignature.SigningKey signingKey() {
    String fromEnv = environment.get(SIGNING_KEY_VARIABLE);
    String where;
    String text;
    if (fromEnv != null && !fromEnv.isBlank()) {
      where = "environment variable " + SIGNING_KEY_VARIABLE;
      text = fromEnv;
    } else {
      String file = keyFile(SIGNING_KEY_FILE);
      if (file == null || !DriverFiles.isFile(file)) {
        throw Errors.missingSigningKey(SIGNING_KEY_VARIABLE,
            file == null ? "<DEID_KEY_DIR>/" + SIGNING_KEY_FILE + " (DEID_KEY_DIR is not set)" : file);
      }
      requireOwnerOnly("extract signing", file);
      where = "key file " + file;
      try {
        text = DriverFiles.readString(file);
      } catch (IOException e) {
        throw Errors.badSigningKey(where, "the file cannot be read (" + e.getClass().getSimpleName() + ")");
      }
    }
    String trimmed = text.strip();
    int colon = trimmed.indexOf(':');
    if (colon <= 0 || !KEY_ID.matcher(trimmed.substring(0, colon)).matches()) {
      throw Errors.badSigningKey(where, "the value is not of the form '<key-id>:<base64 PKCS#8 Ed25519 private key>'");
    }
    try {
      return ManifestSignature.signingKey(trimmed.substring(0, colon), Base64.getDecoder().decode(trimmed.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw Errors.badSigningKey(where, "the part after ':' is not a base64 PKCS#8 Ed25519 private key");
    }
  }

  /** The two master keys that encrypt a partner's extracts at rest. */
  public enum EncryptionKeyRole { FOOTER, COLUMNS }

  /** {@code DEID_KMS_ACME_FOOTER}, {@code DEID_KMS_ACME_COLUMNS}, … */
  public static String encryptionVariable(String partner, EncryptionKeyRole role) {
    return "DEID_KMS_" + partner.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_" + role.name();
  }

  /** {@code kms_acme_footer.key}, {@code kms_acme_columns.key}, … */
  public static String encryptionFileName(String partner, EncryptionKeyRole role) {
    return "kms_" + partner.replaceAll("[^a-z0-9_-]", "_") + "_" + role.name().toLowerCase(Locale.ROOT) + ".key";
  }

  /**
   * A partner's master keys for Parquet encryption, each {@code <key-id>:<base64 AES key of 16, 24
   * or 32 bytes>} from {@code DEID_KMS_<PARTNER>_FOOTER} / {@code _COLUMNS} or the files
   * {@code kms_<partner>_footer.key} / {@code kms_<partner>_columns.key} in the key directory.
   */
  public ExtractEncryption.PartnerKeys encryptionKeys(String partner) {
    return new ExtractEncryption.PartnerKeys(partner, masterKey(partner, EncryptionKeyRole.FOOTER),
        masterKey(partner, EncryptionKeyRole.COLUMNS));
  }

  private ExtractEncryption.MasterKey masterKey(String partner, EncryptionKeyRole role) {
    String label = "encryption (partner '" + partner + "', " + role.name().toLowerCase(Locale.ROOT) + " key)";
    String variable = encryptionVariable(partner, role);
    String fromEnv = environment.get(variable);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return parseMasterKey(label, "environment variable " + variable, fromEnv);
    }
    String file = keyFile(encryptionFileName(partner, role));
    if (file == null || !DriverFiles.isFile(file)) {
      throw Errors.missingEncryptionKey(label, variable,
          file == null ? "<DEID_KEY_DIR>/" + encryptionFileName(partner, role) + " (DEID_KEY_DIR is not set)" : file);
    }
    requireOwnerOnly(label, file);
    return readMasterKey(label, file);
  }

  /** Reads a master key file ({@code <key-id>:<base64 AES key>}), e.g. a partner's copy for {@code verify}. */
  public static ExtractEncryption.MasterKey readMasterKey(String label, Path file) {
    return readMasterKey(label, file.toString());
  }

  private static ExtractEncryption.MasterKey readMasterKey(String label, String file) {
    try {
      return parseMasterKey(label, "key file " + file, DriverFiles.readString(file));
    } catch (IOException e) {
      throw Errors.badEncryptionKey(label, "key file " + file, "the file cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /** Like {@link #parse}, never quoting the text. */
  private static ExtractEncryption.MasterKey parseMasterKey(String label, String where, String text) {
    String trimmed = text.strip();
    int colon = trimmed.indexOf(':');
    if (colon <= 0 || !KEY_ID.matcher(trimmed.substring(0, colon)).matches() || looksLikeSecret(trimmed.substring(0, colon), 16)) {
      throw Errors.badEncryptionKey(label, where, "the value is not of the form '<key-id>:<base64 AES key>'");
    }
    byte[] secret;
    try {
      secret = Base64.getDecoder().decode(trimmed.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw Errors.badEncryptionKey(label, where, "the key is not valid base64");
    }
    if (secret.length != 16 && secret.length != 24 && secret.length != 32) {
      throw Errors.badEncryptionKey(label, where, "the key is " + secret.length + " bytes; AES needs 16, 24 or 32");
    }
    return new ExtractEncryption.MasterKey(trimmed.substring(0, colon), secret);
  }

  /** Reads a partner's copy of the publisher's public key: {@code <key-id>:<base64 X.509>}. */
  public static ManifestSignature.VerifyingKey verifyingKey(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw Errors.badPublicKey(file.toString(), "the file cannot be read (" + e.getClass().getSimpleName() + ")");
    }
    int colon = text.indexOf(':');
    if (colon <= 0 || !KEY_ID.matcher(text.substring(0, colon)).matches()) {
      throw Errors.badPublicKey(file.toString(), "the content is not of the form '<key-id>:<base64 X.509 Ed25519 public key>'");
    }
    try {
      return ManifestSignature.verifyingKey(text.substring(0, colon), Base64.getDecoder().decode(text.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw Errors.badPublicKey(file.toString(), "the part after ':' is not a base64 X.509 Ed25519 public key");
    }
  }

  /**
   * Like ssh with a private key, a key file that others may read is refused: its secret would let
   * them re-identify every pseudonym. On file systems without POSIX permissions nothing is checked.
   */
  private static void requireOwnerOnly(String audience, String file) {
    try {
      Optional<Set<PosixFilePermission>> found = DriverFiles.permissions(file);
      if (found.isEmpty()) {
        return; // no POSIX permissions here (an object store, a Windows file system): access is the store's policy
      }
      Set<PosixFilePermission> permissions = found.get();
      for (PosixFilePermission p : permissions) {
        if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
          throw Errors.keyFileReadableByOthers(audience, file,
              PosixFilePermissions.toString(permissions));
        }
      }
    } catch (IOException e) {
      throw Errors.badKey(audience, "key file " + file, "its permissions cannot be read (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Parses {@code <key-id>:<base64 secret>}. No message ever quotes the text: a file written the
   * wrong way round ({@code <secret>:<id>}) would otherwise put the secret into the report and audit.
   */
  private static PseudonymKey parse(String audience, String where, String text) {
    String trimmed = text.strip();
    int colon = trimmed.indexOf(':');
    if (colon <= 0) {
      throw Errors.badKey(audience, where, "the value is not of the form '<key-id>:<base64 secret>'");
    }
    String id = trimmed.substring(0, colon);
    if (!KEY_ID.matcher(id).matches()) {
      throw Errors.badKey(audience, where, "the key id must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (looksLikeSecret(id, PseudonymKey.MIN_SECRET_BYTES)) {
      throw Errors.badKey(audience, where, "the part before ':' looks like a secret, not a key id (are id and secret "
          + "swapped?)");
    }
    byte[] secret;
    try {
      secret = Base64.getDecoder().decode(trimmed.substring(colon + 1));
    } catch (IllegalArgumentException e) {
      throw Errors.badKey(audience, where, "the secret is not valid base64");
    }
    if (secret.length < PseudonymKey.MIN_SECRET_BYTES) {
      throw Errors.badKey(audience, where, "the secret is " + secret.length
          + " bytes, shorter than the " + PseudonymKey.MIN_SECRET_BYTES + " bytes required");
    }
    return new PseudonymKey(id, secret);
  }

  /** A secret of {@code bytes} or more in base64 is that many bytes' worth of characters that decode to at least as many. */
  private static boolean looksLikeSecret(String id, int bytes) {
    if (id.length() < (bytes * 4 + 2) / 3) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(id).length >= bytes;
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
  }
}

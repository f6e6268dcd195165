package dev.deid.io;

import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.parquet.crypto.KeyAccessDeniedException;
import org.apache.parquet.crypto.keytools.LocalWrapKmsClient;

/**
 * Parquet modular encryption for partner extracts (AES-GCM, envelope keys): Parquet's own
 * properties-driven crypto factory generates a data key per file and column, wraps it with a key
 * encryption key, and wraps that with a partner's master key through a {@code KmsClient}. The
 * footer and every column are encrypted under the partner's footer key; the columns the contract
 * marks sensitive under the partner's column key instead, so that access to them can be granted
 * separately.
 *
 * <p>The default KMS is {@link FileKms}: master keys come from the environment or key files on the
 * driver (see {@link KeyRing#encryptionKeys}) and reach the executors inside the Hadoop
 * configuration of that one write or read, under property names Spark redacts in its UI, plans and
 * event logs. A real KMS (Vault transit, a cloud KMS) plugs in through the same Parquet interface:
 * a {@code KmsClient} class whose {@code wrapKey}/{@code unwrapKey} call the KMS, named by
 * {@code parquet.encryption.kms.client.class} with {@code parquet.encryption.kms.instance.url} and
 * an access token; master keys then never leave the KMS and only their ids are configured.
 */
public final class ExtractEncryption {
  /** Where the master keys travel to executors; "secret" makes Spark redact the value wherever it shows configuration. */
  static final String SECRET_PREFIX = "deid.kms.secret.";
  static final String ALGORITHM = "AES_GCM_V1";

  private ExtractEncryption() {}

  /** An AES master key (16, 24 or 32 bytes) and its public id; {@link #toString()} never shows the secret. */
  public record MasterKey(String id, byte[] secret) {
    public MasterKey {
      if (secret.length != 16 && secret.length != 24 && secret.length != 32) {
        throw new IllegalArgumentException("an AES master key has 16, 24 or 32 bytes");
      }
      secret = secret.clone();
    }

    @Override
    public byte[] secret() {
      return secret.clone();
    }

    @Override
    public String toString() {
      return "MasterKey[id=" + id + ", secret=<redacted>]";
    }
  }

  /** A partner's two master keys: the footer key (footer and ordinary columns) and the sensitive-column key. */
  public record PartnerKeys(String partner, MasterKey footer, MasterKey columns) {}

  /** How one extract is encrypted: the partner's keys, and its columns that go under the column key. */
  public record Plan(PartnerKeys keys, List<String> columnsUnderColumnKey) {
    public Plan {
      columnsUnderColumnKey = List.copyOf(columnsUnderColumnKey);
    }

    public Map<String, String> writeOptions() {
      return ExtractEncryption.writeOptions(keys, columnsUnderColumnKey);
    }

    public Map<String, String> readOptions() {
      return ExtractEncryption.readOptions(List.of(keys.footer(), keys.columns()));
    }

    public Map<String, Object> manifestEntry() {
      return ExtractEncryption.manifestEntry(keys, columnsUnderColumnKey);
    }
  }

  /**
   * The Parquet writer options that encrypt an extract, with {@code sensitive} (columns present in
   * the data) under the column key. A fresh access token per write gives it its own KMS client,
   * so Parquet's client cache never serves one partner's keys to another write.
   */
  public static Map<String, String> writeOptions(PartnerKeys keys, List<String> sensitive) {
    Map<String, String> options = kmsOptions(List.of(keys.footer(), keys.columns()));
    if (sensitive.isEmpty()) {
      // Parquet wants at least one column key beside a footer key; "uniform" is the same protection.
      options.put("parquet.encryption.uniform.key", keys.footer().id());
    } else {
      options.put("parquet.encryption.footer.key", keys.footer().id());
      options.put("parquet.encryption.column.keys", keys.columns().id() + ":" + String.join(",", sensitive));
      options.put("parquet.encryption.complete.columns", "true");
    }
    options.put("parquet.encryption.algorithm", ALGORITHM);
    return options;
  }

  /** The Parquet reader options that decrypt with the given master keys (a partner's copies). */
  public static Map<String, String> readOptions(Collection<MasterKey> keys) {
    return kmsOptions(keys);
  }

  /** What the manifest states about the encryption: algorithm and key ids, never keys. */
  public static Map<String, Object> manifestEntry(PartnerKeys keys, List<String> sensitive) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("scheme", "parquet-modular-encryption");
    entry.put("algorithm", ALGORITHM);
    entry.put("footerKeyId", keys.footer().id());
    entry.put("columnKeyId", keys.columns().id());
    entry.put("columnsUnderColumnKey", List.copyOf(sensitive));
    return entry;
  }

  private static Map<String, String> kmsOptions(Collection<MasterKey> keys) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("parquet.crypto.factory.class", "org.apache.parquet.crypto.keytools.PropertiesDrivenCryptoFactory");
    options.put("parquet.encryption.kms.client.class", FileKms.class.getName());
    options.put("parquet.encryption.key.access.token", UUID.randomUUID().toString());
    for (MasterKey key : keys) {
      options.put(SECRET_PREFIX + key.id(), Base64.getEncoder().encodeToString(key.secret()));
    }
    return options;
  }

  /**
   * The default KMS: Parquet wraps keys locally with master keys found in the Hadoop configuration
   * of the current write or read. Instantiated by Parquet on executors and the driver alike; it
   * holds no state of the driver's.
   */
  public static final class FileKms extends LocalWrapKmsClient {
    @Override
    protected void initializeInternal() {
      // nothing to connect to: the keys are in the configuration
    }

    @Override
    protected byte[] getMasterKeyFromServer(String masterKeyIdentifier) throws KeyAccessDeniedException {
      String encoded = hadoopConfiguration.get(SECRET_PREFIX + masterKeyIdentifier);
      if (encoded == null) {
        throw new KeyAccessDeniedException("no master key with id '" + masterKeyIdentifier + "' was given");
      }
      return Base64.getDecoder().decode(encoded);
    }
  }
}

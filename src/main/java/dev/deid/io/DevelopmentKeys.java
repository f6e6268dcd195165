package dev.deid.io;

import dev.deid.config.JobSpec;
import dev.deid.config.OutputSpec;
import dev.deid.config.PartnerContract;
import dev.deid.io.KeyRing;
import dev.deid.privacy.ManifestSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Random keys for the sample run only, written to files readable by their owner alone. A key that
 * already exists (in the environment or the directory) is left alone. Never use these in production.
 */
public final class DevelopmentKeys {
  private DevelopmentKeys() {}

  public static Path ensure(Path directory, Path specFile) {
    JobSpec spec = SpecFiles.load(specFile);
    Set<String> audiences = new LinkedHashSet<>();
    spec.outputs().stream().map(OutputSpec::audience).forEach(audiences::add);
    if (spec.erasure() != null) {
      audiences.add(spec.erasure().auditAudience());
    }
    SecureRandom random = new SecureRandom();
    try {
      Files.createDirectories(directory);
      for (String audience : audiences) {
        Path file = directory.resolve(KeyRing.fileName(audience));
        if (System.getenv(KeyRing.environmentVariable(audience)) != null || Files.exists(file)) {
          continue;
        }
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        Files.writeString(file, "dev-" + audience.replace(':', '-') + "-1:" + Base64.getEncoder().encodeToString(secret) + "\n");
        ownerOnly(file);
        System.out.println("development key for '" + audience + "' created in " + file + " (not for production)");
      }
      for (PartnerContract contract : spec.partners().values()) {
        if (!contract.encryptionRequired()) {
          continue;
        }
        for (KeyRing.EncryptionKeyRole role : KeyRing.EncryptionKeyRole.values()) {
          Path file = directory.resolve(KeyRing.encryptionFileName(contract.partner(), role));
          if (System.getenv(KeyRing.encryptionVariable(contract.partner(), role)) != null || Files.exists(file)) {
            continue;
          }
          byte[] secret = new byte[32];
          random.nextBytes(secret);
          Files.writeString(file, "dev-kms-" + contract.partner() + "-" + role.name().toLowerCase(Locale.ROOT) + "-1:"
              + Base64.getEncoder().encodeToString(secret) + "\n");
          ownerOnly(file);
          System.out.println("development " + role.name().toLowerCase(Locale.ROOT) + " encryption key for partner '"
              + contract.partner() + "' created in " + file + " (not for production; the partner needs a copy)");
        }
      }
      Path signing = directory.resolve(KeyRing.SIGNING_KEY_FILE);
      if (System.getenv(KeyRing.SIGNING_KEY_VARIABLE) == null && !Files.exists(signing)) {
        String[] pair = ManifestSignature.generate("dev-signing-1");
        Files.writeString(signing, pair[0] + "\n");
        ownerOnly(signing);
        Files.writeString(directory.resolve(KeyRing.SIGNING_PUBLIC_KEY_FILE), pair[1] + "\n");
        System.out.println("development extract-signing key created in " + signing + ", its public key for partners in "
            + directory.resolve(KeyRing.SIGNING_PUBLIC_KEY_FILE) + " (not for production)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return directory;
  }

  private static void ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // Not a POSIX file system; the file keeps the platform's default permissions.
    }
  }
}

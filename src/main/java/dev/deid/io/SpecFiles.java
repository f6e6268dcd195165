package dev.deid.io;

import dev.deid.config.JobSpec;
import dev.deid.config.SpecLoader;
import dev.deid.errors.Errors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Job spec files: read, validated by {@link SpecLoader} (every problem at once, with its YAML path),
 * then checked for the files they name. Relative file references resolve against the spec's folder.
 */
public final class SpecFiles {
  private SpecFiles() {}

  public static JobSpec load(Path file) {
    String yaml;
    try {
      yaml = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw Errors.unreadableSpec(file.toString(), e);
    }
    Path folder = file.toAbsolutePath().getParent();
    JobSpec spec = SpecLoader.parse(yaml, file.toString(), folder);
    List<String> missing = HierarchyFiles.misplaced(spec, folder, HierarchyFiles.configuredRoots(System.getenv()));
    if (!missing.isEmpty()) {
      throw Errors.all(missing);
    }
    return spec;
  }
}

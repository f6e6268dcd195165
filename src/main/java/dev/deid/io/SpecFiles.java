package dev.deid.io;

import dev.deid.config.JobSpec;
import dev.deid.config.SpecLoader;
import dev.deid.errors.Errors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Job spec files: read, validated by {@link SpecLoader} (every problem at once, with its YAML path),
 * then checked for the files they name. Relative file references resolve against the spec's folder.
 */
public final class SpecFiles {
  private SpecFiles() {}

  public static JobSpec load(Path file) {
    return load(file.toString());
  }

  /** Loads the spec at {@code location}: a local path or a Hadoop URI (see {@link DriverFiles}). */
  public static JobSpec load(String location) {
    String yaml;
    try {
      yaml = DriverFiles.readString(location);
    } catch (IOException | IllegalArgumentException e) {
      throw Errors.unreadableSpec(location, e);
    }
    String folder = DriverFiles.parent(location);
    JobSpec spec = SpecLoader.parse(yaml, location, name -> DriverFiles.resolve(folder, name));
    List<String> missing = HierarchyFiles.misplaced(spec, folder, HierarchyFiles.configuredRoots(System.getenv()));
    if (!missing.isEmpty()) {
      throw Errors.all(missing);
    }
    return spec;
  }
}

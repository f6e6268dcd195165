package dev.deid.io;

import dev.deid.config.HierarchySpec;
import dev.deid.config.JobSpec;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.anon.InvalidHierarchyException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the ARX hierarchy files a spec names, each once per run and before anything is deleted, so
 * a malformed file stops the run with nothing changed. Every malformed file is reported at once,
 * by its spec field; the rows' values stay out of the messages (see {@link DeidException#values()}).
 */
public final class HierarchyFiles {
  private HierarchyFiles() {}

  /** The file hierarchies of a spec by hierarchy name; their attribute is the hierarchy's name. */
  public static Map<String, Hierarchy> readAll(JobSpec spec) {
    return readAll(spec.hierarchies());
  }

  /** The same for a map of hierarchy specs by name (benchmarks build theirs without a job spec). */
  public static Map<String, Hierarchy> readAll(Map<String, HierarchySpec> specs) {
    Map<String, Hierarchy> read = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    List<String> values = new ArrayList<>();
    specs.forEach((name, h) -> {
      if (h instanceof HierarchySpec.FromFile file) {
        try {
          read.put(name, read(file));
        } catch (InvalidHierarchyException e) {
          problems.add(Errors.invalidHierarchyFile("hierarchies." + name, e.problems()));
          values.addAll(e.examples());
        } catch (DeidException e) {
          problems.addAll(e.problems());
        }
      }
    });
    if (!problems.isEmpty()) {
      throw Errors.withValues(problems, values);
    }
    return Map.copyOf(read);
  }

  static Hierarchy read(HierarchySpec.FromFile file) {
    try (Reader reader = Files.newBufferedReader(file.file(), StandardCharsets.UTF_8)) {
      return Hierarchy.readArxCsv(file.name(), reader, file.conflicting());
    } catch (IOException e) {
      throw Errors.unreadableHierarchyFile("hierarchies." + file.name(), file.file().toString(), e);
    }
  }

  /** Where hierarchy files may lie besides the spec's folder: the folders listed in this variable (path separator between). */
  public static final String ROOTS_VARIABLE = "DEID_HIERARCHY_ROOTS";

  /**
   * Problems for hierarchy files that do not exist, or lie outside the spec's folder and the
   * configured roots (symbolic links resolved), by spec field; checked when a spec file is loaded,
   * so a spec cannot make the job read {@code ../../etc/passwd}. Messages never quote a file's content.
   */
  static List<String> misplaced(JobSpec spec, Path specDirectory, List<Path> roots) {
    List<String> problems = new ArrayList<>();
    List<Path> allowed = new ArrayList<>();
    allowed.add(specDirectory);
    allowed.addAll(roots);
    spec.hierarchies().forEach((name, h) -> {
      if (!(h instanceof HierarchySpec.FromFile file)) {
        return;
      }
      String field = "hierarchies." + name + ".file";
      if (!Files.isRegularFile(file.file())) {
        problems.add(Errors.invalidSpec(field, "no hierarchy file at " + file.file(),
            "give the path of an ARX hierarchy CSV, relative to the job spec"));
        return;
      }
      if (allowed.stream().noneMatch(root -> isUnder(file.file(), root))) {
        problems.add(Errors.invalidSpec(field, "the file " + file.file() + " lies outside the spec's folder " + specDirectory
            + (roots.isEmpty() ? "" : " and the hierarchy roots " + roots) + ", so it is not read",
            "keep hierarchy files beside the spec (or below it), or list their folder in " + ROOTS_VARIABLE));
      }
    });
    return problems;
  }

  private static boolean isUnder(Path file, Path root) {
    try {
      return file.toRealPath().startsWith(root.toRealPath());
    } catch (java.io.IOException | SecurityException e) {
      return false;
    }
  }

  /** The roots in {@value #ROOTS_VARIABLE}, or none. */
  static List<Path> configuredRoots(java.util.Map<String, String> environment) {
    String value = environment.get(ROOTS_VARIABLE);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(value.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank()).map(Path::of).toList();
  }
}

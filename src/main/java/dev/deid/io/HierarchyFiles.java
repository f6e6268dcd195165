package dev.deid.io;

import dev.deid.config.HierarchySpec;
import dev.deid.config.JobSpec;
import dev.deid.errors.DeidException;
import dev.deid.errors.Errors;
import dev.deid.privacy.anon.Hierarchy;
import dev.deid.privacy.anon.InvalidHierarchyException;
import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

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
    try (Reader reader = new StringReader(DriverFiles.readString(file.file()))) {
      return Hierarchy.readArxCsv(file.name(), reader, file.conflicting());
    } catch (IOException e) {
      throw Errors.unreadableHierarchyFile("hierarchies." + file.name(), file.file(), e);
    }
  }

  /**
   * Where hierarchy files may lie besides the spec's folder: the folders (local paths or Hadoop
   * URIs) listed in this variable, path separator between.
   */
  public static final String ROOTS_VARIABLE = "DEID_HIERARCHY_ROOTS";

  /**
   * Problems for hierarchy files that do not exist, or lie outside the spec's folder and the
   * configured roots (symbolic links resolved), by spec field; checked when a spec file is loaded,
   * so a spec cannot make the job read {@code ../../etc/passwd}. Messages never quote a file's content.
   */
  static List<String> misplaced(JobSpec spec, String specDirectory, List<String> roots) {
    List<String> problems = new ArrayList<>();
    List<String> allowed = new ArrayList<>();
    allowed.add(specDirectory);
    allowed.addAll(roots);
    spec.hierarchies().forEach((name, h) -> {
      if (!(h instanceof HierarchySpec.FromFile file)) {
        return;
      }
      String field = "hierarchies." + name + ".file";
      if (!DriverFiles.isFile(file.file())) {
        problems.add(Errors.invalidSpec(field, "no hierarchy file at " + file.file(),
            "give the path of an ARX hierarchy CSV, relative to the job spec"));
        return;
      }
      if (allowed.stream().noneMatch(root -> DriverFiles.isUnder(file.file(), root))) {
        problems.add(Errors.invalidSpec(field, "the file " + file.file() + " lies outside the spec's folder " + specDirectory
            + (roots.isEmpty() ? "" : " and the hierarchy roots " + roots) + ", so it is not read",
            "keep hierarchy files beside the spec (or below it), or list their folder in " + ROOTS_VARIABLE));
      }
    });
    return problems;
  }

  /** The roots in {@value #ROOTS_VARIABLE}, or none. */
  static List<String> configuredRoots(Map<String, String> environment) {
    String value = environment.get(ROOTS_VARIABLE);
    if (value == null || value.isBlank()) {
      return List.of();
    }
    // A ':' that starts a URI's "//" is not a separator, so that hdfs://… roots can be listed.
    String separator = File.pathSeparator.equals(":") ? ":(?!//)" : Pattern.quote(File.pathSeparator);
    return Arrays.stream(value.split(separator)).filter(s -> !s.isBlank())
        .map(s -> DriverFiles.isUri(s) ? s : Path.of(s).toAbsolutePath().normalize().toString()).toList();
  }
}

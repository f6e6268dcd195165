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

  /** Problems for hierarchy files that do not exist, by spec field; checked when a spec file is loaded. */
  static List<String> missing(JobSpec spec) {
    List<String> problems = new ArrayList<>();
    spec.hierarchies().forEach((name, h) -> {
      if (h instanceof HierarchySpec.FromFile file && !Files.isRegularFile(file.file())) {
        problems.add(Errors.invalidSpec("hierarchies." + name + ".file", "no hierarchy file at " + file.file(),
            "give the path of an ARX hierarchy CSV, relative to the job spec"));
      }
    });
    return problems;
  }
}

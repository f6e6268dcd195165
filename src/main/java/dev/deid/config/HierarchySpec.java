package dev.deid.config;

import dev.deid.privacy.anon.Hierarchy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Where a generalization hierarchy comes from: an ARX CSV file, or a builder over the data's values. */
public sealed interface HierarchySpec {
  String name();

  /**
   * ARX's hierarchy CSV format, read from {@code file}: a local path or a Hadoop URI, resolved
   * against the job spec's folder. Rows that repeat an original value with a different
   * generalization are refused unless {@code conflicting} says the last one wins (spec:
   * {@code conflictingRows: last}), as ARX reads them.
   */
  record FromFile(String name, String file, Hierarchy.ConflictingRows conflicting) implements HierarchySpec {
    public FromFile(String name, Path file) {
      this(name, file.toAbsolutePath().normalize().toString(), Hierarchy.ConflictingRows.REFUSE);
    }

    public FromFile(String name, Path file, Hierarchy.ConflictingRows conflicting) {
      this(name, file.toAbsolutePath().normalize().toString(), conflicting);
    }
  }

  /** Whole numbers in nested bands of the given widths, e.g. 5, 10, 20 years. */
  record Intervals(String name, long min, List<Integer> widths) implements HierarchySpec {
    public Intervals {
      widths = List.copyOf(widths);
    }
  }

  /** Dates generalized to month, quarter, year, decade (any ascending subset). */
  record Dates(String name, List<String> levels) implements HierarchySpec {
    public Dates {
      levels = List.copyOf(levels);
    }
  }

  /** Fixed-length codes masked from the right, one character per level. */
  record Masking(String name, int length) implements HierarchySpec {}

  /** Explicit groupings, one mapping of group name to members per level. */
  record Groups(String name, List<Map<String, List<String>>> levels) implements HierarchySpec {
    public Groups {
      levels = levels.stream().map(level -> {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        level.forEach((group, members) -> copy.put(group, List.copyOf(members)));
        return Copies.orderedMap(copy);
      }).toList();
    }
  }
}

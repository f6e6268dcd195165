package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.config.HierarchySpec;
import dev.deid.errors.DeidException;
import dev.deid.privacy.anon.Hierarchy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HierarchyFilesTest {
  /** Value 94 twice with different groups, as in cup's age hierarchy. */
  static final String CONFLICTING = "94;[90,94];*\n95;[95,99];*\n94;[94,98];*\n";

  @Test
  void readAll_conflictingRowsWithoutChoice_areRefusedNamingFieldRowsAndFix(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("age.csv"), CONFLICTING);
    DeidException e = assertThrows(DeidException.class,
        () -> HierarchyFiles.readAll(Map.of("age", new HierarchySpec.FromFile("age", file))));
    String message = e.getMessage();
    assertTrue(message.contains("at hierarchies.age: rows 1 and 3 give one original value two different generalizations"),
        message);
    assertTrue(message.contains("set hierarchies.age.conflictingRows: last"), message);
    assertFalse(message.contains("94"), "values stay out of the message: " + message);
    assertEquals(List.of("94"), e.values());
  }

  @Test
  void readAll_conflictingRowsWithLastRowWins_readsTheLastRow(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("age.csv"), CONFLICTING);
    Hierarchy age = HierarchyFiles.readAll(Map.of("age",
        new HierarchySpec.FromFile("age", file, Hierarchy.ConflictingRows.LAST_ROW_WINS))).get("age");
    assertEquals("[94,98]", age.label(age.code("94"), 1));
  }
}

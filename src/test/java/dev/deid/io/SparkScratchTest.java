package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A killed run's scratch folder (shuffle files hold raw ids) goes at the next start; a live run's stays. */
class SparkScratchTest {
  @Test
  void prepare_removesTheFoldersOfDeadProcesses_only(@TempDir Path temp) throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    Path dead = temp.resolve("deid-spark-" + finished.pid());
    Files.createDirectories(dead.resolve("blockmgr-1/0c"));
    Files.writeString(dead.resolve("blockmgr-1/0c/shuffle_0_1_0.data"), "C0000000042");
    long parent = ProcessHandle.current().parent().orElseThrow().pid();
    Path alive = Files.createDirectories(temp.resolve("deid-spark-" + parent));
    Path unrelated = Files.createDirectories(temp.resolve("deid-spark-notes"));

    Path mine = SparkScratch.prepare(temp);

    assertFalse(Files.exists(dead), "a dead run's shuffle files must go");
    assertTrue(Files.isDirectory(alive), "a live process's folder stays");
    assertTrue(Files.isDirectory(unrelated), "a folder not named by a process id is not ours");
    assertEquals(temp.resolve("deid-spark-" + ProcessHandle.current().pid()), mine);
    assertTrue(Files.isDirectory(mine));
    assertEquals(List.of(), SparkScratch.sweep(temp), "nothing left to sweep");
    SparkScratch.release(mine);
    assertFalse(Files.exists(mine));
  }
}

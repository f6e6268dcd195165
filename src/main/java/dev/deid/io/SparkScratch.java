package dev.deid.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Spark's local scratch space for a run in local mode: shuffle blocks and spills, which hold raw
 * values (subject ids among them). Spark deletes its directories when the JVM exits normally; a
 * killed run leaves them. So each JVM gets its own folder, named by its process id, under the
 * temp folder, and every start first removes the folders of processes no longer alive. On a
 * cluster the workers own their scratch space (see the README's cluster section).
 */
public final class SparkScratch {
  static final String PREFIX = "deid-spark-";

  private SparkScratch() {}

  /** Removes the scratch folders dead processes left under {@code temp}, then creates this process's; returns it. */
  public static Path prepare(Path temp) {
    sweep(temp);
    Path mine = temp.resolve(PREFIX + ProcessHandle.current().pid());
    try {
      Files.createDirectories(mine);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Spark's scratch folder " + mine, e);
    }
    return mine;
  }

  /** Deletes every {@code deid-spark-<pid>} folder under {@code temp} whose process is not alive; returns them. */
  static List<Path> sweep(Path temp) {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(temp)) {
      return removed;
    }
    try (Stream<Path> children = Files.list(temp)) {
      for (Path child : children.toList()) {
        String name = child.getFileName().toString();
        if (!name.startsWith(PREFIX) || !name.substring(PREFIX.length()).matches("\\d{1,19}") || !Files.isDirectory(child)) {
          continue;
        }
        long pid = Long.parseLong(name.substring(PREFIX.length()));
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
          LocalDirectories.delete(child);
          removed.add(child);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + temp, e);
    }
    return removed;
  }

  /** Deletes this process's folder (the session has stopped). */
  public static void release(Path mine) {
    LocalDirectories.delete(mine);
  }
}

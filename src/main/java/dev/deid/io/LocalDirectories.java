package dev.deid.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Whole local directory trees and marker files, for the demo's own warehouse only. */
public final class LocalDirectories {
  private LocalDirectories() {}

  /** Copies {@code from} to {@code to}; Delta tables hold relative file paths, so a copied table is the same table. */
  public static void copy(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot copy " + from + " to " + to, e);
    }
  }

  /** A small text file's content, or null when it is missing or unreadable. */
  public static String readIfPresent(Path file) {
    try {
      return Files.isRegularFile(file) ? Files.readString(file) : null;
    } catch (IOException e) {
      return null;
    }
  }

  public static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + file, e);
    }
  }

  public static void delete(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + root, e);
    }
  }

  /** Deletes what {@code root} holds but the entries named {@code kept}. */
  public static void deleteContentsExcept(Path root, java.util.Set<String> kept) {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> children = Files.list(root)) {
      for (Path child : children.filter(c -> !kept.contains(c.getFileName().toString())).toList()) {
        delete(child);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot empty " + root, e);
    }
  }
}

package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting a tree that someone else is deleting too, as Spark deletes its scratch at shutdown. */
class LocalDirectoriesTest {
  @Test
  void delete_skipsWhatVanishesMeanwhile(@TempDir Path temp) throws Exception {
    for (int round = 0; round < 10; round++) {
      Path root = temp.resolve("blockmgr-" + round);
      for (int d = 0; d < 20; d++) {
        Path folder = Files.createDirectories(root.resolve(String.format("%02x", d)));
        for (int f = 0; f < 50; f++) {
          Files.writeString(folder.resolve("shuffle_0_" + f + "_0.data"), "x");
        }
      }
      CyclicBarrier start = new CyclicBarrier(2);
      Runnable deleteOnStart = () -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        LocalDirectories.delete(root);
      };
      CompletableFuture<Void> other = CompletableFuture.runAsync(deleteOnStart);
      deleteOnStart.run();
      other.get();
      assertFalse(Files.exists(root), "round " + round + ": the tree is gone");
    }
  }
}

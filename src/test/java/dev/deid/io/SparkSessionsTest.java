package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.RDDInfo;
import org.junit.jupiter.api.Test;

/** The Spark context settings the job applies, in the test session that applies them too. */
class SparkSessionsTest {
  static final SparkSession SPARK = TestSpark.session();

  /** A run's outputs wait in such checkpoints, all at once; uncompressed, 64-character pseudonyms alone fill a disk. */
  @Test
  void outputCheckpoints_areStoredCompressed() {
    long rows = 20_000;
    Dataset<Row> pseudonyms = SPARK.range(rows).select(functions.repeat(functions.lit("0123456789abcdef"), 4).as("p"));
    RDDInfo stored = checkpointed(pseudonyms);
    assertTrue(stored.diskSize() > 0, "the checkpoint is stored");
    assertTrue(stored.diskSize() < rows * 64 / 4, "20,000 copies of one 64-character value take " + stored.diskSize() + " bytes");
  }

  /**
   * Nor do they take heap, even once read: a block kept in memory and on disk is copied whole
   * into the heap when read back from disk, which at 100M customers ran a 4 GiB JVM out of memory.
   */
  @Test
  void outputCheckpoints_readBack_stayOffTheHeap() {
    RDDInfo stored = checkpointed(SPARK.range(50_000).selectExpr("id", "sha2(cast(id as string), 256) as p"));
    assertTrue(stored.diskSize() > 0, "the checkpoint is on disk");
    assertEquals(0, stored.memSize(), "bytes of the checkpoint on the heap after reading it twice");
  }

  /** Checkpoints {@code data} as the job does, reads it twice, and returns what Spark stores of it (then frees it). */
  private static RDDInfo checkpointed(Dataset<Row> data) {
    Dataset<Row> checkpoint = data.localCheckpoint(true, SparkSessions.CHECKPOINT_STORAGE);
    var rdd = ((LogicalRDD) checkpoint.queryExecution().logical()).rdd();
    try {
      checkpoint.count();
      checkpoint.selectExpr("max(p)").collectAsList();
      for (RDDInfo info : SPARK.sparkContext().getRDDStorageInfo()) {
        if (info.id() == rdd.id()) {
          return info;
        }
      }
      throw new AssertionError("Spark keeps no blocks of the checkpoint");
    } finally {
      rdd.unpersist(true);
    }
  }
}

package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.RDDInfo;
import org.apache.spark.storage.StorageLevel;
import org.junit.jupiter.api.Test;

/** The Spark context settings the job applies, in the test session that applies them too. */
class SparkSessionsTest {
  static final SparkSession SPARK = TestSpark.session();

  /** A run's outputs wait in such checkpoints, all at once; uncompressed, 64-character pseudonyms alone fill a heap. */
  @Test
  void serializedCheckpoints_areStoredCompressed() {
    long rows = 20_000;
    Dataset<Row> pseudonyms = SPARK.range(rows).select(functions.repeat(functions.lit("0123456789abcdef"), 4).as("p"));
    Dataset<Row> checkpoint = pseudonyms.localCheckpoint(true, StorageLevel.MEMORY_AND_DISK_SER());
    int id = ((LogicalRDD) checkpoint.queryExecution().logical()).rdd().id();
    try {
      long stored = 0;
      for (RDDInfo info : SPARK.sparkContext().getRDDStorageInfo()) {
        if (info.id() == id) {
          stored = info.memSize() + info.diskSize();
        }
      }
      assertTrue(stored > 0, "the checkpoint is stored");
      assertTrue(stored < rows * 64 / 4, "20,000 copies of one 64-character value take " + stored + " bytes");
    } finally {
      ((LogicalRDD) checkpoint.queryExecution().logical()).rdd().unpersist(true);
    }
  }
}

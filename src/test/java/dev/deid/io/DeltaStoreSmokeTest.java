package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.deid.TestSpark;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

class DeltaStoreSmokeTest {
  @Test
  void replace_twice_keepsPropertiesAndObservations() throws Exception {
    SparkSession spark = TestSpark.session();
    DeltaStore store = new DeltaStore(spark);
    String path = TestSpark.tempDirectory("smoke").resolve("t").toString();
    long v0 = store.replace(path, spark.range(10).toDF("id"), Map.of("deid.run_id", "r1"));
    long v1 = store.replace(path, spark.range(5).toDF("id"), Map.of("deid.run_id", "r2"));
    assertEquals("r2", store.properties(path).get("deid.run_id"));
    assertEquals(v0 + 1, v1);
    System.out.println(io.delta.tables.DeltaTable.forPath(spark, path).history(1).select("operationMetrics").first());
    assertEquals(3, store.delete(path, functions.col("id").lt(3)));
    System.out.println(store.read(path).count());
  }
}

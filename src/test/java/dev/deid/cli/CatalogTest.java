package dev.deid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.deid.Notebooks;
import dev.deid.TestSpark;
import dev.deid.errors.DeidException;
import dev.deid.io.DeltaStore;
import dev.deid.io.Warehouse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * Outputs are named tables: a run registers each Delta output in Spark's catalog, and with a local
 * warehouse that catalog is an embedded metastore the next session (a notebook, {@code deid sql})
 * opens as the run left it.
 */
class CatalogTest {
  /**
   * The newcomer's path of the README: the demo command in a JVM of its own, then the analyst
   * notebook executed by Jupyter, querying the tables by name through {@code deid sql} in a
   * third JVM that opens the embedded catalog the run left.
   */
  @Test
  void theDemoRunsTables_areNamedInTheEmbeddedCatalog_andTheNotebookQueriesThemByName() throws Exception {
    Path root = TestSpark.tempDirectory("catalog").resolve("sample-warehouse");
    Child run = child("sample", "--warehouse", root.toString(), "--customers", "5000");
    assertEquals(0, run.exit(), run.output());
    assertTrue(run.output().contains("(table analysts.customers_analytics)"), run.output());
    assertTrue(Files.isDirectory(root.resolve(Warehouse.CATALOG).resolve("metastore_db")), "the metastore lives in the warehouse");

    JsonNode notebook = Notebooks.execute(Path.of("notebooks/analyst_quickstart.ipynb"), root);
    String printed = Notebooks.streams(notebook);
    for (String table : List.of("customers_analytics", "orders_analytics", "feedback_analytics", "orders_by_region_year")) {
      assertTrue(printed.contains("analysts." + table), "the notebook lists " + table + ": " + printed);
    }
    SparkSession spark = TestSpark.session();
    long customers = spark.read().format("delta").load(root + "/analysts/customers_analytics").count();
    long groups = spark.read().format("delta").load(root + "/analysts/orders_by_region_year").count();
    assertTrue(customers > 0);
    assertTrue(printed.contains("customers in analysts.customers_analytics: " + customers + "\n"), printed);
    assertTrue(printed.contains("groups released: " + groups + "\n"), printed);
    assertEquals(groups > 0 ? 2 : 1, Notebooks.images(notebook), "a figure per chart the data allows");
    assertTrue(Notebooks.html(notebook).contains("HMAC-SHA-256 pseudonym under key"), "the data dictionary is shown");
  }

  @Test
  void register_pointsTheNameAtThePath_rePointsItsOwnNames_andRefusesAManagedTablesName() {
    SparkSession spark = TestSpark.session();
    DeltaStore store = new DeltaStore(spark);
    Path dir = TestSpark.tempDirectory("register");
    String first = dir.resolve("first").toString();
    String second = dir.resolve("second").toString();
    spark.range(3).write().format("delta").save(first);
    spark.range(5).write().format("delta").save(second);

    assertEquals("catalog_test.t", store.register("catalog_test", "t", first));
    assertEquals(3, spark.table("catalog_test.t").count());
    assertEquals("catalog_test.t", store.register("catalog_test", "t", first), "registering again changes nothing");
    store.register("catalog_test", "t", second);
    assertEquals(5, spark.table("catalog_test.t").count(), "a name of ours follows its output to a new path");
    assertTrue(Files.isDirectory(Path.of(first)), "re-pointing a name never deletes the table it left");

    spark.sql("CREATE TABLE catalog_test.managed (id BIGINT) USING delta");
    DeidException taken = assertThrows(DeidException.class, () -> store.register("catalog_test", "managed", first));
    assertTrue(taken.getMessage().contains("catalog_test.managed") && taken.getMessage().contains("fix:"), taken.getMessage());
    assertEquals(0, spark.table("catalog_test.managed").count(), "a table that is not ours is left as it was");
  }

  @Test
  void aMistakeInASqlStatement_isAUserError_namingTheStatement() {
    TestSpark.session();
    StringWriter err = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "sql", "--warehouse",
        TestSpark.tempDirectory("sql").toString(), "SELECT 1", "SELECT * FROM analysts.no_such_table");
    assertEquals(DeidCli.FAILED, code, err.toString());
    assertTrue(err.toString().contains("SQL statement 2 failed") && err.toString().contains("fix:"), err.toString());
  }

  private record Child(int exit, String output) {}

  /** The CLI in a JVM of its own, as a scheduler starts it: its own SparkSession, its own catalog connection. */
  private static Child child(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.startsWith("--add-modules")
            || a.startsWith("-XX:+IgnoreUnrecognizedVMOptions"))
        .forEach(command::add);
    command.addAll(List.of("-Xmx2g", "-XX:+UseParallelGC", "-Dlog4j2.configurationFile=conf/log4j2.properties", "-cp",
        System.getProperty("java.class.path"), DeidCli.class.getName()));
    command.addAll(List.of(args));
    Path log = TestSpark.tempDirectory("child").resolve("child.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the child JVM did not finish: " + Files.readString(log));
    }
    return new Child(process.exitValue(), Files.readString(log));
  }
}

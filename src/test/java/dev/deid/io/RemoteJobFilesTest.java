package dev.deid.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.deid.TestSpark;
import dev.deid.TestWarehouses;
import dev.deid.cli.DeidCli;
import dev.deid.config.HierarchySpec;
import dev.deid.config.JobSpec;
import dev.deid.errors.DeidException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The spec, its hierarchy files and the key directory at Hadoop URIs, as a driver in cluster mode
 * reads them (from HDFS, S3, ABFS): here a local folder under the scheme {@code testfs}, which
 * {@code java.nio} cannot open, so each read below went through Hadoop's FileSystem.
 */
class RemoteJobFilesTest {
  static final SparkSession SPARK = TestSpark.session();
  static Path folder;
  static String specs;

  @BeforeAll
  static void specFolderOnAnotherFileSystem() throws Exception {
    SchemeLocalFileSystem.register(SPARK);
    folder = TestSpark.tempDirectory("remote-files");
    Files.createDirectories(folder.resolve("specs/hierarchies"));
    Files.copy(Path.of("conf/hierarchies/province.csv"), folder.resolve("specs/hierarchies/province.csv"));
    specs = SchemeLocalFileSystem.SCHEME + "://" + folder.resolve("specs");
  }

  /** The test fixture's spec with its region hierarchy read from a file beside it instead of built from groups. */
  static String spec(String regionsFile) throws Exception {
    String yaml = Files.readString(Path.of("src/test/resources/specs/customers_fixture.yaml"));
    int start = yaml.indexOf("  regions:\n");
    int end = yaml.indexOf("\n\n", start);
    return yaml.substring(0, start) + "  regions: {file: " + regionsFile + "}" + yaml.substring(end);
  }

  static String write(String name, String text) throws Exception {
    Files.writeString(folder.resolve("specs").resolve(name), text);
    return specs + "/" + name;
  }

  @Test
  void specAndHierarchyFile_loadFromAHadoopUri_resolvedAgainstTheSpecsFolder() throws Exception {
    String location = write("customers.yaml", spec("hierarchies/province.csv"));
    JobSpec spec = SpecFiles.load(location);
    HierarchySpec.FromFile regions = (HierarchySpec.FromFile) spec.hierarchies().get("regions");
    assertTrue(regions.file().startsWith(SchemeLocalFileSystem.SCHEME + ":") && regions.file()
        .endsWith(folder.resolve("specs/hierarchies/province.csv").toString()), regions.file());
    assertTrue(HierarchyFiles.readAll(spec).get("regions").height() >= 2, "the file was read as an ARX hierarchy");
  }

  @Test
  void aHierarchyFileOutsideTheSpecsFolder_isRefusedOnAHadoopUriToo() throws Exception {
    String location = write("escaping.yaml", spec("../../../../../../etc/passwd"));
    DeidException e = assertThrows(DeidException.class, () -> SpecFiles.load(location));
    assertTrue(e.getMessage().contains("hierarchies.regions.file") && e.getMessage().contains("outside the spec's folder"),
        e.getMessage());
    assertTrue(!e.getMessage().contains("root:"), "nothing of the file is quoted");
  }

  /** A file: URI is a local path: a symbolic link inside the spec's folder that leads out of it is refused. */
  @Test
  void aSymbolicLinkOutOfTheSpecsFolder_isRefusedForAFileUri() throws Exception {
    Path outside = Files.writeString(TestSpark.tempDirectory("outside").resolve("regions.csv"), "上海;华东;*\n");
    Path link = folder.resolve("specs/hierarchies/linked.csv");
    Files.deleteIfExists(link);
    Files.createSymbolicLink(link, outside);
    Files.writeString(folder.resolve("specs/linked.yaml"), spec("hierarchies/linked.csv"));
    String location = folder.resolve("specs/linked.yaml").toUri().toString();
    DeidException e = assertThrows(DeidException.class, () -> SpecFiles.load(location));
    assertTrue(e.getMessage().contains("outside the spec's folder"), e.getMessage());
  }

  @Test
  void keyDirectoryAtAHadoopUri_givesTheKeys_andRefusesAKeyOthersMayRead() throws Exception {
    Path keys = TestWarehouses.keyDirectory();
    KeyRing ring = KeyRing.at(Map.of(), SchemeLocalFileSystem.SCHEME + "://" + keys);
    assertEquals("analysts-k1", ring.key("analysts").id());
    Files.setPosixFilePermissions(keys.resolve("analysts.key"), PosixFilePermissions.fromString("rw-r--r--"));
    DeidException e = assertThrows(DeidException.class, () -> ring.key("analysts"));
    assertTrue(e.getMessage().contains("let other users read the secret"), e.getMessage());
  }

  /** What a cluster-mode driver does: validate the spec against the warehouse and keys, all named by URI. */
  @Test
  void validate_withSpecAndKeysAtHadoopUris_succeeds() throws Exception {
    String location = write("validated.yaml", spec("hierarchies/province.csv"));
    Warehouse warehouse = TestWarehouses.fresh("remote-files-warehouse");
    StringWriter err = new StringWriter();
    int code = DeidCli.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "validate", location,
        "--warehouse", warehouse.root(), "--key-dir", SchemeLocalFileSystem.SCHEME + "://" + TestWarehouses.keyDirectory());
    assertEquals(0, code, err.toString());
  }
}

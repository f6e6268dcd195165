package dev.deid.io;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.spark.sql.SparkSession;

/**
 * The local disk under another scheme ({@code testfs:///tmp/...}), standing in for HDFS, S3 or ABFS
 * in tests: {@code java.nio} cannot open such a location, so whatever reads one went through
 * Hadoop's FileSystem, as it must on a cluster.
 */
public class SchemeLocalFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "testfs";

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  /** Hadoop's local status reads permissions through {@code java.io.File}, which takes {@code file:} URIs only. */
  @Override
  public FileStatus getFileStatus(org.apache.hadoop.fs.Path f) throws IOException {
    FileStatus local = super.getFileStatus(f);
    String permissions = PosixFilePermissions.toString(
        Files.getPosixFilePermissions(java.nio.file.Path.of(f.toUri().getPath())));
    return new FileStatus(local.getLen(), local.isDirectory(), 1, local.getBlockSize(),
        local.getModificationTime(), 0, FsPermission.valueOf("-" + permissions), "owner",
        "group", local.getPath());
  }

  /** Makes the scheme known to the test session's Hadoop configuration. */
  public static void register(SparkSession spark) {
    spark.sparkContext().hadoopConfiguration().set("fs." + SCHEME + ".impl", SchemeLocalFileSystem.class.getName());
    spark.sparkContext().hadoopConfiguration().setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
  }
}

package dev.deid.io;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

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
  public org.apache.hadoop.fs.FileStatus getFileStatus(org.apache.hadoop.fs.Path f) throws java.io.IOException {
    org.apache.hadoop.fs.FileStatus local = super.getFileStatus(f);
    String permissions = java.nio.file.attribute.PosixFilePermissions.toString(
        java.nio.file.Files.getPosixFilePermissions(java.nio.file.Path.of(f.toUri().getPath())));
    return new org.apache.hadoop.fs.FileStatus(local.getLen(), local.isDirectory(), 1, local.getBlockSize(),
        local.getModificationTime(), 0, org.apache.hadoop.fs.permission.FsPermission.valueOf("-" + permissions), "owner",
        "group", local.getPath());
  }

  /** Makes the scheme known to the test session's Hadoop configuration. */
  public static void register(org.apache.spark.sql.SparkSession spark) {
    spark.sparkContext().hadoopConfiguration().set("fs." + SCHEME + ".impl", SchemeLocalFileSystem.class.getName());
    spark.sparkContext().hadoopConfiguration().setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
  }
}

package dev.deid.io;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The files the driver reads itself: the job spec, hierarchy files and key files. A location is a
 * local path or a Hadoop URI ({@code hdfs://}, {@code s3a://}, {@code abfs://}, {@code file:}),
 * read through Hadoop's FileSystem with the session's Hadoop configuration (so the submitter's
 * {@code spark.hadoop.*} credentials apply): in cluster mode nothing has to be on the driver's disk.
 * Local paths are read with {@code java.nio}, symbolic links resolved where containment is checked.
 */
public final class DriverFiles {
  /** A scheme of two or more characters, so that a Windows drive letter is not taken for one. */
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:.*");
  /** Object stores report made-up permissions; who may read a key there is the store's access policy. */
  private static final Set<String> OBJECT_STORES = Set.of("s3", "s3a", "s3n", "gs", "abfs", "abfss", "wasb", "wasbs", "oss",
      "adl", "cos", "obs");

  private DriverFiles() {}

  public static boolean isUri(String location) {
    return SCHEME.matcher(location).matches();
  }

  /** {@code name} (relative, absolute or a URI) as seen from {@code folder}, normalized. */
  public static String resolve(String folder, String name) {
    if (isUri(name)) {
      return new Path(name).toUri().normalize().toString();
    }
    if (isUri(folder)) {
      return new Path(new Path(folder), name).toUri().normalize().toString();
    }
    return java.nio.file.Path.of(folder).resolve(name).normalize().toString();
  }

  /** The folder holding {@code location}, absolute. */
  public static String parent(String location) {
    if (isUri(location)) {
      return new Path(location).getParent().toString();
    }
    return java.nio.file.Path.of(location).toAbsolutePath().normalize().getParent().toString();
  }

  /** The last part of the location's path. */
  public static String fileName(String location) {
    return isUri(location) ? new Path(location).getName() : java.nio.file.Path.of(location).getFileName().toString();
  }

  public static boolean isFile(String location) {
    if (!isUri(location)) {
      return Files.isRegularFile(java.nio.file.Path.of(location));
    }
    try {
      Path path = new Path(location);
      FileSystem fs = path.getFileSystem(configuration());
      return fs.exists(path) && fs.getFileStatus(path).isFile();
    } catch (IOException e) {
      return false;
    }
  }

  public static String readString(String location) throws IOException {
    if (!isUri(location)) {
      return Files.readString(java.nio.file.Path.of(location), StandardCharsets.UTF_8);
    }
    Path path = new Path(location);
    try (InputStream in = path.getFileSystem(configuration()).open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Whether {@code file} lies in {@code folder} or below it: local paths with symbolic links
   * resolved, URIs on the same file system after removing {@code .} and {@code ..}.
   */
  public static boolean isUnder(String file, String folder) {
    file = localIfFileUri(file);
    folder = localIfFileUri(folder);
    if (isUri(file) != isUri(folder)) {
      return false;
    }
    if (!isUri(file)) {
      try {
        return java.nio.file.Path.of(file).toRealPath().startsWith(java.nio.file.Path.of(folder).toRealPath());
      } catch (IOException | SecurityException e) {
        return false;
      }
    }
    try {
      Configuration conf = configuration();
      Path f = new Path(file);
      Path d = new Path(folder);
      URI fileUri = f.getFileSystem(conf).makeQualified(f).toUri().normalize();
      URI folderUri = d.getFileSystem(conf).makeQualified(d).toUri().normalize();
      String folderPath = folderUri.getPath().endsWith("/") ? folderUri.getPath() : folderUri.getPath() + "/";
      return Objects.equals(fileUri.getScheme(), folderUri.getScheme())
          && Objects.equals(fileUri.getAuthority(), folderUri.getAuthority())
          && fileUri.getPath().startsWith(folderPath);
    } catch (IOException | IllegalArgumentException e) {
      return false;
    }
  }

  /** A {@code file:} URI as a local path (so that symbolic links are resolved where containment is checked); others unchanged. */
  private static String localIfFileUri(String location) {
    if (isUri(location) && location.regionMatches(true, 0, "file:", 0, 5)) {
      return new Path(location).toUri().getPath();
    }
    return location;
  }

  /**
   * The file's POSIX permissions, or empty where there are none worth checking: a local file system
   * without POSIX attributes, or an object store (its access policy decides who reads the file).
   */
  public static Optional<Set<PosixFilePermission>> permissions(String location) throws IOException {
    if (!isUri(location)) {
      try {
        return Optional.of(Files.getPosixFilePermissions(java.nio.file.Path.of(location)));
      } catch (UnsupportedOperationException notPosix) {
        return Optional.empty();
      }
    }
    Path path = new Path(location);
    FileSystem fs = path.getFileSystem(configuration());
    if (OBJECT_STORES.contains(fs.getScheme().toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    FileStatus status = fs.getFileStatus(path);
    String symbolic = status.getPermission().toString();
    return Optional.of(PosixFilePermissions.fromString(symbolic.substring(0, 9).replace('t', 'x').replace('T', '-')));
  }

  /** The session's Hadoop configuration (the submitter's file system settings), or Hadoop's defaults before there is one. */
  static Configuration configuration() {
    SparkSession active = SparkSession.getActiveSession().getOrElse(() -> SparkSession.getDefaultSession().getOrElse(() -> null));
    return active != null ? active.sparkContext().hadoopConfiguration() : new Configuration();
  }
}

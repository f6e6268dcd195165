package dev.deid.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

/**
 * Small files written whole and atomically (a temporary file renamed into place), on any Hadoop
 * file system: run reports, manifests, pointers. JSON comes from Jackson, which Spark provides.
 */
public final class AtomicFiles {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AtomicFiles() {}

  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot serialize " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** Writes {@code text} to {@code target}; readers see the old file or the new one, never a part. */
  public static void writeAtomically(String target, String text, Configuration conf) {
    try {
      Path path = new Path(target);
      FileContext fc = FileContext.getFileContext(path.toUri(), conf);
      Path temporary = new Path(path.getParent(), "." + path.getName() + ".tmp");
      fc.mkdir(path.getParent(), null, true);
      try (OutputStream out = fc.create(temporary, EnumSet.of(CreateFlag.CREATE, CreateFlag.OVERWRITE),
          Options.CreateOpts.createParent())) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
      fc.rename(temporary, path, Options.Rename.OVERWRITE);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write " + target, e);
    }
  }
}

package dev.deid.io;

import dev.deid.config.VacuumPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What a run has published, so that a run publishes all its outputs and releases or none: until
 * the run {@linkplain #complete completes}, a replaced Delta table keeps the files of its previous
 * version and an extract keeps its previous run, and a failed run {@linkplain #rollBack rolls
 * back} every publication (Delta RESTORE to the previous version, the extract's pointer back to
 * its previous run; what the run created is removed). Completion then vacuums and removes the
 * superseded extract runs, so nothing erased or expired stays on disk past the run.
 */
public final class Publications {
  /** One publication undone by a failed run: where, what it had published, and what is current now. */
  public record Rollback(String location, String published, String current) {}

  private sealed interface Entry permits TableEntry, ExtractEntry {}

  private static final class TableEntry implements Entry {
    final String location;
    final Long previousVersion;
    final long version;
    String catalogName;

    TableEntry(String location, Long previousVersion, long version) {
      this.location = location;
      this.previousVersion = previousVersion;
      this.version = version;
    }
  }

  private record ExtractEntry(String extract, String previousRun, String run) implements Entry {}

  private final List<Entry> entries = new ArrayList<>();
  private final VacuumPolicy vacuum;

  /** {@code vacuum}: the spec's policy, applied to replaced tables when the run completes or rolls back. */
  public Publications(VacuumPolicy vacuum) {
    this.vacuum = vacuum;
  }

  void tableReplaced(String location, Long previousVersion, long version) {
    entries.add(new TableEntry(location, previousVersion, version));
  }

  void extractWritten(String extract, String previousRun, String run) {
    entries.add(new ExtractEntry(extract, previousRun, run));
  }

  /** The catalog name the run gave a table it published, dropped again if the run created the table and fails. */
  public void registered(String location, String qualifiedName) {
    for (Entry e : entries) {
      if (e instanceof TableEntry t && t.location.equals(location)) {
        t.catalogName = qualifiedName;
      }
    }
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The run succeeded: replaced tables lose their earlier versions' files, extracts their earlier runs. */
  public void complete(TableStore store) {
    for (Entry e : entries) {
      if (e instanceof TableEntry t && t.previousVersion != null) {
        store.vacuum(t.location, vacuum);
      } else if (e instanceof ExtractEntry x) {
        ExtractStore.removeOtherRuns(x.extract(), x.run(), store.spark().sparkContext().hadoopConfiguration());
      }
    }
    entries.clear();
  }

  /**
   * The run failed: every publication is undone, last first. A table that existed is restored to
   * its previous version (then vacuumed, so the failed version's files go); one the run created is
   * removed with its catalog name. An extract points at its previous run again and the new run's
   * directory goes. Returns what was undone; a publication that cannot be undone is reported so.
   */
  public List<Rollback> rollBack(TableStore store) {
    Configuration conf = store.spark().sparkContext().hadoopConfiguration();
    List<Rollback> done = new ArrayList<>();
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry e = entries.get(i);
      try {
        if (e instanceof TableEntry t) {
          if (t.previousVersion != null) {
            long restored = store.restore(t.location, t.previousVersion);
            store.vacuum(t.location, vacuum);
            done.add(new Rollback(t.location, "version " + t.version, "version " + restored + " (restored from version "
                + t.previousVersion + ")"));
          } else {
            if (t.catalogName != null) {
              store.spark().sql("DROP TABLE IF EXISTS " + t.catalogName);
            }
            delete(t.location, conf);
            done.add(new Rollback(t.location, "version " + t.version, "removed (the run created it)"));
          }
        } else if (e instanceof ExtractEntry x) {
          if (x.previousRun() != null) {
            AtomicFiles.writeAtomically(x.extract() + "/" + ExtractStore.CURRENT, x.previousRun() + "\n", conf);
          } else {
            delete(x.extract() + "/" + ExtractStore.CURRENT, conf);
          }
          delete(x.extract() + "/" + x.run(), conf);
          done.add(new Rollback(x.extract(), "run " + x.run(), x.previousRun() == null ? "no delivery (the run created it)"
              : "run " + x.previousRun()));
        }
      } catch (RuntimeException failure) {
        String location = e instanceof TableEntry t ? t.location : ((ExtractEntry) e).extract();
        done.add(new Rollback(location, "published by this run", "NOT rolled back: " + failure.getClass().getSimpleName()
            + "; restore it by hand from its history"));
      }
    }
    entries.clear();
    return done;
  }

  private static void delete(String location, Configuration conf) {
    try {
      Path path = new Path(location);
      path.getFileSystem(conf).delete(path, true);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot remove " + location, e);
    }
  }
}

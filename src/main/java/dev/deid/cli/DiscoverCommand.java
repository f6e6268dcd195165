package dev.deid.cli;

import dev.deid.errors.Errors;
import dev.deid.io.AtomicFiles;
import dev.deid.io.DeltaStore;
import dev.deid.io.Warehouse;
import dev.deid.pipeline.Discovery;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/** {@code discover}: proposes the classification of raw tables, as a draft spec and a data map, for a person to review. */
@Command(mixinStandardHelpOptions = true, name = "discover", description = "Profile the raw tables and propose, per column, a "
    + "class and an action with the evidence; write a draft job spec and a data map (which tables hold which classes).")
final class DiscoverCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec command;
  @CommandLine.Mixin
  DeidCli.WarehouseOption warehouse = new DeidCli.WarehouseOption();
  @Option(names = "--tables", split = ",", description = "Raw tables to scan (default: every Delta table under raw/).")
  List<String> tables;
  @Option(names = "--sample-rows", defaultValue = "20000", description = "Rows per table whose values are examined (default ${DEFAULT-VALUE}); counts cover every row.")
  int sampleRows;
  @Option(names = "--out", defaultValue = "jobs/draft.yaml", description = "The draft spec (default ${DEFAULT-VALUE}); an existing file is not overwritten.")
  Path out;
  @Option(names = "--data-map", description = "The data map, JSON (default: beside the draft, <draft>.datamap.json).")
  Path dataMap;
  @Option(names = "--name", defaultValue = "draft", description = "The draft job's name (default ${DEFAULT-VALUE}).")
  String name;

  @Override
  public Integer call() throws Exception {
    Warehouse target = warehouse.resolve();
    if (Files.exists(out)) {
      throw Errors.fileExists("--out", out.toString());
    }
    DeltaStore store = new DeltaStore(DeidCli.spark(target));
    List<String> scanned = tables != null ? tables : rawTables(store, target);
    if (scanned.isEmpty()) {
      throw Errors.noRawTables(target.root());
    }
    Discovery.Found found = Discovery.discover(store, target, scanned, sampleRows, name);
    Path map = dataMap != null ? dataMap : out.resolveSibling(out.getFileName().toString().replaceAll("\\.ya?ml$", "") + ".datamap.json");
    Files.createDirectories(out.toAbsolutePath().getParent());
    AtomicFiles.writeAtomically(out.toAbsolutePath().toString(), found.draftSpec(), store.spark().sparkContext().hadoopConfiguration());
    AtomicFiles.writeAtomically(map.toAbsolutePath().toString(), AtomicFiles.toJson(found.dataMap()),
        store.spark().sparkContext().hadoopConfiguration());
    PrintWriter printed = command.commandLine().getOut();
    found.proposals().forEach((table, columns) -> columns.forEach((column, p) -> printed.printf("%-28s %-18s %-13s %s%n",
        table + "." + column, p.columnClass(), p.action(), String.join("; ", p.evidence()))));
    printed.println("draft spec: " + out + " (review every proposal, then: deid validate " + out + " --warehouse " + target.root() + ")");
    printed.println("data map:   " + map);
    printed.flush();
    return 0;
  }

  private static List<String> rawTables(DeltaStore store, Warehouse warehouse) {
    List<String> found = new ArrayList<>();
    Path raw = Path.of(warehouse.rawTable("x")).getParent();
    if (warehouse.isLocal() && Files.isDirectory(raw)) {
      try (var children = Files.list(raw)) {
        children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted()
            .filter(t -> store.exists(warehouse.rawTable(t))).forEach(found::add);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return found;
  }
}

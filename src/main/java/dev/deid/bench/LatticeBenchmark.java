package dev.deid.bench;

import dev.deid.io.ArxDatasets;
import dev.deid.privacy.anon.Anonymizer;
import dev.deid.privacy.anon.GlobalRecoding;
import dev.deid.privacy.anon.PrivacyModel;
import dev.deid.privacy.anon.UtilityMetric;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The global-recoding search on ARX's benchmark datasets (every column with a hierarchy file a
 * quasi-identifier, k-anonymity, Loss), Spark-free: per dataset and suppression limit, the time,
 * nodes evaluated, Loss, proven lower bound and gap, whether optimal, and ARX's bottom-up
 * best-effort heuristic given the same time. Every output is written as CSV and read back to
 * recompute its classes independently; a class below k or too much suppression fails the command.
 */
@Command(mixinStandardHelpOptions = true, name = "lattice-benchmark", description = "Global recoding on ARX's benchmark datasets, with ARX's heuristic for comparison.")
public final class LatticeBenchmark implements Callable<Integer> {
  @Option(names = "--data", defaultValue = "../shared/data", description = "Directory holding one folder per dataset.")
  Path data;
  @Option(names = "--datasets", split = ",", defaultValue = "adult,fars,cup,creditcard,mach2019")
  List<String> datasets;
  @Option(names = "--k", defaultValue = "5")
  int k;
  @Option(names = "--suppression", split = ",", defaultValue = "0,0.05")
  List<Double> suppression;
  @Option(names = "--seconds", defaultValue = "60", description = "Time budget of each search.")
  int seconds;
  @Option(names = "--no-best-effort", description = "Skip the comparison run of ARX's bottom-up best-effort heuristic.")
  boolean noBestEffort;
  @Option(names = "--out", defaultValue = "target/lattice-bench")
  Path out;

  @Override
  public Integer call() throws IOException {
    System.out.printf("machine: %d cores, max heap %d MiB; k=%d, time budget %d s per search%n",
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, k, seconds);
    System.out.printf("%-11s %5s %4s %9s %8s %12s %9s %9s %8s %8s %11s  %s%n", "dataset", "supp", "QIs", "lattice",
        "seconds", "nodes", "loss", "lower", "gap", "optimal", "best-effort", "levels");
    Files.createDirectories(out);
    int failures = 0;
    for (String name : datasets) {
      ArxDatasets.Dataset dataset = ArxDatasets.read(data.resolve(name));
      for (double limit : suppression) {
        List<PrivacyModel> models = List.of(new PrivacyModel.KAnonymity(k));
        long t0 = System.nanoTime();
        Anonymizer.Outcome outcome = Anonymizer.anonymize(dataset.histogram(),
            new Anonymizer.Plan(models, limit, UtilityMetric.LOSS, false, seconds * 1000L, 2_000_000), null);
        double elapsed = (System.nanoTime() - t0) / 1e9;
        String bestEffort = "-";
        if (!noBestEffort && !outcome.optimal()) {
          GlobalRecoding.Result reference = GlobalRecoding.bottomUpBestEffort(dataset.histogram(), models, limit,
              UtilityMetric.LOSS, null, seconds * 1000L);
          bestEffort = String.format("%.4f", reference.best().score());
        }
        Path written = out.resolve(name + "_k" + k + "_s" + limit + ".csv");
        write(dataset, outcome, written);
        String check = checkWritten(written, k, (long) Math.floor(limit * dataset.records()));
        if (check != null) {
          failures++;
          System.out.println("FAILED independent check of " + written + ": " + check);
        }
        System.out.printf("%-11s %4.0f%% %4d %9.3g %8.1f %,12d %9.4f %9.4f %7.2f%% %8s %11s  %s%n", name, limit * 100,
            dataset.quasiIdentifiers().size(), (double) outcome.latticeSize(), elapsed, outcome.nodesEvaluated(),
            outcome.loss(), outcome.lowerBound(), outcome.optimalityGap() * 100, outcome.optimal(), bestEffort,
            Arrays.toString(outcome.levels()));
      }
    }
    System.out.println(failures == 0 ? "independent k check: every output passed" : failures + " output(s) FAILED the k check");
    return failures == 0 ? 0 : 1;
  }

  /** One line per record: whether it is suppressed, then its generalized quasi-identifiers ('*' when suppressed). */
  private static void write(ArxDatasets.Dataset dataset, Anonymizer.Outcome outcome, Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("suppressed;" + String.join(";", dataset.quasiIdentifiers()));
      w.newLine();
      for (int r = 0; r < dataset.histogram().rows(); r++) {
        String line = outcome.suppressedRow()[r] ? "true" + ";*".repeat(dataset.quasiIdentifiers().size())
            : "false;" + String.join(";", outcome.labels()[r]);
        for (long c = 0; c < dataset.histogram().count(r); c++) {
          w.write(line);
          w.newLine();
        }
      }
    }
  }

  /** Recomputes the classes of a written output; null when k holds and suppression is within the limit. */
  static String checkWritten(Path file, int k, long maxSuppressed) throws IOException {
    Map<String, Long> classes = new HashMap<>();
    long suppressed = 0;
    try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
      var it = lines.skip(1).iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (line.startsWith("true;")) {
          suppressed++;
        } else {
          classes.merge(line, 1L, Long::sum);
        }
      }
    }
    long smallest = classes.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
    if (smallest < k) {
      return "a class of " + smallest + " records (k=" + k + ")";
    }
    if (suppressed > maxSuppressed) {
      return suppressed + " records suppressed, at most " + maxSuppressed + " allowed";
    }
    return null;
  }
}
